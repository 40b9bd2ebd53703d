"""Writes for management reviews: the review, its frozen inputs, decisions, actions and the
minutes' approval. Each is atomic and records its audit event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Unpack, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openisms.core import audit
from openisms.core.models import ApprovalState
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.actions import action_apply
from openisms.orgs.approvals import ApprovalFlow
from openisms.orgs.review_inputs import ReviewPeriod, review_inputs
from openisms.orgs.selectors import members_by_email, resolve_member
from openisms.orgs.updates import audited_update
from openisms.reviews import selectors
from openisms.reviews.fields import (
    REVIEW_ACTION_RULE,
    REVIEW_FIELDS,
    ReviewActionChanges,
    ReviewChanges,
)
from openisms.reviews.models import (
    DecisionCategory,
    ManagementReview,
    ReviewAction,
    ReviewDecision,
    ReviewMinutes,
    ReviewStatus,
)

DEFAULT_PERIOD_DAYS = 365
MINUTES_FLOW = ApprovalFlow(noun="minutes version", action="review_minutes")


def review_snapshot(review: ManagementReview) -> dict[str, Any]:
    data = audit.snapshot(review)
    if review.pk:
        data["attendees"] = sorted(u.email for u in review.attendees.all())
    return data


def _period_start(actor: Actor, review: ManagementReview) -> dt.date:
    previous = selectors.previous_review(actor=actor, before=review.meeting_on, exclude=review.pk)
    if previous is not None:
        return previous.meeting_on
    return review.meeting_on - dt.timedelta(days=DEFAULT_PERIOD_DAYS)


def _apply(actor: Actor, review: ManagementReview, changes: ReviewChanges) -> Any:
    unknown = set(changes) - set(REVIEW_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    attendees: list[Any] | None = None
    for name, value in changes.items():
        if name == "chair":
            review.chair = resolve_member(value, "chair", actor=actor)
        elif name == "attendees":
            members = members_by_email(actor=actor)
            attendees = []
            for email in cast(Sequence[str], value or ()):
                user = resolve_member(email, "attendees", members=members)
                if user is not None and user not in attendees:
                    attendees.append(user)
        elif name == "period_start":
            review.period_start = value  # type: ignore[assignment]
        elif isinstance(value, str):
            setattr(review, name, value.strip())
        else:
            setattr(review, name, value)
    if not review.title:
        raise ValidationError({"title": "Give the review a title."})
    if review.status not in ReviewStatus.values:
        raise ValidationError({"status": f"Unknown status '{review.status}'."})
    if not review.meeting_on:
        raise ValidationError({"meeting_on": "Give the meeting date."})
    if review.period_start is None:
        review.period_start = _period_start(actor, review)
    if review.period_start > review.meeting_on:
        raise ValidationError({"period_start": "The period must start before the meeting."})
    review.full_clean(exclude=["org", "chair", "created_by", "attendees"])
    if attendees is None:
        return None
    chosen = attendees

    def write() -> None:
        review.attendees.set(chosen)

    return write


@transaction.atomic
def review_create(*, actor: Actor, **fields: Unpack[ReviewChanges]) -> ManagementReview:
    """Plan a review; without ``period_start`` its period starts at the previous review's
    meeting (or a year before this one for the first review)."""
    actor.require(Perm.EDIT_ISMS)
    review = ManagementReview(org=actor.org, created_by=actor.user)
    review.period_start = None  # type: ignore[assignment]
    write = _apply(actor, review, fields)
    review.save()
    if write is not None:
        write()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="management_review.create",
        obj=review,
        after=review_snapshot(review),
    )
    return review


@transaction.atomic
def review_update(
    *, actor: Actor, review: ManagementReview, **changes: Unpack[ReviewChanges]
) -> ManagementReview:
    actor.require(Perm.EDIT_ISMS)
    if "period_start" in changes and changes["period_start"] is None:
        review.period_start = None  # type: ignore[assignment]
    audited_update(
        actor=actor,
        obj=review,
        action="management_review.update",
        apply=lambda: _apply(actor, review, changes),
        snapshot=review_snapshot,
    )
    return review


def _minutes_started(actor: Actor, review: ManagementReview) -> bool:
    return (
        scoped(actor, ReviewMinutes)
        .filter(review=review, state__in=(ApprovalState.SUBMITTED, ApprovalState.APPROVED))
        .exists()
    )


@transaction.atomic
def review_compute_inputs(*, actor: Actor, review: ManagementReview) -> ManagementReview:
    """Compute every registered input for the review's period and freeze the results.

    Refreshable until minutes are submitted; from then on the inputs are what was decided on.
    """
    actor.require(Perm.EDIT_ISMS)
    review = scoped(actor, ManagementReview).select_for_update().get(pk=review.pk)
    if _minutes_started(actor, review):
        raise ValidationError(
            {"inputs": "Minutes have been submitted; the inputs stay as they were reviewed."}
        )
    period = ReviewPeriod(start=review.period_start, end=review.meeting_on)
    review.inputs = [item.as_dict() for item in review_inputs(actor, period)]
    review.inputs_computed_at = timezone.now()
    review.save(update_fields=["inputs", "inputs_computed_at", "updated_at"])
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="management_review.inputs",
        obj=review,
        after={
            "period": [period.start.isoformat(), period.end.isoformat()],
            "inputs": [i["key"] for i in review.inputs],
            "computed_at": review.inputs_computed_at.isoformat(),
            "inputs_sha256": approvals.snapshot_hash({"inputs": review.inputs}),
        },
    )
    return review


# --- decisions -------------------------------------------------------------------------------


@transaction.atomic
def decision_add(
    *, actor: Actor, review: ManagementReview, text: str, category: str = ""
) -> ReviewDecision:
    actor.require(Perm.EDIT_ISMS)
    decision = ReviewDecision(
        org=actor.org, review=review, text=(text or "").strip(), category=category or ""
    )
    if not decision.text:
        raise ValidationError({"text": "Write the decision."})
    if decision.category and decision.category not in DecisionCategory.values:
        raise ValidationError({"category": f"Unknown category '{decision.category}'."})
    decision.full_clean(exclude=["org", "review"])
    decision.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="review_decision.create",
        obj=decision,
        after=audit.snapshot(decision),
    )
    return decision


@transaction.atomic
def decision_delete(*, actor: Actor, decision: ReviewDecision) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="review_decision.delete",
        obj=decision,
        before=audit.snapshot(decision),
    )
    decision.delete()


# --- actions ---------------------------------------------------------------------------------


def can_edit_action(actor: Actor, action: ReviewAction) -> bool:
    return actor.may_edit(REVIEW_ACTION_RULE, action)


def _apply_action(actor: Actor, action: ReviewAction, changes: ReviewActionChanges) -> None:
    action_apply(actor, action, changes, exclude=["review"])


@transaction.atomic
def review_action_create(
    *, actor: Actor, review: ManagementReview, **fields: Unpack[ReviewActionChanges]
) -> ReviewAction:
    actor.require(Perm.EDIT_ISMS)
    action = ReviewAction(org=actor.org, review=review)
    _apply_action(actor, action, fields)
    action.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="review_action.create",
        obj=action,
        after=audit.snapshot(action),
    )
    return action


@transaction.atomic
def review_action_update(
    *, actor: Actor, action: ReviewAction, **changes: Unpack[ReviewActionChanges]
) -> ReviewAction:
    """Editors change anything; the action's owner its status and notes."""
    audited_update(
        actor=actor,
        obj=action,
        action="review_action.update",
        apply=lambda: _apply_action(actor, action, changes),
        rule=REVIEW_ACTION_RULE,
        only_changed=("review",),
    )
    return action


@transaction.atomic
def review_action_delete(*, actor: Actor, action: ReviewAction) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="review_action.delete",
        obj=action,
        before=audit.snapshot(action),
    )
    action.delete()


# --- minutes ---------------------------------------------------------------------------------


def _email(user: Any) -> str:
    return user.email if user is not None else ""


def minutes_data(review: ManagementReview) -> dict[str, Any]:
    """The review as its minutes freeze it (``review`` read through ``selectors.review_get``)."""
    return {
        "title": review.title,
        "meeting_on": review.meeting_on.isoformat(),
        "period": {"start": review.period_start.isoformat(), "end": review.meeting_on.isoformat()},
        "status": review.get_status_display(),
        "chair": _email(review.chair),
        "attendees": [u.email for u in review.attendees.all()],
        "guests": review.guests,
        "inputs_computed_at": review.inputs_computed_at.isoformat()
        if review.inputs_computed_at
        else None,
        "inputs": list(review.inputs or []),
        "interested_parties": review.interested_parties,
        "other_notes": review.other_notes,
        "decisions": [
            {
                "text": d.text,
                "category": d.get_category_display() if d.category else "",
            }
            for d in review.decisions.all()
        ],
        "actions": [
            {
                "title": a.title,
                "owner": _email(a.owner),
                "due_on": a.due_on.isoformat() if a.due_on else "",
                "status": a.get_status_display(),
            }
            for a in review.actions.all()
        ],
    }


@transaction.atomic
def minutes_submit(*, actor: Actor, review: ManagementReview, comment: str = "") -> ReviewMinutes:
    """Freeze the review (attendees, inputs, decisions, actions) into minutes for approval.
    Only a held review with computed inputs has minutes."""
    actor.require(Perm.EDIT_ISMS)
    fresh = selectors.review_get(actor=actor, review_id=review.pk)
    if not fresh.is_held:
        raise ValidationError({"status": "Mark the review as held before submitting minutes."})
    if fresh.inputs_computed_at is None:
        raise ValidationError({"inputs": "Compute the inputs before submitting minutes."})
    return approvals.version_submit(
        actor=actor,
        flow=MINUTES_FLOW,
        model=ReviewMinutes,
        subject={"review": fresh},
        snapshot=minutes_data(fresh),
        comment=comment,
    )


@transaction.atomic
def minutes_approve(*, actor: Actor, minutes: ReviewMinutes, comment: str = "") -> ReviewMinutes:
    """Top management approves the minutes; with separate approval on, not their submitter."""
    return approvals.version_approve(
        actor=actor, flow=MINUTES_FLOW, version=minutes, comment=comment
    )


@transaction.atomic
def minutes_reject(*, actor: Actor, minutes: ReviewMinutes, comment: str) -> ReviewMinutes:
    return approvals.version_reject(
        actor=actor, flow=MINUTES_FLOW, version=minutes, comment=comment
    )
