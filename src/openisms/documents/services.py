"""Writes for documents, their versions and acknowledgements; each atomic and audited."""

from __future__ import annotations

import datetime as dt
from typing import Any, Unpack, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.core import audit
from openisms.documents import library
from openisms.documents.fields import DOCUMENT_FIELDS, DOCUMENT_RULE, DocumentChanges
from openisms.documents.models import (
    Acknowledgement,
    Classification,
    Document,
    DocumentKind,
    DocumentVersion,
)
from openisms.documents.uploads import check_file
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.approvals import ApprovalFlow
from openisms.orgs.models import Role
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update

# Owners (with the contributor role) submit their own documents: the flow asks for
# EDIT_ASSIGNED and the services check that the member owns the document or is an editor.
DOCUMENT_FLOW = ApprovalFlow(
    noun="document version", action="document_version", submit_perm=Perm.EDIT_ASSIGNED
)
MAX_TEXT = 200_000
APPROVER_ROLE = "Top management (an owner or admin of the organisation in OpenISMS)"


def document_snapshot(doc: Document) -> dict[str, Any]:
    data = audit.snapshot(doc, fields=[f for f in _OWN_FIELDS if f != "draft_text"])
    data["ref"] = doc.ref
    data["draft_sha256"] = approvals.snapshot_hash({"text": doc.draft_text})
    if doc.pk:
        data["controls"] = sorted(c.ref for c in doc.controls.all())
        data["requirements"] = sorted(r.ref for r in doc.requirements.all())
    return data


_OWN_FIELDS = (
    "number",
    "title",
    "kind",
    "owner",
    "classification",
    "review_interval_months",
    "next_review_on",
    "audience_roles",
    "template_key",
    "draft_text",
    "draft_file_name",
    "draft_file_sha256",
)


def can_edit_draft(actor: Actor, doc: Document) -> bool:
    return actor.may_edit(DOCUMENT_RULE, doc)


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(d, day.day))
        except ValueError:
            continue
    return dt.date(year, month, 28)


def _requirements(refs: list[str]) -> list[Requirement]:
    wanted: list[str] = []
    for ref in refs:
        text = ref.strip()
        if text:
            wanted.append(f"A.{text[2:]}" if text.lower().startswith("a.") else text)
    found = {
        r.ref: r
        for r in Requirement.objects.filter(
            framework__slug=getattr(settings, "OPENISMS_SOA_FRAMEWORK", "iso27001-2022"),
            ref__in=wanted,
            kind__in=("control", "clause"),
        )
    }
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        raise ValidationError(
            {"requirements": f"No clause or Annex A control {', '.join(missing)}."}
        )
    return [found[ref] for ref in wanted]


def _controls(actor: Actor, refs: list[str]) -> list[Control]:
    wanted = [r.strip() for r in refs if r.strip()]
    found = {c.ref: c for c in scoped(actor, Control).filter(ref__in=wanted)}
    missing = [ref for ref in wanted if ref not in found]
    if missing:
        raise ValidationError({"controls": f"No control {', '.join(missing)} in the register."})
    return [found[ref] for ref in wanted]


def _apply(actor: Actor, doc: Document, changes: DocumentChanges) -> Any:
    unknown = set(changes) - set(DOCUMENT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    links: dict[str, list[Any]] = {}
    for name, value in changes.items():
        if name == "owner":
            doc.owner = resolve_member(value, "owner", actor=actor)
        elif name == "controls":
            links["controls"] = _controls(actor, list(cast(list[str], value)))
        elif name == "requirements":
            links["requirements"] = _requirements(list(cast(list[str], value)))
        elif name == "audience_roles":
            roles = sorted({str(r) for r in cast(list[str], value or [])})
            bad = [r for r in roles if r not in Role.values]
            if bad:
                raise ValidationError({"audience_roles": f"Unknown role(s): {', '.join(bad)}."})
            doc.audience_roles = roles
        elif isinstance(value, str):
            setattr(doc, name, value.strip() if name != "draft_text" else value)
        else:
            setattr(doc, name, value)
    errors: dict[str, str] = {}
    if not doc.title:
        errors["title"] = "Give the document a title."
    if doc.kind not in DocumentKind.values:
        errors["kind"] = f"Unknown kind '{doc.kind}'."
    if doc.classification not in Classification.values:
        errors["classification"] = f"Unknown classification '{doc.classification}'."
    if len(doc.draft_text) > MAX_TEXT:
        errors["draft_text"] = f"Keep the text under {MAX_TEXT:,} characters."
    if not 1 <= int(doc.review_interval_months or 0) <= 60:
        errors["review_interval_months"] = "Review at least every 60 months (1 to 60)."
    if errors:
        raise ValidationError(errors)
    doc.full_clean(exclude=["org", "number", "owner", "controls", "requirements"])
    if not links:
        return None

    def write_links() -> None:
        for name, rows in links.items():
            getattr(doc, name).set(rows)

    return write_links


def _create(actor: Actor, fields: DocumentChanges, template_key: str = "") -> Document:
    actor.require(Perm.EDIT_ISMS)
    doc = Document(org=actor.org, owner=actor.user, template_key=template_key)
    write_links = _apply(actor, doc, fields)
    last = scoped(actor, Document).aggregate(n=Max("number"))["n"] or 0
    doc.number = last + 1
    doc.save()
    if write_links is not None:
        write_links()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="document.create",
        obj=doc,
        after=document_snapshot(doc),
    )
    return doc


@transaction.atomic
def document_create(*, actor: Actor, **fields: Unpack[DocumentChanges]) -> Document:
    return _create(actor, fields)


@transaction.atomic
def document_update(
    *,
    actor: Actor,
    document: Document,
    version: int | None = None,
    **changes: Unpack[DocumentChanges],
) -> Document:
    """Editors change anything; the owner (contributor) only the draft text."""
    audited_update(
        actor=actor,
        obj=document,
        action="document.update",
        apply=lambda: _apply(actor, document, changes),
        snapshot=document_snapshot,
        rule=DOCUMENT_RULE,
        version=version,
    )
    return document


def template_values(actor: Actor, owner_name: str, months: int) -> dict[str, str]:
    org = actor.org
    return {
        "organisation": org.name,
        "scope": org.scope.strip()
        or "(the ISMS scope is not written yet: set it in the organisation's settings)",
        "owner": owner_name,
        "approver_role": APPROVER_ROLE,
        "review_interval": f"{months} months",
        "effective_date": timezone.localdate().isoformat(),
    }


@transaction.atomic
def document_create_from_template(
    *, actor: Actor, key: str, owner: str | Any | None = None
) -> Document:
    """A new document whose draft is the template with the organisation's values filled in,
    linked to the Annex A controls the template addresses."""
    actor.require(Perm.EDIT_ISMS)
    template = library.template_get(key)
    person = resolve_member(owner, "owner", actor=actor) if owner else actor.user
    name = (person.display_name if person is not None else "") or "the document owner"
    text = library.fill(template.body, template_values(actor, name, template.review_months))
    fields: DocumentChanges = {
        "title": template.title,
        "kind": template.kind,
        "owner": person,
        "review_interval_months": template.review_months,
        "draft_text": text,
        "requirements": list(template.controls),
    }
    return _create(actor, fields, template_key=key)


def _freeze(doc: Document) -> dict[str, Any]:
    frozen: dict[str, Any] = {
        "ref": doc.ref,
        "title": doc.title,
        "kind": doc.kind,
        "classification": doc.classification,
        "text": doc.draft_text,
    }
    if doc.draft_file:
        frozen["file"] = {
            "path": doc.draft_file.name,
            "name": doc.draft_file_name,
            "sha256": doc.draft_file_sha256,
            "size": doc.draft_file_size,
            "content_type": doc.draft_file_type,
        }
    return frozen


@transaction.atomic
def document_upload_file(*, actor: Actor, document: Document, upload: Any) -> Document:
    """Attach a file (PDF, Word, ...) to the draft, replacing any earlier one. Stored files are
    never overwritten: versions frozen with an earlier file keep it."""
    actor.require_edit(DOCUMENT_RULE, document.owner_id)
    checked = check_file(upload)
    before = document_snapshot(document)
    path = f"documents/{actor.org.pk}/{document.pk}/{checked.sha256[:16]}-{checked.name}"
    stored = default_storage.save(path, checked.file)
    try:
        document.draft_file.name = stored
        document.draft_file_name = checked.name
        document.draft_file_sha256 = checked.sha256
        document.draft_file_size = checked.size
        document.draft_file_type = checked.content_type
        document.save_as_next_version()
        after = document_snapshot(document)
        after["file_size"] = checked.size
        audit.record(
            actor=actor.user,
            org=actor.org,
            action="document.upload",
            obj=document,
            before=before,
            after=after,
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    return document


@transaction.atomic
def document_submit(*, actor: Actor, document: Document, comment: str = "") -> DocumentVersion:
    """Freeze the draft into the next version, awaiting approval (editors or the owner)."""
    actor.require_edit(DOCUMENT_RULE, document.owner_id)
    if not document.draft_text.strip() and not document.draft_file:
        raise ValidationError(
            {"draft_text": "Write the document, or upload its file, before submitting it."}
        )
    return approvals.version_submit(
        actor=actor,
        flow=DOCUMENT_FLOW,
        model=DocumentVersion,
        subject={"document": document},
        snapshot=_freeze(document),
        comment=comment,
    )


@transaction.atomic
def document_approve(
    *, actor: Actor, version: DocumentVersion, comment: str = ""
) -> DocumentVersion:
    """Publish a submitted version; the next review falls one interval after today."""
    approved = approvals.version_approve(
        actor=actor, flow=DOCUMENT_FLOW, version=version, comment=comment
    )
    doc = scoped(actor, Document).select_for_update().get(pk=version.document_id)
    assert approved.approved_at is not None
    due = add_months(timezone.localdate(approved.approved_at), doc.review_interval_months)
    if doc.next_review_on != due:
        before = {"next_review_on": audit.snapshot(doc)["next_review_on"], "ref": doc.ref}
        doc.next_review_on = due
        doc.save_as_next_version(update_fields=["next_review_on", "updated_at"])
        audit.record(
            actor=actor.user,
            org=actor.org,
            action="document.review_scheduled",
            obj=doc,
            before=before,
            after={"next_review_on": due.isoformat(), "ref": doc.ref},
        )
    for copy in (version, approved):  # keep copies loaded earlier (for str()) current
        if "document" in copy._state.fields_cache:
            copy.document.next_review_on = due
    return approved


@transaction.atomic
def document_reject(*, actor: Actor, version: DocumentVersion, comment: str) -> DocumentVersion:
    return approvals.version_reject(
        actor=actor, flow=DOCUMENT_FLOW, version=version, comment=comment
    )


@transaction.atomic
def version_acknowledge(*, actor: Actor, version: DocumentVersion) -> Acknowledgement:
    """The member confirms having read this approved version (once per version)."""
    actor.require(Perm.VIEW)
    if actor.user is None:
        raise PermissionDenied("Only a member can acknowledge a document.")
    version = scoped(actor, DocumentVersion).select_related("document").get(pk=version.pk)
    if not version.is_approved:
        raise ValidationError("Only an approved version can be acknowledged.")
    doc = version.document
    if not doc.published_to(actor.role):
        raise PermissionDenied(f"{doc.ref} is not published to your role ({actor.role}).")
    existing = scoped(actor, Acknowledgement).filter(version=version, user=actor.user).first()
    if existing is not None:
        return existing
    ack = Acknowledgement(
        org=actor.org, version=version, user=actor.user, acknowledged_at=timezone.now()
    )
    ack.save()
    after = audit.snapshot(ack)
    after.update(ref=doc.ref, version=version.number)
    audit.record(
        actor=actor.user, org=actor.org, action="document.acknowledge", obj=ack, after=after
    )
    return ack
