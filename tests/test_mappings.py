"""Mapping sets: the shipped NIST sets against NIST's lists, the derived set, the loader's
rules, the export, the import of a user's own set, the API and the crosswalk on pages."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from openisms.catalog import export, loader, mapping_format, mapsets, selectors
from openisms.catalog.errors import CatalogError
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement
from openisms.cli import main
from openisms.core.models import AuditEvent
from tests.conftest import SHARED_DATA, World, login

pytestmark = pytest.mark.usefixtures("catalog")

REFERENCE = os.path.join(SHARED_DATA, "reference")
MAPPINGS = mapsets.DATA_DIR
# slug: (reference CSV, source framework, target framework, pairs)
NIST = {
    "nist-csf-2.0-to-iso27001-2022": (
        "map-nist-csf-2.0-to-iso27001-2022.csv",
        "nist-csf-2.0",
        "iso27001-2022",
        341,
    ),
    "nist-sp800-53r5-to-iso27001-2022": (
        "map-nist-sp800-53r5-to-iso27001-2022.csv",
        "nist-sp800-53r5",
        "iso27001-2022",
        642,
    ),
    "hipaa-security-rule-to-nist-sp800-53r5": (
        "map-hipaa-sp800-66r2-to-sp800-53r5.csv",
        "hipaa-security-rule",
        "nist-sp800-53r5",
        189,
    ),
}
DERIVED = "hipaa-security-rule-to-iso27001-2022"
STRUCTURAL = "iso27001-2013-to-iso27001-2022"
LOADED = {"nist-csf-2.0", "iso27001-2022", "hipaa-security-rule", "iso27001-2013"}


def _reference_pairs(name: str) -> list[tuple[str, str]]:
    path = os.path.join(REFERENCE, name)
    if not os.path.exists(path):
        pytest.skip(f"reference CSV not found at {path}; pair-for-pair comparison skipped")
    with open(path, newline="", encoding="utf-8") as handle:
        return [(row[0], row[1]) for row in list(csv.reader(handle))[1:]]


def _file(slug: str) -> dict[str, Any]:
    return json.loads((MAPPINGS / f"{slug}.json").read_text(encoding="utf-8"))


def _pair(source: str, target: str, relationship: str = "intersects") -> dict[str, str]:
    return {"source": source, "target": target, "relationship": relationship}


def _doc(slug: str = "test-set", **changes: Any) -> dict[str, Any]:
    doc = {
        "schema": mapping_format.SCHEMA,
        "slug": slug,
        "name": "Test set",
        "source_framework": "nist-csf-2.0",
        "target_framework": "iso27001-2022",
        "kind": "user",
        "publisher": "Us",
        "content_version": "1",
        "pairs": [_pair("PR.AA-01", "A.5.16"), _pair("GV.OC-01", "4.1", "subset")],
    }
    doc.update(changes)
    return doc


# --- the format --------------------------------------------------------------------------------


def test_format_constants_match_the_models() -> None:
    assert list(mapping_format.RELATIONSHIPS) == Mapping.Relationship.values
    assert list(mapping_format.KINDS) == MappingSet.Kind.values


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema": "x"}, "'schema' must be 'openisms-mapping-set/1'"),
        ({"name": ""}, "'name' is required"),
        ({"slug": "Has Spaces"}, "'slug' must be lower-case letters"),
        ({"kind": "vendor"}, "'kind' must be one of official, derived, structural, user"),
        ({"kind": "official"}, "'document' is required for an official set"),
        ({"kind": "derived"}, "'derived_via' must name the sets"),
        ({"published": "12/10/2023"}, "'published' must be a date written YYYY-MM-DD"),
        ({"colour": "red"}, "unknown field 'colour'"),
        ({"pairs": []}, "'pairs' must be a non-empty list"),
        (
            {"pairs": [_pair("PR.AA-01", "A.5.16", "equivalent")]},
            "pair 1 (PR.AA-01 -> A.5.16): unknown relationship 'equivalent' (allowed: equal, "
            "subset, superset, intersects, successor); did you mean 'equal'?",
        ),
        (
            {"pairs": [_pair("PR.AA-01", "A.5.16"), _pair("PR.AA-01", "A.5.16")]},
            "pair 2 (PR.AA-01 -> A.5.16): duplicate of pair 1 (same source, target and "
            "relationship)",
        ),
        ({"pairs": [{"source": "PR.AA-01", "relationship": "equal"}]}, "'target' is required"),
        (
            {"pairs": [{**_pair("A", "B"), "strength": 11}]},
            "pair 1 (A -> B): 'strength' must be a whole number from 1 to 10",
        ),
        ({"pairs": [{**_pair("A", "B"), "relation": "x"}]}, "unknown field 'relation'"),
        ({"pairs": [_pair(" A", "B")]}, "'source' has spaces around it"),
    ],
)
def test_invalid_files_are_refused_with_a_precise_message(
    change: dict[str, Any], message: str
) -> None:
    raw = json.dumps(_doc(**change)).encode()
    with pytest.raises(mapsets.MappingFileError) as caught:
        mapsets.parse(raw, "bad.json")
    assert any(message in p for p in caught.value.problems), caught.value.problems
    assert str(caught.value).startswith("bad.json: ")


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    pairs = [_pair("A", "B", "equivalent"), _pair("C", "D"), _pair("C", "D"), {"source": "E"}]
    with pytest.raises(mapsets.MappingFileError) as caught:
        mapsets.parse(json.dumps(_doc(pairs=pairs, name="")).encode(), "bad.json")
    problems = caught.value.problems
    assert len(problems) == 5, problems
    assert [p.split(":")[0] for p in problems[1:]] == [
        "pair 1 (A -> B)",
        "pair 3 (C -> D)",
        "pair 4 (E -> ?)",
        "pair 4 (E -> ?)",
    ]


def test_compose_goes_through_the_middle_framework() -> None:
    first = [
        _pair("h1", "AC-2"),
        _pair("h1", "AC-1"),
        _pair("h2", "AC-1", "equal"),
        _pair("h2", "ZZ-9"),  # leads nowhere: the second set does not name ZZ-9
        _pair("h3", "AC-3", "subset"),
    ]
    second = [
        _pair("AC-1", "A.5.1"),
        _pair("AC-1", "5.2"),
        _pair("AC-2", "A.5.1"),
        _pair("AC-10", "A.5.10"),
        _pair("AC-3", "A.8.3", "subset"),
    ]
    assert mapping_format.compose(first, second, via="sp") == [
        {"source": "h1", "target": "5.2", "relationship": "intersects", "rationale": "via sp AC-1"},
        {
            "source": "h1",
            "target": "A.5.1",
            "relationship": "intersects",
            "rationale": "via sp AC-1, AC-2",
        },
        {"source": "h2", "target": "5.2", "relationship": "intersects", "rationale": "via sp AC-1"},
        {
            "source": "h2",
            "target": "A.5.1",
            "relationship": "intersects",
            "rationale": "via sp AC-1",
        },
        {"source": "h3", "target": "A.8.3", "relationship": "subset", "rationale": "via sp AC-3"},
    ]
    # The same input in another order gives the same pairs for each source.
    again = mapping_format.compose(first[::-1], second[::-1], via="sp")
    assert sorted(again, key=str) == sorted(
        mapping_format.compose(first, second, via="sp"), key=str
    )


@pytest.mark.parametrize(
    ("first", "second", "composed"),
    [
        ("equal", "subset", "subset"),
        ("superset", "equal", "superset"),
        ("subset", "subset", "subset"),
        ("subset", "superset", "intersects"),
        ("intersects", "equal", "intersects"),
        ("equal", "successor", "intersects"),
    ],
)
def test_relationships_compose(first: str, second: str, composed: str) -> None:
    assert mapping_format.compose_relationship(first, second) == composed


def test_paths_combine_to_the_strongest_statement() -> None:
    assert mapping_format.combine_relationships(["intersects", "subset"]) == "subset"
    assert mapping_format.combine_relationships(["subset", "superset"]) == "equal"
    assert mapping_format.combine_relationships(["intersects"]) == "intersects"


def test_ref_order_is_natural() -> None:
    refs = ["A.5.10", "10.1", "A.5.1", "4.1", "AC-10", "AC-2(12)", "AC-2", "6.1.2"]
    assert sorted(refs, key=mapping_format.ref_key) == [
        "4.1",
        "6.1.2",
        "10.1",
        "A.5.1",
        "A.5.10",
        "AC-2",
        "AC-2(12)",
        "AC-10",
    ]


# --- the shipped files -------------------------------------------------------------------------


def test_shipped_files_are_valid_and_named_by_their_slug() -> None:
    files = mapsets.data_files()
    structural = {"iso27701-2025-to-iso27001-2022", "iso27701-2019-to-iso27001-2022"}
    assert {p.stem for p in files} == {*NIST, DERIVED, *structural}
    for path in files:
        doc, _ = mapsets.read_file(path)
        assert doc["slug"] == path.stem
        assert mapping_format.dumps(doc) == path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("slug", sorted(NIST))
def test_nist_sets_reproduce_nists_lists_pair_for_pair(slug: str) -> None:
    name, source, target, count = NIST[slug]
    expected = _reference_pairs(name)
    doc = _file(slug)
    assert len(expected) == count
    assert [(p["source"], p["target"]) for p in doc["pairs"]] == expected
    assert {p["relationship"] for p in doc["pairs"]} == {"intersects"}
    assert (doc["kind"], doc["publisher"]) == ("official", "NIST")
    assert (doc["source_framework"], doc["target_framework"]) == (source, target)


def test_the_derived_set_is_the_composition_of_the_two_nist_sets() -> None:
    shipped = _file(DERIVED)
    first, second = (_file(slug) for slug in shipped["derived_via"])
    keys = ("slug", "name", "publisher", "document", "description", "content_version")
    rebuilt = mapping_format.derive(first, second, **{k: shipped[k] for k in keys})
    assert rebuilt == shipped, "run `python scripts/mapping_sets.py` and commit the result"
    assert shipped["derived_via"] == [
        "hipaa-security-rule-to-nist-sp800-53r5",
        "nist-sp800-53r5-to-iso27001-2022",
    ]
    pair = next(
        p for p in shipped["pairs"] if (p["source"], p["target"]) == ("164.312(d)", "A.5.16")
    )
    assert pair["rationale"] == "via nist-sp800-53r5 IA-2, IA-4, IA-8"
    with pytest.raises(ValueError, match="does not start there"):
        mapping_format.derive(second, first, **{k: shipped[k] for k in keys})


def test_shipped_sets_are_loaded_with_their_provenance() -> None:
    sets = {s.slug: s for s in selectors.mapping_set_list()}
    assert {*NIST, DERIVED, STRUCTURAL} <= set(sets)
    for slug, (_, source, target, count) in NIST.items():
        s = sets[slug]
        assert (s.kind, s.publisher, s.source_framework, s.target_framework) == (
            "official",
            "NIST",
            source,
            target,
        )
        assert s.pair_count == count  # type: ignore[attr-defined]
    assert sets["nist-sp800-53r5-to-iso27001-2022"].published.isoformat() == "2023-10-12"  # type: ignore[union-attr]
    assert sets[DERIVED].kind == "derived" and sets[DERIVED].derived_via == [
        "hipaa-security-rule-to-nist-sp800-53r5",
        "nist-sp800-53r5-to-iso27001-2022",
    ]
    structural = sets[STRUCTURAL]
    assert structural.kind == "structural"
    assert set(structural.pairs.values_list("relationship", flat=True)) == {"successor"}
    iso = json.loads((loader.DATA_DIR / "iso27001-2022.json").read_text())
    listed = sum(len(r.get("predecessors", [])) for r in iso["requirements"])
    assert structural.pair_count == structural.resolved_count == listed  # type: ignore[attr-defined]


def test_every_csf_hipaa_and_iso_ref_resolves() -> None:
    unresolved: list[str] = []
    for s in MappingSet.objects.filter(slug__in=[*NIST, DERIVED]):
        for pair in s.pairs.all():
            for side, ref, resolved in (
                (s.source_framework, pair.source_ref, pair.source_id),
                (s.target_framework, pair.target_ref, pair.target_id),
            ):
                if side in LOADED and resolved is None:
                    unresolved.append(f"{s.slug}: {side} {ref}")
                if side not in LOADED:
                    assert resolved is None  # SP 800-53 is not a catalogue yet
    assert unresolved == []
    # The HIPAA document cites 164.310(a) for the standard at 164.310(a)(1).
    pair = Mapping.objects.filter(
        mapping_set__slug="hipaa-security-rule-to-nist-sp800-53r5", source_ref="164.310(a)"
    ).first()
    assert pair is not None and pair.source is not None and pair.source.ref == "164.310(a)(1)"


# --- the loader --------------------------------------------------------------------------------


def _load(doc: dict[str, Any]) -> mapsets.SetLoadResult:
    raw = json.dumps(doc).encode()
    parsed, digest = mapsets.parse(raw, "test.json")
    return mapsets.load(parsed, digest)


def test_loading_is_idempotent_and_replaces_only_its_own_pairs() -> None:
    first = _load(_doc("set-a"))
    other = _load(_doc("set-b"))
    assert (first.status, first.pairs, first.resolved) == ("created", 2, 2)
    assert other.status == "created"
    assert _load(_doc("set-a")).status == "unchanged"
    b_ids = sorted(Mapping.objects.filter(mapping_set__slug="set-b").values_list("id", flat=True))
    changed = _load(_doc("set-a", pairs=[_pair("PR.AA-01", "A.5.16", "equal")]))
    assert (changed.status, changed.pairs) == ("updated", 1)
    assert list(
        Mapping.objects.filter(mapping_set__slug="set-a").values_list("relationship", flat=True)
    ) == ["equal"]
    assert (
        sorted(Mapping.objects.filter(mapping_set__slug="set-b").values_list("id", flat=True))
        == b_ids
    )


def test_a_set_loaded_before_its_framework_links_up_when_the_framework_loads() -> None:
    result = _load(_doc("early", source_framework="test-fw", pairs=[_pair("T.1", "A.5.1")]))
    assert result.resolved == 0
    pair = Mapping.objects.get(mapping_set__slug="early")
    assert pair.source_id is None and pair.target_id is not None
    framework = {
        "schema": loader.SCHEMA,
        "slug": "test-fw",
        "name": "Test framework",
        "short_name": "Test",
        "version": "1",
        "publisher": "Us",
        "content_version": "1",
        "requirements": [{"ref": "T.1", "kind": "control", "title": "One"}],
    }
    loader.load_document(framework, "digest")
    pair.refresh_from_db()
    assert pair.source == Requirement.objects.get(framework__slug="test-fw", ref="T.1")


def test_the_framework_loader_keeps_other_sets_successor_pairs() -> None:
    _load(
        _doc(
            "mine", source_framework="iso27001-2013", pairs=[_pair("A.5.1.1", "A.5.1", "successor")]
        )
    )
    structural = Mapping.objects.filter(mapping_set__slug=STRUCTURAL).count()
    iso = loader.DATA_DIR / "iso27001-2022.json"
    doc, digest = loader.read_file(iso)
    loader.load_document(doc, digest, force=True)
    assert Mapping.objects.filter(mapping_set__slug="mine").count() == 1
    assert Mapping.objects.filter(mapping_set__slug=STRUCTURAL).count() == structural
    a51 = selectors.requirement_get(
        framework=Framework.objects.get(slug="iso27001-2022"), ref="A.5.1"
    )
    assert [r.ref for r in selectors.predecessors(a51)] == ["A.5.1.1", "A.5.1.2"]
    assert [r.ref for r in selectors.transition_lookup(text="A.5.1.1").successors] == ["A.5.1"]
    data = export.rows(Framework.objects.get(slug="iso27001-2022"))
    assert next(r for r in data if r["ref"] == "A.5.1")["replaces_2013"] == ["A.5.1.1", "A.5.1.2"]


def test_a_bad_set_file_stops_the_whole_load_before_anything_is_written(tmp_path: Path) -> None:
    for path in loader.data_files():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "mappings").mkdir()
    (tmp_path / "mappings" / "good.json").write_text(json.dumps(_doc("good-set")))
    bad = _doc("bad-set", pairs=[_pair("A", "B", "sort of")])
    (tmp_path / "mappings" / "bad.json").write_text(json.dumps(bad))
    with pytest.raises(CatalogError, match=r"bad\.json: pair 1 .*unknown relationship 'sort of'"):
        loader.load_all(tmp_path)
    assert not MappingSet.objects.filter(slug="good-set").exists()
    (tmp_path / "mappings" / "bad.json").write_text(json.dumps(_doc("good-set")))
    with pytest.raises(CatalogError, match="mapping set 'good-set' is defined twice"):
        loader.load_all(tmp_path)


def test_a_shipped_set_never_replaces_a_users_set() -> None:
    _load(_doc("clash"))
    with pytest.raises(CatalogError, match="a 'official' set may not replace it"):
        _load(_doc("clash", kind="official", document="Doc", content_version="2"))


# --- export, list and import -------------------------------------------------------------------


def _export(capsys: Any, source: str, target: str, fmt: str = "csv") -> str:
    assert main(["mapping", "export", "--source", source, "--target", target, "--format", fmt]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("slug", sorted(NIST))
def test_export_reproduces_each_nist_list(slug: str, capsys: Any) -> None:
    name, source, target, _ = NIST[slug]
    expected = _reference_pairs(name)
    out = _export(capsys, source, target)
    reader = csv.DictReader(io.StringIO(out))
    assert reader.fieldnames == [
        "source_ref",
        "target_ref",
        "relationship",
        "provenance",
        "derived",
    ]
    rows = list(reader)
    assert [(r["source_ref"], r["target_ref"]) for r in rows] == expected
    document = MappingSet.objects.get(slug=slug).document
    assert {(r["relationship"], r["provenance"], r["derived"]) for r in rows} == {
        ("intersects", document, "false")
    }


def test_export_of_the_derived_set_as_json(capsys: Any) -> None:
    data = json.loads(_export(capsys, "hipaa-security-rule", "iso27001-2022", "json"))
    assert len(data) == len(_file(DERIVED)["pairs"])
    assert {row["derived"] for row in data} == {True}
    assert data[0]["rationale"].startswith("via nist-sp800-53r5 ")
    document = MappingSet.objects.get(slug=DERIVED).document
    assert data[0]["provenance"] == f"{document}; {data[0]['rationale']}"
    rows = list(
        csv.DictReader(io.StringIO(_export(capsys, "hipaa-security-rule", "iso27001-2022")))
    )
    assert all(r["derived"] == "true" and "; via nist-sp800-53r5 " in r["provenance"] for r in rows)


def test_export_neutralises_formulas_and_names_missing_directions(capsys: Any) -> None:
    _load(_doc("formula", pairs=[_pair("GV.OC-01", "4.1")], name="=HYPERLINK(1)"))
    out = _export(capsys, "nist-csf-2.0", "iso27001-2022")
    assert "'=HYPERLINK(1)" in out
    assert main(["mapping", "export", "--source", "iso27001-2022", "--target", "x"]) == 1
    err = capsys.readouterr().err
    assert "No mapping sets from 'iso27001-2022' to 'x'" in err and "nist-csf-2.0 -> " in err


def test_mapping_list(capsys: Any) -> None:
    assert main(["mapping", "list"]) == 0
    out = capsys.readouterr().out
    assert (
        "nist-csf-2.0-to-iso27001-2022\tofficial\tnist-csf-2.0 -> iso27001-2022\t341 pairs" in out
    )
    assert f"{DERIVED}\tderived" in out and f"{STRUCTURAL}\tstructural" in out


def test_import_a_users_own_set(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "ours.json"
    doc = _doc("our-crosswalk")
    del doc["kind"]
    path.write_text(json.dumps(doc))
    assert main(["mapping", "import", str(path), "--dry-run"]) == 0
    assert not MappingSet.objects.filter(slug="our-crosswalk").exists()
    assert main(["mapping", "import", str(path)]) == 0
    assert "our-crosswalk: created (2 pairs, 2 linked)" in capsys.readouterr().out
    imported = MappingSet.objects.get(slug="our-crosswalk")
    assert imported.kind == "user"
    event = AuditEvent.objects.get(action="mapping_set.import.created")
    assert event.object_id == str(imported.pk) and event.after["pairs"] == 2
    assert main(["mapping", "import", str(path)]) == 0
    assert "unchanged" in capsys.readouterr().out


def test_import_lists_every_problem_and_writes_nothing(tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "ours.json"
    pairs = [_pair("PR.AA-01", "A.5.16"), _pair("X", "Y", "equivalent"), {"source": "Z"}]
    path.write_text(json.dumps(_doc("our-crosswalk", pairs=pairs)))
    assert main(["mapping", "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert "ours.json: pair 2 (X -> Y): unknown relationship 'equivalent'" in err
    assert "ours.json: pair 3 (Z -> ?): 'target' is required" in err
    assert "3 problem(s); nothing was imported" in err
    assert not MappingSet.objects.filter(slug="our-crosswalk").exists()
    path.write_text(json.dumps(_doc("nist-csf-2.0-to-iso27001-2022")))
    assert main(["mapping", "import", str(path)]) == 1
    assert "belongs to a set that ships with OpenISMS" in capsys.readouterr().err
    path.write_text(json.dumps(_doc("x", kind="official", document="D")))
    assert main(["mapping", "import", str(path)]) == 1
    assert "'kind' must be 'user' or left out" in capsys.readouterr().err
    path.write_text("{not json")
    assert main(["mapping", "import", str(path)]) == 1
    assert "not valid JSON" in capsys.readouterr().err


# --- API and pages -----------------------------------------------------------------------------


def test_api(world: World) -> None:
    client = login(world.owner_a)
    sets = client.get("/api/v1/mapping-sets?limit=500").json()
    slugs = [s["slug"] for s in sets["items"]]
    assert {*NIST, DERIVED, STRUCTURAL} <= set(slugs) and sets["count"] == len(slugs)
    detail = client.get("/api/v1/mapping-sets/nist-csf-2.0-to-iso27001-2022?limit=5&offset=5")
    body = detail.json()
    assert body["pair_count"] == body["resolved_count"] == body["pairs"]["count"] == 341
    expected = _file("nist-csf-2.0-to-iso27001-2022")["pairs"][5:10]
    assert [(p["source_ref"], p["target_ref"]) for p in body["pairs"]["items"]] == [
        (p["source"], p["target"]) for p in expected
    ]
    assert body["pairs"]["items"][0]["target_title"]
    nist53 = client.get("/api/v1/mapping-sets/nist-sp800-53r5-to-iso27001-2022").json()
    assert nist53["resolved_count"] == 0 and nist53["pairs"]["items"][0]["source_title"] is None
    assert client.get("/api/v1/mapping-sets/nope").status_code == 404
    assert client.get("/api/v1/mapping-sets/x?limit=0").status_code == 422
    pairs = client.get("/api/v1/mappings?source=hipaa-security-rule&target=iso27001-2022").json()
    assert pairs["count"] == len(_file(DERIVED)["pairs"])
    assert pairs["items"][0]["derived"] is True and pairs["items"][0]["set"] == DERIVED
    assert client.get("/api/v1/mappings?source=nope").json()["count"] == 0
    detail = client.get("/api/v1/frameworks/iso27001-2022/requirements/A.5.16").json()
    assert detail["predecessors"] == ["A.9.2.1"]  # only the edition transition


def test_crosswalk_on_the_requirement_page(world: World) -> None:
    client = login(world.users_a["viewer"])
    html = client.get("/o/org-a/catalog/iso27001-2022/A.5.16/").content.decode()
    assert "Crosswalk" in html and "Replaces (ISO 27001:2013)" in html
    assert '/o/org-a/catalog/nist-csf-2.0/PR.AA-05/"' in html
    assert '/o/org-a/catalog/hipaa-security-rule/164.312(d)/"' in html
    assert "intersects with" in html and "NIST CSF 2.0 to ISO/IEC 27001:2022" in html
    hipaa = client.get("/o/org-a/catalog/hipaa-security-rule/164.312(d)/").content.decode()
    assert 'IA-2 <span class="muted">(not in the catalogue yet)' in hipaa
    assert '/o/org-a/catalog/iso27001-2022/A.5.16/"' in hipaa
    csf = client.get("/o/org-a/catalog/nist-csf-2.0/PR.AA-05/").content.decode()
    assert '/o/org-a/catalog/iso27001-2022/A.5.16/"' in csf


def test_crosswalk_reads_each_pair_from_the_requirements_side() -> None:
    _load(_doc("sides", pairs=[_pair("GV.OC-01", "4.1", "subset")]))
    iso = Framework.objects.get(slug="iso27001-2022")
    csf = Framework.objects.get(slug="nist-csf-2.0")

    def reads(framework: Framework, ref: str, other: str) -> list[str]:
        req = selectors.requirement_get(framework=framework, ref=ref)
        return [
            e.reads
            for _, entries in selectors.crosswalk(req)
            for e in entries
            if e.ref == other and e.mapping_set.slug == "sides"
        ]

    assert reads(csf, "GV.OC-01", "4.1") == ["subset of"]
    assert reads(iso, "4.1", "GV.OC-01") == ["superset of"]


def test_mapping_sets_page(world: World) -> None:
    html = login(world.users_a["viewer"]).get("/o/org-a/catalog/mappings/").content.decode()
    assert 'id="nist-sp800-53r5-to-iso27001-2022"' in html
    assert "NIST OLIR: SP 800-53 Rev. 5 to ISO/IEC 27001:2022" in html and "2023-10-12" in html
    assert 'nist-sp800-53r5 <span class="muted">(not loaded)</span>' in html
    assert "via hipaa-security-rule-to-nist-sp800-53r5, nist-sp800-53r5-to-iso27001-2022" in html


def test_query_counts_do_not_depend_on_the_number_of_pairs(world: World) -> None:
    client = login(world.owner_a)
    client.get("/o/org-a/catalog/iso27001-2022/A.8.13/")  # warm the session

    def count(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    # Controls (whose guidance names related controls: one query more) with many, some and
    # no crosswalk entries; then clauses and HIPAA standards.
    controls = {
        count(f"/o/org-a/catalog/iso27001-2022/{ref}/") for ref in ("A.5.1", "A.5.23", "A.7.6")
    }
    assert len(controls) == 1, controls
    others = {count(f"/o/org-a/catalog/iso27001-2022/{ref}/") for ref in ("4.1", "6.1.2.a")}
    others.add(count("/o/org-a/catalog/hipaa-security-rule/164.316(b)(1)/"))
    assert len(others) == 1, others
    assert len({count(f"/api/v1/mappings?limit={n}") for n in (1, 500)}) == 1
    assert len({count(f"/api/v1/mapping-sets/{DERIVED}?limit={n}") for n in (1, 500)}) == 1


MIGRATION_SCRIPT = """
import json
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.models import Q
from django.db.migrations.executor import MigrationExecutor

call_command("migrate", "catalog", "0002", verbosity=0)
apps = MigrationExecutor(connection).loader.project_state(("catalog", "0002_search_index")).apps
Framework = apps.get_model("catalog", "Framework")
Requirement = apps.get_model("catalog", "Requirement")
Mapping = apps.get_model("catalog", "Mapping")
now = "2026-01-01T00:00:00Z"
reqs = {}
for slug, short, refs in (
    ("iso27001-2013", "ISO 27001:2013", ["A.5.1.1", "A.5.1.2", "A.12.6.1"]),
    ("iso27001-2022", "ISO 27001:2022", ["A.5.1", "A.8.8"]),
    ("other", "Other", ["X.1"]),
):
    fw = Framework.objects.create(slug=slug, name=short, short_name=short, version="1",
        publisher="ISO/IEC", content_version="1", content_hash="old", loaded_at=now)
    for n, ref in enumerate(refs):
        reqs[ref] = Requirement.objects.create(framework=fw, ref=ref, kind="control",
            title=ref, position=n)
for old, new in (("A.5.1.1", "A.5.1"), ("A.5.1.2", "A.5.1"), ("A.12.6.1", "A.8.8")):
    Mapping.objects.create(source=reqs[old], target=reqs[new], relationship="successor",
        provenance="Annex B")
Mapping.objects.create(source=reqs["X.1"], target=reqs["A.8.8"], relationship="equivalent",
    provenance="hand-made")
call_command("migrate", "catalog", verbosity=0)
from openisms.catalog.models import Mapping as M, MappingSet
def sets():
    return {s.slug: [s.kind, s.document, s.content_hash[:3],
            [[p.source_ref, p.target_ref, p.relationship, p.source is not None]
             for p in s.pairs.order_by("position")]]
            for s in MappingSet.objects.order_by("slug")}
out = {"migrated": sets()}
call_command("migrate", verbosity=0)  # every app: loading tells the others (SoA rows)
from openisms.catalog import loader
loader.load_all()
out["loaded"] = {k: [v[0], len(v[3])] for k, v in sets().items()}
out["x1"] = sets()["other-to-iso27001-2022-migrated"][3]
call_command("migrate", "catalog", "0002", verbosity=0)
apps = MigrationExecutor(connection).loader.project_state(("catalog", "0002_search_index")).apps
Old = apps.get_model("catalog", "Mapping")
out["back"] = sorted([m.source.ref, m.target.ref, m.relationship, m.provenance[:7]]
    for m in Old.objects.select_related("source", "target").filter(target__ref="A.8.8"))
print(json.dumps(out))
"""


def test_migration_turns_existing_mappings_into_sets(tmp_path: Path) -> None:
    """On a database of its own: the successor pairs of an older install become the
    structural set (rebuilt from the file at the next load), anything else a user set."""
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'm.sqlite3'}",
        "OPENISMS_DATA_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "openisms.settings",
    }
    done = subprocess.run(
        [sys.executable, "-c", MIGRATION_SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["migrated"] == {
        STRUCTURAL: [
            "structural",
            "Annex B",
            "",
            [
                ["A.5.1.1", "A.5.1", "successor", True],
                ["A.5.1.2", "A.5.1", "successor", True],
                ["A.12.6.1", "A.8.8", "successor", True],
            ],
        ],
        "other-to-iso27001-2022-migrated": [
            "user",
            "hand-made",
            "",
            [["X.1", "A.8.8", "equal", True]],
        ],
    }
    iso = json.loads((loader.DATA_DIR / "iso27001-2022.json").read_text())
    listed = sum(len(r.get("predecessors", [])) for r in iso["requirements"])
    assert out["loaded"][STRUCTURAL] == ["structural", listed]
    assert out["loaded"]["other-to-iso27001-2022-migrated"] == ["user", 1]
    assert out["x1"] == [["X.1", "A.8.8", "equal", True]]
    assert ["X.1", "A.8.8", "equivalent", "hand-ma"] in out["back"]
    assert ["A.12.6.1", "A.8.8", "successor", "ISO/IEC"] in out["back"]


def test_iso27701_structural_sets_follow_the_standards_structure(db: None) -> None:
    """Worked out by hand: 27701:2025 A.3.24 is ISO/IEC 27002:2022 8.13 (Information backup)
    applied to PII; 27701:2019 5.8.1 (nonconformity) adds to 27001 clause 10.1 of 2013, which is
    10.2 in 2022; 27701:2019 6.9.3.1 extends 27002:2013 12.3.1, replaced by 2022 control 8.13."""
    modern = _file("iso27701-2025-to-iso27001-2022")
    pairs = {(p["source"], p["target"], p["relationship"]) for p in modern["pairs"]}
    assert len(pairs) == 29 and modern["kind"] == "structural"
    assert ("A.3.24", "A.8.13", "superset") in pairs
    assert ("A.3.3", "A.5.1", "superset") in pairs
    assert not any(p["source"].startswith(("A.1.", "A.2.")) for p in modern["pairs"])
    old = _file("iso27701-2019-to-iso27001-2022")
    pairs = {(p["source"], p["target"], p["relationship"]) for p in old["pairs"]}
    assert ("5.8.1", "10.2", "superset") in pairs and ("5.8.2", "10.1", "superset") in pairs
    assert ("5.4.1.2", "6.1.2", "superset") in pairs and ("5.6.2", "8.2", "superset") in pairs
    assert ("6.9.3.1", "A.8.13", "intersects") in pairs
    assert ("6.2.1.1", "A.5.1", "intersects") in pairs
    assert not any(p["source"].startswith(("A.", "B.")) for p in old["pairs"])
    # Every pair resolves on both sides once the catalogues are loaded.
    for slug in ("iso27701-2025-to-iso27001-2022", "iso27701-2019-to-iso27001-2022"):
        loose = Mapping.objects.filter(mapping_set__slug=slug).filter(
            Q(source__isnull=True) | Q(target__isnull=True)
        )
        assert not loose.exists(), slug
