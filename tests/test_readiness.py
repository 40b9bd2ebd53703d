"""The readiness dashboard: numbers for a constructed organisation, attribute grouping checked
against the catalogue data file, the attention list, a constant query count, the page for
every role and the API. Isolation and budgets run through tests/routes_soa.py."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openisms.catalog.loader import DATA_DIR
from openisms.evidence import selectors as evidence_selectors
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for
from openisms.soa import selectors, services
from openisms.soa.models import SoaEntry
from openisms.web import readiness
from openisms.web.api import ReadinessOut
from openisms.work import selectors as work_selectors
from tests.conftest import World, login, token_client
from tests.routes import Ctx

PEOPLE = [f"A.6.{n}" for n in range(1, 9)]  # the eight people controls


@pytest.fixture
def ctx(world: World, catalog: None) -> Ctx:
    return Ctx(world)


def owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def row(actor: Actor, ref: str) -> SoaEntry:
    services.soa_sync(actor=actor)
    kind = "control" if ref.startswith("A.") else "clause"
    pk = selectors.soa_list(actor=actor, kind=kind, q=ref).get().pk
    return selectors.soa_get(actor=actor, entry_id=pk)


def set_rows(actor: Actor, refs: list[str], **changes: Any) -> None:
    for ref in refs:
        services.soa_entry_update(actor=actor, entry=row(actor, ref), **changes)


def exclude(actor: Actor, ref: str) -> None:
    services.soa_entry_update(
        actor=actor,
        entry=row(actor, ref),
        applicable=False,
        status="not_applicable",
        justification="No staff in scope for this.",
        confirm_exclusion=True,
    )


def catalogue_controls() -> list[dict[str, Any]]:
    doc = json.loads((DATA_DIR / "iso27001-2022.json").read_text(encoding="utf-8"))
    return [r for r in doc["requirements"] if r["kind"] == "control"]


def group(groups: list[readiness.Group], key: str) -> readiness.Group:
    return next(g for g in groups if g.key == key)


# --- the numbers ---------------------------------------------------------------------------


def test_theme_share_counts_only_applicable_controls(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    set_rows(actor, PEOPLE[:3], status="implemented")
    set_rows(actor, PEOPLE[3:4], status="partially_implemented")
    set_rows(actor, PEOPLE[4:5], status="planned")
    for ref in PEOPLE[5:]:
        exclude(actor, ref)
    r = readiness.readiness(actor=actor)
    people = group(r.themes, "people")
    assert people.label == "People"
    assert (people.counts.implemented, people.counts.applicable) == (3, 5)
    assert people.counts.excluded == 3
    assert people.counts.percent == 60
    assert [s.status for s in people.counts.segments] == [
        "implemented",
        "partially_implemented",
        "planned",
    ]
    assert [s.width for s in people.counts.segments] == ["60.00", "20.00", "20.00"]
    assert [s.x for s in people.counts.segments] == ["0.00", "60.00", "80.00"]
    # Overall: 3 implemented of 93 - 3 excluded applicable controls, rounded down.
    assert (r.controls.implemented, r.controls.applicable, r.controls.excluded) == (3, 90, 3)
    assert r.controls.partially_implemented == 1 and r.controls.planned == 1
    assert r.controls.not_started == 85
    assert r.controls.percent == 3  # 3.33 rounded down
    assert [g.key for g in r.themes] == ["organizational", "people", "physical", "technological"]
    assert sum(g.counts.total for g in r.themes) == 93
    other = group(r.themes, "physical")
    assert other.counts.implemented == 0 and other.counts.percent == 0


def test_percent_is_rounded_down_and_none_without_applicable_rows() -> None:
    assert readiness.Breakdown(implemented=199, not_started=1).percent == 99
    assert readiness.Breakdown(implemented=2, planned=1).percent == 66
    assert readiness.Breakdown(implemented=4).percent == 100
    assert readiness.Breakdown(excluded=2).percent is None
    assert readiness.Breakdown(excluded=2).segments == []


def test_clauses_by_status(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    set_rows(actor, ["4.1", "4.2"], status="implemented")
    set_rows(actor, ["6.1.2"], status="planned")
    r = readiness.readiness(actor=actor)
    total = selectors.soa_list(actor=actor, kind="clause").count()
    assert r.clauses.total == r.clauses.applicable == total
    assert (r.clauses.implemented, r.clauses.planned) == (2, 1)
    assert r.clauses.not_started == total - 3
    # Clauses are not controls: they count in neither the themes nor the attributes.
    assert r.controls.total == 93 and r.controls.implemented == 0


def test_attribute_grouping_matches_the_catalogue_data_file(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    set_rows(actor, ["A.5.7"], status="implemented")
    exclude(actor, "A.7.4")
    r = readiness.readiness(actor=actor)
    sets = {s.key: s for s in r.attributes}
    assert list(sets) == [
        "control_type",
        "information_security_properties",
        "cybersecurity_concepts",
        "operational_capabilities",
        "security_domains",
    ]
    concepts = sets["cybersecurity_concepts"]
    # The order of the standard, not the alphabet.
    assert [g.key for g in concepts.groups] == [
        "Identify",
        "Protect",
        "Detect",
        "Respond",
        "Recover",
    ]
    # A.5.7 Threat intelligence: Identify, Detect, Respond.
    implemented = {g.key for g in concepts.groups if g.counts.implemented}
    assert implemented == {"Identify", "Detect", "Respond"}
    capability = group(
        sets["operational_capabilities"].groups, "Threat_and_vulnerability_management"
    )
    assert capability.label == "Threat and vulnerability management"
    assert capability.counts.implemented == 1
    # Every value's totals equal the number of controls carrying it in the data file.
    controls = catalogue_controls()
    for key, attribute_set in sets.items():
        for g in attribute_set.groups:
            carrying = [c["ref"] for c in controls if g.key in c["attributes"].get(key, [])]
            assert g.counts.total == len(carrying), (key, g.key)
            assert g.counts.excluded == ("A.7.4" in carrying), (key, g.key)


# --- what is behind ------------------------------------------------------------------------


def test_attention_lists_overdue_and_unowned_applicable_rows(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    manager = ctx.world.users_a["manager"].email
    today = timezone.localdate()
    services.soa_sync(actor=actor)
    every = list(selectors.soa_list(actor=actor).values_list("pk", flat=True))
    every += list(selectors.soa_list(actor=actor, kind="clause").values_list("pk", flat=True))
    services.soa_bulk_update(
        actor=actor, entries=selectors.soa_entries(actor=actor, ids=every), owner=manager
    )
    set_rows(actor, ["A.8.8"], status="planned", target_date=today - dt.timedelta(days=3))
    set_rows(actor, ["A.5.15"], status="not_started", target_date=today - dt.timedelta(days=40))
    set_rows(actor, ["A.8.13"], status="implemented", target_date=today - dt.timedelta(days=90))
    set_rows(actor, ["A.8.12"], status="planned", target_date=today + dt.timedelta(days=30))
    set_rows(actor, ["A.5.30"], owner="")
    set_rows(actor, ["9.2"], status="partially_implemented", owner="")
    exclude(actor, "A.7.4")
    set_rows(actor, ["A.7.4"], owner="")  # excluded: never behind
    r = readiness.readiness(actor=actor)
    refs = [a.ref for a in r.attention]
    # Longest overdue first; then the unowned rows, least advanced first.
    assert refs == ["A.5.15", "A.8.8", "A.5.30", "9.2"]
    first = r.attention[0]
    assert first.days_overdue == 40 and first.owner == manager
    assert first.reasons == ["target date passed 40 days ago"]
    assert r.attention[2].reasons == ["no owner"]
    assert r.attention_total == 4
    assert r.overdue_targets == 2 and r.no_owner == 2
    nobody = group(r.owners, "")
    assert nobody.label == "Nobody" and nobody.behind == 2 and nobody.counts.total == 2
    managed = group(r.owners, manager)
    assert managed.behind == 2
    assert r.owners[-1].key == ""  # nobody comes last


def test_attention_is_capped_but_counts_everything(ctx: Ctx) -> None:
    services.soa_sync(actor=owner(ctx.world))
    r = readiness.readiness(actor=owner(ctx.world))
    total_rows = r.controls.applicable + r.clauses.applicable
    assert r.attention_total == r.no_owner == total_rows  # a new SoA: nobody owns anything
    assert len(r.attention) == readiness.ATTENTION_SIZE
    # Among equals, controls before clauses, in catalogue order.
    assert [a.ref for a in r.attention[:3]] == ["A.5.1", "A.5.2", "A.5.3"]


# --- evidence, tasks, risks ---------------------------------------------------------------


def test_evidence_tasks_and_risks(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    today = timezone.localdate()
    evidence_services.evidence_create_link(
        actor=actor, title="Threat feed", url="https://example.com/feed", requirements=["A.5.7"]
    )
    evidence_services.evidence_create_link(
        actor=actor,
        title="Old pentest",
        url="https://example.com/pentest",
        collected_on=today - dt.timedelta(days=400),
        valid_until=today - dt.timedelta(days=35),
        requirements=["A.8.8"],
    )
    ctx.risk()
    ctx.risk(above_threshold=True)
    ctx.action()
    services.soa_sync(actor=actor)
    r = readiness.readiness(actor=actor)
    assert vars(r.evidence) | {} == {
        **evidence_selectors.freshness_counts(actor=actor),
        "controls_without_current": 92,  # A.8.8's only evidence has expired
        "controls_applicable": 93,
    }
    assert r.evidence.current >= 1 and r.evidence.expired == 1
    identify = group(
        next(s for s in r.attributes if s.key == "cybersecurity_concepts").groups, "Identify"
    )
    assert identify.with_current_evidence == 1
    assert vars(r.tasks) == work_selectors.task_counts(actor=actor)
    assert r.risks.total == 3
    assert r.risks.above_threshold_without_acceptance == 1
    assert r.risks.not_assessed == 1
    assert [b.name for b in r.risks.residual] == [
        "Low",
        "Medium",
        "High",
        "Critical",
        "Not assessed",
    ]
    assert sum(b.count for b in r.risks.residual) == 3


def test_query_count_does_not_grow_with_the_data(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    services.soa_sync(actor=actor)

    def measure() -> int:
        with CaptureQueriesContext(connection) as captured:
            readiness.readiness(actor=actor)
        return len(captured)

    ctx.grow(1)
    small = measure()
    ctx.grow(5)
    set_rows(actor, PEOPLE, owner=ctx.world.users_a["contributor"].email, status="planned")
    assert measure() == small <= 12


# --- page and API -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "admin", "manager", "contributor", "auditor", "viewer"])
def test_page_renders_for_every_role(ctx: Ctx, role: str) -> None:
    actor = owner(ctx.world)
    set_rows(actor, PEOPLE[:3], status="implemented")
    response = login(ctx.world.users_a[role]).get(f"/o/{ctx.world.org_a.slug}/readiness/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Readiness</h1>" in html
    assert 'aria-current="page">Readiness</a>' in html
    assert "<strong>3/93</strong> applicable controls implemented (3%)" in html
    assert "Cybersecurity concepts" in html and "Threat and vulnerability management" in html
    assert "style=" not in html  # CSP: no inline styles
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # and no inline scripts
    assert html.count('role="img"') >= 1 and "<desc" in html  # the donut has a text equivalent
    assert f"/o/{ctx.world.org_a.slug}/soa/" in html  # rows link back to the SoA


def test_outsider_gets_404(ctx: Ctx) -> None:
    response = login(ctx.world.owner_b).get(f"/o/{ctx.world.org_a.slug}/readiness/")
    assert response.status_code == 404


def test_soa_page_links_to_readiness(ctx: Ctx) -> None:
    html = login(ctx.world.owner_a).get(f"/o/{ctx.world.org_a.slug}/soa/").content.decode()
    assert f'href="/o/{ctx.world.org_a.slug}/readiness/"' in html


def test_api(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    set_rows(actor, PEOPLE[:3], status="implemented")
    for ref in PEOPLE[5:]:
        exclude(actor, ref)
    client = token_client(ctx.world.users_a["viewer"])
    response = client.get(f"/api/v1/orgs/{ctx.world.org_a.slug}/readiness")
    assert response.status_code == 200
    data = response.json()
    ReadinessOut.model_validate(data)
    assert data["controls"]["applicable"] == 90 and data["controls"]["excluded"] == 3
    assert data["controls"]["percent_implemented"] == 3
    people = next(t for t in data["themes"] if t["key"] == "people")
    assert people["counts"]["percent_implemented"] == 60
    concepts = next(a for a in data["attributes"] if a["key"] == "cybersecurity_concepts")
    assert [v["key"] for v in concepts["values"]][:2] == ["Identify", "Protect"]
    assert len(data["attention"]) == 10 and data["attention_total"] == data["no_owner"]
    assert data["attention"][0]["id"] == row(actor, "A.5.1").pk
    assert set(data["evidence"]) == {
        "current",
        "due_soon",
        "expired",
        "applicable_controls_without_current_evidence",
    }
    assert set(data["tasks"]) == {"open", "overdue", "due_soon"}
    outsider = token_client(ctx.world.owner_b)
    assert outsider.get(f"/api/v1/orgs/{ctx.world.org_a.slug}/readiness").status_code == 404


def test_org_dashboard_card(ctx: Ctx) -> None:
    url = f"/o/{ctx.world.org_a.slug}/"
    html = login(ctx.world.users_a["viewer"]).get(url).content.decode()
    # A new organisation has its rows from creation, so the card starts at nothing implemented.
    assert "<strong>0</strong> of 93 applicable Annex A controls implemented (0%)" in html
    assert f'href="/o/{ctx.world.org_a.slug}/readiness/"' in html
    actor = owner(ctx.world)
    set_rows(actor, PEOPLE[:3], status="implemented")
    exclude(actor, "A.7.4")
    html = login(ctx.world.users_a["viewer"]).get(url).content.decode()
    assert "<strong>3</strong> of 92 applicable Annex A controls implemented (3%)" in html
    assert 'class="seg seg-implemented"' in html
    assert readiness.summary(actor=actor) == readiness.readiness(actor=actor).controls
