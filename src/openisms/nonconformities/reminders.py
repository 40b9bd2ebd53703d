"""The nonconformities reminder source (registered in ``NonconformitiesConfig.ready``).

Action owners hear about corrective actions due within three days and overdue ones; the owner
of a nonconformity still without any corrective action a fortnight after it was raised hears
about that. Keys name the date concerned, so a new due date is a new reminder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Exists, OuterRef
from django.urls import reverse

from openisms.nonconformities.models import (
    ACTION_ACTIVE,
    CorrectiveAction,
    NcStatus,
    Nonconformity,
)
from openisms.orgs.access import scoped, system_actor
from openisms.orgs.models import Organization
from openisms.orgs.reminders import ReminderEvent

ACTION_DUE_DAYS = 3
NO_ACTION_DAYS = 14


def _url(org: Organization, nc_id: int) -> str:
    return reverse("nonconformities:detail", kwargs={"org": org.slug, "nc_id": nc_id})


def nonconformity_events(org: Organization, today: dt.date) -> Iterator[ReminderEvent]:
    actor = system_actor(org)
    actions = (
        scoped(actor, CorrectiveAction)
        .filter(
            status__in=ACTION_ACTIVE,
            owner__isnull=False,
            due_on__lte=today + dt.timedelta(ACTION_DUE_DAYS),
        )
        .select_related("owner", "nonconformity")
        .order_by("due_on", "id")
    )
    for action in actions:
        assert action.owner is not None and action.due_on is not None
        nc = action.nonconformity
        label = f"{nc.ref} corrective action '{action.title}'"
        if action.due_on < today:
            days = (today - action.due_on).days
            yield ReminderEvent(
                key=f"ca:{action.pk}:overdue:{action.due_on.isoformat()}",
                recipient=action.owner,
                kind="corrective_action_overdue",
                subject=f"{label} is overdue ({days} day{'s' if days != 1 else ''}, "
                f"due {action.due_on.isoformat()})",
                url=_url(org, nc.pk),
                due=action.due_on,
            )
        else:
            when = "today" if action.due_on == today else f"on {action.due_on.isoformat()}"
            yield ReminderEvent(
                key=f"ca:{action.pk}:due:{action.due_on.isoformat()}",
                recipient=action.owner,
                kind="corrective_action_due",
                subject=f"{label} is due {when}",
                url=_url(org, nc.pk),
                due=action.due_on,
            )
    has_action = CorrectiveAction.objects.filter(nonconformity=OuterRef("pk"))
    idle = (
        scoped(actor, Nonconformity)
        .filter(
            owner__isnull=False,
            raised_on__lte=today - dt.timedelta(NO_ACTION_DAYS),
        )
        .exclude(status=NcStatus.CLOSED)
        .exclude(Exists(has_action))
        .select_related("owner")
        .order_by("number")
    )
    for nc in idle:
        assert nc.owner is not None
        yield ReminderEvent(
            key=f"nc:{nc.pk}:no_action",
            recipient=nc.owner,
            kind="nonconformity_no_action",
            subject=f"{nc.ref} {nc.title} has no corrective action yet "
            f"(raised {nc.raised_on.isoformat()})",
            url=_url(org, nc.pk),
        )
