"""Export a framework's requirements (``openisms catalog export``) or the pairs of the mapping
sets between two frameworks (``openisms mapping export``) as JSON or CSV."""

from __future__ import annotations

import csv
import json
from typing import Any, TextIO

from django.db.models import Prefetch

from openisms.catalog import selectors
from openisms.catalog.models import (
    Framework,
    Mapping,
    MappingSet,
    Requirement,
    RequirementAttribute,
)
from openisms.catalog.selectors import FACET_KEYS
from openisms.reports.cells import safe_cell
from openisms.reports.tables import write_csv

GUIDANCE_SECTIONS = (
    "purpose",
    "implementation_steps",
    "small_organisation",
    "large_organisation",
    "evidence",
    "pitfalls",
    "related_controls",
    "typical_owner",
)


def rows(framework: Framework) -> list[dict[str, Any]]:
    """One dict per requirement, in document order (3 queries whatever the size)."""
    qs = (
        Requirement.objects.filter(framework=framework, retired=False)
        .select_related("parent")
        .prefetch_related(
            Prefetch("attribute_values", queryset=RequirementAttribute.objects.order_by("id")),
            Prefetch(
                "mappings_in",
                queryset=Mapping.objects.filter(relationship=Mapping.Relationship.SUCCESSOR)
                .select_related("source__framework")
                .order_by("source__position"),
            ),
        )
        .order_by("position")
    )
    predecessor_versions = _predecessor_versions(framework)
    out = []
    for req in qs:
        row: dict[str, Any] = {
            "ref": req.ref,
            "kind": req.kind,
            "title": req.title,
            "parent": req.parent.ref if req.parent else None,
        }
        if req.theme:
            row["theme"] = req.theme
        if req.oscal_id:  # imported from OSCAL: its id, statement and parameters
            row["oscal_id"] = req.oscal_id
            row["withdrawn"] = req.withdrawn
            if req.statement:
                row["statement"] = req.statement
            if req.params:
                row["params"] = [p.get("id") for p in req.params]
        if req.summary:
            row["summary"] = req.summary
        if req.auditor_expects:
            row["auditor_expects"] = req.auditor_expects
        if req.kind == "control":
            # ISO/IEC 27002's five attribute sets are listed (empty too) for its own controls.
            keys = FACET_KEYS if framework.slug.startswith("iso27001-") else ()
            attributes: dict[str, list[str]] = {key: [] for key in keys}
            for value in req.attribute_values.all():
                attributes.setdefault(value.key, []).append(value.value)
            row["attributes"] = attributes
            row[f"new_in_{framework.version}"] = req.is_new
            predecessors = [m.source for m in req.mappings_in.all() if m.source is not None]
            for version in predecessor_versions:
                row[f"replaces_{version}"] = list(
                    dict.fromkeys(p.ref for p in predecessors if p.framework.version == version)
                )
            if req.guidance:
                row["guidance"] = {k: req.guidance.get(k) for k in GUIDANCE_SECTIONS}
        else:
            other: dict[str, list[str]] = {}
            for value in req.attribute_values.all():
                other.setdefault(value.key, []).append(value.value)
            if other:
                row["attributes"] = other
            if req.is_new:
                row[f"new_in_{framework.version}"] = True
        out.append(row)
    return out


def _predecessor_versions(framework: Framework) -> list[str]:
    """Versions of frameworks this one replaces, so new controls still get an empty list."""
    return list(
        Framework.objects.filter(
            requirements__mappings_out__target__framework=framework,
            requirements__mappings_out__relationship=Mapping.Relationship.SUCCESSOR,
        )
        .order_by("version")
        .values_list("version", flat=True)
        .distinct()
    )


def write(framework: Framework, fmt: str, out: TextIO) -> None:
    data = rows(framework)
    if fmt == "json":
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    columns: list[str] = []
    for row in data:
        for key in _flat(row):
            if key not in columns:
                columns.append(key)
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in data:
        writer.writerow({k: safe_cell(v) for k, v in _flat(row).items()})


def _flat(row: dict[str, Any]) -> dict[str, Any]:
    """CSV columns: lists joined with '; ', nested objects as prefixed columns."""
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, dict):
            for sub, item in value.items():
                flat[f"{key}.{sub}"] = _join(item)
        else:
            flat[key] = _join(value)
    return flat


def _join(value: Any) -> Any:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    if value is None:
        return ""
    return value


MAPPING_COLUMNS = ("source_ref", "target_ref", "relationship", "provenance", "derived")


def mapping_rows(*, source: str, target: str) -> list[dict[str, Any]]:
    """Pairs of every set from ``source`` to ``target``: by set slug, then in each set's own
    order (which for NIST's sets is NIST's order)."""
    return [
        {
            "source_ref": m.source_ref,
            "target_ref": m.target_ref,
            "relationship": m.relationship,
            # A derived pair names its path ("via nist-sp800-53r5 RA-1") after the set's document.
            "provenance": (
                f"{m.mapping_set.provenance}; {m.rationale}"
                if m.mapping_set.kind == MappingSet.Kind.DERIVED and m.rationale
                else m.mapping_set.provenance
            ),
            "derived": m.mapping_set.kind == MappingSet.Kind.DERIVED,
            "set": m.mapping_set.slug,
            "strength": m.strength,
            "rationale": m.rationale,
        }
        for m in selectors.mappings_between(source=source, target=target)
    ]


def write_mappings(data: list[dict[str, Any]], fmt: str, out: TextIO) -> None:
    """JSON: every field of each pair; CSV: exactly ``MAPPING_COLUMNS``, formulas neutralised."""
    if fmt == "json":
        json.dump(data, out, ensure_ascii=False, indent=2)
        out.write("\n")
        return
    rows = (
        [*(row[c] for c in MAPPING_COLUMNS[:-1]), "true" if row["derived"] else "false"]
        for row in data
    )
    out.write(write_csv(MAPPING_COLUMNS, rows).decode("utf-8"))
