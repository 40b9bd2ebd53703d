"""The evidence library's reminder source (registered in ``EvidenceConfig.ready``).

Owners are told when their evidence is about to expire (within 14 days), has expired, or is
due for review. Keys include the date concerned, so renewing the evidence (a new date) starts a
new reminder, while running the job twice does not repeat one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import scoped, system_actor
from openisms.orgs.models import Membership, Organization
from openisms.orgs.reminders import ReminderEvent

WINDOW_DAYS = 14


def evidence_events(org: Organization, today: dt.date) -> Iterator[ReminderEvent]:
    """Expiring, expired and review-due events for items whose owner is still a member."""
    horizon = today + dt.timedelta(days=WINDOW_DAYS)
    member = Membership.objects.filter(org=org, user_id=OuterRef("owner_id"))
    items = (
        scoped(system_actor(org), EvidenceItem)
        .filter(Exists(member))
        .filter(Q(valid_until__lte=horizon) | Q(next_review_on__lte=horizon))
        .select_related("owner")
        .order_by("number")
    )
    for item in items:
        assert item.owner is not None
        url = reverse("evidence:detail", kwargs={"org": org.slug, "item_id": item.pk})
        until = item.valid_until
        if until is not None and until < today:
            yield ReminderEvent(
                key=f"evidence:{item.pk}:expired:{until}",
                recipient=item.owner,
                kind="evidence_expired",
                subject=f"Evidence {item.ref} \u201c{item.title}\u201d expired on {until}",
                url=url,
                due=until,
            )
        elif until is not None and until <= horizon:
            yield ReminderEvent(
                key=f"evidence:{item.pk}:expiring:{until}",
                recipient=item.owner,
                kind="evidence_expiring",
                subject=f"Evidence {item.ref} \u201c{item.title}\u201d expires on {until}",
                url=url,
                due=until,
            )
        review = item.next_review_on
        if review is not None and review <= horizon:
            yield ReminderEvent(
                key=f"evidence:{item.pk}:review:{review}",
                recipient=item.owner,
                kind="evidence_review_due",
                subject=f"Evidence {item.ref} \u201c{item.title}\u201d is due for review "
                f"on {review}",
                url=url,
                due=review,
            )
