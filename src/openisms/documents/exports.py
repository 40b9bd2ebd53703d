"""Files of the document register and of each document, through the export layer."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.utils import timezone

from openisms.documents import selectors
from openisms.documents.markdown import Block, blocks
from openisms.documents.models import Document, DocumentVersion
from openisms.orgs.access import Actor
from openisms.orgs.pack_parts import PackPart
from openisms.reports.docx import DOCX_TYPE, DocxDocument
from openisms.reports.pdf import PDF_TYPE, PageFrame, PdfDocument
from openisms.reports.tables import CSV_TYPE, XLSX_TYPE, write_csv, write_xlsx

HEADER = (
    "Ref",
    "Title",
    "Kind",
    "Classification",
    "Owner",
    "Status",
    "Current version",
    "In review",
    "Review every (months)",
    "Next review",
    "Published to",
)


def register_rows(actor: Actor) -> list[list[object]]:
    return [
        [
            d.ref,
            d.title,
            d.get_kind_display(),
            d.get_classification_display(),
            d.owner.email if d.owner else "",
            d.status_label,
            getattr(d, "current_number", None) or "",
            getattr(d, "pending_number", None) or "",
            d.review_interval_months,
            d.next_review_on.isoformat() if d.next_review_on else "",
            ", ".join(d.audience_roles) or "everyone",
        ]
        for d in selectors.document_list(actor=actor)
    ]


def export_register(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    rows = register_rows(actor)
    if fmt == "csv":
        return write_csv(HEADER, rows), CSV_TYPE, "csv"
    if fmt == "xlsx":
        return write_xlsx(HEADER, rows, title="Documents"), XLSX_TYPE, "xlsx"
    raise ValidationError({"format": "The register exports as csv or xlsx."})


def _facts(doc: Document, version: DocumentVersion | None) -> list[tuple[str, str]]:
    if version is None:
        return [
            ("Ref", doc.ref),
            ("Version", "Working draft (not approved)"),
            ("Classification", doc.get_classification_display()),
            ("Owner", doc.owner.display_name if doc.owner else ""),
        ]
    approved = (
        f"{version.approved_by.display_name if version.approved_by else 'the system'}, "
        f"{timezone.localtime(version.approved_at):%Y-%m-%d %H:%M}"
        if version.approved_at
        else f"Not approved ({version.get_state_display().lower()})"
    )
    attached = version.file
    return [
        ("Ref", doc.ref),
        ("Version", str(version.number)),
        *([("File", f"{attached['name']} (SHA-256 {attached['sha256']})")] if attached else []),
        ("Approved by", approved),
        (
            "Submitted by",
            version.submitted_by.display_name if version.submitted_by else "the system",
        ),
        ("Classification", doc.get_classification_display()),
        ("Owner", doc.owner.display_name if doc.owner else ""),
        ("Next review", doc.next_review_on.isoformat() if doc.next_review_on else ""),
    ]


def _content(doc: Document, version: DocumentVersion | None) -> tuple[str, str]:
    if version is None:
        return doc.title, doc.draft_text
    return str(version.snapshot.get("title", doc.title)), version.text


def _body(title: str, text: str) -> list[Block]:
    """The text's blocks, without a leading level-1 heading that repeats the title."""
    found = blocks(text)
    if found and found[0].kind == "heading" and found[0].level == 1 and found[0].text == title:
        return found[1:]
    return found


def document_pdf(doc: Document, version: DocumentVersion | None) -> bytes:
    title, text = _content(doc, version)
    label = f"Version {version.number}" if version else "DRAFT"
    frame = PageFrame(
        title=f"{doc.ref} {title}",
        right=label,
        subtitle=f"{doc.get_classification_display()} \u00b7 {doc.org.name}",
        footer=f"{doc.ref} {label}",
    )
    pdf = PdfDocument(frame, title=f"{doc.ref} {title}", subject=doc.org.name)
    pdf.heading(title)
    pdf.table([("Field", 120), ("Value", 0)], _facts(doc, version))
    for block in _body(title, text):
        if block.kind == "heading":
            pdf.heading(block.text)
        elif block.kind in ("bullet", "number"):
            pdf.text(["    " * (block.level - 1) + block.text], gap=1)
        else:
            pdf.text([block.text])
    return pdf.render()


def document_docx(doc: Document, version: DocumentVersion | None) -> bytes:
    title, text = _content(doc, version)
    label = f"Version {version.number}" if version else "DRAFT"
    docx = DocxDocument(
        page_header=f"{doc.ref} {title} \u00b7 {label} \u00b7 {doc.get_classification_display()}"
    )
    docx.heading(title, level=0)
    docx.key_values(_facts(doc, version))
    for block in _body(title, text):
        if block.kind == "heading":
            docx.heading(block.text, level=min(block.level, 4))
        elif block.kind in ("bullet", "number"):
            docx.paragraph("    " * (block.level - 1) + block.text)
        else:
            docx.paragraph(block.text)
    return docx.render()


def file_name(doc: Document, version: DocumentVersion | None, ext: str) -> str:
    title = "".join(ch for ch in doc.title if ch not in '\\/:*?"<>|').strip()
    label = f"v{version.number}" if version else "draft"
    return f"{doc.ref} {title} {label}.{ext}"


def export_document(
    *, actor: Actor, document: Document, fmt: str, version: DocumentVersion | None = None
) -> tuple[bytes, str, str]:
    """A chosen version, else the current approved one, else the draft marked as a draft."""
    chosen = version or selectors.current_version(actor=actor, document=document)
    if fmt == "pdf":
        return document_pdf(document, chosen), PDF_TYPE, "pdf"
    if fmt == "docx":
        return document_docx(document, chosen), DOCX_TYPE, "docx"
    raise ValidationError({"format": "A document exports as pdf or docx."})


def _current_versions(actor: Actor, docs: Iterable[Document]) -> dict[int, DocumentVersion]:
    current: dict[int, DocumentVersion] = {}
    for doc in docs:
        version = selectors.current_version(actor=actor, document=doc)
        if version is not None:
            current[doc.pk] = version
    return current


def export_documents(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """The CLI's export: csv or xlsx is the register; pdf or docx a ZIP with one file per
    document (its current approved version, else its draft)."""
    if fmt in ("csv", "xlsx"):
        return export_register(actor=actor, fmt=fmt)
    if fmt not in ("pdf", "docx"):
        raise ValidationError({"format": "Choose csv, xlsx, pdf or docx."})
    docs = list(selectors.document_list(actor=actor))
    current = _current_versions(actor, docs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for doc in docs:
            version = current.get(doc.pk)
            render = document_pdf if fmt == "pdf" else document_docx
            archive.writestr(file_name(doc, version, fmt), render(doc, version))
    return buffer.getvalue(), "application/zip", "zip"


def pack_part(actor: Actor) -> list[PackPart]:
    """The audit pack's documents/ folder: the register and each current approved version."""
    files = [PackPart("register.csv", export_register(actor=actor, fmt="csv")[0])]
    docs = list(selectors.document_list(actor=actor))
    for doc_id, version in _current_versions(actor, docs).items():
        doc = next(d for d in docs if d.pk == doc_id)
        files.append(PackPart(file_name(doc, version, "pdf"), document_pdf(doc, version)))
    return files
