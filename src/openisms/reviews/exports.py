"""Management review minutes as PDF and DOCX (through ``openisms.reports``), the CLI exporter
and the ``reviews/`` part of the audit pack.

A document shows the latest approved minutes of a review; a review without them is printed
from its live record and marked as a draft.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.orgs.access import Actor
from openisms.orgs.pack_parts import PackPart
from openisms.reports.docx import DOCX_TYPE, DocxDocument
from openisms.reports.pdf import PDF_TYPE, PageFrame, PdfDocument
from openisms.reviews import selectors
from openisms.reviews.models import ManagementReview, ReviewMinutes
from openisms.reviews.services import minutes_data


@dataclass
class MinutesDocument:
    org_name: str
    data: dict[str, Any]
    label: str  # "Minutes version 2, approved 2026-03-02 by ..." or "Draft (not approved)"

    @property
    def title(self) -> str:
        return str(self.data.get("title", "Management review"))

    def meta(self) -> list[tuple[str, str]]:
        period = self.data.get("period") or {}
        return [
            ("Meeting", str(self.data.get("meeting_on", ""))),
            ("Period reviewed", f"{period.get('start', '')} to {period.get('end', '')}"),
            ("Chair", str(self.data.get("chair") or "")),
            ("Attendees", ", ".join(self.data.get("attendees") or [])),
            ("Guests", str(self.data.get("guests") or "")),
            ("Inputs computed", str(self.data.get("inputs_computed_at") or "not computed")),
            ("Status", self.label),
        ]


def _label(minutes: ReviewMinutes) -> str:
    approved = minutes.approved_at.date().isoformat() if minutes.approved_at else ""
    who = minutes.approved_by.email if minutes.approved_by else "the system"
    return f"Minutes version {minutes.number}, approved {approved} by {who}"


def document_for(*, actor: Actor, review: ManagementReview) -> MinutesDocument:
    """The latest approved minutes, else the live review marked as a draft. ``review`` comes
    from ``selectors.review_get`` (minutes prefetched)."""
    approved = [m for m in review.minutes.all() if m.is_approved]
    if approved:
        latest = max(approved, key=lambda m: m.number)
        return MinutesDocument(actor.org.name, dict(latest.snapshot), _label(latest))
    return MinutesDocument(actor.org.name, minutes_data(review), "DRAFT (minutes not approved)")


def _figures(item: dict[str, Any]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in (item.get("figures") or {}).items())


def _item_lines(item: dict[str, Any]) -> list[list[str]]:
    rows = item.get("items") or []
    if not rows:
        return []
    keys = list(rows[0].keys())
    return [keys] + [[str(r.get(k, "")) for k in keys] for r in rows]


def render_pdf(doc: MinutesDocument) -> bytes:
    title = f"{doc.org_name} - Management review minutes"
    pdf = PdfDocument(
        PageFrame(
            title=title,
            right=doc.title,
            subtitle=doc.label,
            footer=f"Generated {timezone.now():%Y-%m-%d %H:%M} UTC by OpenISMS",
        ),
        title=title,
        subject=doc.label,
    )
    pdf.heading(doc.title)
    pdf.text([f"{label}: {value}" for label, value in doc.meta() if value], gap=6)
    pdf.heading("Inputs")
    for item in doc.data.get("inputs") or []:
        pdf.text([f"{item.get('clause', '')} {item.get('title', '')}"], gap=2)
        pdf.text([str(item.get("summary", "")), _figures(item)], gap=4)
        lines = _item_lines(item)
        if lines:
            header, *rows = lines
            pdf.table(
                [(h, 0 if i == min(1, len(header) - 1) else 70) for i, h in enumerate(header)], rows
            )
    for label, key in (
        ("Feedback from interested parties", "interested_parties"),
        ("Other notes", "other_notes"),
    ):
        if doc.data.get(key):
            pdf.heading(label)
            pdf.text(str(doc.data[key]).splitlines())
    pdf.heading("Decisions")
    decisions = doc.data.get("decisions") or []
    if decisions:
        pdf.table(
            [("Category", 150), ("Decision", 0)],
            [[d.get("category", ""), d.get("text", "")] for d in decisions],
        )
    else:
        pdf.text(["No decisions recorded."])
    pdf.heading("Actions")
    actions = doc.data.get("actions") or []
    if actions:
        pdf.table(
            [("Action", 0), ("Owner", 170), ("Due", 70), ("Status", 80)],
            [[a.get("title"), a.get("owner"), a.get("due_on"), a.get("status")] for a in actions],
        )
    else:
        pdf.text(["No actions recorded."])
    return pdf.render()


def render_docx(doc: MinutesDocument) -> bytes:
    word = DocxDocument(page_header=f"{doc.org_name} - {doc.title} - {doc.label}")
    word.heading(f"Management review minutes: {doc.title}", level=0)
    word.key_values(doc.meta())
    word.heading("Inputs")
    for item in doc.data.get("inputs") or []:
        word.heading(f"{item.get('clause', '')} {item.get('title', '')}", level=2)
        word.paragraph(str(item.get("summary", "")))
        if item.get("figures"):
            word.paragraph(_figures(item))
        lines = _item_lines(item)
        if lines:
            header, *rows = lines
            word.table(header, rows, [24.0 / len(header)] * len(header))
    for label, key in (
        ("Feedback from interested parties", "interested_parties"),
        ("Other notes", "other_notes"),
    ):
        if doc.data.get(key):
            word.heading(label)
            word.paragraph(str(doc.data[key]))
    word.heading("Decisions")
    decisions = doc.data.get("decisions") or []
    if decisions:
        word.table(
            ["Category", "Decision"],
            [[d.get("category", ""), d.get("text", "")] for d in decisions],
            [6.0, 18.0],
        )
    else:
        word.paragraph("No decisions recorded.")
    word.heading("Actions")
    actions = doc.data.get("actions") or []
    if actions:
        word.table(
            ["Action", "Owner", "Due", "Status"],
            [[a.get("title"), a.get("owner"), a.get("due_on"), a.get("status")] for a in actions],
            [11.0, 6.0, 3.5, 3.5],
        )
    else:
        word.paragraph("No actions recorded.")
    return word.render()


def export_minutes(*, actor: Actor, review: ManagementReview, fmt: str) -> tuple[bytes, str, str]:
    doc = document_for(actor=actor, review=review)
    if fmt == "pdf":
        return render_pdf(doc), PDF_TYPE, "pdf"
    if fmt == "docx":
        return render_docx(doc), DOCX_TYPE, "docx"
    raise ValidationError({"format": "Use pdf or docx."})


def export_reviews(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """The minutes of the most recent held review (``openisms export reviews``)."""
    review = selectors.latest_held(actor=actor)
    if review is None:
        raise ValidationError("No management review has been held yet.")
    return export_minutes(actor=actor, review=review, fmt=fmt)


def filename(review_title: str, meeting_on: str, ext: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9 ._-]+", "", f"{meeting_on} {review_title}").strip()
    return f"{stem or 'review'}.{ext}"


def pack_part(actor: Actor) -> list[PackPart]:
    """``reviews/``: the minutes PDF of every review with approved minutes."""
    parts = []
    for minutes in selectors.approved_minutes(actor=actor):
        doc = MinutesDocument(actor.org.name, dict(minutes.snapshot), _label(minutes))
        name = filename(
            f"{minutes.review.title} minutes v{minutes.number}",
            minutes.review.meeting_on.isoformat(),
            "pdf",
        )
        parts.append(PackPart(name, render_pdf(doc)))
    return parts
