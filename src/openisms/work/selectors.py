"""Reads for tasks and "My work". Each takes the actor and owns its joins."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.risks.models import Risk
from openisms.work.models import ACTIVE, CLOSED, Task, TaskComment, TaskStatus

DUE_SOON_DAYS = 7  # task_counts "due_soon"


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def task_base(actor: Actor) -> QuerySet[Task]:
    return scoped(actor, Task).select_related(
        "assignee", "requirement__framework", "risk", "control", "created_by"
    )


def overdue_q(today: dt.date) -> Q:
    return Q(due_on__lt=today) & ~Q(status__in=CLOSED)


def urgency_order(qs: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
    """Overdue first, then by due date (undated last), then newest."""
    return qs.annotate(
        _late=Case(When(overdue_q(today), then=Value(0)), default=Value(1)),
        _undated=Case(
            When(due_on__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()
        ),
    ).order_by("_late", "_undated", "due_on", "-number")


def _requirement_q(text: str) -> Q:
    ref = text.strip()
    refs = {ref.lower()}
    if not ref.upper().startswith("A.") and ref[:1].isdigit():
        refs.add(f"a.{ref.lower()}")
    q = Q()
    for r in refs:
        q |= Q(requirement__ref__iexact=r)
    return q


def task_list(
    *,
    actor: Actor,
    status: str | None = None,
    assignee: str | None = None,
    overdue: bool | None = None,
    due_before: dt.date | None = None,
    target: str | None = None,
    risk: int | None = None,
    requirement: int | None = None,
    priority: str | None = None,
    q: str = "",
    today: dt.date | None = None,
) -> QuerySet[Task]:
    """Tasks of the organisation, most urgent first.

    ``status`` is a status or 'active' (open, in progress or blocked); ``assignee`` an e-mail,
    'me' or 'none'; ``target`` a control or clause ref ("A.5.15", "5.15", "9.2") or a risk ref
    ("R-003").
    """
    day = _today(today)
    qs = task_base(actor)
    if status == "active":
        qs = qs.filter(status__in=ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif assignee == "me":
        qs = qs.filter(assignee=actor.user) if actor.user else qs.none()
    elif assignee:
        qs = qs.filter(assignee__email=assignee.strip().lower())
    if overdue is True:
        qs = qs.filter(overdue_q(day))
    elif overdue is False:
        qs = qs.exclude(overdue_q(day))
    if due_before:
        qs = qs.filter(due_on__lt=due_before)
    if target and target.strip():
        text = target.strip()
        qs = qs.filter(_requirement_q(text) | Q(risk__ref__iexact=text))
    if risk:
        qs = qs.filter(risk_id=risk)
    if requirement:
        qs = qs.filter(requirement_id=requirement)
    if priority:
        qs = qs.filter(priority=priority)
    if q.strip():
        text = q.strip()
        number = text[2:] if text.upper().startswith("T-") else text
        match = Q(title__icontains=text) | Q(description__icontains=text)
        if number.isdigit():
            match |= Q(number=int(number))
        qs = qs.filter(match)
    return urgency_order(qs, day)


def task_get(*, actor: Actor, task_id: int) -> Task:
    return get_scoped_or_404(task_base(actor), pk=task_id)


def task_by_ref(*, actor: Actor, ref: str) -> Task:
    text = ref.strip().upper()
    number = text[2:] if text.startswith("T-") else text
    if not number.isdigit():
        return get_scoped_or_404(task_base(actor).none())
    return get_scoped_or_404(task_base(actor), number=int(number))


def task_comments(*, actor: Actor, task: Task) -> QuerySet[TaskComment]:
    return (
        scoped(actor, TaskComment)
        .filter(task=task)
        .select_related("author")
        .order_by("created_at", "id")
    )


def task_counts(*, actor: Actor, today: dt.date | None = None) -> dict[str, int]:
    """Open (not done or cancelled), overdue and due within 7 days (not overdue), one query."""
    day = _today(today)
    active = ~Q(status__in=CLOSED)
    result = scoped(actor, Task).aggregate(
        open=Count("id", filter=active),
        overdue=Count("id", filter=overdue_q(day)),
        due_soon=Count(
            "id",
            filter=active & Q(due_on__gte=day, due_on__lte=day + dt.timedelta(DUE_SOON_DAYS)),
        ),
    )
    return {k: int(v or 0) for k, v in result.items()}


def status_counts(*, actor: Actor) -> dict[str, int]:
    rows = scoped(actor, Task).values("status").annotate(n=Count("id")).order_by()
    counts = dict.fromkeys(TaskStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def tasks_for_target(
    *,
    actor: Actor,
    requirement: Requirement | None = None,
    risk: Risk | None = None,
    control: Control | None = None,
) -> list[Task]:
    """The tasks on one control/clause, one register control or one risk (for panels on other
    pages), urgent first."""
    if requirement is None and risk is None and control is None:
        return []
    qs = task_base(actor)
    if control is not None:
        qs = qs.filter(control=control)
    if requirement is not None:
        qs = qs.filter(requirement=requirement)
    if risk is not None:
        qs = qs.filter(risk=risk)
    return list(urgency_order(qs, _today(None)))
