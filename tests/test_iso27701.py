"""ISO/IEC 27701:2025 and 2019: structure, PIMS roles, the 2019 -> 2025 successor mapping."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from typing import Any

import pytest

from openisms.catalog import loader
from openisms.catalog.models import Mapping, Requirement, RequirementAttribute
from openisms.cli import main
from tests.conftest import World, login

pytestmark = pytest.mark.usefixtures("catalog")

NEW = "iso27701-2025"
OLD = "iso27701-2019"
# Controls per objective: Table A.1 (controllers) and A.2 (processors) of 2025, and the
# same groups in 2019 Annex A (A.7.x) and Annex B (B.8.x).
A1_GROUPS = {"A.1.2": 8, "A.1.3": 10, "A.1.4": 9, "A.1.5": 4}
A2_GROUPS = {"A.2.2": 6, "A.2.3": 1, "A.2.4": 3, "A.2.5": 8}
ANNEX_A_GROUPS = {"A.7.2": 8, "A.7.3": 10, "A.7.4": 9, "A.7.5": 4}
ANNEX_B_GROUPS = {"B.8.2": 6, "B.8.3": 1, "B.8.4": 3, "B.8.5": 8}
CLAUSES_2025 = [
    *["4", "4.1", "4.2", "4.3", "4.4"],
    *["5", "5.1", "5.2", "5.3"],
    *["6", "6.1", "6.1.1", "6.1.2", "6.1.3", "6.2", "6.3"],
    *["7", "7.1", "7.2", "7.3", "7.4", "7.5", "7.5.1", "7.5.2", "7.5.3"],
    *["8", "8.1", "8.2", "8.3"],
    *["9", "9.1", "9.2", "9.2.1", "9.2.2", "9.3", "9.3.1", "9.3.2", "9.3.3"],
    *["10", "10.1", "10.2"],
]


def _reqs(slug: str) -> list[Requirement]:
    return list(
        Requirement.objects.filter(framework__slug=slug, retired=False)
        .select_related("parent")
        .order_by("position")
    )


def _export(capsys: Any, slug: str, fmt: str = "json") -> str:
    assert main(["catalog", "export", slug, "--format", fmt]) == 0
    return capsys.readouterr().out


def _successors() -> dict[str, list[str]]:
    """2019 ref -> 2025 refs, from the typed successor mappings the loader wrote."""
    result: dict[str, list[str]] = defaultdict(list)
    for source, target in (
        Mapping.objects.filter(
            relationship=Mapping.Relationship.SUCCESSOR,
            source__framework__slug=OLD,
            target__framework__slug=NEW,
        )
        .order_by("target__position")
        .values_list("source__ref", "target__ref")
    ):
        result[source].append(target)
    return result


def _predecessors() -> dict[str, list[str]]:
    result: dict[str, list[str]] = defaultdict(list)
    for old, new_refs in _successors().items():
        for new in new_refs:
            result[new].append(old)
    return result


def _grouped(reqs: list[Requirement], prefix: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for req in reqs:
        if req.kind == "control" and req.ref.startswith(prefix):
            assert req.parent is not None, req.ref
            groups[req.parent.ref].append(req.ref)
    return groups


def test_2025_has_clauses_4_to_10_and_three_annex_a_tables() -> None:
    reqs = _reqs(NEW)
    assert Counter(r.kind for r in reqs) == {
        "clause": 41,
        "table": 3,
        "objective": 8,
        "control": 78,
    }
    assert [r.ref for r in reqs if r.kind == "clause"] == CLAUSES_2025
    assert [r.ref for r in reqs if r.kind == "table"] == ["A.1", "A.2", "A.3"]
    a1 = _grouped(reqs, "A.1.")
    a2 = _grouped(reqs, "A.2.")
    assert {k: len(v) for k, v in a1.items()} == A1_GROUPS
    assert {k: len(v) for k, v in a2.items()} == A2_GROUPS
    # Numbering inside each objective starts at .2: the .1 slot is the objective itself.
    for groups in (a1, a2):
        for objective, refs in groups.items():
            assert refs == [f"{objective}.{n}" for n in range(2, len(refs) + 2)], objective
    a3 = [r for r in reqs if r.kind == "control" and r.ref.startswith("A.3.")]
    assert [r.ref for r in a3] == [f"A.3.{n}" for n in range(3, 32)]
    assert all(r.parent and r.parent.ref == "A.3" for r in a3)
    objectives = [r for r in reqs if r.kind == "objective"]
    assert [(r.ref, r.parent.ref if r.parent else None) for r in objectives] == [
        (ref, ref[:3]) for ref in [*A1_GROUPS, *A2_GROUPS]
    ]


def test_2019_has_clause_5_clause_6_and_annexes_a_and_b() -> None:
    reqs = _reqs(OLD)
    assert Counter(r.kind for r in reqs) == {"clause": 199, "objective": 8, "control": 49}
    annex_a = _grouped(reqs, "A.7.")
    annex_b = _grouped(reqs, "B.8.")
    assert {k: len(v) for k, v in annex_a.items()} == ANNEX_A_GROUPS
    assert {k: len(v) for k, v in annex_b.items()} == ANNEX_B_GROUPS
    for groups in (annex_a, annex_b):
        for objective, refs in groups.items():
            assert refs == [f"{objective}.{n}" for n in range(1, len(refs) + 1)], objective
    refs = [r.ref for r in reqs]
    assert refs[:2] == ["5", "5.1"] and "5.4.1.3" in refs and "5.8.2" in refs
    clause6 = [r for r in reqs if re.fullmatch(r"6\.\d+\.\d+\.\d+", r.ref)]
    assert len(clause6) == 114


def test_2019_clause_6_follows_iso27002_2013_numbering() -> None:
    """6.x.y.z is ISO/IEC 27002:2013 control (x+3).y.z, with the same title."""
    old = {r.ref: r.title for r in _reqs(OLD)}
    controls_2013 = Requirement.objects.filter(framework__slug="iso27001-2013", kind="control")
    assert controls_2013.count() == 114
    for control in controls_2013:
        section, rest = control.ref[2:].split(".", 1)
        assert old[f"6.{int(section) - 3}.{rest}"] == control.title, control.ref


def test_refs_are_unique_in_both_files() -> None:
    for slug in (OLD, NEW):
        doc, _ = loader.read_file(loader.DATA_DIR / f"{slug}.json")
        refs = [r["ref"] for r in doc["requirements"]]
        assert len(refs) == len(set(refs)), slug


@pytest.mark.parametrize(
    ("slug", "ref", "title"),
    [
        # 2025: each id seen in ISMS.online's Annex A (2025) table or on the control's own page;
        # titles as in that table where it shows them, otherwise the 2019 wording (A.1, A.2) or
        # the ISO/IEC 27002:2022 wording (A.3). See docs/content.md.
        # Table A.1.
        (NEW, "A.1.2.2", "Identify and document purpose"),
        (NEW, "A.1.2.6", "Privacy impact assessment"),
        (NEW, "A.1.2.9", "Records related to processing PII"),
        (NEW, "A.1.3.7", "Access, correction and/or erasure"),
        (NEW, "A.1.3.11", "Automated decision making"),
        (NEW, "A.1.4.6", "PII de-identification and deletion at the end of processing"),
        (NEW, "A.1.5.5", "Records of PII disclosure to third parties"),
        # Table A.2.
        (NEW, "A.2.2.2", "Customer agreement"),
        (NEW, "A.2.2.4", "Marketing and advertising use"),
        (NEW, "A.2.5.8", "Engagement of a subcontractor to process PII"),
        (NEW, "A.2.5.9", "Change of subcontractor to process PII"),
        # Table A.3.
        (NEW, "A.3.3", "Policies for information security"),
        (NEW, "A.3.11", "Information security incident management planning and preparation"),
        (NEW, "A.3.20", "Storage media"),
        (NEW, "A.3.24", "Information backup"),
        (NEW, "A.3.31", "Test information"),
        # Clauses.
        (NEW, "5.2", "Privacy policy"),
        (NEW, "6.1.2", "Privacy risk assessment"),
        (NEW, "10.2", "Nonconformity and corrective action"),
        # 2019 Annex A and B (public control catalogues) and clauses 5 and 6 (Akarion outline).
        (OLD, "A.7.2.1", "Identify and document purpose"),
        (OLD, "A.7.3.10", "Automated decision making"),
        (OLD, "A.7.5.4", "Records of PII disclosure to third parties"),
        (OLD, "B.8.2.1", "Customer agreement"),
        (OLD, "B.8.4.2", "Return, transfer or disposal of PII"),
        (OLD, "B.8.5.8", "Change of subcontractor to process PII"),
        (OLD, "5.2.3", "Determining the scope of the information security management system"),
        (OLD, "6.2.1.1", "Policies for information security"),
        (OLD, "6.9.3.1", "Information backup"),
        (OLD, "6.13.1.5", "Response to information security incidents"),
    ],
)
def test_hand_checked_titles(slug: str, ref: str, title: str) -> None:
    assert Requirement.objects.get(framework__slug=slug, ref=ref).title == title


def test_every_control_has_its_pims_role() -> None:
    for slug, expected in (
        (NEW, {"controller": 31, "processor": 18, "both": 29}),
        (OLD, {"controller": 31, "processor": 18}),
    ):
        values = RequirementAttribute.objects.filter(
            requirement__framework__slug=slug, key="pims_role"
        )
        assert Counter(values.values_list("value", flat=True)) == expected, slug
        assert set(values.values_list("requirement__kind", flat=True)) == {"control"}
    roles = dict(
        RequirementAttribute.objects.filter(
            requirement__framework__slug=NEW, key="pims_role"
        ).values_list("requirement__ref", "value")
    )
    assert len(roles) == 78
    for ref, role in roles.items():
        table = ref.split(".")[1]
        assert role == {"1": "controller", "2": "processor", "3": "both"}[table], ref


def test_every_2019_annex_control_has_its_2025_successor_and_back() -> None:
    """2019 Annex A and B carry over one to one, in order, to Tables A.1 and A.2."""
    successors = _successors()
    predecessors = _predecessors()
    old = {r.ref: r for r in _reqs(OLD) if r.kind == "control"}
    new = {r.ref: r for r in _reqs(NEW) if r.kind == "control"}
    pairs = [(ref, successors[ref]) for ref in old]
    assert all(len(targets) == 1 for _, targets in pairs), pairs
    for old_ref, (new_ref,) in pairs:
        table = "A.1." if old_ref.startswith("A.7.") else "A.2."
        assert new_ref.startswith(table), (old_ref, new_ref)
        assert new[new_ref].title == old[old_ref].title, (old_ref, new_ref)
        # Same objective, number shifted by one: A.7.2.1 -> A.1.2.2, B.8.5.8 -> A.2.5.9.
        objective, number = old_ref.rsplit(".", 1)
        assert new_ref == f"{table}{objective.split('.')[2]}.{int(number) + 1}"
    for ref in new:
        if ref.startswith(("A.1.", "A.2.")):
            assert len(predecessors[ref]) == 1 and predecessors[ref][0] in old, ref


def test_table_a3_replaces_the_clause_6_guidance_on_matching_27002_controls() -> None:
    """Each A.3 control replaces the 2019 clause 6 subclauses of its ISO/IEC 27002 control.

    Cross-checked against our ISO/IEC 27001:2022 catalogue: the 2022 control with the same
    title lists the 2013 controls whose 2019 clause 6 subclauses the A.3 control replaces.
    """
    predecessors = _predecessors()
    controls_2022 = {
        r.title: r
        for r in Requirement.objects.filter(framework__slug="iso27001-2022", kind="control")
    }
    for req in _reqs(NEW):
        if not req.ref.startswith("A.3."):
            continue
        based_on = controls_2022[req.title]
        expected = []
        structural = based_on.mappings_in.filter(mapping_set__slug="iso27001-2013-to-iso27001-2022")
        for mapping in structural.order_by("source__position"):
            section, rest = mapping.source.ref[2:].split(".", 1)
            expected.append(f"6.{int(section) - 3}.{rest}")
        assert predecessors[req.ref] == expected, req.ref
    assert predecessors["A.3.3"] == ["6.2.1.1", "6.2.1.2"]
    assert predecessors["A.3.11"] == ["6.13.1.1"]
    assert predecessors["A.3.25"] == ["6.9.4.1", "6.9.4.2", "6.9.4.3"]


def test_every_2025_requirement_names_what_it_replaces() -> None:
    predecessors = _predecessors()
    reqs = _reqs(NEW)
    without = {r.ref for r in reqs if not predecessors[r.ref]}
    # The table rows group controls; 6.3 (planning of changes) is new in the 2025 edition.
    assert without == {"A.1", "A.2", "A.3", "6.3"}
    assert {r.ref for r in reqs if r.is_new} == {"6.3"}
    assert predecessors["4.1"] == ["5.2.1"]
    assert predecessors["6.1.3"] == ["5.4.1.3"]
    assert predecessors["10.1"] == ["5.8.2"] and predecessors["10.2"] == ["5.8.1"]
    assert predecessors["A.1.2"] == ["A.7.2"] and predecessors["A.2.5"] == ["B.8.5"]
    # Every successor mapping was written from the 2019 file into the 2025 file.
    mappings = Mapping.objects.filter(target__framework__slug=NEW)
    assert set(mappings.values_list("relationship", flat=True)) == {"successor"}
    assert set(mappings.values_list("source__framework__slug", flat=True)) == {OLD}


def test_loader_puts_the_2019_edition_first() -> None:
    docs = [loader.read_file(loader.DATA_DIR / f"{slug}.json") for slug in (NEW, OLD)]
    assert [doc["slug"] for doc, _ in loader._order(docs)] == [OLD, NEW]
    everything = [loader.read_file(path) for path in loader.data_files()]
    slugs = [doc["slug"] for doc, _ in loader._order(everything)]
    assert slugs.index(OLD) < slugs.index(NEW)
    assert slugs.index("iso27001-2013") < slugs.index("iso27001-2022")


def test_our_words_for_every_control(capsys: Any) -> None:
    for slug in (NEW, OLD):
        for row in json.loads(_export(capsys, slug)):
            if row["kind"] == "control":
                sentences = re.findall(r"[.!?](?:\s|$)", row["summary"])
                assert 1 <= len(sentences) <= 3, (slug, row["ref"])
                assert 2 <= len(row["auditor_expects"]) <= 3, (slug, row["ref"])
            else:
                assert row.get("summary"), (slug, row["ref"])


def test_export_lists_the_2025_controls_with_role_and_predecessors(capsys: Any) -> None:
    data = json.loads(_export(capsys, NEW))
    by_ref = {row["ref"]: row for row in data}
    controls = [row for row in data if row["kind"] == "control"]
    assert len(controls) == 78
    assert by_ref["A.1.2.2"]["attributes"]["pims_role"] == ["controller"]
    assert by_ref["A.1.2.2"]["replaces_2019"] == ["A.7.2.1"]
    assert by_ref["A.2.5.9"]["replaces_2019"] == ["B.8.5.8"]
    assert by_ref["A.3.20"]["replaces_2019"] == ["6.5.3.1", "6.5.3.2", "6.5.3.3", "6.8.2.5"]
    assert by_ref["A.3.20"]["parent"] == "A.3"
    assert by_ref["6.3"]["new_in_2025"] is True
    rows = list(csv.DictReader(io.StringIO(_export(capsys, NEW, "csv"))))
    csv_roles = Counter(r["attributes.pims_role"] for r in rows if r["kind"] == "control")
    assert csv_roles == {"controller": 31, "processor": 18, "both": 29}


def test_catalogue_pages_for_both_editions(world: World) -> None:
    client = login(world.users_a["viewer"])
    listing = client.get(f"/o/org-a/catalog/{NEW}/").content.decode()
    assert "Privacy impact assessment" in listing and "Test information" in listing
    page = client.get(f"/o/org-a/catalog/{NEW}/A.1.2.6/")
    html = page.content.decode()
    assert page.status_code == 200 and "controller" in html and "A.7.2.5" in html
    old = client.get(f"/o/org-a/catalog/{OLD}/A.7.2.5/").content.decode()
    assert "A.1.2.6" in old
