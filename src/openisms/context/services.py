"""Writes for the ISMS context. Each is atomic and records its audit events."""

from __future__ import annotations

from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max
from django.utils import timezone

from openisms.context import selectors
from openisms.context.fields import (
    CONTEXT_FIELDS,
    ISSUE_FIELDS,
    ISSUE_RULE,
    PARTY_FIELDS,
    REQUIREMENT_FIELDS,
    ContextChanges,
    IssueChanges,
    PartyChanges,
    PartyRequirementChanges,
)
from openisms.context.models import (
    Context,
    ContextVersion,
    InterestedParty,
    Issue,
    ItemStatus,
    PartyRequirement,
    Retirable,
)
from openisms.core import audit
from openisms.orgs import approvals
from openisms.orgs import services as org_services
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.approvals import ApprovalFlow
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update

CONTEXT_FLOW = ApprovalFlow(noun="context version", action="context_version")


def _snap(obj: models.Model) -> dict[str, Any]:
    data = audit.snapshot(obj)
    ref = getattr(obj, "ref", None)
    if ref:
        data["ref"] = ref
    return data


def _unknown(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))


def _next_number(actor: Actor, model: type[models.Model]) -> int:
    return int(scoped(actor, model).aggregate(n=Max("number"))["n"] or 0) + 1


def _retire(obj: Retirable) -> None:
    if obj.status == ItemStatus.RETIRED:
        obj.retired_at = obj.retired_at or timezone.now()
    else:
        obj.retired_at = None


def context_start(*, actor: Actor) -> Context:
    """The organisation starter: every organisation has its context row from day one."""
    ctx, _ = Context.objects.get_or_create(org=actor.org)
    return ctx


@transaction.atomic
def context_update(*, actor: Actor, **changes: Unpack[ContextChanges]) -> Context:
    """Change the boundaries, interfaces and exclusions; a changed scope statement goes to the
    organisation (``organization_update``, owners and admins)."""
    actor.require(Perm.EDIT_ISMS)
    _unknown(dict(changes), CONTEXT_FIELDS)
    ctx = context_start(actor=actor)
    scope = changes.pop("scope", None)
    if scope is not None and scope.strip() != actor.org.scope.strip():
        org = org_services.organization_update(actor=actor, scope=scope)
        actor.org.scope = org.scope

    def apply() -> None:
        for name, value in changes.items():
            setattr(ctx, name, str(value).strip())
        ctx.full_clean(exclude=["org"])

    audited_update(actor=actor, obj=ctx, action="context.update", apply=apply)
    return ctx


# --- issues ---------------------------------------------------------------------------------


def _apply_issue(actor: Actor, issue: Issue, changes: IssueChanges) -> None:
    _unknown(dict(changes), ISSUE_FIELDS)
    for name, value in changes.items():
        if name == "owner":
            issue.owner = resolve_member(value, "owner", actor=actor)
        else:
            setattr(issue, name, value.strip() if isinstance(value, str) else value)
    _retire(issue)
    issue.full_clean(exclude=["org", "number", "owner"])


@transaction.atomic
def issue_create(*, actor: Actor, **fields: Unpack[IssueChanges]) -> Issue:
    actor.require(Perm.EDIT_ISMS)
    issue = Issue(org=actor.org)
    _apply_issue(actor, issue, fields)
    issue.number = _next_number(actor, Issue)
    issue.save()
    audit.record(
        actor=actor.user, org=actor.org, action="issue.create", obj=issue, after=_snap(issue)
    )
    return issue


@transaction.atomic
def issue_update(*, actor: Actor, issue: Issue, **changes: Unpack[IssueChanges]) -> Issue:
    """The issue's owner may change its description and effect; editors everything."""
    audited_update(
        actor=actor,
        obj=issue,
        action="issue.update",
        apply=lambda: _apply_issue(actor, issue, changes),
        snapshot=_snap,
        rule=ISSUE_RULE,
    )
    return issue


# --- interested parties and their requirements ----------------------------------------------


def _apply_plain(obj: Retirable, changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    _unknown(changes, allowed)
    for name, value in changes.items():
        setattr(obj, name, value.strip() if isinstance(value, str) else value)
    _retire(obj)


@transaction.atomic
def party_create(*, actor: Actor, **fields: Unpack[PartyChanges]) -> InterestedParty:
    actor.require(Perm.EDIT_ISMS)
    party = InterestedParty(org=actor.org)
    _apply_plain(party, dict(fields), PARTY_FIELDS)
    party.full_clean(exclude=["org", "number"])
    party.number = _next_number(actor, InterestedParty)
    party.save()
    audit.record(
        actor=actor.user, org=actor.org, action="party.create", obj=party, after=_snap(party)
    )
    return party


@transaction.atomic
def party_update(
    *, actor: Actor, party: InterestedParty, **changes: Unpack[PartyChanges]
) -> InterestedParty:
    actor.require(Perm.EDIT_ISMS)

    def apply() -> None:
        _apply_plain(party, dict(changes), PARTY_FIELDS)
        party.full_clean(exclude=["org", "number"])

    audited_update(actor=actor, obj=party, action="party.update", apply=apply, snapshot=_snap)
    return party


def _party(actor: Actor, value: object) -> InterestedParty:
    try:
        pk = int(str(value))
    except (TypeError, ValueError):
        pk = 0
    party = scoped(actor, InterestedParty).filter(pk=pk).first()
    if party is None:
        raise ValidationError({"party": f"No interested party {value} in this organisation."})
    return party


def _apply_requirement(
    actor: Actor, req: PartyRequirement, changes: PartyRequirementChanges
) -> None:
    data: dict[str, Any] = dict(changes)
    if "party" in data:
        req.party = _party(actor, data.pop("party"))
    _apply_plain(req, data, REQUIREMENT_FIELDS)
    if req.addressed and not req.how:
        raise ValidationError({"how": "Say how the ISMS addresses it."})
    req.full_clean(exclude=["org", "number", "party"])


@transaction.atomic
def requirement_create(
    *, actor: Actor, **fields: Unpack[PartyRequirementChanges]
) -> PartyRequirement:
    actor.require(Perm.EDIT_ISMS)
    if "party" not in fields:
        raise ValidationError({"party": "Choose the interested party."})
    req = PartyRequirement(org=actor.org)
    _apply_requirement(actor, req, fields)
    req.number = _next_number(actor, PartyRequirement)
    req.save()
    audit.record(
        actor=actor.user,
        org=actor.org,
        action="party_requirement.create",
        obj=req,
        after=_snap(req),
    )
    return req


@transaction.atomic
def requirement_update(
    *, actor: Actor, requirement: PartyRequirement, **changes: Unpack[PartyRequirementChanges]
) -> PartyRequirement:
    actor.require(Perm.EDIT_ISMS)
    audited_update(
        actor=actor,
        obj=requirement,
        action="party_requirement.update",
        apply=lambda: _apply_requirement(actor, requirement, changes),
        snapshot=_snap,
    )
    return requirement


# --- versions -------------------------------------------------------------------------------


@transaction.atomic
def context_submit(*, actor: Actor, comment: str = "") -> ContextVersion:
    """Freeze scope, boundaries, exclusions, issues, parties and requirements for approval."""
    actor.require(CONTEXT_FLOW.submit_perm)
    return approvals.version_submit(
        actor=actor,
        flow=CONTEXT_FLOW,
        model=ContextVersion,
        subject={},
        snapshot=selectors.live_snapshot(actor=actor),
        comment=comment,
    )


@transaction.atomic
def context_approve(*, actor: Actor, version: ContextVersion, comment: str = "") -> ContextVersion:
    return approvals.version_approve(
        actor=actor, flow=CONTEXT_FLOW, version=version, comment=comment
    )


@transaction.atomic
def context_reject(*, actor: Actor, version: ContextVersion, comment: str) -> ContextVersion:
    return approvals.version_reject(
        actor=actor, flow=CONTEXT_FLOW, version=version, comment=comment
    )
