"""View helpers: every organisation page resolves its actor through the access choke point."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from openisms.accounts.mfa import mfa_enabled
from openisms.orgs.access import Perm, actor_for

OrgView = Callable[..., HttpResponse]


def org_view(section: str = "", perm: Perm | None = None) -> Callable[[OrgView], OrgView]:
    """Resolve ``org`` from the URL to an Actor (404 for non-members, 403 without ``perm``)."""

    def decorate(view: OrgView) -> OrgView:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, org: str, *args: Any, **kwargs: Any) -> HttpResponse:
            actor = actor_for(request.user, org)  # type: ignore[arg-type]
            if actor.org.require_mfa and not mfa_enabled(request.user):  # type: ignore[arg-type]
                messages.warning(
                    request,
                    f"{actor.org.name} requires multi-factor authentication: set it up to "
                    "continue.",
                )
                return redirect("accounts:security")
            if perm is not None:
                actor.require(perm)
            request.nav_section = section  # type: ignore[attr-defined]
            response = view(request, actor, *args, **kwargs)
            response.headers.setdefault("Vary", "HX-Request")
            return response

        return wrapper

    return decorate
