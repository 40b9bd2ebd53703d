from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.selectors import members_by_email, object_history
from openisms.work import selectors, services
from openisms.work.forms import CommentForm, StatusForm, TaskForm
from openisms.work.models import Task, TaskPriority, TaskStatus

PAGE_SIZE = 50


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _problem(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@org_view("work")
def task_list(request: HttpRequest, actor: Actor) -> HttpResponse:
    status = request.GET.get("status", "active")
    overdue = request.GET.get("overdue", "")
    params: dict[str, Any] = {
        "status": None if status in ("", "all") else status,
        "assignee": request.GET.get("assignee") or None,
        "overdue": True if overdue == "yes" else None,
        "due_before": _date(request.GET.get("due_before", "")),
        "target": request.GET.get("target", "")[:40] or None,
        "priority": request.GET.get("priority") or None,
        "q": request.GET.get("q", "")[:200],
    }
    page = Paginator(selectors.task_list(actor=actor, **params), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "org": actor.org,
        "page": page,
        "params": params,
        "status": status or "all",
        "overdue_only": overdue == "yes",
        "query": query.urlencode(),
        "counts": selectors.task_counts(actor=actor),
        "statuses": TaskStatus.choices,
        "priorities": TaskPriority.choices,
        "people": _emails(actor),
        "today": timezone.localdate(),
        "can_create": actor.can(Perm.EDIT_ISMS),
    }
    template = "work/task_list.html#table" if request.htmx else "work/task_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _task_context(request: HttpRequest, actor: Actor, task: Task, **extra: Any) -> dict[str, Any]:
    can_edit = services.can_edit_task(actor, task)
    return {
        "org": actor.org,
        "task": task,
        "comments": list(selectors.task_comments(actor=actor, task=task)),
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "can_status": can_edit,
        "can_comment": services.can_comment(actor, task),
        "status_form": StatusForm(initial={"status": task.status}, auto_id="status-%s"),
        "comment_form": CommentForm(),
        "history": object_history(actor=actor, object_type="work.task", object_id=task.pk)[:20],
        "today": timezone.localdate(),
    } | extra


@org_view("work")
def task_detail(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    task = selectors.task_get(actor=actor, task_id=task_id)
    return render(request, "work/task_detail.html", _task_context(request, actor, task))


@org_view("work", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def task_new(request: HttpRequest, actor: Actor) -> HttpResponse:
    initial = {
        "status": TaskStatus.OPEN,
        "priority": TaskPriority.NORMAL,
        "requirement": request.GET.get("requirement", "")[:40],
        "control": request.GET.get("control", "")[:40],
        "risk": request.GET.get("risk", "")[:20],
    }
    data = request.POST if request.method == "POST" else None
    form = TaskForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            task = services.task_create(actor=actor, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{task.ref} created.")
            return redirect("work:task_detail", org=actor.org.slug, task_id=task.pk)
    return render(request, "work/task_form.html", {"org": actor.org, "form": form, "task": None})


@org_view("work", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    task = selectors.task_get(actor=actor, task_id=task_id)
    initial = {
        "title": task.title,
        "description": task.description,
        "assignee": task.assignee.email if task.assignee else "",
        "due_on": task.due_on,
        "status": task.status,
        "priority": task.priority,
        "requirement": task.requirement.ref if task.requirement else "",
        "control": task.control.ref if task.control else "",
        "risk": task.risk.ref if task.risk else "",
    }
    data = request.POST if request.method == "POST" else None
    form = TaskForm(data, initial=initial, member_emails=_emails(actor))
    if request.method == "POST" and form.is_valid():
        try:
            services.task_update(actor=actor, task=task, **form.changes())
        except ValidationError as exc:
            form_errors_from(form, exc)
            task = selectors.task_get(actor=actor, task_id=task_id)  # as saved, not as tried
        else:
            messages.success(request, f"{task.ref} saved.")
            return redirect("work:task_detail", org=actor.org.slug, task_id=task.pk)
    return render(request, "work/task_form.html", {"org": actor.org, "form": form, "task": task})


@org_view("work")
@require_POST
def task_status(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    """Quick status change from the detail page or a list (editors and the assignee)."""
    task = selectors.task_get(actor=actor, task_id=task_id)
    if not services.can_edit_task(actor, task):
        actor.require(Perm.EDIT_ISMS)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a valid status.")
    else:
        try:
            services.task_update(actor=actor, task=task, status=form.cleaned_data["status"])
        except ValidationError as exc:
            messages.error(request, _problem(exc))
        else:
            messages.success(request, f"{task.ref} is now {task.get_status_display().lower()}.")
    nxt = request.POST.get("next", "")
    if nxt.startswith(f"/o/{actor.org.slug}/work/"):
        return redirect(nxt)
    return redirect("work:task_detail", org=actor.org.slug, task_id=task.pk)


@org_view("work")
@require_POST
def task_comment(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    """Add a comment; htmx gets the comments panel back, a plain form post a redirect."""
    task = selectors.task_get(actor=actor, task_id=task_id)
    if not services.can_comment(actor, task):
        actor.require(Perm.EDIT_ISMS)
    form = CommentForm(request.POST)
    error = None
    if form.is_valid():
        try:
            services.task_comment_add(actor=actor, task=task, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form_errors_from(form, exc)
            error = _problem(exc)
        else:
            form = CommentForm()
    else:
        error = "Write a comment first."
    if request.htmx:  # type: ignore[attr-defined]
        context = _task_context(request, actor, task, comment_form=form)
        return render(request, "work/task_detail.html#comments", context)
    if error:
        messages.error(request, error)
    return redirect("work:task_detail", org=actor.org.slug, task_id=task.pk)


@org_view("work", perm=Perm.EDIT_ISMS)
@require_POST
def task_delete(request: HttpRequest, actor: Actor, task_id: int) -> HttpResponse:
    task = selectors.task_get(actor=actor, task_id=task_id)
    ref = task.ref
    services.task_delete(actor=actor, task=task)
    messages.success(request, f"{ref} deleted.")
    return redirect("work:task_list", org=actor.org.slug)
