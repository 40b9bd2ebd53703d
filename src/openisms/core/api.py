"""Shared pieces of the REST API: error shapes, pagination and error handlers.

Authentication lives in ``openisms.accounts.auth`` and the caller's organisation role in
``openisms.orgs.access``: this module sits below both."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import Field

from openisms.core.versions import VersionConflict


class Error(Schema):
    detail: Any


# The optimistic lock of a PATCH: the ``version`` the client last read. Left out, the last
# write wins; when it is not the stored version the write is refused with 409 (Conflict).
VersionIn = Annotated[
    int | None,
    Field(
        ge=1,
        le=2**31 - 1,
        description="The version you read (GET); a newer stored version refuses the write "
        "with 409. Leave it out to overwrite whatever is stored.",
    ),
]


class Conflict(Schema):
    """409: the write named an older version of the row than the stored one."""

    detail: str
    version: int  # the stored version: send it to overwrite deliberately
    changed: dict[str, Any]  # each field changed since the version sent, with its value now


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

    @api.exception_handler(VersionConflict)
    def conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
        return api.create_response(request, exc.body(), status=409)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)
