"""OSCAL exports: the catalog of a framework, an organisation's SSP and assessment results, and a
mapping set as a mapping collection. Content, determinism, NIST's JSON schemas (v1.2.3, skipped
when the shared folder is absent) and flat query counts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from openisms.assets import services as asset_services
from openisms.catalog.models import Framework, Mapping, MappingSet
from openisms.controls import services as control_services
from openisms.evidence import services as evidence_services
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.models import Organization
from openisms.oscal.common import token
from openisms.oscal.exports import (
    assessment_results_document,
    catalog_document,
    mapping_document,
    ssp_document,
)
from openisms.oscal.schemas import schema_dir, schema_errors
from openisms.risks import services as risk_services
from openisms.soa import services as soa_services
from openisms.soa.models import SoaEntry
from tests.conftest import World, add_member, make_org, make_user

STATUSES = ("implemented", "partially_implemented", "planned", "not_started")


def _schemas() -> Any:
    directory = schema_dir()
    if directory is None or not directory.is_dir():
        pytest.skip(
            "OSCAL JSON schemas not found (../shared/data/oscal/schemas/v1.2.3 beside the "
            "repository, or OPENISMS_OSCAL_SCHEMAS): schema validation skipped"
        )
    return directory


def _assert_valid(document: dict[str, Any], model: str) -> None:
    errors = schema_errors(document, model, _schemas())
    assert errors == [], "\n".join(errors[:20])


def _populate(actor: Actor, n: int) -> None:
    """n assets, n controls (each meeting one Annex A control, statuses in turn), n risks tying
    control i to asset i, n evidence links (one on the control, one on the requirement)."""
    owner = actor.user.email if actor.user else None
    for i in range(n):
        asset = asset_services.asset_create(
            actor=actor,
            name=f"Asset {i}",
            type="software" if i % 2 else "information",
            classification="confidential" if i % 2 else "internal",
            confidentiality=2 + i % 4,
            owner=owner,
        )
        ref = f"A.5.{i + 1}"
        control = control_services.control_create(
            actor=actor,
            ref=f"CTL-{i:02d}",
            name=f"Control {i}",
            description=f"What control {i} is.",
            status=STATUSES[i % len(STATUSES)],
            owner=owner,
            implementation=f"How control {i} is done.",
            requirements=[f"iso27001-2022:{ref}"],
        )
        risk_services.risk_create(
            actor=actor,
            title=f"Risk {i}",
            description=f"Scenario {i}",
            assets=[asset.pk],
            inherent_likelihood=3,
            inherent_impact=3,
            controls=[control.ref],
        )
        evidence_services.evidence_create_link(
            actor=actor,
            title=f"Evidence {i}",
            description="A ticket showing it works.",
            url=f"https://tickets.example.com/{i}",
            collected_on=dt.date(2026, 1, 1 + i),
            requirements=[ref],
            controls=[control.ref],
        )


@pytest.fixture
def org_actor(world: World) -> Actor:
    actor = actor_for(world.owner_a, world.org_a.slug)
    _populate(actor, 3)
    return actor


def _org(actor: Actor) -> Organization:
    return actor.org


# --- catalog ---------------------------------------------------------------------------------


def test_iso_catalog_has_groups_controls_guidance_and_attributes(db: Any) -> None:
    framework = Framework.objects.get(slug="iso27001-2022")
    doc = catalog_document(framework)
    catalog = doc["catalog"]
    groups = catalog["groups"]
    themes = [g for g in groups if g.get("class") == "theme"]
    clauses = [g for g in groups if g.get("class") == "clause"]
    assert [g["id"] for g in themes] == [
        "theme-organizational",
        "theme-people",
        "theme-physical",
        "theme-technological",
    ]
    assert sum(len(g["controls"]) for g in themes) == 93
    assert [g["props"][0]["value"] for g in clauses] == ["4", "5", "6", "7", "8", "9", "10"]
    backup = next(c for c in themes[3]["controls"] if c["id"] == "a.8.13")
    assert backup["title"] == "Information backup"
    props = {(p["name"], p["value"]) for p in backup["props"]}
    assert ("label", "A.8.13") in props
    assert ("control_type", "Corrective") in props
    assert ("information_security_properties", "Availability") in props
    assert ("replaces", "A.12.3.1") in props
    parts = {p["name"]: p for p in backup["parts"]}
    assert {s["name"] for s in parts["guidance"]["parts"]} >= {"purpose", "implementation_steps"}
    assert all(s["ns"] == "https://openisms.org/ns/oscal" for s in parts["guidance"]["parts"])
    # Every requirement appears once, with its ref as label.
    labels: list[str] = []

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            labels.extend(p["value"] for p in node.get("props", []) if p["name"] == "label")
            walk(node.get("controls", []))

    walk(clauses)
    walk([c for g in themes for c in g["controls"]])
    assert len(labels) == framework.requirements.count()
    assert catalog_document(framework) == doc


@pytest.mark.parametrize(
    "slug",
    [
        "iso27001-2022",
        "nist-csf-2.0",
        "hipaa-security-rule",
        "iso27701-2025",
        "iso27701-2019",
        "iso27001-2013",
    ],
)
def test_every_shipped_catalog_is_valid_and_stable(db: Any, slug: str) -> None:
    framework = Framework.objects.get(slug=slug)
    with CaptureQueriesContext(connection) as queries:
        doc = catalog_document(framework)
    assert len(queries) == 3
    assert json.dumps(catalog_document(framework)) == json.dumps(doc)
    _assert_valid(doc, "catalog")


# --- mapping collection ----------------------------------------------------------------------


def test_mapping_collections_have_every_pair_and_validate(db: Any) -> None:
    for mapping_set in MappingSet.objects.order_by("slug"):
        with CaptureQueriesContext(connection) as queries:
            doc = mapping_document(mapping_set)
        assert len(queries) == 2
        maps = doc["mapping-collection"]["mappings"][0]["maps"]
        assert len(maps) == mapping_set.pairs.count()
        assert len({m["uuid"] for m in maps}) == len(maps)
        assert mapping_document(mapping_set) == doc
        _assert_valid(doc, "mapping")


def test_mapping_relationships_map_to_oscal(db: Any) -> None:
    mapping_set = MappingSet.objects.get(slug="iso27001-2013-to-iso27001-2022")
    doc = mapping_document(mapping_set)
    maps = doc["mapping-collection"]["mappings"][0]["maps"]
    pair = Mapping.objects.filter(mapping_set=mapping_set).order_by("position").first()
    assert pair is not None
    first = maps[0]
    assert first["sources"][0]["props"][0]["value"] == pair.source_ref
    if pair.relationship == "successor":
        assert first["relationship"] == "successor"
        assert first["ns"] == "https://openisms.org/ns/oscal"
    csf = mapping_document(MappingSet.objects.get(slug="nist-csf-2.0-to-iso27001-2022"))
    relationships = {m["relationship"] for m in csf["mapping-collection"]["mappings"][0]["maps"]}
    assert relationships <= {"equal-to", "subset-of", "superset-of", "intersects-with"}


# --- SSP -------------------------------------------------------------------------------------


def test_ssp_has_one_implemented_requirement_per_register_control(org_actor: Actor) -> None:
    doc = ssp_document(actor=org_actor, organization=_org(org_actor))
    ssp = doc["system-security-plan"]
    implemented = ssp["control-implementation"]["implemented-requirements"]
    assert [r["control-id"] for r in implemented] == ["a.5.1", "a.5.2", "a.5.3"]
    statuses = [
        next(p["value"] for p in r["props"] if p["name"] == "implementation-status")
        for r in implemented
    ]
    assert statuses == ["implemented", "partially_implemented", "planned"]
    assert [r["by-components"][0]["implementation-status"]["state"] for r in implemented] == [
        "implemented",
        "partial",
        "planned",
    ]
    components = ssp["system-implementation"]["components"]
    assert components[0]["type"] == "this-system"
    assert [c["title"] for c in components[1:]] == ["Asset 0", "Asset 1", "Asset 2"]
    # Control i is tied to asset i through a risk: a statement by that asset's component.
    by_asset = implemented[1]["statements"][0]["by-components"][0]["component-uuid"]
    assert by_asset == components[2]["uuid"]
    # Evidence links point at back-matter resources (title, no content).
    resources = {r["uuid"]: r for r in ssp["back-matter"]["resources"]}
    linked = [link["href"][1:] for link in implemented[0]["links"]]
    assert resources[linked[0]]["title"] == "EV-1 Evidence 0"
    assert ssp["import-profile"]["href"][1:] in resources
    assert ssp_document(actor=org_actor, organization=_org(org_actor)) == doc
    _assert_valid(doc, "ssp")


def test_ssp_refuses_another_organisation(org_actor: Actor, world: World) -> None:
    with pytest.raises(Http404):
        ssp_document(actor=org_actor, organization=world.org_b)


# --- assessment results ----------------------------------------------------------------------


def test_assessment_results_follow_the_soa(org_actor: Actor) -> None:
    org = _org(org_actor)
    doc = assessment_results_document(actor=org_actor, organization=org)
    result = doc["assessment-results"]["results"][0]
    entries = SoaEntry.objects.filter(org=org).select_related("requirement__framework")
    expected = {(e.requirement.framework.slug, token(e.requirement.ref)): e.status for e in entries}
    findings = result["findings"]
    assert len(findings) == len(expected)
    for finding in findings:
        framework = next(p["value"] for p in finding["target"]["props"] if p["name"] == "framework")
        status = expected[(framework, finding["target"]["target-id"])]
        assert finding["target"]["status"]["reason"] == status
        assert finding["target"]["status"]["state"] == (
            "satisfied" if status == "implemented" else "not-satisfied"
        )
    by_id = {f["target"]["target-id"]: f for f in findings}
    assert by_id["a.5.1"]["target"]["status"]["state"] == "satisfied"
    assert by_id["a.5.2"]["target"]["status"]["reason"] == "partially_implemented"
    observation_ids = {o["uuid"] for o in result["observations"]}
    assert len(observation_ids) == 3
    related = by_id["a.5.1"]["related-observations"][0]["observation-uuid"]
    assert related in observation_ids
    assert assessment_results_document(actor=org_actor, organization=org) == doc
    _assert_valid(doc, "assessment-results")


def test_assessment_results_report_the_approved_soa(org_actor: Actor, world: World) -> None:
    org = _org(org_actor)
    version = soa_services.soa_submit(actor=org_actor, comment="First")
    admin = actor_for(world.users_a["admin"], world.org_a.slug)
    soa_services.soa_approve(actor=admin, version=version)
    # A change after the approval stays out of the ISO rows of the results.
    control_services.control_create(
        actor=org_actor,
        ref="CTL-99",
        name="Late control",
        status="implemented",
        requirements=["iso27001-2022:A.8.13"],
    )
    doc = assessment_results_document(actor=org_actor, organization=org)
    result = doc["assessment-results"]["results"][0]
    by_id = {f["target"]["target-id"]: f for f in result["findings"]}
    assert by_id["a.8.13"]["target"]["status"]["reason"] == "not_started"
    assert {"name": "soa-version", "value": "1", "ns": "https://openisms.org/ns/oscal"} in result[
        "props"
    ]
    _assert_valid(doc, "assessment-results")


# --- flat query counts -----------------------------------------------------------------------


def _count(fn: Callable[[], Any]) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_query_counts_do_not_grow_with_the_organisation(db: Any) -> None:
    small_owner = make_user("small@example.com")
    large_owner = make_user("large@example.com")
    small = actor_for(small_owner, make_org("small", small_owner).slug)
    large_org = make_org("large", large_owner)
    for i in range(4):
        add_member(large_org, f"member{i}@example.com", "contributor")
    large = actor_for(large_owner, large_org.slug)
    _populate(small, 1)
    _populate(large, 6)
    counts = {}
    for name, fn in (("ssp", ssp_document), ("ar", assessment_results_document)):
        counts[name] = (
            _count(lambda fn=fn: fn(actor=small, organization=small.org)),
            _count(lambda fn=fn: fn(actor=large, organization=large.org)),
        )
    assert counts["ssp"][0] == counts["ssp"][1], counts
    assert counts["ar"][0] == counts["ar"][1], counts
    assert counts == {"ssp": (8, 8), "ar": (6, 6)}
