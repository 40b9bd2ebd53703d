"""Per-request session housekeeping: "last seen" for the sessions page, and no caching of
anything shown to a logged-in user."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from openisms.accounts.sessions import session_seen


class SessionSecurityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        before = user is not None and user.is_authenticated
        if before:
            session_seen(request)
        response = self.get_response(request)
        after = getattr(request, "user", None)
        if (before or (after is not None and after.is_authenticated)) and (
            "Cache-Control" not in response
        ):
            response["Cache-Control"] = "no-store, private"
        return response
