"""Reads for management reviews. Each takes the actor and owns its joins."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet

from openisms.accounts.models import User
from openisms.core.models import ApprovalState
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.reviews.models import (
    ACTION_ACTIVE,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewMinutes,
)


def review_list(*, actor: Actor, status: str | None = None) -> QuerySet[ManagementReview]:
    qs = scoped(actor, ManagementReview).select_related("chair")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(
        decision_count=Count("decisions", distinct=True),
        action_count=Count("actions", distinct=True),
        approved_minutes=Count(
            "minutes", filter=Q(minutes__state=ApprovalState.APPROVED), distinct=True
        ),
    ).order_by("-meeting_on", "-id")


def review_get(*, actor: Actor, review_id: int) -> ManagementReview:
    qs = (
        scoped(actor, ManagementReview)
        .select_related("chair", "created_by")
        .prefetch_related(
            Prefetch("attendees", queryset=User.objects.order_by("email")),
            Prefetch("decisions", queryset=ReviewDecision.objects.order_by("id")),
            Prefetch(
                "actions",
                queryset=ReviewAction.objects.select_related("owner").order_by("due_on", "id"),
            ),
            Prefetch(
                "minutes",
                queryset=ReviewMinutes.objects.select_related(
                    "submitted_by", "approved_by", "rejected_by"
                ).order_by("-number"),
            ),
        )
    )
    return get_scoped_or_404(qs, pk=review_id)


def previous_review(
    *, actor: Actor, before: dt.date, exclude: int | None = None
) -> ManagementReview | None:
    qs = scoped(actor, ManagementReview).filter(meeting_on__lt=before)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.order_by("-meeting_on", "-id").first()


def latest_held(*, actor: Actor) -> ManagementReview | None:
    found = (
        scoped(actor, ManagementReview).filter(status="held").order_by("-meeting_on", "-id").first()
    )
    return review_get(actor=actor, review_id=found.pk) if found else None


def action_list(
    *,
    actor: Actor,
    review: ManagementReview | None = None,
    status: str | None = None,
    owner: str | None = None,
) -> QuerySet[ReviewAction]:
    qs = scoped(actor, ReviewAction).select_related("owner", "review")
    if review is not None:
        qs = qs.filter(review=review)
    if status == "active":
        qs = qs.filter(status__in=ACTION_ACTIVE)
    elif status:
        qs = qs.filter(status=status)
    if owner == "me":
        qs = qs.filter(owner=actor.user) if actor.user else qs.none()
    elif owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    return qs.order_by("due_on", "id")


def action_get(*, actor: Actor, action_id: int) -> ReviewAction:
    return get_scoped_or_404(action_list(actor=actor), pk=action_id)


def decision_get(*, actor: Actor, decision_id: int) -> ReviewDecision:
    qs = scoped(actor, ReviewDecision).select_related("review")
    return get_scoped_or_404(qs, pk=decision_id)


def minutes_list(*, actor: Actor, review: ManagementReview) -> QuerySet[ReviewMinutes]:
    return (
        scoped(actor, ReviewMinutes)
        .filter(review=review)
        .select_related("submitted_by", "approved_by", "rejected_by", "review")
        .order_by("-number")
    )


def minutes_get(*, actor: Actor, minutes_id: int) -> ReviewMinutes:
    qs = scoped(actor, ReviewMinutes).select_related(
        "submitted_by", "approved_by", "rejected_by", "review"
    )
    return get_scoped_or_404(qs, pk=minutes_id)


def approved_minutes(*, actor: Actor) -> list[ReviewMinutes]:
    """The latest approved minutes of every review, newest meeting first (one query)."""
    rows = (
        scoped(actor, ReviewMinutes)
        .filter(state=ApprovalState.APPROVED)
        .select_related("review", "submitted_by", "approved_by", "rejected_by")
        .order_by("-review__meeting_on", "review_id", "-number")
    )
    seen: set[int] = set()
    out: list[ReviewMinutes] = []
    for minutes in rows:
        if minutes.review_id not in seen:
            seen.add(minutes.review_id)
            out.append(minutes)
    return out
