from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet

from openisms.accounts.models import User
from openisms.core.models import AuditEvent
from openisms.orgs.access import Actor, Perm, get_scoped_or_404, scoped
from openisms.orgs.models import Invitation, Membership


def memberships_of(*, user: User, only_org: int | None = None) -> QuerySet[Membership]:
    """The organisations a user can switch between (for the switcher and /api/v1/orgs);
    ``only_org`` narrows them to the one an API token is bound to."""
    qs = Membership.objects.filter(user=user, org__is_active=True)
    if only_org is not None:
        qs = qs.filter(org_id=only_org)
    return qs.select_related("org").order_by("org__name")


def member_org_ids(user: User, only_org: int | None = None) -> QuerySet[Membership, Any]:
    """The ids of the active organisations the user belongs to, as a subquery."""
    qs = Membership.objects.filter(user=user, org__is_active=True)
    if only_org is not None:
        qs = qs.filter(org_id=only_org)
    return qs.values("org_id")


def member_list(*, actor: Actor) -> QuerySet[Membership]:
    return scoped(actor, Membership).select_related("user").order_by("user__email")


def member_get(*, actor: Actor, member_id: int) -> Membership:
    return get_scoped_or_404(member_list(actor=actor), pk=member_id)


def member_counts(*, actor: Actor) -> dict[str, int]:
    rows = scoped(actor, Membership).values("role").annotate(n=Count("id"))
    return {row["role"]: row["n"] for row in rows}


def invitation_list(*, actor: Actor) -> QuerySet[Invitation]:
    actor.require(Perm.MANAGE_ORG)
    return scoped(actor, Invitation).select_related("invited_by").order_by("-created_at", "-id")


def invitation_get(*, actor: Actor, invitation_id: int) -> Invitation:
    return get_scoped_or_404(invitation_list(actor=actor), pk=invitation_id)


def audit_event_list(
    *,
    actor: Actor,
    action: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    actor_email: str | None = None,
    since: object | None = None,
    until: object | None = None,
) -> QuerySet[AuditEvent]:
    """The organisation's activity, newest first. Auditors and managers may read it."""
    actor.require(Perm.VIEW_AUDIT_TRAIL)
    qs = scoped(actor, AuditEvent).order_by("-seq")
    if action:
        qs = qs.filter(action__startswith=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if actor_email:
        qs = qs.filter(actor_label__icontains=actor_email)
    if since:
        qs = qs.filter(created_at__gte=since)
    if until:
        qs = qs.filter(created_at__lt=until)
    return qs


def object_history(*, actor: Actor, object_type: str, object_id: object) -> QuerySet[AuditEvent]:
    """History panel for one object. Every member may see the history of what they can read."""
    return scoped(actor, AuditEvent).filter(object_type=object_type, object_id=str(object_id))


def audit_action_choices(*, actor: Actor) -> list[str]:
    return list(
        scoped(actor, AuditEvent).order_by("action").values_list("action", flat=True).distinct()
    )


def members_by_email(*, actor: Actor) -> dict[str, User]:
    """The organisation's members keyed by e-mail (one query), for resolving owner fields."""
    users = User.objects.filter(memberships__org=actor.org).order_by("email")
    return {u.email: u for u in users}


def resolve_member(
    value: object,
    field: str,
    *,
    members: dict[str, User] | None = None,
    actor: Actor | None = None,
) -> User | None:
    """A member named by e-mail (or a User), None for blank; anyone else is a field error.

    Pass ``members`` when resolving many values; otherwise they are read (one query) only when
    a value is given.
    """
    if value in (None, ""):
        return None
    if members is None:
        assert actor is not None
        members = members_by_email(actor=actor)
    email = value.email if isinstance(value, User) else str(value).strip().lower()
    if email not in members:
        raise ValidationError({field: f"{email} is not a member of this organisation."})
    return members[email]
