from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from openisms.accounts.models import ApiToken, User


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).order_by("-created_at", "-id")


def token_get(*, actor: User, token_id: int) -> ApiToken:
    """A token of the actor's own; anyone else's is indistinguishable from a missing one."""
    token = token_list(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email=email.strip().lower()).exists()
