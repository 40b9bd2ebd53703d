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

from openisms.orgs.access import Actor
from openisms.reports.docx import DOCX_TYPE, DocxDocument
from openisms.reports.pdf import PDF_TYPE, PageFrame, PdfDocument
from openisms.reports.tables import CSV_TYPE, XLSX_TYPE, Table, write_csv, write_workbook
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
CONTROL_WIDTHS = (10, 45, 15, 11, 30, 40, 22, 28, 12, 60)
CLAUSE_WIDTHS = (10, 45, 22, 28, 12, 60)
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
    if row.get("cited"):
        parts.append(f"Requirements ({', '.join(row['cited'])})")
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
        return render_pdf(doc), PDF_TYPE, "pdf"
    return render_docx(doc), DOCX_TYPE, "docx"


def write_soa_xlsx(doc: SoaDocument) -> bytes:
    """Three sheets: the controls, the clauses and "About" (organisation, version, approval)."""
    note = (
        f"Controls of {doc.framework}; 'Risk treatment' is derived from the risks that plan each "
        "control."
    )
    return write_workbook(
        [
            Table(
                "Statement of Applicability",
                HEADER,
                [control_cells(r) for r in doc.controls],
                CONTROL_WIDTHS,
                wrap=True,
            ),
            Table(
                "Clauses",
                CLAUSE_HEADER,
                [clause_cells(r) for r in doc.clauses],
                CLAUSE_WIDTHS,
                wrap=True,
            ),
            Table(
                "About", ("Field", "Value"), [*map(list, doc.meta), [], ["Note", note]], (22, 60)
            ),
        ]
    )


# Column widths in points on a landscape Letter page (0: the rest of the width).
PDF_CONTROL_COLUMNS = (
    ("Control", 38),
    ("Title", 86),
    ("Applicable", 52),
    ("Reasons", 74),
    ("Justification", 86),
    ("Status", 56),
    ("Owner", 144),
    ("Target date", 50),
    ("How we implement it", 0),
)
PDF_CLAUSE_COLUMNS = (
    ("Clause", 38),
    ("Title", 150),
    ("Status", 70),
    ("Owner", 150),
    ("Target date", 50),
    ("How we meet it", 0),
)


def render_pdf(doc: SoaDocument, *, compress: bool = True) -> bytes:
    """The SoA as a PDF an auditor can file: organisation, framework, version and approval on
    every page, "Page N of M", then metadata, a summary, the controls and the clauses."""
    pdf = PdfDocument(
        PageFrame(
            title=f"{doc.org_name} - Statement of Applicability",
            right=doc.framework,
            subtitle=doc.version_label,
            footer=f"Generated {doc.generated:%Y-%m-%d %H:%M} UTC by OpenISMS",
        ),
        title=f"{doc.org_name} - Statement of Applicability",
        subject=doc.version_label,
    )
    pdf.heading("Statement of Applicability")
    pdf.text([f"{label}: {value}" for label, value in doc.meta if value], gap=6)
    pdf.heading("Summary")
    pdf.text(["; ".join(f"{label}: {n}" for label, n in doc.counts())], gap=8)
    pdf.heading("Controls")
    controls = []
    for row in doc.controls:
        cells = control_cells(row)
        del cells[2]  # the theme: the ref already says it
        controls.append(cells)
    pdf.table(PDF_CONTROL_COLUMNS, controls)
    if doc.clauses:
        pdf.heading("Clauses 4 to 10")
        pdf.table(PDF_CLAUSE_COLUMNS, [clause_cells(r) for r in doc.clauses])
    return pdf.render(compress=compress)


def render_docx(doc: SoaDocument) -> bytes:
    """Landscape Word document: metadata, summary, the control table (header row repeated on
    every page) and the clause table."""
    word = DocxDocument(
        page_header=f"{doc.org_name} - Statement of Applicability - {doc.version_label}"
    )
    word.heading(f"Statement of Applicability: {doc.org_name}", level=0)
    word.key_values(doc.meta)
    word.heading("Summary")
    word.paragraph("; ".join(f"{label}: {n}" for label, n in doc.counts()))
    word.heading("Controls")
    word.table(
        HEADER,
        [control_cells(r) for r in doc.controls],
        [1.5, 3.5, 1.8, 1.5, 2.6, 3.8, 2.2, 2.8, 1.8, 3.4],
    )
    if doc.clauses:
        word.heading("Clauses 4 to 10")
        word.table(
            CLAUSE_HEADER,
            [clause_cells(r) for r in doc.clauses],
            [1.5, 5.0, 2.6, 3.6, 2.0, 10.2],
        )
    return word.render()
