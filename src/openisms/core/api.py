"""Shared pieces of the REST API: error shapes, input limits, pagination and error handlers.

Authentication lives in ``openisms.accounts.auth`` and the caller's organisation role in
``openisms.orgs.access``: this module sits below both."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError
from django.http import HttpRequest, HttpResponse
from ninja import Field, NinjaAPI, Path, Schema
from ninja.pagination import LimitOffsetPagination

from openisms.core.limits import MAX_DB_INT, MAX_ITEMS, MAX_OFFSET, MAX_SHORT, MAX_TEXT
from openisms.core.versions import VersionConflict

# The limits every input schema declares, so the OpenAPI document states them and a value
# beyond them answers 422 naming the field before any query runs.
DbId = Annotated[int, Field(ge=1, le=MAX_DB_INT)]
"""A database id in a body or a list of ids (``depends_on``, ``assets``)."""
PathId = Annotated[int, Path(ge=1, le=MAX_DB_INT)]
"""A database id in a URL path (``/assets/{asset_id}``)."""
Ids = Annotated[list[DbId], Field(max_length=MAX_ITEMS)]
Text = Annotated[str, Field(max_length=MAX_TEXT)]
"""Free text such as a description or notes."""
Short = Annotated[str, Field(max_length=MAX_SHORT)]
"""One short value in a list: a tag, a reference, an e-mail address."""
Shorts = Annotated[list[Short], Field(max_length=MAX_ITEMS)]
Email = Annotated[str, Field(max_length=254)]
"""A member named by e-mail address (an owner, a custodian)."""
# A string field as long as its model column: ``name: str = Field(max_length=200)``.


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
    """409: the write named an older version of the row than the stored one (``version`` and
    ``changed`` are there), or, rarely, the database refused it as a duplicate (only
    ``detail``)."""

    detail: str
    version: int | None = None  # the stored version: send it to overwrite deliberately
    changed: dict[str, Any] | None = None  # each field changed since, with its value now


class Pagination(LimitOffsetPagination):
    """Every list is paginated: ``?limit=`` (1-500, default 50) and ``?offset=``.

    The limits come from NINJA_PAGINATION_PER_PAGE and NINJA_PAGINATION_MAX_LIMIT in settings;
    the offset is bounded so that no database is asked for a row beyond a 64-bit integer.
    """

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=MAX_OFFSET)


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

    @api.exception_handler(VersionConflict)
    def stale(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
        return api.create_response(request, exc.body(), status=409)

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return api.create_response(request, {"detail": _validation_detail(exc)}, status=422)

    # Last resorts: services validate first (field errors, 422), so these answer only a race
    # (two requests creating the same name at once) or a value no schema bounded yet.
    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        detail = "The change conflicts with existing data (a duplicate or a missing reference)."
        return api.create_response(request, {"detail": detail}, status=409)

    @api.exception_handler(DataError)
    def out_of_range(request: HttpRequest, exc: DataError) -> HttpResponse:
        detail = [{"loc": ["body"], "msg": "A value is too long or out of range."}]
        return api.create_response(request, {"detail": detail}, status=422)

    @api.exception_handler(OverflowError)
    def overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
        detail = [{"loc": [], "msg": f"A number is out of range (at most {MAX_DB_INT})."}]
        return api.create_response(request, {"detail": detail}, status=422)
