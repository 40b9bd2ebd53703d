"""OSCAL imports into the database: a catalog or a resolved profile becomes a framework of the
organisation that imported it (or of the whole instance), atomically; other organisations do
not see it; its requirements map to ISO/IEC 27001 through the shipped SP 800-53 set; its
parameters take the organisation's values. Our own small fixtures (tests/fixtures/oscal) keep
this tested everywhere; the real NIST and FedRAMP files are used when ../shared is present."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openisms.catalog.models import Framework, Requirement
from openisms.catalog.selectors import framework_list
from openisms.cli import main
from openisms.controls import services as control_services
from openisms.controls.selectors import parameters_of
from openisms.core.models import AuditEvent
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for
from openisms.oscal.documents import load_document
from openisms.oscal.errors import OscalError
from openisms.oscal.models import ImportJob, SourceDocument
from openisms.oscal.services import GivenCatalog, oscal_import, read
from openisms.soa import tracking
from openisms.soa.coverage import coverage
from tests.conftest import SHARED_DATA, World, login, token_client
from tests.test_oscal_core import PROFILES, control_ids

FIXTURES = Path(__file__).parent / "fixtures" / "oscal"
OSCAL = Path(SHARED_DATA) / "oscal"
CATALOG_5_0_1 = OSCAL / "catalogs" / "NIST_SP-800-53_rev5.0.1_catalog.json"
BAD = sorted(p.name for p in FIXTURES.glob("bad-*"))
MINI_REFS = ["AC", "AC-1", "AC-1(1)", "AC-2", "OPS", "OPS-1", "OPS-1(1)", "OPS-1(2)", "OPS-2"]


def _owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def _import(world: World, name: str = "mini-catalog.json", **kwargs: Any) -> Any:
    return oscal_import(
        actor=_owner(world),
        organization=world.org_a,
        data=(FIXTURES / name).read_bytes(),
        filename=name,
        **kwargs,
    )


def _mini_catalog() -> GivenCatalog:
    data = (FIXTURES / "mini-catalog.json").read_bytes()
    return GivenCatalog("mini-catalog.json", read(data))


def _state() -> tuple[int, int, int, int]:
    return (
        Framework.objects.count(),
        Requirement.objects.count(),
        AuditEvent.objects.count(),
        SourceDocument.objects.count(),
    )


def test_a_catalog_becomes_a_private_framework(world: World) -> None:
    result = _import(world, slug="mini")
    fw = result.framework
    assert (result.status, result.model, fw.origin) == ("created", "catalog", "oscal")
    assert fw.organization_id == world.org_a.pk and fw.name == "Mini Catalog"
    reqs = {r.ref: r for r in Requirement.objects.filter(framework=fw).select_related("parent")}
    assert list(reqs) == MINI_REFS
    ac1, enhancement = reqs["AC-1"], reqs["AC-1(1)"]
    assert (reqs["AC"].kind, ac1.kind, enhancement.kind) == ("family", "control", "enhancement")
    assert ac1.parent is not None and ac1.parent.ref == "AC"
    assert enhancement.parent is not None and enhancement.parent.ref == "AC-1"
    assert (ac1.oscal_id, ac1.theme) == ("ac-1", "ac")
    assert [p["id"] for p in ac1.params] == ["ac-1_prm_1", "ac-1_prm_2"]
    assert ac1.statement.strip()
    event = AuditEvent.objects.get(action="framework.import", org=world.org_a)
    assert event.after["requirements"] == len(MINI_REFS)
    assert SourceDocument.objects.get(framework=fw).model == "catalog"


@pytest.mark.parametrize("name", ["mini-catalog.yaml", "mini-catalog.xml"])
def test_yaml_and_xml_give_the_same_framework(world: World, name: str) -> None:
    json_fw = _import(world, slug="from-json").framework
    other = _import(world, name, slug="from-other").framework

    def content(fw: Framework) -> list[tuple[str, str, str, str]]:
        return list(
            Requirement.objects.filter(framework=fw)
            .order_by("position")
            .values_list("ref", "kind", "title", "oscal_id")
        )

    assert content(other) == content(json_fw)


def test_the_same_file_again_changes_nothing(world: World) -> None:
    _import(world, slug="mini")
    before = _state()
    assert _import(world, slug="mini").status == "unchanged"
    assert _state() == before


def test_other_organisations_do_not_see_an_import(world: World) -> None:
    fw = _import(world, slug="mini").framework
    assert fw in framework_list(orgs=world.org_a.pk)
    assert fw not in framework_list(orgs=world.org_b.pk)
    # Pages and API of organisation B answer as if it did not exist.
    client_b = login(world.owner_b)
    assert client_b.get("/o/org-b/catalog/mini/").status_code == 404
    assert client_b.get("/o/org-b/catalog/mini/AC-1/").status_code == 404
    assert client_b.get("/api/v1/frameworks/mini").status_code == 404
    slugs = [
        f["slug"] for f in token_client(world.owner_b).get("/api/v1/frameworks").json()["items"]
    ]
    assert "mini" not in slugs
    assert login(world.owner_a).get("/o/org-a/catalog/mini/AC-1/").status_code == 200
    # Nor can B's controls meet its requirements, or B track it.
    actor_b = actor_for(world.owner_b, world.org_b.slug)
    with pytest.raises(ValidationError, match="Unknown requirement"):
        control_services.control_create(
            actor=actor_b, ref="X-1", name="X", requirements=["mini:AC-1"]
        )
    with pytest.raises(ValidationError, match="No framework"):
        tracking.framework_track(actor=actor_b, framework_slug="mini")


def test_a_profile_becomes_a_baseline(world: World) -> None:
    catalog = _import(world, slug="mini").framework
    result = _import(world, "mini-profile.json", slug="mini-baseline", catalog_framework=catalog)
    fw = result.framework
    assert (fw.origin, fw.baseline_of_id) == ("baseline", catalog.pk)
    refs = list(Requirement.objects.filter(framework=fw).values_list("ref", flat=True))
    # ac-1 with its enhancement, ops-* by pattern without ops-2; ac-2 was never selected.
    assert {"AC-1", "AC-1(1)", "OPS-1"} <= set(refs)
    assert not {"AC-2", "OPS-2"} & set(refs)
    ac1 = Requirement.objects.get(framework=fw, ref="AC-1")
    by_id = {p["id"]: p for p in ac1.params}
    assert by_id["ac-1_prm_1"]["values"] == ["the security officer"]
    # The same profile against the uploaded file gives the same controls.
    again = _import(world, "mini-profile.json", slug="mini-baseline-2", catalogs=[_mini_catalog()])
    assert sorted(
        Requirement.objects.filter(framework=again.framework).values_list("ref", flat=True)
    ) == sorted(refs)


def test_a_profile_without_its_catalog_is_refused(world: World) -> None:
    before = _state()
    with pytest.raises(OscalError, match="catalog"):
        _import(world, "mini-profile.json", slug="lonely")
    assert _state() == before


@pytest.mark.parametrize("name", BAD)
def test_every_bad_fixture_is_refused_and_leaves_no_trace(world: World, name: str) -> None:
    kwargs: dict[str, Any] = {}
    if "profile" in name and "href" not in name:  # one given catalog answers any href
        kwargs["catalogs"] = [_mini_catalog()]
    before = _state()
    with pytest.raises(OscalError) as caught:
        _import(world, name, slug="bad", **kwargs)
    assert caught.value.issues and all(i.message for i in caught.value.issues)
    assert _state() == before


def test_slugs_of_shipped_frameworks_are_refused(world: World) -> None:
    with pytest.raises(OscalError, match="already exists"):
        _import(world, slug="iso27001-2022")
    assert Framework.objects.get(slug="iso27001-2022").origin == "shipped"


def test_who_may_import(world: World) -> None:
    viewer = actor_for(world.users_a["viewer"], world.org_a.slug)
    data = (FIXTURES / "mini-catalog.json").read_bytes()
    with pytest.raises(PermissionDenied):
        oscal_import(actor=viewer, organization=world.org_a, data=data)
    with pytest.raises(PermissionDenied):  # into another organisation
        oscal_import(actor=_owner(world), organization=world.org_b, data=data)
    with pytest.raises(PermissionDenied):  # for the whole instance: operators only (CLI)
        oscal_import(actor=_owner(world), organization=None, data=data)
    assert not Framework.objects.filter(origin="oscal").exists()


def test_iso_work_covers_an_imported_sp800_53_control(world: World) -> None:
    """The mini catalog's AC-2 is SP 800-53's AC-2 to the shipped SP 800-53 to ISO set, which
    maps it to A.5.16, A.5.18 and A.8.2: one of the three covered makes it partial."""
    actor = _owner(world)
    _import(world, slug="mini", mapping_key="nist-sp800-53r5")
    tracking.framework_track(actor=actor, framework_slug="mini")

    def verdicts() -> dict[str, str]:
        return {r.ref: r.verdict for r in coverage(actor=actor, framework_slug="mini").requirements}

    assert verdicts()["AC-2"] == "not_covered"
    control_services.control_create(
        actor=actor,
        ref="IAM-01",
        name="Identity management",
        status="implemented",
        requirements=["iso27001-2022:A.5.16"],
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title="Joiner-mover-leaver review",
        url="https://tickets.example.org/IAM-7",
        collected_on=dt.date.today(),
        validity_days=90,
        controls=["IAM-01"],
    )
    found = verdicts()
    assert found["AC-2"] == "partial"
    # The requirement page's crosswalk finds the pairs by ref too.
    page = login(world.owner_a).get("/o/org-a/catalog/mini/AC-2/").content.decode()
    assert "A.5.16" in page and "A.8.2" in page
    assert found["OPS-1"] == "not_covered"  # no pairs: the set knows no OPS family


def test_parameter_values(world: World) -> None:
    fw = _import(world, slug="mini").framework
    ac1 = Requirement.objects.select_related("framework").get(framework=fw, ref="AC-1")
    actor = _owner(world)
    control_services.parameter_values_set(
        actor=actor, requirement=ac1, values={"ac-1_prm_1": "the CISO"}
    )
    params = {p.id: p for p in parameters_of(actor=actor, requirement=ac1)}
    assert params["ac-1_prm_1"].value == "the CISO" and params["ac-1_prm_2"].value is None
    with pytest.raises(ValidationError, match="no parameter"):
        control_services.parameter_values_set(actor=actor, requirement=ac1, values={"nope": "x"})
    viewer = actor_for(world.users_a["viewer"], world.org_a.slug)
    with pytest.raises(PermissionDenied):
        control_services.parameter_values_set(
            actor=viewer, requirement=ac1, values={"ac-1_prm_1": "x"}
        )
    # Through the API; an empty value removes ours; another organisation gets 404.
    api = token_client(world.owner_a)
    url = "/api/v1/orgs/org-a/frameworks/mini/requirements/AC-1/parameters"
    body = {"values": {"ac-1_prm_1": "", "ac-1_prm_2": "every quarter"}}
    response = api.put(url, body, content_type="application/json")
    assert response.status_code == 200, response.content
    values = {p["id"]: p["value"] for p in response.json()["parameters"]}
    assert values == {"ac-1_prm_1": None, "ac-1_prm_2": "every quarter"}
    other = token_client(world.owner_b)
    assert other.get(url.replace("org-a", "org-b")).status_code == 404
    # The requirement page shows them, with a form for editors.
    page = login(world.owner_a).get("/o/org-a/catalog/mini/AC-1/").content.decode()
    assert "every quarter" in page and 'name="param:ac-1_prm_1"' in page


def test_import_job_over_the_api(world: World, django_capture_on_commit_callbacks: Any) -> None:
    api = token_client(world.owner_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/orgs/org-a/oscal/imports",
            {"file": (FIXTURES / "mini-catalog.yaml").open("rb"), "slug": "mini"},
        )
    assert response.status_code == 202, response.content
    job = api.get(f"/api/v1/orgs/org-a/oscal/imports/{response.json()['id']}").json()
    assert (job["status"], job["progress"], job["framework"]) == ("done", 100, "mini")
    assert ImportJob.objects.get(pk=job["id"]).content == b""  # the upload is not kept
    # A bad document: the job fails with where and what, and nothing is imported.
    before = _state()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/orgs/org-a/oscal/imports",
            {"file": (FIXTURES / "bad-duplicate-uuid.json").open("rb")},
        )
    job = api.get(f"/api/v1/orgs/org-a/oscal/imports/{response.json()['id']}").json()
    assert job["status"] == "failed" and job["issues"]
    assert all(i["message"] for i in job["issues"])
    assert _state() == before
    # Another organisation cannot see the job; a viewer cannot import.
    assert (
        token_client(world.owner_b).get(f"/api/v1/orgs/org-a/oscal/imports/{job['id']}").status_code
        == 404
    )
    viewer = token_client(world.users_a["viewer"])
    refused = viewer.post(
        "/api/v1/orgs/org-a/oscal/imports", {"file": (FIXTURES / "mini-catalog.json").open("rb")}
    )
    assert refused.status_code == 403


def test_import_page_and_job_page(world: World, django_capture_on_commit_callbacks: Any) -> None:
    client = login(world.owner_a)
    assert client.get("/o/org-a/oscal/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/o/org-a/oscal/",
            {"file": (FIXTURES / "bad-version.json").open("rb"), "slug": "bad"},
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Nothing was imported" in page and "version" in page


def test_cli_import_validate_resolve(world: World, tmp_path: Path, capsys: Any) -> None:
    catalog = str(FIXTURES / "mini-catalog.json")
    assert main(["oscal", "validate", catalog]) == 0
    assert "valid OSCAL catalog" in capsys.readouterr().out
    assert main(["oscal", "validate", str(FIXTURES / "bad-version.json")]) == 1
    assert "refused" in capsys.readouterr().err
    out = tmp_path / "resolved.json"
    profile = str(FIXTURES / "mini-profile.json")
    assert main(["oscal", "resolve", profile, "--catalog", catalog, "-o", str(out)]) == 0
    resolved = json.loads(out.read_text())["catalog"]
    assert resolved["metadata"]["title"]
    assert main(["oscal", "import", catalog, "--slug", "mini", "--org", "org-a"]) == 0
    assert "mini: created" in capsys.readouterr().out
    assert Framework.objects.get(slug="mini").organization_id == world.org_a.pk
    args = ["oscal", "import", profile, "--slug", "mini-b", "--catalog", "mini"]
    assert main([*args, "--org", "org-a"]) == 0
    assert Framework.objects.get(slug="mini-b").organization_id == world.org_a.pk
    assert main(args) == 1  # for the whole instance, from one organisation's catalog
    assert "belongs to one organisation" in capsys.readouterr().err
    assert main(["oscal", "import", catalog, "--slug", "mini-shared"]) == 0
    assert main(["oscal", "import", profile, "--slug", "mini-c", "--catalog", "mini-shared"]) == 0
    assert Framework.objects.get(slug="mini-c").organization_id is None


# --- the real NIST and FedRAMP files ------------------------------------------------------


def _shared() -> None:
    if not CATALOG_5_0_1.exists():
        pytest.skip(f"{OSCAL} is absent: the NIST and FedRAMP OSCAL files are not on this machine")


def test_must_show_import_800_53_and_export_every_control(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    """`openisms oscal import ... --slug nist-sp800-53-r5`, then `openisms catalog export` lists
    all 1,189 controls and enhancements; FedRAMP HIGH resolved against it is a 410-control
    baseline whose coverage comes from the organisation's ISO work."""
    _shared()
    assert main(["oscal", "import", str(CATALOG_5_0_1), "--slug", "nist-sp800-53-r5"]) == 0
    assert "1209 requirements" in capsys.readouterr().out  # 20 families and 1,189 controls
    out = tmp_path / "export.json"
    assert main(["catalog", "export", "nist-sp800-53-r5", "--format", "json", "-o", str(out)]) == 0
    rows = json.loads(out.read_text())
    rows = rows["requirements"] if isinstance(rows, dict) else rows
    controls = [r for r in rows if r["kind"] in ("control", "enhancement")]
    assert len(controls) == 1189
    assert sum(1 for r in rows if r["kind"] == "family") == 20
    fw = Framework.objects.get(slug="nist-sp800-53-r5")
    assert (fw.organization_id, fw.mapping_key) == (None, "nist-sp800-53r5")

    high = OSCAL / "fedramp-rev5" / "FedRAMP_rev5_HIGH-baseline_profile.json"
    result = oscal_import(
        actor=_owner(world),
        organization=world.org_a,
        data=high.read_bytes(),
        filename=high.name,
        slug="fedramp-high",
        catalog_framework=fw,
    )
    baseline = result.framework
    assert baseline.mapping_key == "nist-sp800-53r5" and baseline.baseline_of_id == fw.pk
    kinds = Requirement.objects.filter(framework=baseline).exclude(kind="family")
    assert kinds.count() == 410
    actor = _owner(world)
    tracking.framework_track(actor=actor, framework_slug="fedramp-high")
    report = coverage(actor=actor, framework_slug="fedramp-high")
    assert len(report.requirements) == 410
    ac2 = next(r for r in report.requirements if r.ref == "AC-2")
    assert (ac2.verdict, ac2.source) == ("not_covered", "mapping")
    control_services.control_create(
        actor=actor,
        ref="IAM-01",
        name="Identity management",
        status="partially_implemented",
        requirements=["iso27001-2022:A.5.16"],
    )
    report = coverage(actor=actor, framework_slug="fedramp-high")
    assert next(r for r in report.requirements if r.ref == "AC-2").verdict == "partial"


def test_parameters_of_a_real_control(world: World) -> None:
    _shared()
    result = oscal_import(
        actor=None, organization=None, data=CATALOG_5_0_1.read_bytes(), slug="sp800-53"
    )
    ac2 = Requirement.objects.get(framework=result.framework, ref="AC-2")
    assert ac2.statement and "[Assignment:" in ac2.statement
    assert [p["id"] for p in ac2.params][:3] == ["ac-2_prm_1", "ac-2_prm_2", "ac-2_prm_3"]
    assert Requirement.objects.get(framework=result.framework, ref="AC-2(10)").withdrawn


@pytest.mark.parametrize("stem", sorted(s for s, (_, fmt) in PROFILES.items() if fmt))
def test_cli_resolve_matches_the_official_resolved_catalog(
    stem: str, tmp_path: Path, capsys: Any
) -> None:
    """`openisms oscal resolve PROFILE --catalog 5.0.1 -o FILE` gives the control ids of the
    official resolved catalog, in its order (FedRAMP MODERATE and HIGH are XML)."""
    _shared()
    out = tmp_path / "resolved.json"
    profile = OSCAL / f"{stem}_profile.json"
    args = ["oscal", "resolve", str(profile), "--catalog", str(CATALOG_5_0_1), "-o", str(out)]
    assert main(args) == 0, capsys.readouterr().err
    _, fmt = PROFILES[stem]
    official = load_document((OSCAL / f"{stem}-resolved-profile_catalog.{fmt}").read_bytes())
    assert control_ids(json.loads(out.read_text())["catalog"]) == control_ids(official.body)


def test_register_controls_meet_imported_requirements_directly(world: World) -> None:
    """A control linked to the imported AC-2 decides its coverage itself; the API shows the
    statement and parameters of an imported requirement."""
    actor = _owner(world)
    _import(world, slug="mini", mapping_key="nist-sp800-53r5")
    tracking.framework_track(actor=actor, framework_slug="mini")
    control_services.control_create(
        actor=actor,
        ref="AC-02",
        name="Account management",
        status="partially_implemented",
        requirements=["mini:AC-2"],
    )
    ac2 = next(
        r for r in coverage(actor=actor, framework_slug="mini").requirements if r.ref == "AC-2"
    )
    assert (ac2.verdict, ac2.source) == ("partial", "controls")
    api = token_client(world.owner_a)
    body = api.get("/api/v1/frameworks/mini/requirements/AC-1").json()
    assert body["oscal_id"] == "ac-1" and body["statement"] and len(body["params"]) == 2
    listing = {f["slug"]: f for f in api.get("/api/v1/frameworks").json()["items"]}
    assert (listing["mini"]["origin"], listing["mini"]["private"]) == ("oscal", True)
    assert listing["iso27001-2022"]["private"] is False


def test_an_instance_baseline_of_a_private_catalog_is_refused(world: World) -> None:
    private = _import(world, slug="mini").framework
    with pytest.raises(OscalError, match="belongs to one organisation"):
        oscal_import(
            actor=None,
            organization=None,
            data=(FIXTURES / "mini-profile.json").read_bytes(),
            slug="leak",
            catalog_framework=private,
        )
    assert not Framework.objects.filter(slug="leak").exists()


def test_removing_an_import(world: World, capsys: Any) -> None:
    """An organisation removes its own import (with its assessments); not while a control meets
    one of its requirements; never a shipped framework or another organisation's."""
    actor = _owner(world)
    fw = _import(world, slug="mini").framework
    tracking.framework_track(actor=actor, framework_slug="mini")
    control = control_services.control_create(
        actor=actor, ref="AC-02", name="Accounts", requirements=["mini:AC-2"]
    )
    api = token_client(world.owner_a)
    refused = api.delete("/api/v1/orgs/org-a/oscal/frameworks/mini")
    assert refused.status_code == 422 and "1 controls" in str(refused.json())
    assert (
        token_client(world.users_a["viewer"])
        .delete("/api/v1/orgs/org-a/oscal/frameworks/mini")
        .status_code
        == 403
    )
    assert (
        token_client(world.owner_b).delete("/api/v1/orgs/org-b/oscal/frameworks/mini").status_code
        == 404
    )
    assert api.delete("/api/v1/orgs/org-a/oscal/frameworks/iso27001-2022").status_code == 404
    control_services.control_delete(actor=actor, control=control)
    assert api.delete("/api/v1/orgs/org-a/oscal/frameworks/mini").status_code == 204
    assert not Framework.objects.filter(pk=fw.pk).exists()
    assert not Requirement.objects.filter(framework_id=fw.pk).exists()
    event = AuditEvent.objects.get(action="framework.delete")
    assert event.before["requirements"] == len(MINI_REFS) and event.before["assessments"] > 0
    # The operator's command line removes an instance-wide import; shipped ones stay.
    assert main(["oscal", "import", str(FIXTURES / "mini-catalog.json"), "--slug", "shared"]) == 0
    assert main(["oscal", "remove", "shared"]) == 0
    assert "Removed shared" in capsys.readouterr().out
    assert main(["oscal", "remove", "iso27001-2022"]) == 1
    assert "cannot be removed" in capsys.readouterr().err
