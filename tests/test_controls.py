"""The control register: its services, how the SoA follows it, and the upgrade that builds it
from the SoA (one control per applicable Annex A row, nothing of the SoA's output changed)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from importlib import import_module
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from openisms.cli import main
from openisms.controls import services
from openisms.controls.models import Control, ControlRequirement
from openisms.controls.status import combined_status
from openisms.core.models import AuditEvent
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for, system_actor
from openisms.orgs.models import Organization
from openisms.soa import exports as soa_exports
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from openisms.soa import tracking
from openisms.soa.models import SoaEntry
from openisms.work import services as work_services
from tests.conftest import World

OWNER = "owner-a@example.com"
CONTRIBUTOR = "contributor-a@example.com"


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def _row(world: World, ref: str) -> SoaEntry:
    return SoaEntry.objects.select_related("requirement").get(
        org=world.org_a, requirement__framework__slug="iso27001-2022", requirement__ref=ref
    )


def test_combined_status() -> None:
    assert combined_status([]) is None
    assert combined_status(["implemented", "implemented"]) == "implemented"
    assert combined_status(["implemented", "not_started"]) == "partially_implemented"
    assert combined_status(["planned", "not_started"]) == "planned"
    assert combined_status(["not_started"]) == "not_started"


def test_create_links_requirements_of_any_framework_and_the_soa_follows(world: World) -> None:
    actor = _owner(world)
    control = services.control_create(
        actor=actor,
        ref="BK-01",
        name="Nightly encrypted backups",
        status="implemented",
        owner=CONTRIBUTOR,
        target_date=dt.date(2027, 1, 31),
        implementation="Restic to a second region, restore tested monthly.",
        requirements=["iso27001-2022:A.8.13", "nist-csf-2.0:PR.DS-11"],
    )
    assert sorted(r.ref for r in control.requirements.all()) == ["A.8.13", "PR.DS-11"]
    row = _row(world, "A.8.13")
    assert row.status == "implemented"
    assert row.owner is not None and row.owner.email == CONTRIBUTOR
    assert row.implementation == "Restic to a second region, restore tested monthly."
    assert row.target_date == dt.date(2027, 1, 31)
    event = AuditEvent.objects.filter(org=world.org_a, action="control.create").get()
    assert event.after["requirements"] == ["iso27001-2022:A.8.13", "nist-csf-2.0:PR.DS-11"]
    # A second control on the same requirement: the row shows their combined status.
    services.control_create(
        actor=actor, ref="BK-02", name="Backup monitoring", requirements=["iso27001-2022:A.8.13"]
    )
    row.refresh_from_db()
    assert row.status == "partially_implemented"
    assert row.implementation.splitlines() == [
        "BK-01 Nightly encrypted backups: Restic to a second region, restore tested monthly.",
        "BK-02 Backup monitoring",
    ]
    # Unlinking it brings the row back to the first control alone.
    second = Control.objects.get(org=world.org_a, ref="BK-02")
    services.control_update(actor=actor, control=second, requirements=[])
    row.refresh_from_db()
    assert row.status == "implemented"


def test_bad_input_is_a_field_error_and_changes_nothing(world: World) -> None:
    actor = _owner(world)
    services.control_create(actor=actor, ref="AC-01", name="Access reviews")
    before = Control.objects.count()
    for kwargs, field in [
        ({"ref": "AC-01", "name": "Duplicate"}, "ref"),
        ({"ref": "", "name": "No ref"}, "ref"),
        ({"ref": "AC-02", "name": ""}, "name"),
        ({"ref": "AC-02", "name": "x", "status": "done"}, "status"),
        ({"ref": "AC-02", "name": "x", "requirements": ["iso27001-2022:A.99"]}, "requirements"),
        ({"ref": "AC-02", "name": "x", "requirements": ["A.5.1"]}, "requirements"),
        ({"ref": "AC-02", "name": "x", "owner": "stranger@example.com"}, "owner"),
    ]:
        with pytest.raises(ValidationError) as raised:
            services.control_create(actor=actor, **kwargs)
        assert field in raised.value.message_dict, kwargs
    assert Control.objects.count() == before


def test_the_owner_may_change_only_status_and_implementation(world: World) -> None:
    actor = _owner(world)
    control = services.control_create(actor=actor, ref="AC-01", name="Reviews", owner=CONTRIBUTOR)
    contributor = actor_for(world.users_a["contributor"], world.org_a.slug)
    services.control_update(actor=contributor, control=control, status="planned")
    with pytest.raises(PermissionDenied):
        services.control_update(actor=contributor, control=control, name="Renamed")
    viewer = actor_for(world.users_a["viewer"], world.org_a.slug)
    with pytest.raises(PermissionDenied):
        services.control_create(actor=viewer, ref="X-1", name="x")
    other = Control.objects.get(pk=control.pk)
    assert other.status == "planned" and other.name == "Reviews"


def test_soa_edits_write_through_to_the_register(world: World) -> None:
    actor = _owner(world)
    row = _row(world, "A.5.15")
    assert not ControlRequirement.objects.filter(requirement=row.requirement).exists()
    soa_services.soa_entry_update(actor=actor, entry=row, status="planned", owner=CONTRIBUTOR)
    control = Control.objects.get(org=world.org_a, links__requirement=row.requirement)
    assert (control.ref, control.name, control.status) == ("A.5.15", "Access control", "planned")
    assert control.owner is not None and control.owner.email == CONTRIBUTOR
    # The row's owner reports progress through the SoA; the control follows.
    contributor = actor_for(world.users_a["contributor"], world.org_a.slug)
    soa_services.soa_entry_update(
        actor=contributor, entry=_row(world, "A.5.15"), status="implemented"
    )
    control.refresh_from_db()
    assert control.status == "implemented"
    # Excluding the row leaves the control alone; including it again takes the control's status.
    soa_services.soa_entry_update(
        actor=actor, entry=_row(world, "A.5.15"), applicable=False, justification="Out of scope."
    )
    control.refresh_from_db()
    assert _row(world, "A.5.15").status == "not_applicable" and control.status == "implemented"
    soa_services.soa_entry_update(actor=actor, entry=_row(world, "A.5.15"), applicable=True)
    assert _row(world, "A.5.15").status == "implemented"
    # Bulk changes go through too.
    rows = soa_selectors.soa_entries(actor=actor, ids=[_row(world, "A.5.16").pk])
    soa_services.soa_bulk_update(actor=actor, entries=rows, status="planned")
    assert Control.objects.get(org=world.org_a, ref="A.5.16").status == "planned"
    # A requirement met by two controls is changed in the register, not in the SoA.
    services.control_create(
        actor=actor, ref="IAM-2", name="Joiner process", requirements=["iso27001-2022:A.5.16"]
    )
    with pytest.raises(ValidationError, match="several controls"):
        soa_services.soa_entry_update(
            actor=actor, entry=_row(world, "A.5.16"), status="implemented"
        )


def test_override_wins_and_says_who_and_why(world: World) -> None:
    actor = _owner(world)
    services.control_create(
        actor=actor, ref="BK-01", name="Backups", requirements=["iso27001-2022:A.8.13"]
    )
    row = _row(world, "A.8.13")
    with pytest.raises(ValidationError, match="why"):
        tracking.assessment_override(actor=actor, entry=row, status="implemented")
    tracking.assessment_override(
        actor=actor, entry=row, status="implemented", reason="Done by the hosting provider."
    )
    row = _row(world, "A.8.13")
    assert (row.status, row.override_by) == ("implemented", world.owner_a)
    services.control_update(actor=actor, control=Control.objects.get(ref="BK-01"), status="planned")
    assert _row(world, "A.8.13").status == "implemented"  # the override still wins
    tracking.assessment_override(actor=actor, entry=_row(world, "A.8.13"), status=None)
    assert _row(world, "A.8.13").status == "planned"


def test_evidence_and_tasks_attach_to_a_control(world: World) -> None:
    actor = _owner(world)
    control = services.control_create(actor=actor, ref="HIP-01", name="Unique user IDs")
    item = evidence_services.evidence_create_link(
        actor=actor, title="IdP export", url="https://idp.example.org/users", controls=["HIP-01"]
    )
    assert [link.control_id for link in item.links.all()] == [control.pk]
    with pytest.raises(ValidationError, match="No such control"):
        evidence_services.evidence_link(actor=actor, item=item, controls=["NOPE"])
    task = work_services.task_create(actor=actor, title="Review IDs", control="HIP-01")
    assert task.control == control and task.target_label == "HIP-01"
    assert evidence_services.evidence_unlink(actor=actor, item=item, controls="HIP-01") == 1


def test_frameworks_are_tracked_per_organisation(world: World) -> None:
    actor = _owner(world)
    assert [f.slug for f in tracking.tracked_frameworks(actor=actor)] == ["iso27001-2022"]
    tracking.framework_track(actor=actor, framework_slug="nist-csf-2.0")
    csf_rows = SoaEntry.objects.filter(org=world.org_a, requirement__framework__slug="nist-csf-2.0")
    assert csf_rows.count() == 134  # functions, categories and subcategories
    assert not SoaEntry.objects.filter(
        org=world.org_b, requirement__framework__slug="nist-csf-2.0"
    ).exists()
    with pytest.raises(ValidationError, match="already tracked"):
        tracking.framework_track(actor=actor, framework_slug="nist-csf-2.0")
    with pytest.raises(ValidationError, match="always tracked"):
        tracking.framework_untrack(actor=actor, framework_slug="iso27001-2022")
    tracking.framework_untrack(actor=actor, framework_slug="nist-csf-2.0")
    assert csf_rows.count() == 134  # the assessments are kept
    viewer = actor_for(world.users_a["viewer"], world.org_a.slug)
    with pytest.raises(PermissionDenied):
        tracking.framework_track(actor=viewer, framework_slug="nist-csf-2.0")
    # The SoA lists only its own framework's rows.
    assert soa_selectors.soa_list(actor=actor).count() == 93


# --- the upgrade ---------------------------------------------------------------------------


@pytest.fixture
def demo(db: None, catalog: None, capsys: Any) -> Organization:
    assert main(["demo"]) == 0
    capsys.readouterr()
    return Organization.objects.get(slug="demo")


def _outputs(org: Organization) -> dict[str, Any]:
    """Everything a user sees of the SoA that does not carry a time stamp."""
    actor = system_actor(org)
    version = soa_selectors.current_approved(actor=actor)
    assert version is not None
    version = soa_selectors.version_get(actor=actor, version_id=version.pk)
    diff = soa_selectors.version_diff(actor=actor, first=version)
    book = load_workbook(
        io.BytesIO(soa_exports.export_soa(actor=actor, fmt="xlsx", version=None)[0]),
        read_only=True,
    )
    sheets = {
        name: [list(r) for r in book[name].iter_rows(values_only=True)]
        for name in book.sheetnames
        if name != "About"
    }
    return {
        "rows": soa_selectors.working_rows(actor=actor),
        "diff": [(d.ref, d.change, [(f.field, f.old, f.new) for f in d.fields]) for d in diff.rows],
        "csv": list(
            csv.reader(io.StringIO(soa_exports.export_soa(actor=actor, fmt="csv")[0].decode()))
        ),
        "xlsx": sheets,
        "counts": soa_selectors.soa_counts(actor=actor),
    }


def test_upgrade_builds_the_register_from_the_soa_and_changes_no_output(
    demo: Organization,
) -> None:
    # The state before the upgrade: the demo's SoA without a register.
    Control.objects.filter(org=demo).delete()
    before = _outputs(demo)
    rows = {
        e.requirement.ref: e
        for e in SoaEntry.objects.filter(org=demo, requirement__kind="control").select_related(
            "requirement"
        )
    }
    migration = import_module("openisms.controls.migrations.0002_controls_from_soa")
    migration.forward(django_apps, None)
    migration.forward(django_apps, None)  # idempotent
    controls = {
        c.ref: c for c in Control.objects.filter(org=demo).prefetch_related("requirements", "tasks")
    }
    applicable = {ref for ref, e in rows.items() if e.applicable}
    assert set(controls) == applicable and len(applicable) == 90
    for ref, control in controls.items():
        row = rows[ref]
        assert [r.pk for r in control.requirements.all()] == [row.requirement_id]
        assert (control.name, control.status, control.owner_id) == (
            row.requirement.title,
            row.status,
            row.owner_id,
        )
        assert (control.target_date, control.implementation) == (
            row.target_date,
            row.implementation,
        )
    assert _outputs(demo) == before
    # Later edits through the register show in the SoA.
    actor = system_actor(demo)
    services.control_update(actor=actor, control=controls["A.8.16"], status="implemented")
    assert SoaEntry.objects.get(org=demo, requirement__ref="A.8.16").status == "implemented"


def test_the_pii_role_decides_which_27701_controls_apply(world: World) -> None:
    from openisms.orgs import services as org_services

    actor = _owner(world)
    org_services.organization_update(actor=actor, pii_role="processor")
    actor = _owner(world)  # the role is read from the organisation
    tracking.framework_track(actor=actor, framework_slug="iso27701-2025")

    def applicable(ref: str) -> bool:
        return SoaEntry.objects.get(
            org=world.org_a, requirement__framework__slug="iso27701-2025", requirement__ref=ref
        ).applicable

    # A processor: controls for controllers (A.1) are out, for processors (A.2) and both (A.3) in.
    assert not applicable("A.1.2.2") and applicable("A.2.2.2") and applicable("A.3.24")
    row = SoaEntry.objects.get(org=world.org_a, requirement__ref="A.1.2.2")
    assert "PII controllers" in row.justification and row.status == "not_applicable"
    excluded = SoaEntry.objects.filter(
        org=world.org_a, requirement__framework__slug="iso27701-2025", applicable=False
    )
    assert excluded.count() == 31
    # A decision someone made by hand survives a change of role.
    kept = SoaEntry.objects.get(org=world.org_a, requirement__ref="A.2.2.3")
    soa_services.soa_entry_update(
        actor=actor,
        entry=kept,
        applicable=False,
        justification="We never use PII for our own purposes.",
    )
    org_services.organization_update(actor=actor, pii_role="controller")
    assert applicable("A.1.2.2") and not applicable("A.2.2.2") and not applicable("A.2.2.3")
    assert SoaEntry.objects.get(pk=kept.pk).justification.startswith("We never")
    org_services.organization_update(actor=_owner(world), pii_role="both")
    assert excluded.count() == 1  # only the hand-made exclusion is left
