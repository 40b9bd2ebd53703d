"""Shell pages: home, dashboard, organisation settings, members, invitations, activity."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openisms.accounts import selectors as account_selectors
from openisms.accounts import services as account_services
from openisms.catalog import selectors as catalog_selectors
from openisms.core.forms import form_errors_from
from openisms.orgs import selectors, services
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.sso import sso_domain_list, sso_domains_set
from openisms.web import mywork
from openisms.web import readiness as soa_readiness
from openisms.web.forms import (
    AcceptInvitationForm,
    ActivityFilterForm,
    InvitationForm,
    OrganizationForm,
    OrganizationSettingsForm,
    RoleForm,
    SsoDomainsForm,
)
from openisms.work import selectors as work_selectors

PAGE_SIZE = 50
LAST_ORG_COOKIE = "openisms_last_org"


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database readiness for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(selectors.memberships_of(user=request.user))  # type: ignore[arg-type]
    if not memberships:
        return redirect("web:org_create")
    last = _last_org(request)
    target = next((m for m in memberships if m.org.slug == last), memberships[0])
    return redirect("web:dashboard", org=target.org.slug)


def _last_org(request: HttpRequest) -> str | None:
    """The organisation whose dashboard this login last showed.

    A signed cookie salted with the session key, not a session value: saving the session
    would make every dashboard visit a database write, and the salt keeps the cookie bound to
    this login as the session value was (a new login, or another user, does not read it).
    """
    salt = f"last-org:{request.session.session_key}"
    value = request.get_signed_cookie(LAST_ORG_COOKIE, default=None, salt=salt)
    return str(value) if value is not None else None


def _remember_org(request: HttpRequest, response: HttpResponse, slug: str) -> HttpResponse:
    if _last_org(request) != slug:
        response.set_signed_cookie(
            LAST_ORG_COOKIE,
            slug,
            salt=f"last-org:{request.session.session_key}",
            max_age=settings.SESSION_COOKIE_AGE,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@org_view("dashboard")
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    frameworks = list(catalog_selectors.framework_list(orgs=actor.org.pk).filter(status="current"))
    context = {
        "actor": actor,
        "org": actor.org,
        "member_counts": selectors.member_counts(actor=actor),
        "readiness": soa_readiness.summary(actor=actor),
        "frameworks": frameworks,
        "recent": list(
            selectors.object_history(
                actor=actor, object_type="orgs.organization", object_id=actor.org.pk
            )[:5]
        ),
    }
    return _remember_org(request, render(request, "web/dashboard.html", context), actor.org.slug)


@login_required
@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            org = services.organization_create(actor=request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"{org.name} is ready. You are its owner.")
            return redirect("web:dashboard", org=org.slug)
    return render(request, "web/org_form.html", {"form": form, "creating": True})


@org_view("settings")
@require_http_methods(["GET", "POST"])
def org_settings(request: HttpRequest, actor: Actor) -> HttpResponse:
    org = actor.org
    fields = (
        *("name", "slug", "scope", "size", "sector", "pii_role"),
        *("separate_approval", "require_mfa"),
    )
    initial = {f: getattr(org, f) for f in fields}
    form = OrganizationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST":
        actor.require(Perm.MANAGE_ORG)
        if form.is_valid():
            try:
                org = services.organization_update(actor=actor, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(form, exc)
            else:
                messages.success(request, "Organisation settings saved.")
                return redirect("web:org_settings", org=org.slug)
    history = selectors.object_history(
        actor=actor, object_type="orgs.organization", object_id=org.pk
    )[:20]
    return render(
        request,
        "web/org_settings.html",
        {
            "actor": actor,
            "org": org,
            "form": form,
            "can_manage": actor.can(Perm.MANAGE_ORG),
            "history": history,
            "sso_form": _sso_form(actor),
        },
    )


def _sso_form(actor: Actor, data: object = None) -> SsoDomainsForm | None:
    if not actor.can(Perm.MANAGE_ORG):
        return None
    domains = sso_domain_list(actor=actor)
    initial = {"domains": "\n".join(d.domain for d in domains)}
    if domains:
        initial["role"] = domains[0].role
    return SsoDomainsForm(data, initial=initial)  # type: ignore[arg-type]


@org_view("settings", perm=Perm.MANAGE_ORG)
@require_POST
def org_sso(request: HttpRequest, actor: Actor) -> HttpResponse:
    """The e-mail domains whose single sign-on users join the organisation, and their role."""
    form = SsoDomainsForm(request.POST)
    if form.is_valid():
        try:
            sso_domains_set(
                actor=actor,
                domains=form.cleaned_data["domains"].split(),
                role=form.cleaned_data["role"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Single sign-on domains saved.")
    else:
        messages.error(request, "Enter domain names, one a line, and a role.")
    return redirect("web:org_settings", org=actor.org.slug)


@org_view("settings")
def members(request: HttpRequest, actor: Actor) -> HttpResponse:
    can_manage = actor.can(Perm.MANAGE_ORG)
    context = {
        "actor": actor,
        "org": actor.org,
        "members": selectors.member_list(actor=actor),
        "invitations": selectors.invitation_list(actor=actor)[:50] if can_manage else [],
        "can_manage": can_manage,
        "invite_form": InvitationForm(),
        "role_form": RoleForm(),
    }
    return render(request, "web/members.html", context)


@org_view("settings", perm=Perm.MANAGE_ORG)
@require_POST
def member_update(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    membership = selectors.member_get(actor=actor, member_id=member_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(
                actor=actor, membership=membership, role=form.cleaned_data["role"]
            )
            messages.success(request, f"{membership.user.email} is now {membership.role}.")
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, "Choose a valid role.")
    return redirect("web:members", org=actor.org.slug)


@org_view("settings", perm=Perm.MANAGE_ORG)
@require_POST
def member_remove(request: HttpRequest, actor: Actor, member_id: int) -> HttpResponse:
    membership = selectors.member_get(actor=actor, member_id=member_id)
    try:
        services.membership_remove(actor=actor, membership=membership)
        messages.success(request, f"{membership.user.email} no longer has access.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:members", org=actor.org.slug)


@org_view("settings", perm=Perm.MANAGE_ORG)
@require_POST
def invitation_create(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation, raw = services.invitation_create(actor=actor, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            link = request.build_absolute_uri(f"/invite/{raw}/")
            messages.success(
                request,
                f"Invitation e-mailed to {invitation.email}. The single-use link: {link}",
            )
    else:
        messages.error(request, "Enter a valid e-mail address and role.")
    return redirect("web:members", org=actor.org.slug)


@org_view("settings", perm=Perm.MANAGE_ORG)
@require_POST
def invitation_revoke(request: HttpRequest, actor: Actor, invitation_id: int) -> HttpResponse:
    invitation = selectors.invitation_get(actor=actor, invitation_id=invitation_id)
    try:
        services.invitation_revoke(actor=actor, invitation=invitation)
        messages.success(request, f"Invitation for {invitation.email} revoked.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("web:members", org=actor.org.slug)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "web/invitation_invalid.html", status=404)
    user = request.user if request.user.is_authenticated else None
    existing = account_selectors.user_exists(email=invitation.email)
    form = AcceptInvitationForm(request.POST or None) if user is None and not existing else None
    if request.method == "POST":
        try:
            if user is None and form is not None and form.is_valid():
                user = account_services.user_create(
                    actor=None,
                    email=invitation.email,
                    password=form.cleaned_data["password"],
                    full_name=form.cleaned_data["full_name"],
                )
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            if user is not None:
                membership = services.invitation_accept(user=user, raw_token=token)
                messages.success(request, f"Welcome to {membership.org.name}.")
                return redirect("web:dashboard", org=membership.org.slug)
        except ValidationError as exc:
            if form is not None:
                form_errors_from(form, exc)
            else:
                messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "web/invitation_accept.html",
        {"invitation": invitation, "form": form, "needs_login": user is None and existing},
    )


@org_view("activity", perm=Perm.VIEW_AUDIT_TRAIL)
def activity(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ActivityFilterForm(request.GET or None)
    filters: dict[str, object] = {}
    if form.is_valid():
        data = form.cleaned_data
        filters = {
            "action": data["action"] or None,
            "object_type": data["object_type"] or None,
            "actor_email": data["actor"] or None,
            "since": _day_start(data["since"]),
            "until": _day_start(data["until"], plus_days=1),
        }
    events = selectors.audit_event_list(actor=actor, **filters)  # type: ignore[arg-type]
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "actor": actor,
        "org": actor.org,
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "actions": selectors.audit_action_choices(actor=actor),
    }
    template = "web/activity.html#events" if request.htmx else "web/activity.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _day_start(day: dt.date | None, plus_days: int = 0) -> dt.datetime | None:
    if day is None:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=plus_days), dt.time.min, tzinfo=dt.UTC)


@org_view("soa")
def readiness_dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {
        "org": actor.org,
        "r": soa_readiness.readiness(actor=actor),
        "statuses": soa_readiness.PROGRESS,
        "tab": "readiness",
    }
    return render(request, "web/readiness.html", context)


@org_view("work")
def my_work(request: HttpRequest, actor: Actor) -> HttpResponse:
    work = mywork.my_work(actor=actor)
    overdue = work.overdue_tasks
    context = {
        "org": actor.org,
        "work": work,
        "overdue": overdue,
        "upcoming": [t for t in work.tasks if t not in overdue],
        "counts": work.counts(),
        "org_counts": work_selectors.task_counts(actor=actor),
        "today": work.today,
        "can_create": actor.can(Perm.EDIT_ISMS),
    }
    return render(request, "web/my_work.html", context)
