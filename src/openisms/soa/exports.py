"""Exports of the SoA as an auditor reads it: CSV, XLSX, PDF and DOCX.

The control table has one row per Annex A control (93). Clauses 4 to 10 are not part of the
CSV (a CSV file holds one table); the XLSX file lists them on a second sheet, "Clauses", and
names the organisation, version, state and approval on a third, "About"; the PDF and DOCX
documents carry both tables after a summary. Every format builds its rows through
:func:`soa_document` (the working rows or a version's snapshot), and every text cell is
formula-neutralised (a leading =, +, - or @ gets an apostrophe), so no cell is evaluated.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.core.tabular import write_csv
from openisms.orgs.access import Actor
from openisms.soa import selectors
from openisms.soa.models import SoaStatus, SoaVersion, soa_framework

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
CONTROL_WIDTHS = (10, 45, 15, 11, 30, 40, 22, 28, 12, 60)
CLAUSE_WIDTHS = (10, 45, 22, 28, 12, 60)
PDF_TYPE = "application/pdf"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FORMATS = ("csv", "xlsx", "pdf", "docx")


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


def when(value: Any) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else ""


def who(user: Any) -> str:
    return user.email if user is not None else ""


def metadata(
    actor: Actor, version: SoaVersion | None, framework: str, generated: datetime | None = None
) -> list[tuple[str, str]]:
    generated = generated or timezone.now()
    if version is None:
        return [
            ("Organisation", actor.org.name),
            ("Framework", framework),
            ("Version", "Working SoA (not submitted)"),
            ("State", "Draft"),
            ("Generated", when(generated)),
        ]
    return [
        ("Organisation", actor.org.name),
        ("Framework", framework),
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
        ("Generated", when(generated)),
    ]


@dataclass
class SoaDocument:
    """Everything one export shows: the rows of one version (or the working rows) and the
    facts every page of a document repeats."""

    org_name: str
    framework: str
    version: SoaVersion | None
    rows: list[dict[str, Any]]
    meta: list[tuple[str, str]]
    generated: datetime
    controls: list[dict[str, Any]] = field(init=False)
    clauses: list[dict[str, Any]] = field(init=False)

    def __post_init__(self) -> None:
        self.controls = [r for r in self.rows if r.get("kind") == "control"]
        self.clauses = [r for r in self.rows if r.get("kind") == "clause"]

    @property
    def version_label(self) -> str:
        """The version line every page of a document carries."""
        if self.version is None:
            return "Working draft, not approved"
        label = f"Version {self.version.number}, {self.version.get_state_display()}"
        if self.version.approved_at:
            label += (
                f", approved by {who(self.version.approved_by) or 'a former member'}"
                f" on {self.version.approved_at:%Y-%m-%d}"
            )
        return label

    def counts(self) -> list[tuple[str, int]]:
        """Controls: total, applicable, excluded, then per implementation status."""
        statuses = Counter(r["status"] for r in self.controls)
        applicable = sum(1 for r in self.controls if r["applicable"])
        out = [
            ("Controls", len(self.controls)),
            ("Applicable", applicable),
            ("Excluded", len(self.controls) - applicable),
        ]
        out += [(label, statuses.get(value, 0)) for value, label in SoaStatus.choices]
        out.append(("Clauses 4 to 10 (rows)", len(self.clauses)))
        return out


def soa_document(*, actor: Actor, version: SoaVersion | None = None) -> SoaDocument:
    """The one place every export gets its rows from: a version's snapshot, else the live
    rows (labelled as a draft)."""
    if version is not None:
        rows = version.rows
        slug = str(version.snapshot.get("framework") or soa_framework())
    else:
        rows = selectors.working_rows(actor=actor)
        slug = soa_framework()
    framework = selectors.framework_name(slug=slug)
    generated = timezone.now()
    return SoaDocument(
        org_name=actor.org.name,
        framework=framework,
        version=version,
        rows=rows,
        meta=metadata(actor, version, framework, generated),
        generated=generated,
    )


def export_soa(
    *, actor: Actor, fmt: str, version: SoaVersion | None = None
) -> tuple[bytes, str, str]:
    """(content, content type, extension) for a version, or for the working rows."""
    if fmt not in FORMATS:
        raise ValidationError({"format": "Choose csv, xlsx, pdf or docx."})
    doc = soa_document(actor=actor, version=version)
    if fmt == "csv":
        return write_csv(HEADER, [control_cells(r) for r in doc.controls]), CSV_TYPE, "csv"
    if fmt == "xlsx":
        return write_soa_xlsx(doc), XLSX_TYPE, "xlsx"
    if fmt == "pdf":
        from openisms.soa.pdf import render_pdf

        return render_pdf(doc), PDF_TYPE, "pdf"
    from openisms.soa.word import render_docx

    return render_docx(doc), DOCX_TYPE, "docx"


def write_soa_xlsx(doc: SoaDocument) -> bytes:
    """Three sheets: the controls, the clauses and "About" (organisation, version, approval)."""
    from openisms.soa.xlsx import Sheet, write_workbook

    note = (
        f"Controls of {doc.framework}; 'Risk treatment' is derived from the risks that plan each "
        "control."
    )
    return write_workbook(
        [
            Sheet(
                "Statement of Applicability",
                HEADER,
                [control_cells(r) for r in doc.controls],
                CONTROL_WIDTHS,
            ),
            Sheet("Clauses", CLAUSE_HEADER, [clause_cells(r) for r in doc.clauses], CLAUSE_WIDTHS),
            Sheet(
                "About", ("Field", "Value"), [*map(list, doc.meta), [], ["Note", note]], (22, 60)
            ),
        ]
    )
