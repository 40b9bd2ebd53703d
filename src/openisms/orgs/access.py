"""The one permission choke point.

Every read of organisation data starts from an :class:`Actor`, which exists only for a
user who is a member of the organisation. ``scoped`` is the only way views, API handlers
and the CLI obtain organisation rows. A non-member gets 404 (we never reveal that an
organisation or object exists); a member whose role lacks a permission gets 403.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest

from openisms.accounts.auth import request_token
from openisms.accounts.mfa import mfa_enabled
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


def _listing(names: Iterable[str]) -> str:
    names = sorted(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


@dataclass(frozen=True)
class EditRule:
    """Who may change which fields of one kind of row, declared once beside its service.

    Editors (``editor``, Perm.EDIT_ISMS unless said otherwise) change anything. A member with
    ``perm`` whom the row names (``assignee_attr``: its owner, assignee or author) changes only
    ``assignee_fields``. The rule is judged on the fields an edit *changes*, so sending a
    field with its current value is never refused; ``derived`` fields follow from others
    (scores, completion time) and are judged through the fields they follow from.
    """

    noun: str  # "SoA row": names the row in messages
    assignee_fields: frozenset[str]
    perm: Perm = Perm.EDIT_ASSIGNED
    assignee_attr: str = "owner_id"
    role: str = "owner"  # what the row calls the member it names: owner, assignee, author
    mine: str = "you own"  # "the SoA rows you own", "the tasks assigned to you"
    derived: frozenset[str] = frozenset()
    editor: Perm = Perm.EDIT_ISMS

    def assignee_of(self, obj: Any) -> int | None:
        """The id of the member the row names, or None (also for a row not created yet)."""
        return getattr(obj, self.assignee_attr, None) if obj is not None else None

    def forbidden(self, changed: Iterable[str]) -> list[str]:
        return sorted(set(changed) - self.assignee_fields - self.derived)


@dataclass(frozen=True)
class Actor:
    """A user acting inside one organisation, with the role their membership gives them."""

    user: User | None  # None only for the system actor (CLI imports, loaders)
    org: Organization
    role: str

    def can(self, perm: Perm) -> bool:
        return perm in ROLE_PERMS.get(self.role, frozenset())

    def is_assigned(self, assignee_id: int | None, perm: Perm = Perm.EDIT_ASSIGNED) -> bool:
        """Whether a row is assigned to (owned by) this member, whose role lets them edit what
        is assigned to them (``perm``, Perm.EDIT_ASSIGNED unless a rule says otherwise)."""
        return (
            self.can(perm)
            and self.user is not None
            and assignee_id is not None
            and assignee_id == self.user.pk
        )

    def can_edit(self, assignee_id: int | None) -> bool:
        """Editors change any row; other members only the rows assigned to them."""
        return self.can(Perm.EDIT_ISMS) or self.is_assigned(assignee_id)

    def may_edit(self, rule: EditRule, obj: Any) -> bool:
        """Whether the member may open ``obj`` for editing under ``rule`` (None: a new row,
        which only editors add)."""
        return self.can(rule.editor) or self.is_assigned(rule.assignee_of(obj), rule.perm)

    def require(self, perm: Perm, message: str | None = None) -> None:
        if not self.can(perm):
            raise PermissionDenied(message or f"Your role ({self.role}) does not allow this.")

    def require_edit(
        self,
        rule: EditRule,
        assignee_id: int | None,
        *,
        adding: bool = False,
        message: str | None = None,
    ) -> None:
        """Refuse a member who may not edit the row at all (before any work is done)."""
        if self.can(rule.editor) or self.is_assigned(assignee_id, rule.perm):
            return
        if adding:
            message = message or f"Your role does not allow adding {rule.noun}s."
        raise PermissionDenied(message or f"You can edit only the {rule.noun}s {rule.mine}.")

    def require_change(
        self, rule: EditRule, assignee_id: int | None, changed: Iterable[str]
    ) -> None:
        """Refuse a change of fields the member's part in the row does not cover.

        ``assignee_id`` is the row's assignee before the change, and ``changed`` the fields
        whose stored values the change alters (never merely the fields sent).
        """
        self.require_edit(rule, assignee_id)
        if self.can(rule.editor):
            return
        forbidden = rule.forbidden(changed)
        if forbidden:
            raise PermissionDenied(
                f"As the {rule.noun}'s {rule.role} you may change only "
                f"{_listing(rule.assignee_fields)} (not {', '.join(forbidden)})."
            )

    def require_role(self, roles: Collection[str], message: str) -> None:
        """Business rules that name roles rather than permissions: only owners grant the
        owner role, only the method's acceptors accept risks."""
        if self.role not in roles:
            raise PermissionDenied(message)


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
    """The API caller inside organisation ``org`` (404 when not a member, and for a token
    bound to another organisation).

    An organisation that requires multi-factor refuses browser-session calls from members
    without it (as its pages do); personal API tokens are not affected.
    """
    actor = actor_for(request.auth, org)  # type: ignore[attr-defined]
    token = request_token(request)
    if token is not None and token.org_id is not None and token.org_id != actor.org.pk:
        raise Http404("No such organisation.")
    if token is None and actor.org.require_mfa and not (actor.user and mfa_enabled(actor.user)):
        raise PermissionDenied(
            f"{actor.org.name} requires multi-factor authentication: set it up on your "
            "account security page, or use a personal API token."
        )
    return actor


def token_org_id(request: HttpRequest) -> int | None:
    """The organisation the request's API token is bound to, or None (session, or a token for
    all the user's organisations): for routes that list organisations rather than enter one."""
    token = request_token(request)
    return token.org_id if token is not None else None
