"""The risk module's pages: register, form, detail, acceptance, dashboard, method, assessments."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from openisms.orgs.access import actor_for
from openisms.risks import services
from openisms.risks.models import Risk, RiskAcceptance, RiskMethod, TreatmentAction
from tests.conftest import World, login

TODAY = dt.date.today()


@pytest.fixture
def w(world: World, catalog: None) -> World:
    return world


def url(name: str, **kwargs: Any) -> str:
    return reverse(f"risks:{name}", kwargs={"org": "org-a", **kwargs})


def owner_actor(w: World) -> Any:
    return actor_for(w.owner_a, "org-a")


def make(w: World, title: str, likelihood: int, impact: int, **extra: Any) -> Risk:
    return services.risk_create(
        actor=owner_actor(w),
        title=title,
        description=f"{title} scenario",
        inherent_likelihood=likelihood,
        inherent_impact=impact,
        **extra,
    )


def form_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Laptop theft",
        "description": "A laptop with customer data is stolen from a car.",
        "inherent_likelihood": "3",
        "inherent_impact": "4",
        "treatment": "modify",
        "planned_controls": "A.8.1, 7.9",
        "residual_likelihood": "2",
        "residual_impact": "4",
        "review_date": str(TODAY + dt.timedelta(days=180)),
        "owner": "manager-a@example.com",
        "distribution": "pert",
    }
    data.update(overrides)
    return data


def test_create_through_the_form_and_see_it_in_the_register(w: World) -> None:
    client = login(w.owner_a)
    asset = client.post(
        reverse("assets:create", kwargs={"org": "org-a"}),
        {
            "name": "CRM laptop fleet",
            "type": "hardware",
            "classification": "internal",
            "confidentiality": 4,
            "integrity": 3,
            "availability": 2,
        },
    )
    assert asset.status_code == 302
    page = client.get(url("create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "3 - Possible" in html and "4 - Major" in html  # labels from the method's scales
    assert "CRM laptop fleet" in html
    asset_id = page.context["form"].fields["assets"].choices[0][0]
    response = client.post(
        url("create"),
        form_data(
            assets=[asset_id],
            frequency_low="0.1",
            frequency_mode="0.5",
            frequency_high="2",
            magnitude_low="10000",
            magnitude_mode="50000",
            magnitude_high="400000",
            treatment_cost="12000",
        ),
    )
    assert response.status_code == 302
    risk = Risk.objects.get(org=w.org_a, title="Laptop theft")
    assert response["Location"] == url("detail", risk_id=risk.pk)
    assert (risk.inherent_score, risk.inherent_level) == (12, "High")
    assert (risk.residual_score, risk.residual_level) == (8, "Medium")
    assert sorted(c.ref for c in risk.planned_controls.all()) == ["A.7.9", "A.8.1"]
    assert risk.owner == w.users_a["manager"]
    assert risk.quant is not None
    assert risk.quant["frequency"] == {"low": 0.1, "mode": 0.5, "high": 2.0, "distribution": "pert"}
    assert risk.quant["treatment_cost"] == 12000

    register = client.get(url("register")).content.decode()
    assert "R-001" in register and "Laptop theft" in register
    detail = client.get(url("detail", risk_id=risk.pk)).content.decode()
    assert "CRM laptop fleet" in detail and "A.7.9" in detail and "Loss per event" in detail
    assert 'fill="#ef6c00"' in detail  # the High band's colour

    edit = client.get(url("edit", risk_id=risk.pk))
    assert set(edit.context["form"].initial["planned_controls"].split(", ")) == {"A.7.9", "A.8.1"}
    assert edit.context["form"].initial["frequency_high"] == 2.0


def test_a_bad_form_shows_the_error_and_writes_nothing(w: World) -> None:
    client = login(w.owner_a)
    response = client.post(url("create"), form_data(title="", inherent_likelihood="9"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "title" in errors and "inherent_likelihood" in errors
    # Errors raised by the service land on the field they name.
    response = client.post(url("create"), form_data(residual_likelihood="5", residual_impact="5"))
    assert response.status_code == 200
    assert "cannot be higher than the inherent" in str(response.context["form"].errors)
    response = client.post(url("create"), form_data(planned_controls="A.99.1"))
    assert "Not Annex A controls" in response.content.decode()
    response = client.post(url("create"), form_data(frequency_low="1"))
    assert "Give low, most likely and high" in response.content.decode()
    assert not Risk.objects.filter(org=w.org_a).exists()


def test_viewer_cannot_open_the_form_and_contributor_cannot_add(w: World) -> None:
    assert login(w.users_a["viewer"]).get(url("create")).status_code == 403
    response = login(w.users_a["contributor"]).post(url("create"), form_data())
    assert response.status_code == 403
    assert not Risk.objects.filter(org=w.org_a).exists()


def test_register_filters_and_htmx_partial(w: World) -> None:
    make(w, "Ransomware", 5, 5, owner="manager-a@example.com")
    make(w, "Phishing", 3, 3, residual_likelihood=2, residual_impact=2)
    make(w, "Flood", 1, 2, treatment="share")
    client = login(w.users_a["viewer"])

    def titles(query: str) -> list[str]:
        response = client.get(url("register") + query)
        assert response.status_code == 200
        return [r.title for r in response.context["page"]]

    assert titles("") == ["Ransomware", "Phishing", "Flood"]
    assert titles("?level=Critical") == ["Ransomware"]
    assert titles("?residual_level=Low") == ["Phishing"]
    assert titles("?treatment=share") == ["Flood"]
    assert titles("?owner=manager-a@example.com") == ["Ransomware"]
    assert titles("?acceptance=needed") == ["Ransomware"]
    assert titles("?q=phish") == ["Phishing"]
    assert titles("?sort=inherent") == ["Ransomware", "Phishing", "Flood"]
    assert titles("?sort=title") == ["Flood", "Phishing", "Ransomware"]
    partial = client.get(url("register") + "?level=Low", headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert "<html" not in html and 'id="risks"' in html and "Flood" in html
    assert "Ransomware" not in html
    full = client.get(url("register")).content.decode()
    assert "Needs acceptance" in full and "Within threshold" in full
    assert "+ Add a risk" not in full  # a viewer sees no add link


def test_heatmap_counts_in_the_right_cell(w: World) -> None:
    make(w, "One", 4, 5, residual_likelihood=2, residual_impact=3)
    make(w, "Two", 4, 5)
    make(w, "Three", 1, 1)
    response = login(w.users_a["viewer"]).get(url("dashboard"))
    assert response.status_code == 200
    inherent = response.context["inherent"]
    assert inherent["map"].cells == {(4, 5): 2, (1, 1): 1}
    assert response.context["residual"]["map"].cells == {(2, 3): 1}
    # The SVG cell for likelihood 4 (Likely) and impact 5 (Severe) shows 2 on the Critical colour.
    cell = next(
        c for c in inherent["cells"] if c["likelihood"] == "Likely" and c["impact"] == "Severe"
    )
    assert (cell["count"], cell["colour"]) == (2, "#c62828")
    html = response.content.decode()
    assert "Likelihood Likely, impact Severe: 2 risks" in html
    assert 'role="img"' in html and "Inherent risk heatmap as a table" in html
    assert response.context["needing_acceptance"] == 1  # "Two": 20, no residual
    levels = {name: n for name, _colour, n in response.context["inherent_counts"]}
    assert levels == {"Low": 1, "Medium": 0, "High": 0, "Critical": 2}


def test_accept_from_the_detail_page(w: World) -> None:
    risk = make(w, "Legacy ERP", 4, 4)  # 16 > threshold 9, no residual: needs acceptance
    owner = login(w.owner_a)
    detail = owner.get(url("detail", risk_id=risk.pk)).content.decode()
    assert "Needs acceptance" in detail and "Accept risk" in detail
    manager = login(w.users_a["manager"])
    assert "Accept risk" not in manager.get(url("detail", risk_id=risk.pk)).content.decode()
    body = {
        "rationale": "Replacement planned next year.",
        "expires_on": str(TODAY + dt.timedelta(days=90)),
    }
    assert manager.post(url("accept", risk_id=risk.pk), body).status_code == 403
    assert not RiskAcceptance.objects.filter(risk=risk).exists()

    response = owner.post(url("accept", risk_id=risk.pk), body)
    assert response.status_code == 302
    acceptance = RiskAcceptance.objects.get(risk=risk)
    assert acceptance.residual_score == 16 and acceptance.accepted_by == w.owner_a
    detail = owner.get(url("detail", risk_id=risk.pk)).content.decode()
    assert "Accepted" in detail and "Replacement planned next year." in detail
    assert "Accept risk" not in detail
    register = owner.get(url("register") + "?acceptance=accepted")
    assert [r.title for r in register.context["page"]] == ["Legacy ERP"]

    # A bad date is reported, not stored; a revoke brings the risk back to "needed".
    owner.post(url("accept", risk_id=risk.pk), {"rationale": "x", "expires_on": "2000-01-01"})
    assert RiskAcceptance.objects.filter(risk=risk).count() == 1
    assert manager.post(url("acceptance_revoke", acceptance_id=acceptance.pk)).status_code == 403
    assert owner.post(url("acceptance_revoke", acceptance_id=acceptance.pk)).status_code == 302
    acceptance.refresh_from_db()
    assert acceptance.revoked_at is not None
    register = owner.get(url("register") + "?acceptance=needed")
    assert [r.title for r in register.context["page"]] == ["Legacy ERP"]


def test_treatment_actions_and_plan(w: World) -> None:
    risk = make(w, "Backup failure", 3, 4)
    client = login(w.users_a["manager"])
    response = client.post(
        url("action_create", risk_id=risk.pk),
        {
            "title": "Test restores",
            "owner": "manager-a@example.com",
            "due_date": str(TODAY - dt.timedelta(days=2)),
            "status": "planned",
        },
    )
    assert response.status_code == 302
    action = TreatmentAction.objects.get(risk=risk)
    plan = client.get(url("treatment_plan")).content.decode()
    assert "Test restores" in plan and "overdue" in plan and risk.ref in plan
    dashboard = client.get(url("dashboard"))
    assert dashboard.context["overdue_count"] == 1
    client.post(
        url("action_update", action_id=action.pk), {"status": "done", "owner": "", "due_date": ""}
    )
    action.refresh_from_db()
    assert action.status == "done" and action.owner is None
    assert (
        client.get(url("treatment_plan") + "?status=planned").context["page"].paginator.count == 0
    )
    assert (
        login(w.users_a["viewer"])
        .post(url("action_update", action_id=action.pk), {"status": "planned"})
        .status_code
        == 403
    )


def test_assessment_complete_and_compare_shows_a_changed_score(w: World) -> None:
    risk = make(w, "Insider fraud", 4, 4, residual_likelihood=3, residual_impact=4)
    client = login(w.owner_a)
    response = client.post(url("assessment_create"), {"name": "2025", "performed_on": "2025-06-01"})
    assert response.status_code == 302
    first = client.get(response["Location"])
    assert "freezes every risk" in first.content.decode()
    first_id = first.context["assessment"].pk
    assert client.post(url("assessment_complete", assessment_id=first_id)).status_code == 302
    page = client.get(url("assessment_detail", assessment_id=first_id))
    assert [e.residual_score for e in page.context["entries"]] == [12]

    # Treatment lowers the residual risk; a second assessment records it.
    client.post(
        url("edit", risk_id=risk.pk),
        form_data(
            title="Insider fraud",
            inherent_likelihood="4",
            inherent_impact="4",
            residual_likelihood="2",
            residual_impact="3",
            planned_controls="A.5.3",
        ),
    )
    make(w, "New supplier", 2, 2)
    second_id = (
        client.post(url("assessment_create"), {"name": "2026", "performed_on": "2026-01-15"})[
            "Location"
        ]
        .rstrip("/")
        .split("/")[-1]
    )
    client.post(url("assessment_complete", assessment_id=int(second_id)))
    # A viewer may read but not complete.
    viewer = login(w.users_a["viewer"])
    assert viewer.post(url("assessment_complete", assessment_id=first_id)).status_code == 403

    compare = viewer.get(url("assessment_compare") + f"?first={first_id}&second={second_id}")
    assert compare.status_code == 200
    rows = {r.ref: r for r in compare.context["rows"]}
    assert rows["R-001"].change == "lower" and rows["R-002"].change == "new"
    html = compare.content.decode()
    assert "High (12)" in html and "Medium (6)" in html and 'class="change lower"' in html
    # Without ids the page compares the two most recent completed assessments.
    default = viewer.get(url("assessment_compare"))
    assert [r.change for r in default.context["rows"]] == ["lower", "new"]
    assert viewer.get(url("assessment_compare") + "?first=999999&second=1").status_code == 404


def test_method_form_creates_version_2_and_rescore_moves_risks(w: World) -> None:
    risk = make(w, "Outage", 5, 5)
    client = login(w.owner_a)
    page = client.get(url("method"))
    assert page.status_code == 200
    assert page.context["form"].initial["bands"].splitlines()[0] == "Low | 1 | 4 | #2e7d32"
    body = {
        "name": "3x3 matrix",
        "likelihood_levels": "Low | rare\nMedium | possible\nHigh | likely",
        "impact_levels": "Low | small\nMedium | notable\nHigh | severe",
        "scoring": "product",
        "bands": "Low | 1 | 2 | #2e7d32\nMedium | 3 | 4 | #f9a825\nHigh | 5 | 9 | #c62828",
        "acceptance_threshold": "4",
        "acceptors": ["owner", "admin"],
        "notes": "Simpler scales",
    }
    # Bands that leave a gap are reported on the bands field.
    bad = client.post(
        url("method"), {**body, "bands": "Low | 1 | 2 | #2e7d32\nHigh | 5 | 9 | #c62828"}
    )
    assert bad.status_code == 200 and "without gaps" in str(bad.context["form"].errors["bands"])
    two_lines = client.post(url("method"), {**body, "impact_levels": "Low\nHigh"})
    assert "Use 3 to 5 lines." in str(two_lines.context["form"].errors["impact_levels"])
    assert RiskMethod.objects.filter(org=w.org_a).count() == 1
    assert login(w.users_a["manager"]).post(url("method"), body).status_code == 302
    current = RiskMethod.objects.get(org=w.org_a, is_current=True)
    assert (current.version, len(current.likelihood_scale)) == (2, 3)

    page = client.get(url("method")).content.decode()
    assert "Re-score 1 risk" in page and "Simpler scales" in page
    assert login(w.users_a["viewer"]).post(url("method_rescore")).status_code == 403
    response = client.post(url("method_rescore"), follow=True)
    assert "1 risk moved onto the current method." in response.content.decode()
    risk.refresh_from_db()
    assert risk.method_id == current.pk
    assert (risk.inherent_likelihood, risk.inherent_impact, risk.inherent_score) == (3, 3, 9)
    assert risk.inherent_level == "High"
    assert "Re-score" not in client.get(url("method")).content.decode()


def test_library_pages(w: World) -> None:
    client = login(w.owner_a)
    page = client.get(url("library") + "?kind=threats&q=ransom")
    assert page.status_code == 200
    assert any("ansomware" in t.name for t in page.context["page"])
    assert client.get(url("library") + "?kind=nonsense").status_code == 404
    assert client.get(url("library_create", kind="nonsense")).status_code == 404
    response = client.post(
        url("library_create", kind="vulnerabilities"),
        {"name": "Unpatched kiosk", "group": "Technical", "suggested_controls": "A.8.8"},
    )
    assert response.status_code == 302
    page = client.get(url("library") + "?kind=vulnerabilities&q=kiosk")
    [item] = list(page.context["page"])
    assert [c.ref for c in item.suggested_controls.all()] == ["A.8.8"]
    bad = client.post(
        url("library_edit", kind="vulnerabilities", item_id=item.pk),
        {"name": "Kiosk", "group": "Technical", "suggested_controls": "A.77"},
    )
    assert "Not Annex A controls" in bad.content.decode()
    assert (
        client.post(url("library_delete", kind="vulnerabilities", item_id=item.pk)).status_code
        == 302
    )


def test_detail_lists_suggested_controls_and_history(w: World) -> None:
    client = login(w.owner_a)
    client.get(url("register"))  # first use sets up the method and library
    threat = client.get(url("library") + "?kind=threats").context["page"][0]
    risk = make(w, "From the library", 2, 2, threat=threat.pk)
    html = client.get(url("detail", risk_id=risk.pk)).content.decode()
    assert threat.name in html and "Controls suggested for this threat" in html
    assert "risk.create" in html  # history panel
    assert client.post(url("delete", risk_id=risk.pk)).status_code == 302
    assert not Risk.objects.filter(pk=risk.pk).exists()
