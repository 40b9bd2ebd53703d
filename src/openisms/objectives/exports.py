"""Objectives and measurements as XLSX (two sheets) and CSV, and the audit pack's part."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.objectives.selectors import objective_list, objective_rows, points_of
from openisms.orgs.access import Actor
from openisms.orgs.pack_parts import PackPart
from openisms.reports.tables import XLSX_TYPE, Table, write_csv, write_workbook

OBJECTIVE_COLUMNS = (
    "Ref",
    "Title",
    "Owner",
    "Measure",
    "Unit",
    "Direction",
    "Baseline",
    "Target",
    "Due on",
    "Frequency",
    "Status",
    "Latest value",
    "Latest on",
    "Progress %",
    "Standing",
    "Next measurement due",
    "Controls",
)
MEASUREMENT_COLUMNS = ("Objective", "Measured on", "Value", "Unit", "Note", "Recorded by")


def objective_cells(actor: Actor) -> list[list[Any]]:
    out = []
    for row in objective_rows(objective_list(actor=actor)):
        o, s = row.objective, row.standing
        out.append(
            [
                o.ref,
                o.title,
                o.owner.email if o.owner else "",
                o.measure,
                o.unit,
                o.get_direction_display(),
                o.baseline,
                o.target,
                o.due_on,
                o.get_frequency_display(),
                o.get_status_display(),
                s.latest,
                s.latest_on,
                s.percent,
                s.track_label,
                s.next_due,
                ", ".join(c.ref for c in o.controls.all()),
            ]
        )
    return out


def measurement_cells(actor: Actor) -> list[list[Any]]:
    out = []
    for o in objective_list(actor=actor):
        for p in points_of(o):
            out.append(
                [
                    o.ref,
                    p.measured_on,
                    p.value,
                    o.unit,
                    p.note,
                    p.recorded_by.email if p.recorded_by else "",
                ]
            )
    return out


def export_objectives(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """XLSX: a sheet of objectives and one of measurements; CSV: the objectives."""
    if fmt == "csv":
        return write_csv(OBJECTIVE_COLUMNS, objective_cells(actor)), "text/csv", "csv"
    if fmt == "xlsx":
        content = write_workbook(
            [
                Table("Objectives", OBJECTIVE_COLUMNS, objective_cells(actor)),
                Table("Measurements", MEASUREMENT_COLUMNS, measurement_cells(actor)),
            ]
        )
        return content, XLSX_TYPE, "xlsx"
    raise ValidationError({"format": "Use csv or xlsx."})


def pack_part(actor: Actor) -> list[PackPart]:
    """The audit pack's ``objectives/``: objectives with measurements as one workbook."""
    content, _, _ = export_objectives(actor=actor, fmt="xlsx")
    return [PackPart(f"objectives {timezone.localdate():%Y-%m-%d}.xlsx", content)]
