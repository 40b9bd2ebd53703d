"""Property-based fuzzing of the whole REST API with schemathesis (issue #14).

Every operation in /api/v1/openapi.json gets a bounded number of generated requests, valid and
invalid, sent in-process through Django's request handler by an admin of a throw-away
organisation. Each response must not be a server error, and its status code, content type and
body must be what the document declares for that operation.

Isolation: the ``org`` path parameter is pinned to the throw-away organisation, so the fuzzer
never names another one (other organisations' ids it may guess are outside the admin's scope and
answer 404). Every request runs inside a savepoint that is rolled back afterwards, so the
destructive operations (deletes, membership and role changes, token creation and revocation,
leaving the organisation) are fuzzed like the others without changing what later requests see:
each request meets the same starting state, which keeps a failure reproducible from its seed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from typing import Any

import pytest
import schemathesis
from django.core.signals import got_request_exception
from django.db import transaction
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from openisms.accounts import services as account_services
from tests.conftest import add_member, make_org, make_user

EXAMPLES_PER_OPERATION = 6
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
    phases=[Phase.generate],
)


def _wsgi_app() -> Callable[..., Iterable[bytes]]:
    """A WSGI application over Django's test request handler.

    Django's own WSGI handler closes the database connection at the end of each request, which
    would end the test's transaction; the test handler does not, like Django's test client."""
    handler = ClientHandler(enforce_csrf_checks=True)

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        response = handler(environ)
        headers = list(response.items())
        headers += [("Set-Cookie", morsel.OutputString()) for morsel in response.cookies.values()]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        if response.streaming:
            return [b"".join(response.streaming_content)]
        return [response.content]

    return app


class _Undo(Exception):
    """Carries the response out of the savepoint that is being rolled back."""

    def __init__(self, response: Any) -> None:
        self.response = response


def _call_and_roll_back(case: Any, app: Any, headers: dict[str, str]) -> Any:
    """Send the case and undo whatever it wrote, even a half-done write that failed."""
    try:
        with transaction.atomic():
            raise _Undo(case.call(app=app, headers=headers))
    except _Undo as undo:
        return undo.response


class _ServerErrors:
    """The tracebacks of exceptions the views raised, for the failure report."""

    def __init__(self) -> None:
        self.last = ""
        got_request_exception.connect(self.record)

    def record(self, **kwargs: Any) -> None:
        self.last = traceback.format_exc()

    def close(self) -> None:
        got_request_exception.disconnect(self.record)


@pytest.mark.django_db
def test_every_operation_conforms_to_the_document(catalog: None) -> None:
    owner = make_user("fuzz-owner@example.com")
    org = make_org("fuzz", owner)
    admin = add_member(org, "fuzz-admin@example.com", "admin")
    _, raw_token = account_services.token_create(actor=admin, name="fuzz")
    headers = {"Authorization": f"Bearer {raw_token}"}

    app = _wsgi_app()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures: list[str] = []
    operations = 0
    server_errors = _ServerErrors()
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        pinned = {"org": org.slug} if "{org}" in operation.path else {}
        strategy = st.one_of(
            operation.as_strategy(mode, path_parameters=pinned)
            for mode in (
                schemathesis.GenerationMode.POSITIVE,
                schemathesis.GenerationMode.NEGATIVE,
            )
        )

        @FUZZ_SETTINGS
        @given(case=strategy)
        def fuzz(case: Any) -> None:
            response = _call_and_roll_back(case, app, headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        server_errors.last = ""
        try:
            fuzz()
        except (FailureGroup, AssertionError, ExceptionGroup) as exc:
            failures.append(
                f"{operation.method.upper()} {operation.path}\n{exc}\n{server_errors.last}"
            )
    server_errors.close()
    assert operations > 200
    assert not failures, f"{len(failures)} operations failed:\n\n" + "\n\n".join(failures)
