"""The management review input on nonconformities and corrective actions (9.3.2 d) 1))."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from openisms.nonconformities.models import ACTION_ACTIVE, CorrectiveAction, Nonconformity
from openisms.orgs.access import Actor, scoped
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod

MAX_ITEMS = 40


def _trend(now: int, before: int) -> str:
    if now > before:
        return "up"
    if now < before:
        return "down"
    return "level"


def nonconformity_input(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Raised and closed in the period, still open by severity, overdue corrective actions,
    and the number raised against the previous period of the same length."""
    start, end = period.start, period.end
    length = (end - start).days or 1
    prev_start = start - dt.timedelta(days=length)
    ncs = scoped(actor, Nonconformity)
    open_q = Q(raised_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))
    counts = ncs.aggregate(
        raised=Count("id", filter=Q(raised_on__gte=start, raised_on__lte=end)),
        previous=Count("id", filter=Q(raised_on__gte=prev_start, raised_on__lt=start)),
        closed=Count("id", filter=Q(closed_on__gte=start, closed_on__lte=end)),
        open_major=Count("id", filter=open_q & Q(severity="major")),
        open_minor=Count("id", filter=open_q & Q(severity="minor")),
    )
    today = min(end, timezone.localdate())
    overdue = (
        scoped(actor, CorrectiveAction).filter(status__in=ACTION_ACTIVE, due_on__lt=today).count()
    )
    figures: dict[str, int | float | str] = {
        "Raised in the period": int(counts["raised"]),
        "Closed in the period": int(counts["closed"]),
        "Open (major)": int(counts["open_major"]),
        "Open (minor)": int(counts["open_minor"]),
        "Overdue corrective actions": overdue,
        "Raised in the previous period": int(counts["previous"]),
        "Trend": _trend(int(counts["raised"]), int(counts["previous"])),
    }
    rows = (
        ncs.filter(Q(raised_on__gte=start, raised_on__lte=end) | open_q)
        .select_related("owner")
        .order_by("number")[:MAX_ITEMS]
    )
    items = [
        {
            "ref": nc.ref,
            "title": nc.title,
            "severity": nc.get_severity_display(),
            "source": nc.get_source_display(),
            "status": nc.get_status_display(),
            "raised_on": nc.raised_on.isoformat(),
            "owner": nc.owner.email if nc.owner else "",
        }
        for nc in rows
    ]
    open_total = int(counts["open_major"]) + int(counts["open_minor"])
    summary = (
        f"{counts['raised']} nonconformit{'y' if counts['raised'] == 1 else 'ies'} raised and "
        f"{counts['closed']} closed in the period; {open_total} open at its end "
        f"({counts['open_major']} major); {overdue} corrective action(s) overdue. "
        f"Raised against the previous period: {_trend(counts['raised'], counts['previous'])} "
        f"({counts['previous']} before)."
    )
    return ReviewInput(
        key="nonconformities",
        clause="9.3.2 d) 1)",
        title="Nonconformities and corrective actions",
        summary=summary,
        figures=figures,
        items=items,
    )
