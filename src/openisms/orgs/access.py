"""The one permission choke point.

Every read of organisation data starts from an :class:`Actor`, which exists only for a
user who is a member of the organisation. ``scoped`` is the only way views, API handlers
and the CLI obtain organisation rows. A non-member gets 404 (we never reveal that an
organisation or object exists); a member whose role lacks a permission gets 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from openisms.accounts.models import User
from openisms.orgs.models import Membership, Organization


class Perm(StrEnum):
    VIEW = "view"  # read everything in the organisation
    MANAGE_ORG = "manage_org"  # settings, members, invitations
    EDIT_ISMS = "edit_isms"  # risks, SoA, controls, evidence, tasks
    EDIT_ASSIGNED = "edit_assigned"  # only what is assigned to the member
    WRITE_FINDINGS = "write_findings"  # audit findings
    APPROVE = "approve"  # approve SoA versions, accept risks on behalf of management
    VIEW_AUDIT_TRAIL = "view_audit_trail"


_ALL = frozenset(Perm)
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    "owner": _ALL,
    "admin": _ALL,
    "manager": frozenset(
        {
            Perm.VIEW,
            Perm.EDIT_ISMS,
            Perm.EDIT_ASSIGNED,
            Perm.WRITE_FINDINGS,
            Perm.VIEW_AUDIT_TRAIL,
        }
    ),
    "contributor": frozenset({Perm.VIEW, Perm.EDIT_ASSIGNED}),
    "auditor": frozenset({Perm.VIEW, Perm.WRITE_FINDINGS, Perm.VIEW_AUDIT_TRAIL}),
    "viewer": frozenset({Perm.VIEW}),
}


@dataclass(frozen=True)
class Actor:
    """A user acting inside one organisation, with the role their membership gives them."""

    user: User | None  # None only for the system actor (CLI imports, loaders)
    org: Organization
    role: str

    def can(self, perm: Perm) -> bool:
        return perm in ROLE_PERMS.get(self.role, frozenset())

    def is_assigned(self, assignee_id: int | None) -> bool:
        """Whether a row is assigned to (owned by) this member, whose role lets them edit what
        is assigned to them (Perm.EDIT_ASSIGNED)."""
        return (
            self.can(Perm.EDIT_ASSIGNED)
            and self.user is not None
            and assignee_id is not None
            and assignee_id == self.user.pk
        )

    def can_edit(self, assignee_id: int | None) -> bool:
        """Editors change any row; other members only the rows assigned to them."""
        return self.can(Perm.EDIT_ISMS) or self.is_assigned(assignee_id)

    def require(self, perm: Perm) -> None:
        if not self.can(perm):
            raise PermissionDenied(f"Your role ({self.role}) does not allow this.")


def system_actor(org: Organization) -> Actor:
    """The server itself acting in an organisation (CLI commands run by an operator)."""
    return Actor(user=None, org=org, role="owner")


def actor_for(user: User, org_slug: str) -> Actor:
    """Resolve the user's membership in one query; anything else is a 404."""
    if user is None or not user.is_authenticated:
        raise Http404("No such organisation.")
    membership = (
        Membership.objects.select_related("org")
        .filter(user=user, org__slug=org_slug, org__is_active=True)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation.")
    return Actor(user=user, org=membership.org, role=membership.role)


def scoped[M: models.Model](
    actor: Actor, source: type[M] | models.QuerySet[M]
) -> models.QuerySet[M]:
    """Rows of ``source`` that belong to the actor's organisation."""
    qs = source._default_manager.all() if isinstance(source, type) else source
    return qs.filter(org=actor.org)


def get_scoped_or_404[M: models.Model](qs: models.QuerySet[M], **lookup: object) -> M:
    """Fetch one row from an already scoped queryset; a miss is 404 whatever the reason."""
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def request_actor(request: HttpRequest, org: str) -> Actor:
    """The API caller inside organisation ``org`` (404 when not a member)."""
    return actor_for(request.auth, org)  # type: ignore[attr-defined]
