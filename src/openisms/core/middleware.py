from __future__ import annotations

import re
from collections.abc import Callable

from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound

from openisms.core import context

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Give every request an id (or accept a sane X-Request-ID) that audit events record."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _SAFE_ID.match(incoming) else context.new_request_id("req-")
        request.request_id = rid  # type: ignore[attr-defined]
        token = context.set_request_id(rid)
        try:
            response = self.get_response(request)
        finally:
            context.reset_request_id(token)
        response["X-Request-ID"] = rid
        return response


class BadInputMiddleware:
    """The last resort for pages: input no form foresaw answers 4xx, never a 500.

    A number in a URL beyond what the database can hold (``/assets/9223372036854775808/``)
    names nothing (404); a database conflict that a service did not check first, such as two
    people creating the same thing at the same moment, is a 409 asking to reload. The API
    has its own handlers for both (``core/api.py``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, OverflowError):
            return HttpResponseNotFound("No such page: a number in the address is out of range.")
        if isinstance(exc, IntegrityError):
            return HttpResponse(
                "This change conflicts with data saved meanwhile. Reload the page and try again.",
                status=409,
                content_type="text/plain; charset=utf-8",
            )
        return None
