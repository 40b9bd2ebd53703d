"""The review's own input: the status of actions from previous management reviews (9.3.2 a))."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from openisms.orgs.access import Actor, scoped
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod
from openisms.reviews.models import ACTION_ACTIVE, ActionStatus, ReviewAction

MAX_ITEMS = 40


def previous_actions_input(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Actions decided at reviews held before this one's meeting: open, done and overdue."""
    today = min(period.end, timezone.localdate())
    earlier = scoped(actor, ReviewAction).filter(review__meeting_on__lt=period.end)
    open_q = Q(status__in=ACTION_ACTIVE)
    counts = earlier.aggregate(
        total=Count("id"),
        open=Count("id", filter=open_q),
        done=Count("id", filter=Q(status=ActionStatus.DONE)),
        cancelled=Count("id", filter=Q(status=ActionStatus.CANCELLED)),
        overdue=Count("id", filter=open_q & Q(due_on__lt=today)),
    )
    rows = (
        earlier.filter(Q(status__in=ACTION_ACTIVE) | Q(completed_on__gte=period.start))
        .select_related("owner", "review")
        .order_by("review__meeting_on", "due_on", "id")[:MAX_ITEMS]
    )
    items = [
        {
            "review": a.review.title,
            "action": a.title,
            "owner": a.owner.email if a.owner else "",
            "due_on": a.due_on.isoformat() if a.due_on else "",
            "status": a.get_status_display(),
            "overdue": "yes" if a.is_overdue(today) else "",
        }
        for a in rows
    ]
    figures: dict[str, int | float | str] = {
        "Actions from earlier reviews": int(counts["total"]),
        "Open": int(counts["open"]),
        "Done": int(counts["done"]),
        "Cancelled": int(counts["cancelled"]),
        "Overdue": int(counts["overdue"]),
    }
    if counts["total"]:
        summary = (
            f"{counts['total']} action(s) came from earlier reviews: {counts['done']} done, "
            f"{counts['open']} still open ({counts['overdue']} overdue), "
            f"{counts['cancelled']} cancelled."
        )
    else:
        summary = "No earlier management review recorded actions."
    return ReviewInput(
        key="previous_actions",
        clause="9.3.2 a)",
        title="Status of actions from previous management reviews",
        summary=summary,
        figures=figures,
        items=items,
    )
