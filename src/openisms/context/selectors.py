"""Reads for the ISMS context. Each takes the actor and owns its joins."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from openisms.context.models import (
    Context,
    ContextVersion,
    InterestedParty,
    Issue,
    ItemStatus,
    PartyRequirement,
)
from openisms.core.models import ApprovalState
from openisms.orgs.access import Actor, get_scoped_or_404, scoped
from openisms.orgs.approvals import ItemChange, fields_diff, items_diff

SCOPE_FIELDS = ("scope", "boundaries", "interfaces", "exclusions")
ISSUE_NAMES = ("kind", "category", "title", "description", "effect", "owner", "status")
PARTY_NAMES = ("name", "kind", "needs", "status")
REQ_NAMES = ("party", "title", "kind", "reference", "description", "addressed", "how", "status")


def context_get(*, actor: Actor) -> Context | None:
    """The organisation's context row (None only for an organisation made before the app)."""
    return scoped(actor, Context).first()


def issue_list(
    *, actor: Actor, kind: str | None = None, status: str | None = None, q: str = ""
) -> QuerySet[Issue]:
    qs = scoped(actor, Issue).select_related("owner")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if q.strip():
        qs = qs.filter(title__icontains=q.strip())
    return qs.order_by("number")


def issue_get(*, actor: Actor, issue_id: int) -> Issue:
    return get_scoped_or_404(scoped(actor, Issue).select_related("owner"), pk=issue_id)


def party_list(*, actor: Actor, status: str | None = None) -> QuerySet[InterestedParty]:
    requirements = scoped(actor, PartyRequirement).order_by("number")
    qs = scoped(actor, InterestedParty).prefetch_related(
        Prefetch("requirements", queryset=requirements)
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("number")


def party_get(*, actor: Actor, party_id: int) -> InterestedParty:
    return get_scoped_or_404(party_list(actor=actor), pk=party_id)


def requirement_list(
    *, actor: Actor, status: str | None = None, party: int | None = None
) -> QuerySet[PartyRequirement]:
    qs = scoped(actor, PartyRequirement).select_related("party")
    if status:
        qs = qs.filter(status=status)
    if party:
        qs = qs.filter(party_id=party)
    return qs.order_by("number")


def requirement_get(*, actor: Actor, requirement_id: int) -> PartyRequirement:
    return get_scoped_or_404(requirement_list(actor=actor), pk=requirement_id)


def requirement_choices(*, actor: Actor) -> list[tuple[int, str]]:
    """Active requirements as (id, label) for citing them on SoA rows."""
    rows = requirement_list(actor=actor, status=ItemStatus.ACTIVE)
    return [(r.pk, f"{r.ref} {r.title} ({r.party.name})") for r in rows]


# --- snapshots and versions -----------------------------------------------------------------


def live_snapshot(*, actor: Actor) -> dict[str, Any]:
    """Everything a context version freezes, as plain values (four queries)."""
    ctx = context_get(actor=actor)
    issues = [
        {
            "key": i.ref,
            "ref": i.ref,
            "kind": i.kind,
            "category": i.category,
            "title": i.title,
            "description": i.description,
            "effect": i.effect,
            "owner": i.owner.email if i.owner else None,
            "status": i.status,
        }
        for i in issue_list(actor=actor)
    ]
    parties: list[dict[str, Any]] = []
    requirements: list[dict[str, Any]] = []
    for p in party_list(actor=actor):
        parties.append(
            {
                "key": p.ref,
                "ref": p.ref,
                "title": p.name,
                "name": p.name,
                "kind": p.kind,
                "needs": p.needs,
                "status": p.status,
            }
        )
        for r in p.requirements.all():
            requirements.append(
                {
                    "key": r.ref,
                    "ref": r.ref,
                    "party": p.ref,
                    "title": r.title,
                    "kind": r.kind,
                    "reference": r.reference,
                    "description": r.description,
                    "addressed": r.addressed,
                    "how": r.how,
                    "status": r.status,
                }
            )
    requirements.sort(key=lambda r: str(r["ref"]))
    return {
        "organization": actor.org.name,
        "scope": actor.org.scope,
        "boundaries": ctx.boundaries if ctx else "",
        "interfaces": ctx.interfaces if ctx else "",
        "exclusions": ctx.exclusions if ctx else "",
        "issues": issues,
        "parties": parties,
        "requirements": requirements,
    }


def version_list(*, actor: Actor) -> QuerySet[ContextVersion]:
    return scoped(actor, ContextVersion).select_related(
        "submitted_by", "approved_by", "rejected_by"
    )


def version_get(*, actor: Actor, version_id: int) -> ContextVersion:
    return get_scoped_or_404(version_list(actor=actor), pk=version_id)


def current_approved(*, actor: Actor) -> ContextVersion | None:
    return version_list(actor=actor).filter(state=ApprovalState.APPROVED).first()


def pending_version(*, actor: Actor) -> ContextVersion | None:
    return version_list(actor=actor).filter(state=ApprovalState.SUBMITTED).first()


def snapshot_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What changed between two snapshots: scope fields, issues, parties, requirements."""
    issues: list[ItemChange] = items_diff(
        before.get("issues", []), after.get("issues", []), names=ISSUE_NAMES
    )
    parties = items_diff(before.get("parties", []), after.get("parties", []), names=PARTY_NAMES)
    reqs = items_diff(
        before.get("requirements", []), after.get("requirements", []), names=REQ_NAMES
    )
    return {
        "scope": fields_diff(before, after, SCOPE_FIELDS),
        "issues": issues,
        "parties": parties,
        "requirements": reqs,
        "empty": not (fields_diff(before, after, SCOPE_FIELDS) or issues or parties or reqs),
    }


def diff_for(*, actor: Actor, version_id: int, against: str = "live") -> dict[str, Any]:
    """The changes from one version to the live context or to another version (by number)."""
    version = version_get(actor=actor, version_id=version_id)
    if against.strip().lower() in ("", "live"):
        after = live_snapshot(actor=actor)
    elif against.strip().isdigit():
        other = get_scoped_or_404(version_list(actor=actor), number=int(against))
        after = other.snapshot
    else:
        raise ValidationError({"against": "Use 'live' or a version number."})
    return snapshot_diff(version.snapshot, after)
