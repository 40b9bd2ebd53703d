"""Reminders to an objective's owner when a measurement is due soon or overdue."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from openisms.objectives.compute import DUE_SOON_DAYS, next_due
from openisms.objectives.models import Measurement, Objective, ObjectiveStatus
from openisms.orgs.models import Organization
from openisms.orgs.reminders import ReminderEvent


def measurement_events(org: Organization, today: dt.date) -> Iterator[ReminderEvent]:
    """One event per active objective with an owner whose next measurement is due within a
    week (``objective_measurement_due``) or has passed (``objective_measurement_overdue``).
    The key holds the due date, so recording a measurement moves on to a new reminder."""
    objectives = list(
        Objective.objects.filter(org=org, status=ObjectiveStatus.ACTIVE, owner__isnull=False)
        .select_related("owner")
        .order_by("number")
    )
    points: dict[int, list[Measurement]] = {}
    latest = Measurement.objects.filter(org=org, objective__in=objectives).order_by("measured_on")
    for m in latest:
        points.setdefault(m.objective_id, []).append(m)
    for objective in objectives:
        if objective.owner is None or not objective.owner.is_active:
            continue
        due = next_due(objective, points.get(objective.pk, []))
        if due < today:
            kind, word = "objective_measurement_overdue", "overdue"
        elif due <= today + dt.timedelta(days=DUE_SOON_DAYS):
            kind, word = "objective_measurement_due", "due"
        else:
            continue
        yield ReminderEvent(
            key=f"objective:{objective.pk}:{word}:{due.isoformat()}",
            recipient=objective.owner,
            kind=kind,
            subject=f"Measurement of {objective.ref} {objective.title} {word} ({due:%Y-%m-%d})",
            url=f"/o/{org.slug}/objectives/{objective.pk}/",
            due=due,
        )
