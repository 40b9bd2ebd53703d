"""The demo organisation's policies: the twelve starter templates, written up by the ISMS
manager, approved by the administrator (so separation of duties holds) and read by some of
the team. The backup policy has a second version waiting for approval."""

from __future__ import annotations

from openisms.documents import library, selectors, services
from openisms.documents.models import DocumentVersion
from openisms.orgs.access import Actor

BACKUP_CHANGE = (
    "\n\n## Restore tests of the database\n\n"
    "From this version the production database is restored into an isolated account every "
    "month, and the time taken is compared with the recovery time objective.\n"
)


def load_demo_documents(*, author: Actor, approver: Actor, readers: list[Actor]) -> None:
    current: dict[str, DocumentVersion] = {}
    for key in library.templates():
        doc = services.document_create_from_template(actor=approver, key=key, owner=author.user)
        version = services.document_submit(actor=author, document=doc, comment="First issue.")
        current[key] = services.document_approve(
            actor=approver, version=version, comment="Approved for publication."
        )
    for i, reader in enumerate([approver, *readers]):
        for j, version in enumerate(current.values()):
            if (i + j) % 3 != 2:  # most, not all: the readers pages show who is missing
                services.version_acknowledge(actor=reader, version=version)
    backup = selectors.document_get(actor=author, document_id=current["backup"].document_id)
    services.document_update(
        actor=author, document=backup, draft_text=backup.draft_text + BACKUP_CHANGE
    )
    services.document_submit(actor=author, document=backup, comment="Adds monthly restore tests.")
