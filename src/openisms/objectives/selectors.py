"""Reads for objectives and measurements. Each takes the actor and owns its joins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from openisms.controls.models import Control
from openisms.objectives.compute import Standing, standing
from openisms.objectives.models import Measurement, Objective
from openisms.orgs.access import Actor, get_scoped_or_404, scoped


def _points(actor: Actor) -> Any:
    qs = scoped(actor, Measurement).select_related("recorded_by").order_by("measured_on", "id")
    return Prefetch("measurements", queryset=qs, to_attr="points")


def objective_base(actor: Actor) -> QuerySet[Objective]:
    return (
        scoped(actor, Objective)
        .select_related("owner")
        .prefetch_related(
            _points(actor),
            Prefetch("controls", queryset=scoped(actor, Control).order_by("ref")),
        )
    )


def objective_list(
    *, actor: Actor, status: str | None = None, owner: str | None = None, q: str = ""
) -> QuerySet[Objective]:
    qs = objective_base(actor)
    if status:
        qs = qs.filter(status=status)
    if owner == "me":
        qs = qs.filter(owner=actor.user) if actor.user else qs.none()
    elif owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if q.strip():
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("number")


def objective_get(*, actor: Actor, objective_id: int) -> Objective:
    return get_scoped_or_404(objective_base(actor), pk=objective_id)


def points_of(objective: Objective) -> list[Measurement]:
    """The measurements, oldest first (prefetched by the selectors above)."""
    return list(getattr(objective, "points", None) or [])


def standing_of(objective: Objective, today: dt.date | None = None) -> Standing:
    return standing(objective, points_of(objective), today or timezone.localdate())


@dataclass
class Row:
    objective: Objective
    standing: Standing


def objective_rows(objectives: QuerySet[Objective] | list[Objective]) -> list[Row]:
    today = timezone.localdate()
    return [Row(o, standing_of(o, today)) for o in objectives]


def measurement_list(*, actor: Actor, objective: Objective) -> QuerySet[Measurement]:
    return (
        scoped(actor, Measurement)
        .filter(objective=objective)
        .select_related("recorded_by")
        .order_by("-measured_on", "-id")
    )


def measurement_get(*, actor: Actor, objective: Objective, measurement_id: int) -> Measurement:
    qs = scoped(actor, Measurement).filter(objective=objective).select_related("objective")
    return get_scoped_or_404(qs, pk=measurement_id)


def all_measurements(*, actor: Actor) -> QuerySet[Measurement]:
    return (
        scoped(actor, Measurement)
        .select_related("objective", "recorded_by")
        .order_by("objective__number", "measured_on", "id")
    )
