"""API authentication: personal tokens or the browser session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, django_auth

from openisms.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    """Personal API tokens: ``Authorization: Bearer oism_...``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


AUTH = [BearerToken(), django_auth]
