from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from openisms.accounts.models import ApiToken, User


def token_list(*, actor: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=actor).select_related("org").order_by("-created_at", "-id")


def token_get(*, actor: User, token_id: int) -> ApiToken:
    """A token of the actor's own; anyone else's is indistinguishable from a missing one."""
    token = token_list(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise Http404("No such token.")
    return token


def user_exists(*, email: str) -> bool:
    return User.objects.filter(email=email.strip().lower()).exists()


def member_org_id(*, user: User, slug: str) -> int:
    """The id of an active organisation the user belongs to, for binding a token to it."""
    org_id = (
        user.memberships.filter(org__slug=slug, org__is_active=True)
        .values_list("org_id", flat=True)
        .first()
    )
    if org_id is None:
        raise ValidationError({"org": f"You are not a member of an organisation '{slug}'."})
    return int(org_id)


def member_orgs(*, user: User) -> list[tuple[int, str]]:
    """(id, name) of the active organisations the user belongs to, for the token form."""
    return list(
        user.memberships.filter(org__is_active=True)
        .order_by("org__name")
        .values_list("org_id", "org__name")
    )
