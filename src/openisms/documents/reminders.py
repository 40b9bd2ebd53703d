"""The documents' reminder source (registered in ``DocumentsConfig.ready``).

Members are reminded of a published version they have not acknowledged once it has been
published for ``ACK_AFTER_DAYS``; owners are told when a document's review date is within
``REVIEW_WINDOW_DAYS`` or has passed. Keys name the version or the review date, so a new
version or a moved review date is a new reminder and a second run is not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from openisms.documents.models import Acknowledgement, Document, DocumentVersion
from openisms.orgs.access import scoped, system_actor
from openisms.orgs.models import Membership, Organization
from openisms.orgs.reminders import ReminderEvent

ACK_AFTER_DAYS = 7
REVIEW_WINDOW_DAYS = 14


def document_events(org: Organization, today: dt.date) -> Iterator[ReminderEvent]:
    actor = system_actor(org)
    members = list(Membership.objects.filter(org=org).select_related("user"))
    by_user = {m.user_id: m for m in members}
    current: dict[int, DocumentVersion] = {}
    for version in (
        scoped(actor, DocumentVersion)
        .filter(state="approved")
        .select_related("document__owner")
        .order_by("document_id", "-number")
    ):
        current.setdefault(version.document_id, version)
    read = set(
        scoped(actor, Acknowledgement)
        .filter(version_id__in=[v.pk for v in current.values()])
        .values_list("version_id", "user_id")
    )
    for version in current.values():
        doc = version.document
        url = reverse("documents:detail", kwargs={"org": org.slug, "document_id": doc.pk})
        approved = version.approved_at.date() if version.approved_at else today
        if approved + dt.timedelta(days=ACK_AFTER_DAYS) <= today:
            for m in members:
                if doc.published_to(m.role) and (version.pk, m.user_id) not in read:
                    yield ReminderEvent(
                        key=f"document:{doc.pk}:v{version.number}:ack:{m.user_id}",
                        recipient=m.user,
                        kind="document_unread",
                        subject=f"Please read {doc.ref} \u201c{doc.title}\u201d "
                        f"version {version.number}",
                        url=url,
                    )
    horizon = today + dt.timedelta(days=REVIEW_WINDOW_DAYS)
    due = (
        scoped(actor, Document)
        .filter(next_review_on__lte=horizon, owner__isnull=False)
        .select_related("owner")
        .order_by("number")
    )
    for doc in due:
        if doc.owner_id not in by_user or doc.owner is None or doc.next_review_on is None:
            continue
        review = doc.next_review_on
        late = review < today
        yield ReminderEvent(
            key=f"document:{doc.pk}:review:{review}",
            recipient=doc.owner,
            kind="document_review_overdue" if late else "document_review_due",
            subject=f"{doc.ref} \u201c{doc.title}\u201d "
            + (f"was due for review on {review}" if late else f"is due for review on {review}"),
            url=reverse("documents:detail", kwargs={"org": org.slug, "document_id": doc.pk}),
            due=review,
        )
