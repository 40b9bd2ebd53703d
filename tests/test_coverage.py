"""Coverage: one ISO/IEC 27001 control implemented with current evidence changes the mapped NIST
CSF 2.0 and HIPAA requirements; a HIPAA-only control counts for HIPAA alone. Every expected
verdict below is worked out by hand from the shipped mapping sets:

- CSF PR.DS-11 and RC.RP-03 map to A.8.13 alone; RC.RP-06 to A.5.27 and A.8.13.
- HIPAA 164.308(a)(7) (contingency plan) maps, through SP 800-53, to 20 ISO requirements, one of
  them A.8.13; its implementation specification 164.308(a)(7)(ii)(A) has no pairs of its own
  and shares the standard's. HIPAA 164.312(d) maps to A.5.16 alone.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openisms.cli import main
from openisms.controls import services as control_services
from openisms.evidence import services as evidence_services
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import Actor, actor_for
from openisms.soa import services as soa_services
from openisms.soa import tracking
from openisms.soa.coverage import coverage
from openisms.soa.models import SoaEntry
from tests.conftest import World


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def _verdicts(actor: Actor, framework: str) -> dict[str, str]:
    return {r.ref: r.verdict for r in coverage(actor=actor, framework_slug=framework).requirements}


def _row(world: World, ref: str) -> SoaEntry:
    return SoaEntry.objects.select_related("requirement").get(
        org=world.org_a, requirement__framework__slug="iso27001-2022", requirement__ref=ref
    )


@pytest.fixture
def tracked(world: World) -> Actor:
    actor = _owner(world)
    tracking.framework_track(actor=actor, framework_slug="nist-csf-2.0")
    tracking.framework_track(actor=actor, framework_slug="hipaa-security-rule")
    return actor


def test_an_iso_control_counts_for_csf_and_hipaa(world: World, tracked: Actor) -> None:
    actor = tracked
    csf = _verdicts(actor, "nist-csf-2.0")
    assert len(csf) == 106  # the subcategories; functions and categories are roll-ups
    assert {csf[r] for r in ("PR.DS-11", "RC.RP-03", "RC.RP-06")} == {"not_covered"}
    hipaa = _verdicts(actor, "hipaa-security-rule")
    assert hipaa["164.308(a)(7)"] == hipaa["164.308(a)(7)(ii)(A)"] == "not_covered"

    # Implemented, but no evidence yet: partly covered, here and through the mappings.
    soa_services.soa_entry_update(actor=actor, entry=_row(world, "A.8.13"), status="implemented")
    assert _verdicts(actor, "iso27001-2022")["A.8.13"] == "partial"
    assert _verdicts(actor, "nist-csf-2.0")["PR.DS-11"] == "partial"

    # With current evidence: covered; CSF outcomes met by A.8.13 alone are covered, RC.RP-06
    # (A.5.27 and A.8.13) is partial, and HIPAA's contingency plan is partial (1 of 20).
    evidence_services.evidence_create_link(
        actor=actor,
        title="Restore test",
        url="https://tickets.example.org/OPS-1",
        collected_on=dt.date.today(),
        validity_days=90,
        requirements=["A.8.13"],
    )
    iso = coverage(actor=actor, framework_slug="iso27001-2022")
    backup = next(r for r in iso.requirements if r.ref == "A.8.13")
    assert backup.verdict == "covered" and backup.source == "controls"
    assert [e.ref for e in backup.evidence] == ["EV-1"]
    csf = _verdicts(actor, "nist-csf-2.0")
    assert (csf["PR.DS-11"], csf["RC.RP-03"], csf["RC.RP-06"]) == ("covered", "covered", "partial")
    result = coverage(actor=actor, framework_slug="hipaa-security-rule")
    plan = next(r for r in result.requirements if r.ref == "164.308(a)(7)")
    assert plan.verdict == "partial" and plan.source == "mapping"
    assert "1 of 20 mapped requirements covered or partial." in plan.because
    spec = next(r for r in result.requirements if r.ref == "164.308(a)(7)(ii)(A)")
    assert spec.verdict == "partial"
    assert _verdicts(actor, "hipaa-security-rule")["164.312(d)"] == "not_covered"

    # Excluding A.5.27 leaves A.8.13 as RC.RP-06's only applicable requirement: covered.
    soa_services.soa_entry_update(
        actor=actor,
        entry=_row(world, "A.5.27"),
        applicable=False,
        justification="Lessons are learnt in the incident process of the parent company.",
    )
    assert _verdicts(actor, "nist-csf-2.0")["RC.RP-06"] == "covered"

    # Expired evidence no longer counts.
    EvidenceItem.objects.filter(org=world.org_a).update(
        collected_on=dt.date.today() - dt.timedelta(days=400),
        valid_until=dt.date.today() - dt.timedelta(days=35),
    )
    assert _verdicts(actor, "iso27001-2022")["A.8.13"] == "partial"


def test_a_hipaa_only_control_counts_for_hipaa_alone(world: World, tracked: Actor) -> None:
    actor = tracked
    before_iso = _verdicts(actor, "iso27001-2022")
    before_csf = _verdicts(actor, "nist-csf-2.0")
    control_services.control_create(
        actor=actor,
        ref="HIP-AUTH",
        name="Person or entity authentication for the EHR",
        status="implemented",
        requirements=["hipaa-security-rule:164.312(d)"],
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title="EHR login configuration",
        url="https://wiki.example.org/ehr/sso",
        collected_on=dt.date.today(),
        validity_days=180,
        controls=["HIP-AUTH"],
    )
    result = coverage(actor=actor, framework_slug="hipaa-security-rule")
    auth = next(r for r in result.requirements if r.ref == "164.312(d)")
    assert (auth.verdict, auth.source) == ("covered", "controls")
    assert [c.ref for c in auth.controls] == ["HIP-AUTH"]
    # A.5.16, which HIPAA 164.312(d) maps to, and everything else outside HIPAA are unchanged.
    assert _verdicts(actor, "iso27001-2022") == before_iso
    assert _verdicts(actor, "nist-csf-2.0") == before_csf


def test_override_and_roll_ups(world: World, tracked: Actor) -> None:
    actor = tracked
    entry = SoaEntry.objects.get(
        org=world.org_a, requirement__framework__slug="nist-csf-2.0", requirement__ref="GV.OC-01"
    )
    tracking.assessment_override(
        actor=actor, entry=entry, status="partially_implemented", reason="Mission written down."
    )
    result = coverage(actor=actor, framework_slug="nist-csf-2.0")
    first = next(r for r in result.requirements if r.ref == "GV.OC-01")
    assert (first.verdict, first.source) == ("partial", "override")
    gv = next(u for u in result.rollups if u.ref == "GV")
    oc = next(u for u in result.rollups if u.ref == "GV.OC")
    assert oc.counts["partial"] == 1 and oc.total == 5
    assert gv.total == 31 and result.totals.total == 106
    assert result.gaps[0].verdict == "not_covered" and result.gaps[-1].ref == "GV.OC-01"


def test_coverage_reads_a_fixed_number_of_queries(world: World, tracked: Actor) -> None:
    actor = tracked

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            coverage(actor=actor, framework_slug="nist-csf-2.0")
        return len(captured)

    def add(n: int) -> None:
        control_services.control_create(
            actor=actor,
            ref=f"C-{n}",
            name=f"Control {n}",
            status="implemented",
            requirements=[f"iso27001-2022:A.5.{n + 1}", "nist-csf-2.0:GV.OC-01"],
        )
        evidence_services.evidence_create_link(
            actor=actor, title=f"Proof {n}", url=f"https://e.example.org/{n}", controls=[f"C-{n}"]
        )

    add(0)
    small = count()
    for n in range(1, 6):
        add(n)
    assert count() == small <= 10


@pytest.fixture
def demo(db: None, catalog: None, capsys: Any) -> None:
    assert main(["demo"]) == 0
    capsys.readouterr()


def test_cli_coverage_of_the_demo(demo: None, capsys: Any, tmp_path: Any) -> None:
    assert main(["coverage", "--org", "demo", "--framework", "nist-csf-2.0"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 106 and {"ref", "status", "because"} <= set(rows[0])
    statuses = {r["status"] for r in rows}
    assert statuses <= {"covered", "partial", "not_covered", "not_applicable"}
    assert {"covered", "partial"} <= statuses
    out = tmp_path / "hipaa.xlsx"
    assert (
        main(
            [
                "coverage",
                "--org",
                "demo",
                "--framework",
                "hipaa-security-rule",
                "--format",
                "xlsx",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:2] == b"PK"
    assert main(["coverage", "--org", "demo", "--framework", "nope"]) == 1
    assert "No framework 'nope'" in capsys.readouterr().err


def test_a_controls_evidence_includes_what_is_linked_to_its_requirements(
    world: World, tracked: Actor
) -> None:
    """Evidence linked to ISO A.5.24 counts for CSF RS.MA-01 when one control meets both."""
    actor = tracked
    control_services.control_create(
        actor=actor,
        ref="IR-1",
        name="Incident response plan",
        status="implemented",
        requirements=["iso27001-2022:A.5.24", "nist-csf-2.0:RS.MA-01"],
    )
    assert _verdicts(actor, "nist-csf-2.0")["RS.MA-01"] == "partial"  # no evidence yet
    evidence_services.evidence_create_link(
        actor=actor,
        title="Tabletop exercise with the MSP",
        url="https://tickets.example.org/IR-7",
        collected_on=dt.date.today(),
        validity_days=365,
        requirements=["A.5.24"],
    )
    result = coverage(actor=actor, framework_slug="nist-csf-2.0")
    row = next(r for r in result.requirements if r.ref == "RS.MA-01")
    assert (row.verdict, row.source) == ("covered", "controls")
    assert row.because[-1] == "Current evidence: EV-1."
