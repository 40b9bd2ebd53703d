from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.approvals import may_decide
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history
from openisms.reviews import exports, selectors, services
from openisms.reviews.forms import (
    ActionProgressForm,
    CommentForm,
    DecisionForm,
    ReviewActionForm,
    ReviewForm,
)
from openisms.reviews.models import ManagementReview, ReviewStatus

PAGE_SIZE = 50
SECTION = "reviews"


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _back(actor: Actor, review_id: int) -> HttpResponse:
    return redirect("reviews:detail", org=actor.org.slug, review_id=review_id)


def _run(request: HttpRequest, done: str, step: Any) -> None:
    try:
        step()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)


@org_view(SECTION)
def review_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    page = Paginator(selectors.review_list(actor=actor), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {
        "org": actor.org,
        "page": page,
        "query": "",
        "can_create": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "reviews/list.html", context)


def _detail_context(actor: Actor, review: ManagementReview) -> dict[str, Any]:
    emails = _emails(actor)
    editor = actor.can(Perm.EDIT_ISMS)
    minutes = list(review.minutes.all())
    started = any(m.state in ("submitted", "approved") for m in minutes)
    return {
        "org": actor.org,
        "review": review,
        "attendees": list(review.attendees.all()),
        "inputs": review.inputs or [],
        "decisions": list(review.decisions.all()),
        "actions": [
            (
                a,
                services.can_edit_action(actor, a),
                ActionProgressForm(
                    initial={"status": a.status, "notes": a.notes}, auto_id=f"a{a.pk}-%s"
                ),
            )
            for a in review.actions.all()
        ],
        "minutes": [(m, may_decide(actor, services.MINUTES_FLOW, m)) for m in minutes],
        "can_edit": editor,
        "can_compute": editor and not started,
        "can_submit": editor and review.is_held and review.inputs_computed_at is not None,
        "decision_form": DecisionForm(auto_id="d-%s"),
        "action_form": ReviewActionForm(member_emails=emails, auto_id="new-%s"),
        "comment_form": CommentForm(auto_id="c-%s"),
        "history": object_history(
            actor=actor, object_type="reviews.managementreview", object_id=review.pk
        )[:20],
        "today": timezone.localdate(),
    }


@org_view(SECTION)
def review_detail(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    return render(request, "reviews/detail.html", _detail_context(actor, review))


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    data = request.POST if request.method == "POST" else None
    initial = {"meeting_on": timezone.localdate(), "status": ReviewStatus.PLANNED}
    form = ReviewForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{review.title} planned.")
            return _back(actor, review.pk)
    return render(request, "reviews/form.html", {"org": actor.org, "form": form})


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    initial = {
        "title": review.title,
        "meeting_on": review.meeting_on,
        "period_start": review.period_start,
        "chair": review.chair.email if review.chair else "",
        "attendees": [u.email for u in review.attendees.all()],
        "guests": review.guests,
        "status": review.status,
        "interested_parties": review.interested_parties,
        "other_notes": review.other_notes,
    }
    data = request.POST if request.method == "POST" else None
    form = ReviewForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.review_update(actor=actor, review=review, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, "Review saved.")
            return _back(actor, review.pk)
    context = {"org": actor.org, "form": form, "review": review}
    return render(request, "reviews/form.html", context)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def review_compute(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    _run(
        request,
        "Inputs computed and frozen.",
        lambda: services.review_compute_inputs(actor=actor, review=review),
    )
    return _back(actor, review.pk)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def decision_add(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the decision.")
    else:
        _run(
            request,
            "Decision recorded.",
            lambda: services.decision_add(actor=actor, review=review, **form.cleaned_data),
        )
    return _back(actor, review.pk)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def decision_delete(request: HttpRequest, actor: Actor, decision_id: int) -> HttpResponse:
    decision = selectors.decision_get(actor=actor, decision_id=decision_id)
    review_id = decision.review_id
    services.decision_delete(actor=actor, decision=decision)
    messages.success(request, "Decision removed.")
    return _back(actor, review_id)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def action_add(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    form = ReviewActionForm(request.POST, member_emails=_emails(actor))
    if not form.is_valid():
        messages.error(request, "Give the action a title (and a valid owner and date).")
    else:
        _run(
            request,
            "Action added.",
            lambda: services.review_action_create(actor=actor, review=review, **form.changes()),
        )
    return _back(actor, review.pk)


@org_view(SECTION)
@require_POST
def action_progress(request: HttpRequest, actor: Actor, action_id: int) -> HttpResponse:
    action = selectors.action_get(actor=actor, action_id=action_id)
    if not services.can_edit_action(actor, action):
        actor.require(Perm.EDIT_ISMS)
    form = ActionProgressForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
    else:
        _run(
            request,
            f"'{action.title}' saved.",
            lambda: services.review_action_update(actor=actor, action=action, **form.cleaned_data),
        )
    return _back(actor, action.review_id)


@org_view(SECTION, perm=Perm.EDIT_ISMS)
@require_POST
def minutes_submit(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    review = selectors.review_get(actor=actor, review_id=review_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    _run(
        request,
        "Minutes submitted for approval.",
        lambda: services.minutes_submit(actor=actor, review=review, comment=comment),
    )
    return _back(actor, review.pk)


@org_view(SECTION, perm=Perm.APPROVE)
@require_POST
def minutes_approve(request: HttpRequest, actor: Actor, minutes_id: int) -> HttpResponse:
    minutes = selectors.minutes_get(actor=actor, minutes_id=minutes_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    _run(
        request,
        f"Minutes version {minutes.number} approved.",
        lambda: services.minutes_approve(actor=actor, minutes=minutes, comment=comment),
    )
    return _back(actor, minutes.review_id)


@org_view(SECTION, perm=Perm.APPROVE)
@require_POST
def minutes_reject(request: HttpRequest, actor: Actor, minutes_id: int) -> HttpResponse:
    minutes = selectors.minutes_get(actor=actor, minutes_id=minutes_id)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    _run(
        request,
        f"Minutes version {minutes.number} sent back.",
        lambda: services.minutes_reject(actor=actor, minutes=minutes, comment=comment),
    )
    return _back(actor, minutes.review_id)


@org_view(SECTION)
def review_export(request: HttpRequest, actor: Actor, review_id: int) -> HttpResponse:
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "docx"):
        raise Http404("Unknown format.")
    review = selectors.review_get(actor=actor, review_id=review_id)
    content, content_type, ext = exports.export_minutes(actor=actor, review=review, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    name = exports.filename(review.title, review.meeting_on.isoformat(), ext)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
