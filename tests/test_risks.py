from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from openisms.cli import main
from openisms.core.models import AuditEvent
from openisms.orgs.access import actor_for
from openisms.risks import exports, scoring, selectors, services
from openisms.risks import io as risk_io
from openisms.risks.models import Risk, RiskMethod, Threat
from tests.conftest import World, token_client

pytestmark = pytest.mark.usefixtures("catalog")


def _actor(world: World, role: str = "owner") -> Any:
    return actor_for(world.users_a[role], "org-a")


def _risk(world: World, role: str = "owner", **extra: Any) -> Risk:
    fields = {
        "title": "Ransomware",
        "description": "Encrypts production",
        "inherent_likelihood": 4,
        "inherent_impact": 5,
    } | extra
    return services.risk_create(actor=_actor(world, role), **fields)


def test_a_new_organisation_starts_with_the_default_method_and_library(world: World) -> None:
    method = selectors.method_current(actor=_actor(world))
    assert method is not None
    assert (method.version, len(method.likelihood_scale), method.acceptance_threshold) == (1, 5, 9)
    threats = Threat.objects.filter(org=world.org_a)
    assert threats.count() >= 45
    ransomware = threats.get(key="ransomware")
    assert "A.8.13" in {c.ref for c in ransomware.suggested_controls.all()}
    assert services.risk_module_setup(actor=_actor(world)).pk == method.pk
    assert services.library_load(actor=_actor(world)) == 0  # idempotent
    # Each organisation has its own copy, created by the system with the organisation.
    assert Threat.objects.filter(org=world.org_b).count() == threats.count()
    created = AuditEvent.objects.get(org=world.org_a, action="risk_method.create")
    assert created.actor_id is None and created.object_id == str(method.pk)
    assert not AuditEvent.objects.filter(org=world.org_a, action="threat.create").exclude(
        actor=None
    )


def test_an_organisation_without_a_method_is_shown_the_default_and_gets_it_on_first_write(
    world: World,
) -> None:
    """Should an organisation have no method (rows removed by hand), reads show the default
    without creating it and the first write that needs one creates it."""
    RiskMethod.objects.filter(org=world.org_a).delete()
    shown = selectors.method_in_use(actor=_actor(world))
    assert shown.pk is None and shown.version == 1 and shown.acceptance_threshold == 9
    heat = selectors.heatmap(actor=_actor(world), method=shown)
    assert (heat.total, heat.other_versions) == (0, 0)
    assert not RiskMethod.objects.filter(org=world.org_a).exists()
    risk = _risk(world)
    assert risk.method.version == 1 and risk.method.is_current


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        (
            {"likelihood_scale": [{"value": 1, "label": "Low"}, {"value": 2, "label": "High"}]},
            "likelihood_scale",
        ),
        ({"bands": [{"name": "All", "min": 1, "max": 20, "colour": "#000000"}]}, "bands"),
        (
            {
                "bands": [
                    {"name": "A", "min": 1, "max": 10, "colour": "#000000"},
                    {"name": "B", "min": 12, "max": 25, "colour": "#ffffff"},
                ]
            },
            "bands",
        ),
        ({"bands": [{"name": "All", "min": 1, "max": 25, "colour": "red"}]}, "bands"),
        ({"acceptance_threshold": 26}, "acceptance_threshold"),
        ({"acceptors": ["ceo"]}, "acceptors"),
        ({"scoring": "max"}, "scoring"),
    ],
)
def test_invalid_methods_are_refused_and_change_nothing(
    world: World, changes: dict[str, Any], field: str
) -> None:
    services.risk_module_setup(actor=_actor(world))
    with pytest.raises(ValidationError) as exc:
        services.risk_method_update(actor=_actor(world), **changes)
    assert field in exc.value.message_dict
    assert RiskMethod.objects.filter(org=world.org_a).count() == 1


def test_scores_levels_and_sum_scoring(world: World) -> None:
    risk = _risk(world, residual_likelihood=2, residual_impact=2)
    assert (risk.inherent_score, risk.inherent_level) == (20, "Critical")
    assert (risk.residual_score, risk.residual_level) == (4, "Low")
    method = RiskMethod(likelihood_scale=[{}] * 3, impact_scale=[{}] * 3, scoring="sum", bands=[])
    assert scoring.score(method, 2, 3) == 5 and scoring.max_score(method) == 6


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"residual_likelihood": 5, "residual_impact": 5}, "residual_likelihood"),
        ({"residual_likelihood": 2}, "residual_impact"),
        ({"inherent_likelihood": 6}, "inherent_likelihood"),
        ({"description": ""}, "description"),
        ({"planned_controls": ["A.9.9"]}, "planned_controls"),
        ({"owner": "owner-b@example.com"}, "owner"),
        (
            {
                "quant": {
                    "frequency": {"low": 2, "mode": 1, "high": 3},
                    "magnitude": {"low": 1, "mode": 2, "high": 3},
                }
            },
            "quant",
        ),
        ({"quant": {"frequency": {"low": 0, "mode": 1, "high": 3}}}, "quant"),
    ],
)
def test_invalid_risks_name_the_field(world: World, extra: dict[str, Any], field: str) -> None:
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as exc:
        _risk(world, **extra)
    assert field in exc.value.message_dict
    assert Risk.objects.count() == 0 and AuditEvent.objects.count() <= events + 2  # setup only


def test_planned_controls_accept_short_refs_and_feed_the_catalogue(world: World) -> None:
    risk = _risk(world, planned_controls=["8.13", "A.5.30"])
    assert [c.ref for c in risk.planned_controls.all()] == ["A.5.30", "A.8.13"]  # catalogue order
    assert [r.ref for r in selectors.risk_list(actor=_actor(world), control="8.13")] == [risk.ref]


def test_contributor_edits_only_own_risks(world: World) -> None:
    mine = _risk(world, owner="contributor-a@example.com")
    other = _risk(world)
    services.risk_update(actor=_actor(world, "contributor"), risk=mine, existing_controls="EDR")
    with pytest.raises(PermissionDenied):
        services.risk_update(actor=_actor(world, "contributor"), risk=other, existing_controls="x")
    with pytest.raises(PermissionDenied):
        _risk(world, "contributor")
    with pytest.raises(PermissionDenied):
        _risk(world, "auditor")


def test_acceptance_rules(world: World) -> None:
    risk = _risk(world)  # 20 inherent, no residual yet: above threshold 9
    later = dt.date.today() + dt.timedelta(days=90)
    with pytest.raises(PermissionDenied):
        services.risk_accept(
            actor=_actor(world, "manager"), risk=risk, rationale="x", expires_on=later
        )
    with pytest.raises(ValidationError):
        services.risk_accept(actor=_actor(world), risk=risk, rationale=" ", expires_on=later)
    with pytest.raises(ValidationError):
        services.risk_accept(
            actor=_actor(world),
            risk=risk,
            rationale="ok",
            expires_on=dt.date.today() + dt.timedelta(days=4000),
        )
    acceptance = services.risk_accept(
        actor=_actor(world, "admin"), risk=risk, rationale="Budget", expires_on=later
    )
    assert selectors.risk_list(actor=_actor(world), acceptance="accepted").get().pk == risk.pk
    assert not selectors.risk_list(actor=_actor(world), acceptance="needed").exists()
    low = _risk(world, residual_likelihood=1, residual_impact=2)
    with pytest.raises(ValidationError):
        services.risk_accept(actor=_actor(world), risk=low, rationale="x", expires_on=later)
    services.acceptance_revoke(actor=_actor(world), acceptance=acceptance)
    assert selectors.risk_list(actor=_actor(world), acceptance="needed").get().pk == risk.pk


def test_method_change_keeps_old_scores_and_rescore_moves_them(world: World) -> None:
    risk = _risk(
        world, inherent_likelihood=3, inherent_impact=5, residual_likelihood=1, residual_impact=5
    )
    three = [{"value": n, "label": f"L{n}", "description": ""} for n in (1, 2, 3)]
    services.risk_method_update(
        actor=_actor(world),
        likelihood_scale=three,
        impact_scale=three,
        bands=[
            {"name": "Low", "min": 1, "max": 3, "colour": "#2e7d32"},
            {"name": "High", "min": 4, "max": 9, "colour": "#c62828"},
        ],
        acceptance_threshold=3,
    )
    risk.refresh_from_db()
    assert (risk.method.version, risk.inherent_score) == (1, 15)  # still readable on v1
    heat = selectors.heatmap(
        actor=_actor(world), method=services.risk_module_setup(actor=_actor(world))
    )
    assert heat.other_versions == 1 and heat.total == 0
    assert services.risk_rescore(actor=_actor(world)) == 1
    risk.refresh_from_db()
    assert (risk.method.version, risk.inherent_likelihood, risk.inherent_impact) == (2, 2, 3)
    assert (risk.inherent_score, risk.inherent_level, risk.residual_score) == (6, "High", 3)
    event = AuditEvent.objects.filter(action="risk.rescore").get()
    assert event.before["inherent_score"] == 15 and event.after["inherent_score"] == 6


def test_assessments_freeze_scores_and_compare(world: World) -> None:
    a = _actor(world)
    first = _risk(world)
    services.assessment_complete(
        actor=a,
        assessment=services.assessment_create(actor=a, name="Q1", performed_on=dt.date(2026, 3, 1)),
    )
    services.risk_update(actor=a, risk=first, residual_likelihood=2, residual_impact=3)
    second = _risk(world, title="Phishing")
    q2 = services.assessment_create(actor=a, name="Q2", performed_on=dt.date(2026, 6, 1))
    services.assessment_complete(actor=a, assessment=q2)
    with pytest.raises(ValidationError):
        services.assessment_complete(actor=a, assessment=q2)
    q1 = selectors.assessment_list(actor=a).get(name="Q1")
    rows = {c.ref: c for c in selectors.assessment_compare(actor=a, first=q1, second=q2)}
    assert rows[first.ref].change == "lower" and rows[second.ref].change == "new"
    assert (
        rows[first.ref].before.residual_score is None and rows[first.ref].after.residual_score == 6
    )


def test_heatmap_counts(world: World) -> None:
    _risk(world)
    _risk(
        world,
        title="B",
        inherent_likelihood=4,
        inherent_impact=5,
        residual_likelihood=1,
        residual_impact=5,
    )
    method = services.risk_module_setup(actor=_actor(world))
    heat = selectors.heatmap(actor=_actor(world), method=method)
    assert heat.cells == {(4, 5): 2}
    residual = selectors.heatmap(actor=_actor(world), method=method, which="residual")
    assert residual.cells == {(1, 5): 1}
    top_row = heat.rows()[1]  # likelihood 4
    assert top_row[0]["value"] == 4 and top_row[1][4][1] == 2


def test_import_is_all_or_nothing(world: World, tmp_path: Path, capsys: Any) -> None:
    _risk(world)
    path = tmp_path / "risks.csv"
    path.write_text(
        "title,description,inherent_likelihood,inherent_impact,planned_controls,threat,owner\n"
        "Good,A scenario,3,3,A.8.13,,\n"
        "Bad,A scenario,7,3,A.99.1,unknown-threat,nobody@example.com\n"
    )
    assert main(["import", "risks", "--org", "org-a", str(path)]) == 1
    err = capsys.readouterr().err
    for column in ("inherent_likelihood", "planned_controls", "threat", "owner"):
        assert f"row 3, column '{column}'" in err
    assert Risk.objects.count() == 1


def test_export_reimports_and_an_extra_row_adds_one(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    _risk(
        world,
        planned_controls=["A.8.7"],
        quant={
            "frequency": {"low": 0.1, "mode": 0.3, "high": 1},
            "magnitude": {"low": 1000, "mode": 20000, "high": 500000, "distribution": "lognormal"},
            "treatment_cost": 5000,
        },
    )
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"risks.{fmt}"
        assert main(["export", "risks", "--org", "org-a", "--format", fmt, "-o", str(out)]) == 0
        assert main(["import", "risks", "--org", "org-a", str(out)]) == 0
        assert "0 risks were created, 0 updated" in capsys.readouterr().out
    before = Risk.objects.count()
    out = tmp_path / "risks.csv"
    with out.open("a") as fh:
        fh.write(",,Extra risk,Scenario,,,,,2,2,,,,retain" + "," * 22 + "\n")
    assert main(["import", "risks", "--org", "org-a", str(out)]) == 0
    assert Risk.objects.count() == before + 1
    assert Risk.objects.get(title="Extra risk").treatment == "retain"


def test_exports_neutralise_formulas_and_pdf_renders(world: World) -> None:
    _risk(world, title='=HYPERLINK("http://x")')
    content, _, _ = exports.export_risks(actor=_actor(world), fmt="csv")
    assert "'=HYPERLINK" in content.decode()
    pdf, content_type, ext = exports.export_risks(actor=_actor(world), fmt="pdf")
    assert pdf.startswith(b"%PDF") and content_type == "application/pdf" and ext == "pdf"
    with pytest.raises(ValidationError):
        exports.export_risks(actor=_actor(world), fmt="docx")


def test_api_create_and_accept(world: World) -> None:
    client = token_client(world.owner_a)
    response = client.post(
        "/api/v1/orgs/org-a/risks",
        data={
            "title": "API risk",
            "description": "x",
            "inherent_likelihood": 5,
            "inherent_impact": 5,
            "planned_controls": ["A.8.8"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["ref"], body["inherent_level"], body["planned_controls"]) == (
        "R-001",
        "Critical",
        ["A.8.8"],
    )
    bad = client.patch(
        f"/api/v1/orgs/org-a/risks/{body['id']}",
        data={"residual_likelihood": 5, "residual_impact": 5, "inherent_impact": 1},
        content_type="application/json",
    )
    assert bad.status_code == 422
    accepted = client.post(
        f"/api/v1/orgs/org-a/risks/{body['id']}/acceptances",
        data={
            "rationale": "Insurance covers it",
            "expires_on": str(dt.date.today() + dt.timedelta(days=30)),
        },
        content_type="application/json",
    )
    assert accepted.status_code == 201
    heat = client.get("/api/v1/orgs/org-a/risks/heatmap").json()
    assert heat["cells"][4][4] == 1


def test_demo_register(db: None, catalog: None, capsys: Any) -> None:
    assert main(["demo"]) == 0
    from openisms.orgs.access import system_actor
    from openisms.orgs.models import Organization

    actor = system_actor(Organization.objects.get(slug="demo"))
    risks = selectors.risk_list(actor=actor)
    assert risks.count() == 40
    assert sum(1 for r in risks if r.quant) >= 5
    assert selectors.risk_list(actor=actor, acceptance="accepted").count() == 1
    assert selectors.risk_list(actor=actor, acceptance="needed").count() >= 1
    assessments = list(selectors.assessment_list(actor=actor))
    assert [a.status for a in assessments] == ["completed", "completed"]
    changes = {
        c.change
        for c in selectors.assessment_compare(
            actor=actor, first=assessments[1], second=assessments[0]
        )
    }
    assert "lower" in changes
    content, _, _ = exports.export_risks(actor=actor, fmt="xlsx")
    result = risk_io.import_risks(actor=actor, data=content, filename="r.xlsx", dry_run=True)
    assert result.ok and result.unchanged == 40, [str(i) for i in result.issues]
    assert io.BytesIO(content).read(2) == b"PK"


def test_simulation_is_seeded_and_reproducible(db: None, catalog: None, capsys: Any) -> None:
    import json

    assert main(["demo"]) == 0
    capsys.readouterr()
    outputs = []
    for _ in range(2):
        assert (
            main(
                [
                    "risk",
                    "simulate",
                    "--org",
                    "demo",
                    "--seed",
                    "1",
                    "--trials",
                    "20000",
                    "--format",
                    "json",
                ]
            )
            == 0
        )
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1]
    result = json.loads(outputs[0])
    assert result["seed"] == 1 and len(result["risks"]) >= 5
    portfolio = result["portfolio"]
    assert portfolio["residual"]["mean"] < portfolio["inherent"]["mean"]
    assert (
        portfolio["inherent"]["p50"] <= portfolio["inherent"]["p90"] <= portfolio["inherent"]["p99"]
    )
    assert main(["risk", "simulate", "--org", "demo", "--seed", "2", "--trials", "20000"]) == 0
    assert capsys.readouterr().out != outputs[0]
    assert main(["risk", "simulate", "--org", "demo", "--trials", "5"]) == 1
    assert "trials" in capsys.readouterr().err.lower()


def test_simulation_page_draws_both_curves(world: World) -> None:
    from tests.conftest import login

    risk = _risk(
        world,
        quant={
            "frequency": {"low": 0.5, "mode": 1, "high": 3},
            "magnitude": {"low": 1000, "mode": 10000, "high": 200000},
            "residual_frequency": {"low": 0.1, "mode": 0.2, "high": 0.5},
            "treatment_cost": 2000,
        },
    )
    html = (
        login(world.owner_a).get("/o/org-a/risks/simulation/?trials=5000&seed=4").content.decode()
    )
    assert html.count('<polyline points="') == 2 and 'points=""' not in html
    assert f"/o/org-a/risks/{risk.pk}/" in html and "Loss exceedance curve" in html
    bad = login(world.owner_a).get("/o/org-a/risks/simulation/?trials=abc").content.decode()
    assert 'role="alert"' in bad
