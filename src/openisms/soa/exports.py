"""CSV and XLSX exports of the SoA, as an auditor reads it.

The control table has one row per Annex A control (93). Clauses 4 to 10 are not part of the
CSV (a CSV file holds one table); the XLSX file lists them on a second sheet, "Clauses", and
names the organisation, version, state and approval on a third, "About". Every text cell is
formula-neutralised (a leading =, +, - or @ gets an apostrophe), so no cell is evaluated.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.core.access import Actor
from openisms.core.exports import safe_cell
from openisms.core.tabular import write_csv
from openisms.soa import selectors
from openisms.soa.models import FRAMEWORK, SoaStatus, SoaVersion

HEADER = (
    "Control",
    "Title",
    "Theme",
    "Applicable",
    "Reasons",
    "Justification",
    "Implementation status",
    "Owner",
    "Target date",
    "How we implement it",
)
CLAUSE_HEADER = ("Clause", "Title", "Status", "Owner", "Target date", "How we meet it")
STATUS_LABELS = dict(SoaStatus.choices)
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def reasons_text(row: dict[str, Any]) -> str:
    reasons = row.get("reasons", {})
    parts = []
    if reasons.get("risk_treatment"):
        refs = reasons.get("risks", [])
        parts.append("Risk treatment" + (f" ({', '.join(refs)})" if refs else ""))
    if reasons.get("legal_regulatory"):
        parts.append("Legal/regulatory")
    if reasons.get("contractual"):
        parts.append("Contractual")
    if reasons.get("business"):
        parts.append("Business (best practice)")
    return "; ".join(parts)


def control_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["ref"],
        row["title"],
        (row.get("theme") or "").capitalize(),
        "Yes" if row["applicable"] else "No",
        reasons_text(row),
        row.get("justification", ""),
        STATUS_LABELS.get(row["status"], row["status"]),
        row.get("owner") or "",
        row.get("target_date") or "",
        row.get("implementation", ""),
    ]


def clause_cells(row: dict[str, Any]) -> list[Any]:
    return [
        row["ref"],
        row["title"],
        STATUS_LABELS.get(row["status"], row["status"]),
        row.get("owner") or "",
        row.get("target_date") or "",
        row.get("implementation", ""),
    ]


def metadata(actor: Actor, version: SoaVersion | None) -> list[tuple[str, str]]:
    def when(value: Any) -> str:
        return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""

    def who(user: Any) -> str:
        return user.email if user is not None else ""

    if version is None:
        return [
            ("Organisation", actor.org.name),
            ("Framework", "ISO/IEC 27001:2022"),
            ("Version", "Working SoA (not submitted)"),
            ("State", "Draft"),
            ("Generated", when(timezone.now())),
        ]
    return [
        ("Organisation", actor.org.name),
        ("Framework", "ISO/IEC 27001:2022"),
        ("Version", str(version.number)),
        ("State", version.get_state_display()),
        ("Submitted by", who(version.submitted_by)),
        ("Submitted", when(version.submitted_at)),
        ("Submitter's comment", version.comment),
        ("Approver", who(version.approved_by)),
        ("Approval date", when(version.approved_at)),
        ("Rejected by", who(version.rejected_by)),
        ("Rejected", when(version.rejected_at)),
        ("Decision comment", version.decision_comment),
        ("Generated", when(timezone.now())),
    ]


def _sheet(workbook: Any, title: str, header: Sequence[str], rows: list[list[Any]]) -> Any:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for column, width in zip("ABCDEFGHIJ", (10, 45, 15, 11, 30, 40, 22, 28, 12, 60), strict=False):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text
    return sheet


def export_soa(
    *, actor: Actor, fmt: str, version: SoaVersion | None = None
) -> tuple[bytes, str, str]:
    """(content, content type, extension) for a version, or for the working rows."""
    rows = version.rows if version is not None else selectors.working_rows(actor=actor)
    controls = [control_cells(r) for r in rows if r.get("kind") == "control"]
    if fmt == "csv":
        return write_csv(HEADER, controls), CSV_TYPE, "csv"
    if fmt != "xlsx":
        raise ValidationError({"format": "Choose csv or xlsx."})
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    default = workbook.active
    if default is not None:
        workbook.remove(default)
    _sheet(workbook, "Statement of Applicability", HEADER, controls)
    clauses = [clause_cells(r) for r in rows if r.get("kind") == "clause"]
    _sheet(workbook, "Clauses", CLAUSE_HEADER, clauses)
    about = workbook.create_sheet("About")
    for label, value in [("Field", "Value"), *metadata(actor, version)]:
        about.append([safe_cell(label), safe_cell(value)])
    about["A1"].font = about["B1"].font = Font(bold=True)
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 60
    about.append([])
    about.append(
        [
            "Note",
            f"Controls of {FRAMEWORK}; 'Risk treatment' is derived from the risks that plan "
            "each control.",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), XLSX_TYPE, "xlsx"
