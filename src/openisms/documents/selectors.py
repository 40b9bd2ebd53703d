"""Reads for documents. Each takes the actor and owns its joins and annotations."""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass, field

from django.db.models import Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from openisms.accounts.models import User
from openisms.controls.models import Control
from openisms.documents.models import Acknowledgement, Document, DocumentStatus, DocumentVersion
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.orgs.models import Membership


def _current_version_id() -> Subquery:
    return Subquery(
        DocumentVersion.objects.filter(document=OuterRef("pk"), state="approved")
        .order_by("-number")
        .values("pk")[:1]
    )


def document_base(actor: Actor) -> QuerySet[Document]:
    return (
        scoped(actor, Document)
        .select_related("owner", "org")
        .annotate(
            current_number=Max("versions__number", filter=Q(versions__state="approved")),
            pending_number=Max("versions__number", filter=Q(versions__state="submitted")),
        )
    )


def _status_q(status: str, today: dt.date) -> Q:
    if status == DocumentStatus.IN_REVIEW:
        return Q(pending_number__isnull=False)
    if status == DocumentStatus.DRAFT:
        return Q(pending_number__isnull=True, current_number__isnull=True)
    overdue = Q(next_review_on__lt=today)
    published = Q(pending_number__isnull=True, current_number__isnull=False)
    if status == DocumentStatus.REVIEW_OVERDUE:
        return published & overdue
    return published & ~overdue


def document_list(
    *,
    actor: Actor,
    status: str | None = None,
    kind: str | None = None,
    owner: str | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Document]:
    """The register in ref order. ``owner``: an e-mail or 'me'."""
    qs = document_base(actor)
    if status in DocumentStatus.values:
        qs = qs.filter(_status_q(status, today or timezone.localdate()))
    if kind:
        qs = qs.filter(kind=kind)
    if owner == "me":
        qs = qs.filter(owner=actor.user) if actor.user else qs.none()
    elif owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if q.strip():
        text = q.strip()
        number = text[4:] if text.upper().startswith("DOC-") else text
        match = Q(title__icontains=text)
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return qs.order_by("number")


def document_get(*, actor: Actor, document_id: int) -> Document:
    qs = document_base(actor).prefetch_related(
        Prefetch("controls", queryset=Control.objects.order_by("ref")),
        "requirements",
    )
    return get_scoped_or_404(qs, pk=document_id)


def version_list(*, actor: Actor, document: Document) -> QuerySet[DocumentVersion]:
    return (
        scoped(actor, DocumentVersion)
        .filter(document=document)
        .select_related("submitted_by", "approved_by", "rejected_by", "document")
        .order_by("-number")
    )


def version_get(*, actor: Actor, document: Document, number: int) -> DocumentVersion:
    return get_scoped_or_404(version_list(actor=actor, document=document), number=number)


def current_version(*, actor: Actor, document: Document) -> DocumentVersion | None:
    return version_list(actor=actor, document=document).filter(state="approved").first()


@dataclass
class Reader:
    user: User
    role: str
    acknowledged: list[int] = field(default_factory=list)  # version numbers, newest first
    current: bool = False  # acknowledged the current version


@dataclass
class Readership:
    current: int | None
    readers: list[Reader]

    @property
    def missing(self) -> list[Reader]:
        return [r for r in self.readers if not r.current]

    @property
    def done(self) -> list[Reader]:
        return [r for r in self.readers if r.current]


def readership(*, actor: Actor, document: Document) -> Readership:
    """The members the document is published to, which versions each acknowledged and whether
    they have read the current one (two queries)."""
    members = (
        Membership.objects.filter(org=actor.org).select_related("user").order_by("user__email")
    )
    acks = (
        scoped(actor, Acknowledgement)
        .filter(version__document=document)
        .values_list("user_id", "version__number")
        .order_by("-version__number")
    )
    by_user: dict[int, list[int]] = {}
    for user_id, number in acks:
        by_user.setdefault(user_id, []).append(number)
    current = getattr(document, "current_number", None)
    readers = []
    for m in members:
        if not document.published_to(m.role):
            continue
        numbers = by_user.get(m.user_id, [])
        readers.append(Reader(m.user, m.role, numbers, current is not None and current in numbers))
    return Readership(current, readers)


def awaiting_acknowledgement(*, actor: Actor) -> list[Document]:
    """Published documents whose current version the member has not acknowledged yet."""
    if actor.user is None:
        return []
    mine = Acknowledgement.objects.filter(
        version_id=OuterRef("current_version_id"), user=actor.user
    )
    qs = (
        document_base(actor)
        .annotate(current_version_id=_current_version_id())
        .filter(current_version_id__isnull=False)
        .annotate(read=Exists(mine))
        .filter(read=False)
        .order_by("number")
    )
    return [d for d in qs if d.published_to(actor.role)]


def text_diff(before: str, after: str) -> list[tuple[str, str]]:
    """A line diff of two Markdown texts: (kind, line) with kind ' ', '+', '-' or '@'."""
    lines = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=2)
    out = []
    for line in list(lines)[2:]:
        kind = line[:1] if line[:1] in "+-@" else " "
        out.append((kind, line[1:] if kind != "@" else line))
    return out


@dataclass(frozen=True)
class StoredFile:
    path: str
    name: str
    content_type: str


def document_file(
    *, document: Document, version: DocumentVersion | None = None
) -> StoredFile | None:
    """The file of a version (frozen with it), or of the draft when no version is given."""
    if version is not None:
        frozen = version.file
        if not frozen:
            return None
        return StoredFile(str(frozen["path"]), str(frozen["name"]), str(frozen["content_type"]))
    if not document.draft_file:
        return None
    return StoredFile(
        str(document.draft_file.name), document.draft_file_name, document.draft_file_type
    )
