"""Exports of internal audits, all through ``openisms.reports``.

- The audit report (PDF, DOCX): from the latest approved report version, else from the live
  audit marked as a draft: summary, scope, auditors, dates, results by clause and control,
  findings grouped by type.
- ``openisms export audits``: ``csv`` is one row per finding (audit ref, title and status, type,
  requirement, finding title, author); ``pdf``/``docx`` is the report of the most recently
  completed audit (by its actual end date).
- The audit pack's ``audits/`` folder: programme coverage (CSV per programme), findings (CSV)
  and each approved report version (PDF).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify

from openisms.audits import selectors
from openisms.audits.models import Audit, AuditReport, AuditStatus, ChecklistResult, FindingType
from openisms.orgs.access import Actor, scoped
from openisms.orgs.pack_parts import PackPart
from openisms.reports.docx import DOCX_TYPE, DocxDocument
from openisms.reports.pdf import PDF_TYPE, PageFrame, PdfDocument
from openisms.reports.tables import CSV_TYPE, write_csv

RESULT_LABELS = dict(ChecklistResult.choices)
TYPE_LABELS = dict(FindingType.choices)
STATUS_LABELS = dict(AuditStatus.choices)
FINDINGS_HEADER = (
    "Audit",
    "Audit title",
    "Audit status",
    "Finding",
    "Type",
    "Requirement",
    "Title",
    "Description",
    "Evidence seen",
    "Author",
)
COVERAGE_HEADER = ("Kind", "Ref", "Title", "Audits", "Planned", "Done")


@dataclass
class ReportDoc:
    org_name: str
    data: dict[str, Any]
    label: str  # "Version 2, approved by ... on ..." or "Draft, not approved"
    meta: list[tuple[str, str]]


def report_doc(*, actor: Actor, audit: Audit, version: AuditReport | None = None) -> ReportDoc:
    """The report of ``version``, else of the latest approved version, else the live audit
    (labelled as a draft)."""
    version = version or selectors.latest_approved_report(actor=actor, audit=audit)
    if version is not None:
        data = dict(version.snapshot)
        label = f"Version {version.number}, {version.get_state_display()}"
        if version.approved_at:
            who = version.approved_by.email if version.approved_by else "a former member"
            label += f", approved by {who} on {version.approved_at:%Y-%m-%d}"
    else:
        data = selectors.audit_snapshot(actor=actor, audit=audit)
        label = "Draft, not approved"
    meta = [
        ("Organisation", actor.org.name),
        ("Audit", f"{data['ref']} {data['title']}"),
        ("Programme", data.get("programme", "")),
        ("Report", label),
        ("Status", STATUS_LABELS.get(data.get("status", ""), data.get("status", ""))),
        ("Planned", f"{data.get('planned_start') or ''} to {data.get('planned_end') or ''}"),
        ("Conducted", f"{data.get('actual_start') or '-'} to {data.get('actual_end') or '-'}"),
        ("Lead auditor", data.get("lead_auditor") or ""),
        ("Auditors", ", ".join(data.get("auditors", []))),
        ("Criteria", data.get("criteria", "")),
        ("Generated", f"{timezone.now():%Y-%m-%d %H:%M} UTC"),
    ]
    return ReportDoc(actor.org.name, data, label, meta)


def _summary(doc: ReportDoc) -> list[str]:
    results = doc.data.get("result_counts", {})
    types = doc.data.get("finding_counts", {})
    return [
        f"Requirements in scope: {len(doc.data.get('scope', []))}",
        "Checklist: "
        + "; ".join(f"{label}: {results.get(value, 0)}" for value, label in RESULT_LABELS.items()),
        "Findings: "
        + "; ".join(f"{label}: {types.get(value, 0)}" for value, label in TYPE_LABELS.items()),
    ]


def _checklist_rows(doc: ReportDoc, kind: str) -> list[list[Any]]:
    return [
        [
            i["ref"],
            i["title"],
            RESULT_LABELS.get(i["result"], i["result"]),
            i.get("notes", ""),
            ", ".join(i.get("evidence", [])),
        ]
        for i in doc.data.get("checklist", [])
        if i.get("kind") == kind
    ]


def _finding_groups(doc: ReportDoc) -> list[tuple[str, list[list[Any]]]]:
    groups = []
    for value, label in TYPE_LABELS.items():
        rows = [
            [
                f["ref"],
                f.get("requirement") or "",
                f["title"],
                f.get("description", ""),
                f.get("evidence_seen", ""),
            ]
            for f in doc.data.get("findings", [])
            if f["type"] == value
        ]
        groups.append((label, rows))
    return groups


CHECK_COLUMNS = (("Ref", 44), ("Title", 180), ("Result", 80), ("Notes", 0), ("Evidence", 150))
FINDING_COLUMNS = (
    ("Finding", 80),
    ("Requirement", 60),
    ("Title", 150),
    ("Description", 0),
    ("Evidence seen", 170),
)


def render_pdf(doc: ReportDoc) -> bytes:
    title = f"{doc.org_name} - Internal audit report {doc.data['ref']}"
    pdf = PdfDocument(
        PageFrame(
            title=title,
            right="ISO/IEC 27001 clause 9.2",
            subtitle=doc.label,
            footer="Generated by OpenISMS",
        ),
        title=title,
        subject=doc.label,
    )
    pdf.heading(f"Internal audit report: {doc.data['ref']} {doc.data['title']}")
    pdf.text([f"{label}: {value}" for label, value in doc.meta if value], gap=6)
    pdf.heading("Summary")
    pdf.text(_summary(doc), gap=8)
    pdf.heading("Scope")
    pdf.text(["; ".join(f"{s['ref']} {s['title']}" for s in doc.data.get("scope", []))], gap=8)
    for kind, heading in (("clause", "Results by clause"), ("control", "Results by control")):
        rows = _checklist_rows(doc, kind)
        if rows:
            pdf.heading(heading)
            pdf.table(CHECK_COLUMNS, rows)
    pdf.heading("Findings")
    for label, rows in _finding_groups(doc):
        pdf.heading(f"{label} ({len(rows)})")
        if rows:
            pdf.table(FINDING_COLUMNS, rows)
        else:
            pdf.text(["None."])
    return pdf.render()


def render_docx(doc: ReportDoc) -> bytes:
    word = DocxDocument(
        page_header=f"{doc.org_name} - Internal audit report {doc.data['ref']} - {doc.label}"
    )
    word.heading(f"Internal audit report: {doc.data['ref']} {doc.data['title']}", level=0)
    word.key_values(doc.meta)
    word.heading("Summary")
    for line in _summary(doc):
        word.paragraph(line)
    word.heading("Scope")
    word.paragraph("; ".join(f"{s['ref']} {s['title']}" for s in doc.data.get("scope", [])))
    header = ("Ref", "Title", "Result", "Notes", "Evidence")
    for kind, heading in (("clause", "Results by clause"), ("control", "Results by control")):
        rows = _checklist_rows(doc, kind)
        if rows:
            word.heading(heading)
            word.table(header, rows, [2.0, 6.5, 3.0, 8.5, 4.9])
    word.heading("Findings")
    for label, rows in _finding_groups(doc):
        word.heading(f"{label} ({len(rows)})", level=2)
        if rows:
            word.table(
                ("Finding", "Requirement", "Title", "Description", "Evidence seen"),
                rows,
                [3.0, 2.4, 5.5, 8.0, 6.0],
            )
        else:
            word.paragraph("None.")
    return word.render()


def export_report(
    *, actor: Actor, audit: Audit, fmt: str, version: AuditReport | None = None
) -> tuple[bytes, str, str]:
    if fmt not in ("pdf", "docx"):
        raise ValidationError({"format": "Choose pdf or docx."})
    doc = report_doc(actor=actor, audit=audit, version=version)
    if fmt == "pdf":
        return render_pdf(doc), PDF_TYPE, "pdf"
    return render_docx(doc), DOCX_TYPE, "docx"


def findings_csv(*, actor: Actor) -> bytes:
    rows = [
        [
            f.audit.ref,
            f.audit.title,
            STATUS_LABELS.get(f.audit.status, f.audit.status),
            f"{f.audit.ref}-F{f.number}",
            TYPE_LABELS.get(f.type, f.type),
            f.requirement.ref if f.requirement else "",
            f.title,
            f.description,
            f.evidence_seen,
            f.author.email if f.author else "",
        ]
        for f in selectors.finding_list(actor=actor)
    ]
    return write_csv(FINDINGS_HEADER, rows)


def coverage_csv(*, actor: Actor, programme: Any) -> bytes:
    coverage = selectors.programme_coverage(actor=actor, programme=programme)
    rows = [
        [
            kind,
            row.requirement.ref,
            row.requirement.title,
            ", ".join(a.ref for a in row.audits),
            "Yes" if row.planned else "Not yet planned",
            "Yes" if row.done else "No",
        ]
        for kind, group in (("Clause", coverage.clauses), ("Control", coverage.controls))
        for row in group
    ]
    return write_csv(COVERAGE_HEADER, rows)


def export_audits(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """``openisms export audits``: findings as CSV, or the latest completed audit's report."""
    if fmt == "csv":
        return findings_csv(actor=actor), CSV_TYPE, "csv"
    if fmt not in ("pdf", "docx"):
        raise ValidationError({"format": "Audits export as csv, pdf or docx."})
    audit = (
        scoped(actor, Audit)
        .filter(status=AuditStatus.COMPLETED)
        .order_by("-actual_end", "-year", "-sequence")
        .first()
    )
    if audit is None:
        raise ValidationError("No audit is completed yet.")
    return export_report(actor=actor, audit=audit, fmt=fmt)


def pack_part(actor: Actor) -> list[PackPart]:
    """The audit pack's ``audits/`` folder."""
    parts = [PackPart("findings.csv", findings_csv(actor=actor))]
    for programme in selectors.programme_list(actor=actor):
        name = f"coverage {programme.first_year}-{programme.last_year} {slugify(programme.title)}"
        parts.append(PackPart(f"{name}.csv", coverage_csv(actor=actor, programme=programme)))
    for report in selectors.approved_reports(actor=actor):
        doc = report_doc(actor=actor, audit=report.audit, version=report)
        parts.append(PackPart(f"{report.audit.ref} report v{report.number}.pdf", render_pdf(doc)))
    return parts
