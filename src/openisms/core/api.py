"""Shared pieces of the REST API: authentication, error shapes and pagination."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination
from ninja.security import HttpBearer, django_auth

from openisms.accounts.services import token_authenticate
from openisms.core.access import Actor, actor_for


class BearerToken(HttpBearer):
    """Personal API tokens: ``Authorization: Bearer oism_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]


class Error(Schema):
    detail: Any


class Pagination(LimitOffsetPagination):
    """Every list is paginated: ``?limit=`` (1-500, default 50) and ``?offset=``.

    The limits come from NINJA_PAGINATION_PER_PAGE and NINJA_PAGINATION_MAX_LIMIT in settings.
    """


def actor(request: HttpRequest, org: str) -> Actor:
    """The caller inside organisation ``org`` (404 when not a member)."""
    return actor_for(request.auth, org)  # type: ignore[attr-defined]


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
