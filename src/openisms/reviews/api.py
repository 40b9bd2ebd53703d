from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor
from openisms.orgs.actions import ActionIn, ActionPatch
from openisms.reviews import selectors, services
from openisms.reviews.fields import ReviewChanges
from openisms.reviews.models import DecisionCategory, ReviewStatus

router = Router(tags=["management reviews"])


def _email(user: Any) -> str | None:
    return user.email if user is not None else None


class ReviewActionOut(Schema):
    id: int
    review_id: int
    title: str
    owner: str | None
    due_on: date | None
    status: str
    completed_on: date | None
    notes: str

    @staticmethod
    def resolve_owner(obj: Any) -> str | None:
        return _email(obj.owner)


class DecisionOut(Schema):
    id: int
    text: str
    category: str


class InputOut(Schema):
    key: str
    clause: str
    title: str
    summary: str
    figures: dict[str, Any]
    items: list[dict[str, Any]]


class MinutesOut(Schema):
    id: int
    number: int
    state: str
    comment: str
    submitted_by: str | None
    submitted_at: datetime
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    decision_comment: str

    @staticmethod
    def resolve_submitted_by(obj: Any) -> str | None:
        return _email(obj.submitted_by)

    @staticmethod
    def resolve_approved_by(obj: Any) -> str | None:
        return _email(obj.approved_by)

    @staticmethod
    def resolve_rejected_by(obj: Any) -> str | None:
        return _email(obj.rejected_by)


class ReviewOut(Schema):
    id: int
    title: str
    meeting_on: date
    period_start: date
    chair: str | None
    status: str
    guests: str
    inputs_computed_at: datetime | None
    interested_parties: str
    other_notes: str
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_chair(obj: Any) -> str | None:
        return _email(obj.chair)


class ReviewDetailOut(ReviewOut):
    attendees: list[str]
    inputs: list[InputOut]
    decisions: list[DecisionOut]
    actions: list[ReviewActionOut]
    minutes: list[MinutesOut]

    @staticmethod
    def resolve_attendees(obj: Any) -> list[str]:
        return [u.email for u in obj.attendees.all()]

    @staticmethod
    def resolve_decisions(obj: Any) -> list[Any]:
        return list(obj.decisions.all())

    @staticmethod
    def resolve_actions(obj: Any) -> list[Any]:
        return list(obj.actions.all())

    @staticmethod
    def resolve_minutes(obj: Any) -> list[Any]:
        return list(obj.minutes.all())


class ReviewIn(Schema):
    title: str
    meeting_on: date
    period_start: date | None = None
    chair: str | None = None
    attendees: list[str] = []
    guests: str = ""
    status: ReviewStatus = ReviewStatus.PLANNED
    interested_parties: str = ""
    other_notes: str = ""

    def changes(self) -> ReviewChanges:
        return changes_of(ReviewChanges, self.dict())


class ReviewPatch(Schema):
    title: str | None = None
    meeting_on: date | None = None
    period_start: date | None = None
    chair: str | None = None
    attendees: list[str] | None = None
    guests: str | None = None
    status: ReviewStatus | None = None
    interested_parties: str | None = None
    other_notes: str | None = None

    def changes(self) -> ReviewChanges:
        return changes_of(ReviewChanges, self.dict(exclude_unset=True))


class ReviewDecisionIn(Schema):
    text: str
    category: DecisionCategory | None = None


class ReviewCommentIn(Schema):
    comment: str = ""


R = "/orgs/{org}/reviews"


@router.get(R, response={200: list[ReviewOut], 404: Error})
@paginate(Pagination)
def review_list(request: HttpRequest, org: str, status: str | None = None) -> Any:
    """Newest meeting first."""
    return selectors.review_list(actor=actor(request, org), status=status)


@router.post(R, response={201: ReviewDetailOut, 403: Error, 404: Error, 422: Error})
def review_create(request: HttpRequest, org: str, payload: ReviewIn) -> Any:
    """Without ``period_start`` the period starts at the previous review's meeting."""
    a = actor(request, org)
    review = services.review_create(actor=a, **payload.changes())
    return Status(201, selectors.review_get(actor=a, review_id=review.pk))


@router.get(R + "/{review_id}", response={200: ReviewDetailOut, 404: Error})
def review_get(request: HttpRequest, org: str, review_id: PathId) -> Any:
    return selectors.review_get(actor=actor(request, org), review_id=review_id)


@router.patch(
    R + "/{review_id}", response={200: ReviewDetailOut, 403: Error, 404: Error, 422: Error}
)
def review_update(request: HttpRequest, org: str, review_id: PathId, payload: ReviewPatch) -> Any:
    a = actor(request, org)
    review = selectors.review_get(actor=a, review_id=review_id)
    services.review_update(actor=a, review=review, **payload.changes())
    return selectors.review_get(actor=a, review_id=review_id)


@router.post(
    R + "/{review_id}/inputs",
    response={200: ReviewDetailOut, 403: Error, 404: Error, 422: Error},
)
def review_inputs(request: HttpRequest, org: str, review_id: PathId) -> Any:
    """Compute every input for the period and freeze it; refused once minutes are submitted."""
    a = actor(request, org)
    review = selectors.review_get(actor=a, review_id=review_id)
    services.review_compute_inputs(actor=a, review=review)
    return selectors.review_get(actor=a, review_id=review_id)


@router.post(
    R + "/{review_id}/decisions",
    response={201: DecisionOut, 403: Error, 404: Error, 422: Error},
)
def decision_add(
    request: HttpRequest, org: str, review_id: PathId, payload: ReviewDecisionIn
) -> Any:
    a = actor(request, org)
    review = selectors.review_get(actor=a, review_id=review_id)
    decision = services.decision_add(
        actor=a, review=review, text=payload.text, category=payload.category or ""
    )
    return Status(201, decision)


@router.delete(
    "/orgs/{org}/review-decisions/{decision_id}", response={204: None, 403: Error, 404: Error}
)
def decision_delete(request: HttpRequest, org: str, decision_id: PathId) -> Any:
    a = actor(request, org)
    decision = selectors.decision_get(actor=a, decision_id=decision_id)
    services.decision_delete(actor=a, decision=decision)
    return Status(204, None)


@router.post(
    R + "/{review_id}/actions",
    response={201: ReviewActionOut, 403: Error, 404: Error, 422: Error},
)
def action_create(request: HttpRequest, org: str, review_id: PathId, payload: ActionIn) -> Any:
    a = actor(request, org)
    review = selectors.review_get(actor=a, review_id=review_id)
    action = services.review_action_create(actor=a, review=review, **payload.changes())
    return Status(201, selectors.action_get(actor=a, action_id=action.pk))


@router.get("/orgs/{org}/review-actions", response={200: list[ReviewActionOut], 404: Error})
@paginate(Pagination)
def action_list(
    request: HttpRequest, org: str, status: str | None = None, owner: str | None = None
) -> Any:
    """Actions of every review, by due date. ``status``: a status or 'active'."""
    return selectors.action_list(actor=actor(request, org), status=status, owner=owner)


@router.patch(
    "/orgs/{org}/review-actions/{action_id}",
    response={200: ReviewActionOut, 403: Error, 404: Error, 422: Error},
)
def action_update(request: HttpRequest, org: str, action_id: PathId, payload: ActionPatch) -> Any:
    """The action's owner (contributor role) may change ``status`` and ``notes``."""
    a = actor(request, org)
    action = selectors.action_get(actor=a, action_id=action_id)
    services.review_action_update(actor=a, action=action, **payload.changes())
    return selectors.action_get(actor=a, action_id=action_id)


@router.delete(
    "/orgs/{org}/review-actions/{action_id}", response={204: None, 403: Error, 404: Error}
)
def action_delete(request: HttpRequest, org: str, action_id: PathId) -> Any:
    a = actor(request, org)
    services.review_action_delete(
        actor=a, action=selectors.action_get(actor=a, action_id=action_id)
    )
    return Status(204, None)


@router.get(R + "/{review_id}/minutes", response={200: list[MinutesOut], 404: Error})
@paginate(Pagination)
def minutes_list(request: HttpRequest, org: str, review_id: PathId) -> Any:
    a = actor(request, org)
    return selectors.minutes_list(
        actor=a, review=selectors.review_get(actor=a, review_id=review_id)
    )


@router.post(
    R + "/{review_id}/minutes",
    response={201: MinutesOut, 403: Error, 404: Error, 422: Error},
)
def minutes_submit(
    request: HttpRequest, org: str, review_id: PathId, payload: ReviewCommentIn
) -> Any:
    """Freeze the held review (attendees, inputs, decisions, actions) into minutes."""
    a = actor(request, org)
    review = selectors.review_get(actor=a, review_id=review_id)
    minutes = services.minutes_submit(actor=a, review=review, comment=payload.comment)
    return Status(201, selectors.minutes_get(actor=a, minutes_id=minutes.pk))


@router.post(
    "/orgs/{org}/review-minutes/{minutes_id}/approve",
    response={200: MinutesOut, 403: Error, 404: Error, 422: Error},
)
def minutes_approve(
    request: HttpRequest, org: str, minutes_id: PathId, payload: ReviewCommentIn
) -> Any:
    """With separate approval on (the default), the submitter may not approve."""
    a = actor(request, org)
    minutes = selectors.minutes_get(actor=a, minutes_id=minutes_id)
    services.minutes_approve(actor=a, minutes=minutes, comment=payload.comment)
    return selectors.minutes_get(actor=a, minutes_id=minutes_id)


@router.post(
    "/orgs/{org}/review-minutes/{minutes_id}/reject",
    response={200: MinutesOut, 403: Error, 404: Error, 422: Error},
)
def minutes_reject(
    request: HttpRequest, org: str, minutes_id: PathId, payload: ReviewCommentIn
) -> Any:
    """The comment says what to change."""
    a = actor(request, org)
    minutes = selectors.minutes_get(actor=a, minutes_id=minutes_id)
    services.minutes_reject(actor=a, minutes=minutes, comment=payload.comment)
    return selectors.minutes_get(actor=a, minutes_id=minutes_id)
