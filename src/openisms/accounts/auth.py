"""API authentication: personal tokens or the browser session.

A token's limits are enforced here and in the organisation choke point
(``openisms.orgs.access.request_actor``): a read-only token is refused any method that writes,
an organisation-bound token reaches no other organisation, and routes that manage tokens,
memberships or the organisation itself accept a browser session only (``SESSION_ONLY``)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from openisms.accounts.models import ApiToken
from openisms.accounts.services import token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_ONLY_MESSAGE = (
    "API tokens cannot do this: managing tokens, members, invitations or the organisation's "
    "settings needs a signed-in browser session."
)


class BearerToken(HttpBearer):
    """Personal API tokens: ``Authorization: Bearer oism_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = token_authenticate(token)
        if api_token is None:
            return None
        if api_token.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("This API token is read-only: create a read-write token.")
        request.user = api_token.user
        request.api_token = api_token  # type: ignore[attr-defined]
        return api_token.user


class TokenRefused(HttpBearer):
    """Answers 403 to any bearer token, so that only the session authenticator remains."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        raise PermissionDenied(SESSION_ONLY_MESSAGE)


def request_token(request: HttpRequest) -> ApiToken | None:
    """The API token the request authenticated with, or None for a browser session."""
    return getattr(request, "api_token", None)


AUTH = [BearerToken(), django_auth]
SESSION_ONLY = [TokenRefused(), django_auth]
