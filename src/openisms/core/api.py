"""Shared pieces of the REST API: error shapes, pagination and error handlers.

Authentication lives in ``openisms.accounts.auth`` and the caller's organisation role in
``openisms.orgs.access``: this module sits below both."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.pagination import LimitOffsetPagination


class Error(Schema):
    detail: Any


class Pagination(LimitOffsetPagination):
    """Every list is paginated: ``?limit=`` (1-500, default 50) and ``?offset=``.

    The limits come from NINJA_PAGINATION_PER_PAGE and NINJA_PAGINATION_MAX_LIMIT in settings.
    The offset stops at the largest 64-bit integer, which is what the databases can take (a
    larger one is a 422 rather than a database error).
    """

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=2**63 - 1)


# What any operation may answer besides its own responses, all with the Error body: status,
# the name of the shared response in components/responses, and what it means. A handler declares
# a status itself when it wants a more specific description or body.
COMMON_ERRORS = [
    (400, "BadRequest", "The request body could not be parsed (not valid JSON or form data)."),
    (
        401,
        "Unauthorized",
        "No valid credentials: no, an unknown, a revoked or an expired token or session.",
    ),
    (403, "Forbidden", "The caller's role in the organisation does not allow this."),
    (404, "NotFound", "No such organisation or object for this caller (nor any of others)."),
    (409, "Conflict", "The write conflicts with data already stored (for example a duplicate)."),
    (422, "UnprocessableContent", "The input is not valid; 'detail' lists the problems."),
]
READ_METHODS = frozenset({"get", "head", "options"})


def declare_error_responses(document: dict[str, Any]) -> dict[str, Any]:
    """Add the error statuses every operation can answer to each operation of an OpenAPI
    document, so that clients and the API fuzz test know every status code the API returns.
    Reads are never 409."""
    components = document.setdefault("components", {})
    components.setdefault("schemas", {}).setdefault("Error", Error.model_json_schema())
    shared = components.setdefault("responses", {})
    error_body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for _, name, description in COMMON_ERRORS:
        shared[name] = {"description": description, "content": error_body}
    for operations in document.get("paths", {}).values():
        for method, operation in operations.items():
            declared = operation.setdefault("responses", {})
            for status, name, _ in COMMON_ERRORS:
                if status == 409 and method in READ_METHODS:
                    continue
                if status not in declared and str(status) not in declared:
                    declared[status] = {"$ref": f"#/components/responses/{name}"}
    return document


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

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        """A database constraint refused the write (most often a duplicate that a service
        did not check first). Nothing was written: the service's transaction rolled back."""
        return api.create_response(
            request, {"detail": "This conflicts with data already stored."}, status=409
        )

    @api.exception_handler(OverflowError)
    @api.exception_handler(DataError)
    def out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        """A value the database cannot store or compare, such as an integer beyond 64 bits
        (OverflowError on SQLite, DataError on PostgreSQL) or text longer than its column."""
        return api.create_response(
            request, {"detail": [{"loc": [], "msg": "A value is out of range."}]}, status=422
        )
