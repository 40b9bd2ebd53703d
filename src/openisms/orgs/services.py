"""Writes for organisations, memberships and invitations."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import TypedDict, Unpack

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openisms.accounts import services as token_services
from openisms.accounts.models import User
from openisms.core import audit
from openisms.orgs.access import Actor, Perm
from openisms.orgs.models import RESERVED_SLUGS, Invitation, Membership, Organization, Role
from openisms.orgs.signals import organization_pii_role_changed
from openisms.orgs.starters import organization_start
from openisms.orgs.tasks import send_invitation_email
from openisms.orgs.updates import audited_update


class OrganizationChanges(TypedDict, total=False):
    name: str
    slug: str
    scope: str
    size: str
    sector: str
    pii_role: str
    separate_approval: bool
    require_mfa: bool


ORG_FIELDS = tuple(OrganizationChanges.__annotations__)
OWNERS_ONLY = frozenset({Role.OWNER})


def _validate_org(org: Organization) -> None:
    if org.slug in RESERVED_SLUGS:
        raise ValidationError({"slug": f"'{org.slug}' is reserved; choose another."})
    org.full_clean()


@transaction.atomic
def organization_create(
    *,
    actor: User | None,
    name: str,
    slug: str,
    scope: str = "",
    size: str = "1-49",
    sector: str = "other",
    pii_role: str = "",
    owner: User | None = None,
) -> Organization:
    """Create an organisation; its creator (or ``owner`` for the CLI) becomes its owner.

    Every domain's starter runs in the same transaction (``orgs/starters.py``), so the rows an
    organisation always has exist from its first request and no page has to create them.
    """
    org = Organization(
        name=(name or "").strip(),
        slug=(slug or "").strip().lower(),
        scope=scope,
        size=size,
        sector=sector,
        pii_role=pii_role or "",
    )
    _validate_org(org)
    org.save()
    audit.record(
        actor=actor, org=org, action="organization.create", obj=org, after=audit.snapshot(org)
    )
    first_owner = owner or actor
    if first_owner is not None:
        _membership_add(actor=actor, org=org, user=first_owner, role=Role.OWNER)
    organization_start(org)
    return org


@transaction.atomic
def organization_update(*, actor: Actor, **changes: Unpack[OrganizationChanges]) -> Organization:
    actor.require(Perm.MANAGE_ORG)
    unknown = set(changes) - set(ORG_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be changed."))
    org = Organization.objects.select_for_update().get(pk=actor.org.pk)

    def apply() -> None:
        for name, value in changes.items():
            setattr(org, name, value.strip() if isinstance(value, str) else value)
        _validate_org(org)

    role_before = org.pii_role
    audited_update(actor=actor, obj=org, action="organization.update", apply=apply)
    if org.pii_role != role_before:
        organization_pii_role_changed.send(sender=Organization, org=org, actor=actor)
    return org


def _membership_add(*, actor: User | None, org: Organization, user: User, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'. Use one of: {', '.join(Role)}."})
    if Membership.objects.filter(org=org, user=user).exists():
        raise ValidationError({"email": f"{user.email} is already a member."})
    membership = Membership.objects.create(org=org, user=user, role=role)
    audit.record(
        actor=actor,
        org=org,
        action="membership.create",
        obj=membership,
        object_repr=f"{user.email} as {role}",
        after=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_add(*, actor: Actor | None, org: Organization, user: User, role: str) -> Membership:
    """Add a member directly (CLI and administrators). ``actor=None`` means the system."""
    if actor is not None:
        actor.require(Perm.MANAGE_ORG)
        if role == Role.OWNER:
            actor.require_role(OWNERS_ONLY, "Only an owner can make someone an owner.")
    return _membership_add(actor=actor.user if actor else None, org=org, user=user, role=role)


def _other_owners(membership: Membership) -> bool:
    return (
        Membership.objects.filter(org_id=membership.org_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    actor.require(Perm.MANAGE_ORG)
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role '{role}'. Use one of: {', '.join(Role)}."})
    if Role.OWNER in (role, membership.role):
        actor.require_role(OWNERS_ONLY, "Only an owner can grant or take away the owner role.")
    if membership.role == Role.OWNER and role != Role.OWNER and not _other_owners(membership):
        raise ValidationError({"role": "An organisation must keep at least one owner."})
    before = audit.snapshot(membership)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="membership.update",
        obj=membership,
        object_repr=f"{membership.user.email} as {role}",
        before=before,
        after=audit.snapshot(membership),
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: Actor, membership: Membership) -> None:
    actor.require(Perm.MANAGE_ORG)
    if membership.role == Role.OWNER:
        actor.require_role(OWNERS_ONLY, "Only an owner can remove an owner.")
    if membership.role == Role.OWNER and not _other_owners(membership):
        raise ValidationError({"role": "An organisation must keep at least one owner."})
    before = audit.snapshot(membership)
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="membership.delete",
        obj=membership,
        object_repr=f"{membership.user.email} as {membership.role}",
        before=before,
    )
    membership.delete()
    # Tokens bound to this organisation would be dead weight; all-organisation tokens lose
    # access on their own, since every request resolves the membership afresh.
    token_services.tokens_revoke_for_org(
        actor=actor.user, user=membership.user, org_id=membership.org_id
    )


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def invitation_create(*, actor: Actor, email: str, role: str) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail; returns the raw token (shown once)."""
    actor.require(Perm.MANAGE_ORG)
    if role == Role.OWNER:
        actor.require_role(OWNERS_ONLY, "Only an owner can invite another owner.")
    email = (email or "").strip().lower()
    if Membership.objects.filter(org=actor.org, user__email=email).exists():
        raise ValidationError({"email": f"{email} is already a member."})
    raw = secrets.token_urlsafe(32)
    invitation = Invitation(
        org=actor.org,
        email=email,
        role=role,
        token_hash=_hash(raw),
        invited_by=actor.user,
        expires_at=timezone.now() + dt.timedelta(days=settings.OPENISMS_INVITATION_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="invitation.create",
        obj=invitation,
        after=audit.snapshot(invitation),
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: send_invitation_email.enqueue(invitation_id, raw))
    return invitation, raw


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    actor.require(Perm.MANAGE_ORG)
    if invitation.status != "pending":
        raise ValidationError({"invitation": f"This invitation is already {invitation.status}."})
    before = audit.snapshot(invitation)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="invitation.revoke",
        obj=invitation,
        before=before,
        after=audit.snapshot(invitation),
    )
    return invitation


def invitation_by_token(raw: str) -> Invitation | None:
    """The pending invitation behind a link, or None (unknown, used, revoked or expired)."""
    invitation = (
        Invitation.objects.select_related("org").filter(token_hash=_hash(raw or "")).first()
    )
    if invitation is None or invitation.status != "pending":
        return None
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, raw_token: str) -> Membership:
    invitation = invitation_by_token(raw_token)
    if invitation is None:
        raise ValidationError({"token": "This invitation link is invalid, used or expired."})
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.status != "pending":
        raise ValidationError({"token": "This invitation link is invalid, used or expired."})
    if invitation.email != user.email.lower():
        raise ValidationError(
            {"email": "This invitation was sent to another e-mail address. Log in as that user."}
        )
    before = audit.snapshot(invitation)
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    audit.record(
        actor=user,
        org=invitation.org,
        action="invitation.accept",
        obj=invitation,
        before=before,
        after=audit.snapshot(invitation),
    )
    return _membership_add(actor=user, org=invitation.org, user=user, role=invitation.role)
