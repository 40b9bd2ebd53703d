"""Shared pieces of the REST API: error shapes, pagination and error handlers.

Authentication lives in ``openisms.accounts.auth`` and the caller's organisation role in
``openisms.orgs.access``: this module sits below both."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination


class Error(Schema):
    detail: Any


class Pagination(LimitOffsetPagination):
    """Every list is paginated: ``?limit=`` (1-500, default 50) and ``?offset=``.

    The limits come from NINJA_PAGINATION_PER_PAGE and NINJA_PAGINATION_MAX_LIMIT in settings.
    """


def _validation_detail(exc: ValidationError) -> Any:
    if hasattr(exc, "error_dict"):
        return [
            {"loc": ["body", field], "msg": " ".join(messages)}
            for field, messages in exc.message_dict.items()
        ]
    return [{"loc": ["body"], "msg": message} for message in exc.messages]


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, {"detail": str(exc) or "You do not have permission."}, status=403
        )

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)
