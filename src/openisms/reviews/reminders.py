"""Reminders for management review actions: due within three days, and overdue, to the owner."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.urls import reverse

from openisms.orgs.access import scoped, system_actor
from openisms.orgs.models import Organization
from openisms.orgs.reminders import ReminderEvent
from openisms.reviews.models import ACTION_ACTIVE, ReviewAction

DUE_DAYS = 3


def review_action_events(org: Organization, today: dt.date) -> Iterator[ReminderEvent]:
    actions = (
        scoped(system_actor(org), ReviewAction)
        .filter(
            status__in=ACTION_ACTIVE,
            owner__isnull=False,
            due_on__lte=today + dt.timedelta(DUE_DAYS),
        )
        .select_related("owner", "review")
        .order_by("due_on", "id")
    )
    for action in actions:
        assert action.owner is not None and action.due_on is not None
        url = reverse("reviews:detail", kwargs={"org": org.slug, "review_id": action.review_id})
        label = f"Management review action '{action.title}'"
        if action.due_on < today:
            days = (today - action.due_on).days
            yield ReminderEvent(
                key=f"review_action:{action.pk}:overdue:{action.due_on.isoformat()}",
                recipient=action.owner,
                kind="review_action_overdue",
                subject=f"{label} is overdue ({days} day{'s' if days != 1 else ''})",
                url=url,
                due=action.due_on,
            )
        else:
            when = "today" if action.due_on == today else f"on {action.due_on.isoformat()}"
            yield ReminderEvent(
                key=f"review_action:{action.pk}:due:{action.due_on.isoformat()}",
                recipient=action.owner,
                kind="review_action_due",
                subject=f"{label} is due {when}",
                url=url,
                due=action.due_on,
            )
