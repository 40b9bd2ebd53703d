"""Reads for nonconformities and corrective actions. Each takes the actor and owns its joins."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.nonconformities.models import (
    ACTION_ACTIVE,
    CorrectiveAction,
    NcStatus,
    Nonconformity,
)
from openisms.orgs.access import Actor, get_scoped_or_404, scoped


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}due_on__lt": today, f"{prefix}status__in": ACTION_ACTIVE})


def nc_base(actor: Actor) -> QuerySet[Nonconformity]:
    day = timezone.localdate()
    return (
        scoped(actor, Nonconformity)
        .select_related("owner", "raised_by", "closed_by", "effectiveness_checked_by")
        .annotate(
            action_count=Count("actions", distinct=True),
            open_action_count=Count(
                "actions", filter=Q(actions__status__in=ACTION_ACTIVE), distinct=True
            ),
            overdue_action_count=Count(
                "actions", filter=overdue_q(day, "actions__"), distinct=True
            ),
        )
    )


def nonconformity_list(
    *,
    actor: Actor,
    status: str | None = None,
    severity: str | None = None,
    source: str | None = None,
    owner: str | None = None,
    q: str = "",
) -> QuerySet[Nonconformity]:
    """Newest first. ``status``: a status, or 'active' (anything not closed)."""
    qs = nc_base(actor)
    if status == "active":
        qs = qs.exclude(status=NcStatus.CLOSED)
    elif status:
        qs = qs.filter(status=status)
    if severity:
        qs = qs.filter(severity=severity)
    if source:
        qs = qs.filter(source=source)
    if owner == "me":
        qs = qs.filter(owner=actor.user) if actor.user else qs.none()
    elif owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    text = q.strip()
    if text:
        number = text[3:] if text.upper().startswith("NC-") else text
        match = (
            Q(title__icontains=text)
            | Q(description__icontains=text)
            | Q(source_ref__icontains=text)
        )
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return qs.order_by("-number")


def nonconformity_get(*, actor: Actor, nc_id: int) -> Nonconformity:
    qs = nc_base(actor).prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.order_by("ref")),
        Prefetch(
            "actions",
            queryset=CorrectiveAction.objects.select_related("owner").order_by("due_on", "id"),
        ),
    )
    return get_scoped_or_404(qs, pk=nc_id)


def action_list(
    *,
    actor: Actor,
    nc: Nonconformity | None = None,
    status: str | None = None,
    owner: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[CorrectiveAction]:
    qs = scoped(actor, CorrectiveAction).select_related("owner", "nonconformity")
    if nc is not None:
        qs = qs.filter(nonconformity=nc)
    if status == "active":
        qs = qs.filter(status__in=ACTION_ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if owner == "me":
        qs = qs.filter(owner=actor.user) if actor.user else qs.none()
    elif owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if overdue:
        qs = qs.filter(overdue_q(_today(today)))
    return qs.order_by("due_on", "id")


def action_get(*, actor: Actor, action_id: int) -> CorrectiveAction:
    return get_scoped_or_404(action_list(actor=actor), pk=action_id)


def nonconformity_counts(*, actor: Actor) -> dict[str, int]:
    """Open (not closed) nonconformities, major among them, and overdue actions; two queries."""
    ncs = scoped(actor, Nonconformity).aggregate(
        open=Count("id", filter=~Q(status=NcStatus.CLOSED)),
        major=Count("id", filter=~Q(status=NcStatus.CLOSED) & Q(severity="major")),
    )
    overdue = action_list(actor=actor, overdue=True).count()
    return {"open": int(ncs["open"] or 0), "major": int(ncs["major"] or 0), "overdue": overdue}


def export_rows(*, actor: Actor) -> tuple[list[Nonconformity], list[CorrectiveAction]]:
    """Every nonconformity (oldest first) with its requirements and actions; three queries."""
    ncs = list(
        scoped(actor, Nonconformity)
        .select_related("owner", "raised_by", "closed_by", "effectiveness_checked_by")
        .prefetch_related(
            Prefetch("requirements", queryset=Requirement.objects.order_by("ref")),
            Prefetch("actions", queryset=CorrectiveAction.objects.select_related("owner")),
        )
        .order_by("number")
    )
    actions = [a for nc in ncs for a in nc.actions.all()]
    return ncs, actions
