"""Pieces the organisation documents (SSP, assessment results) share: the member check, parties
and roles from the memberships, evidence as back-matter resources, and the catalog resource
that names our export of the SoA's framework."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.http import Http404

from openisms.accounts.models import User
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import Actor, Perm
from openisms.orgs.models import Membership, Organization, Role
from openisms.oscal.common import NS, clean, line, prop, uid

EXTRA_ROLES = (
    ("control-owner", "Control owner"),
    ("asset-owner", "Asset owner"),
    ("asset-custodian", "Asset custodian"),
    ("evidence-owner", "Evidence owner"),
)


def require_member(actor: Actor, organization: Organization) -> None:
    """The actor must be a member of ``organization`` (404 otherwise, as everywhere)."""
    if actor.org.pk != organization.pk:
        raise Http404("No such organisation.")
    actor.require(Perm.VIEW)


def org_uuid(org: Organization) -> str:
    return uid("organization", org.pk)


def party_uuid(org: Organization, user_id: int) -> str:
    return uid("party", org.pk, user_id)


def roles() -> list[dict[str, Any]]:
    out = [{"id": value, "title": label} for value, label in Role.choices]
    out.extend({"id": value, "title": label} for value, label in EXTRA_ROLES)
    return out


def _person_name(user: User) -> str:
    return line(user.full_name or user.email)


def parties(org: Organization, members: Iterable[Membership]) -> list[dict[str, Any]]:
    """The organisation, then each member as a person of it."""
    out: list[dict[str, Any]] = [
        {"uuid": org_uuid(org), "type": "organization", "name": line(org.name)}
    ]
    for member in members:
        out.append(
            {
                "uuid": party_uuid(org, member.user_id),
                "type": "person",
                "name": _person_name(member.user),
                "email-addresses": [member.user.email],
                "member-of-organizations": [org_uuid(org)],
            }
        )
    return out


def responsible_parties(org: Organization, members: Iterable[Membership]) -> list[dict[str, Any]]:
    """Members by their role in the organisation."""
    by_role: dict[str, list[str]] = {}
    for member in members:
        by_role.setdefault(member.role, []).append(party_uuid(org, member.user_id))
    return [
        {"role-id": role, "party-uuids": by_role[role]}
        for role, _ in Role.choices
        if role in by_role
    ]


def responsible(
    org: Organization, role: str, user_id: int | None, members: set[int]
) -> list[dict[str, Any]]:
    """A responsible-role naming the member, or nothing when there is no such member."""
    if user_id is None:
        return []
    entry: dict[str, Any] = {"role-id": role}
    if user_id in members:
        entry["party-uuids"] = [party_uuid(org, user_id)]
    return [entry]


def evidence_uuid(org: Organization, item: EvidenceItem) -> str:
    return uid("evidence", org.pk, item.number)


def evidence_resource(org: Organization, item: EvidenceItem) -> dict[str, Any]:
    """An evidence item as a back-matter resource: title, description and facts, never the
    file's content (a link item keeps its URL)."""
    props = [prop("evidence-ref", item.ref), prop("kind", item.kind)]
    props.append(prop("collected-on", item.collected_on.isoformat()))
    if item.valid_until:
        props.append(prop("valid-until", item.valid_until.isoformat()))
    version = item.current_version
    if version is not None:
        props.append(prop("file-name", version.original_name))
        props.append(prop("sha256", version.sha256))
    resource: dict[str, Any] = {
        "uuid": evidence_uuid(org, item),
        "title": line(f"{item.ref} {item.title}"),
        "props": props,
    }
    if clean(item.description):
        resource["description"] = clean(item.description)
    if item.url:
        resource["rlinks"] = [{"href": item.url}]
    return resource


def catalog_resource(slug: str, name: str) -> dict[str, Any]:
    """The back-matter resource naming our OSCAL catalog export of a framework."""
    return {
        "uuid": uid("catalog-resource", slug),
        "title": line(f"{name}: OSCAL catalog export of OpenISMS"),
        "props": [prop("framework", slug)],
        "document-ids": [{"scheme": f"{NS}/framework", "identifier": slug}],
    }
