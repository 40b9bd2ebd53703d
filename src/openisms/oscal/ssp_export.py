"""An organisation's ISMS as an OSCAL system security plan.

The system is the ISMS (its scope from the organisation's settings); its users are the members;
its components are "this system" and each asset of the inventory. The control implementation
has one implemented requirement per control of the register and ISO/IEC 27001 requirement it
meets (``control-id`` is the requirement's id in our catalog export), with the control's status,
owner and implementation, the assets tied to it (through the risks it treats) as statements by
component, and links to the evidence of the control and of the requirement (back-matter
resources). Every read goes through the apps' selectors, in a fixed number of queries.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from openisms.assets import selectors as asset_selectors
from openisms.assets.models import Asset, Classification
from openisms.controls import selectors as control_selectors
from openisms.controls.models import Control, ControlStatus
from openisms.evidence import selectors as evidence_selectors
from openisms.evidence.models import EvidenceItem
from openisms.orgs import selectors as org_selectors
from openisms.orgs.access import Actor
from openisms.orgs.models import Organization
from openisms.oscal.common import (
    NS,
    clean,
    document,
    latest,
    line,
    metadata,
    prop,
    timestamp,
    token,
    uid,
)
from openisms.oscal.org_parts import (
    catalog_resource,
    evidence_resource,
    evidence_uuid,
    parties,
    require_member,
    responsible,
    responsible_parties,
    roles,
)
from openisms.risks import selectors as risk_selectors
from openisms.soa import selectors as soa_selectors
from openisms.soa.models import soa_framework

IMPLEMENTATION_STATE = {
    ControlStatus.IMPLEMENTED: "implemented",
    ControlStatus.PARTIALLY_IMPLEMENTED: "partial",
    ControlStatus.PLANNED: "planned",
    ControlStatus.NOT_STARTED: "planned",  # OSCAL has no "not started"; the prop keeps ours
    "not_applicable": "not-applicable",
}
CLASSIFICATION_ORDER = [value for value, _ in Classification.choices]
COMPONENT_TYPES = {"software": "software", "hardware": "hardware", "service": "service"}
COMPONENT_TYPES |= {"site": "physical"}


def fips_level(rating: int) -> str:
    """Our 1-5 rating as a FIPS 199 impact level (1-2 low, 3 moderate, 4-5 high)."""
    return (
        "fips-199-low" if rating <= 2 else "fips-199-moderate" if rating == 3 else "fips-199-high"
    )


def ssp_document(*, actor: Actor, organization: Organization) -> dict[str, Any]:
    """The organisation's ISMS as an OSCAL SSP (a fixed number of queries, see the tests)."""
    require_member(actor, organization)
    org = organization
    members = list(org_selectors.member_list(actor=actor))
    member_ids = {m.user_id for m in members}
    assets = list(asset_selectors.asset_list(actor=actor))
    slug = soa_framework()
    controls = [
        c
        for c in control_selectors.control_list(actor=actor)
        if any(r.framework.slug == slug for r in c.requirements.all())
    ]
    ties = risk_selectors.assets_of_controls(actor=actor)
    evidence = list(evidence_selectors.evidence_list(actor=actor))
    framework_name = soa_selectors.framework_name(slug=slug)

    by_control: dict[int, list[EvidenceItem]] = {}
    by_requirement: dict[int, list[EvidenceItem]] = {}
    for item in sorted(evidence, key=lambda i: i.number):
        for link in evidence_selectors.links_of(item):
            if link.control_id:
                by_control.setdefault(link.control_id, []).append(item)
            elif link.requirement_id:
                by_requirement.setdefault(link.requirement_id, []).append(item)

    this_system = uid("component", org.pk, "this-system")
    asset_uuids = {a.pk: uid("component", org.pk, "asset", a.pk) for a in assets}
    implemented: list[dict[str, Any]] = []
    cited: dict[int, EvidenceItem] = {}
    for control in controls:
        for req in control.requirements.all():
            if req.framework.slug != slug:
                continue
            items = by_control.get(control.pk, []) + by_requirement.get(req.pk, [])
            items = list({i.pk: i for i in items}.values())
            cited.update((i.pk, i) for i in items)
            implemented.append(
                _implemented(
                    org, control, req.ref, this_system, member_ids, items, ties, asset_uuids
                )
            )

    if not implemented:
        # OSCAL wants at least one implemented requirement: say what to do, not write an
        # invalid document.
        raise ValidationError(
            "The control register has no control that meets a requirement of "
            f"{framework_name} yet: an SSP describes how controls are implemented, so add one "
            "(Controls, or set a status in the Statement of Applicability) first."
        )
    resources = [catalog_resource(slug, framework_name)]
    resources.extend(
        evidence_resource(org, i) for i in sorted(cited.values(), key=lambda i: i.number)
    )
    modified = latest(
        [org.updated_at]
        + [m.updated_at for m in members]
        + [a.updated_at for a in assets]
        + [c.updated_at for c in controls]
        + [i.updated_at for i in cited.values()]
    )
    body: dict[str, Any] = {
        "metadata": metadata(
            title=f"{org.name}: system security plan of the ISMS",
            last_modified=modified,
            version=timestamp(modified),
            roles=roles(),
            parties=parties(org, members),
            responsible_parties=responsible_parties(org, members),
        ),
        "import-profile": {
            "href": f"#{resources[0]['uuid']}",
            "remarks": f"The controls are those of our OSCAL catalog export of {framework_name}.",
        },
        "system-characteristics": _characteristics(org, assets),
        "system-implementation": _implementation(org, members, assets, this_system, asset_uuids),
        "control-implementation": {
            "description": (
                f"How {line(org.name)} implements the requirements of {framework_name}: one entry "
                "per control of its register and requirement the control meets."
            ),
            "implemented-requirements": implemented,
        },
        "back-matter": {"resources": resources},
    }
    return document("system-security-plan", body)


def _characteristics(org: Organization, assets: list[Asset]) -> dict[str, Any]:
    scope = clean(org.scope) or f"The information security management system of {line(org.name)}."
    props = [prop("sector", org.sector), prop("size", org.size)]
    if org.pii_role:
        props.append(prop("pii-role", org.pii_role))
    out: dict[str, Any] = {
        "system-ids": [{"identifier-type": f"{NS}/organization", "id": org.slug}],
        "system-name": line(org.name),
        "system-name-short": org.slug,
        "description": scope,
        "props": props,
    }
    classes = sorted({a.classification for a in assets}, key=CLASSIFICATION_ORDER.index)
    if classes:
        out["security-sensitivity-level"] = classes[-1]
    out["system-information"] = {"information-types": _information_types(org, assets, classes)}
    if assets:
        out["security-impact-level"] = {
            "security-objective-confidentiality": fips_level(
                max(a.confidentiality for a in assets)
            ),
            "security-objective-integrity": fips_level(max(a.integrity for a in assets)),
            "security-objective-availability": fips_level(max(a.availability for a in assets)),
        }
    out["status"] = {"state": "operational"}
    out["authorization-boundary"] = {"description": scope}
    return out


def _information_types(
    org: Organization, assets: list[Asset], classes: list[str]
) -> list[dict[str, Any]]:
    """One information type per asset classification in use, rated by the highest C, I and A
    of its assets; a generic one when the inventory is empty."""
    if not classes:
        return [
            {
                "uuid": uid("information-type", org.pk, "organisation"),
                "title": "Organisation information",
                "description": "The information the ISMS protects (no assets are recorded yet).",
            }
        ]
    labels = dict(Classification.choices)
    out = []
    for value in classes:
        group = [a for a in assets if a.classification == value]
        names = ", ".join(a.name for a in group[:10]) + (", ..." if len(group) > 10 else "")
        out.append(
            {
                "uuid": uid("information-type", org.pk, value),
                "title": f"{labels[value]} information",
                "description": (
                    f"Assets classified {labels[value].lower()} ({len(group)}): {names}."
                ),
                "props": [prop("classification", value)],
                "confidentiality-impact": {
                    "base": fips_level(max(a.confidentiality for a in group))
                },
                "integrity-impact": {"base": fips_level(max(a.integrity for a in group))},
                "availability-impact": {"base": fips_level(max(a.availability for a in group))},
            }
        )
    return out


def _implementation(
    org: Organization,
    members: list[Any],
    assets: list[Asset],
    this_system: str,
    asset_uuids: dict[int, str],
) -> dict[str, Any]:
    member_ids = {m.user_id for m in members}
    components: list[dict[str, Any]] = [
        {
            "uuid": this_system,
            "type": "this-system",
            "title": line(org.name),
            "description": clean(org.scope) or f"The ISMS of {line(org.name)}.",
            "status": {"state": "operational"},
        }
    ]
    for asset in assets:
        props = [
            prop("asset-type", asset.type),
            prop("classification", asset.classification),
            prop("confidentiality", asset.confidentiality),
            prop("integrity", asset.integrity),
            prop("availability", asset.availability),
        ]
        if asset.location:
            props.append(prop("location", asset.location))
        props.extend(prop("tag", tag) for tag in asset.tag_list)
        component: dict[str, Any] = {
            "uuid": asset_uuids[asset.pk],
            "type": COMPONENT_TYPES.get(asset.type, asset.type),
            "title": line(asset.name),
            "description": clean(asset.description) or f"{asset.get_type_display()} asset.",
            "props": props,
            "status": {"state": "operational"},
        }
        roles_ = responsible(org, "asset-owner", asset.owner_id, member_ids)
        roles_ += responsible(org, "asset-custodian", asset.custodian_id, member_ids)
        if roles_:
            component["responsible-roles"] = roles_
        components.append(component)
    users = [
        {
            "uuid": uid("user", org.pk, m.user_id),
            "title": line(m.user.full_name or m.user.email),
            "props": [prop("email", m.user.email)],
            "role-ids": [m.role],
        }
        for m in members
    ]
    out: dict[str, Any] = {"components": components}
    if users:
        out = {"users": users, **out}
    return out


def _implemented(
    org: Organization,
    control: Control,
    ref: str,
    this_system: str,
    member_ids: set[int],
    items: list[EvidenceItem],
    ties: dict[int, list[int]],
    asset_uuids: dict[int, str],
) -> dict[str, Any]:
    control_id = token(ref)
    state = {"state": IMPLEMENTATION_STATE.get(control.status, "planned")}
    how = clean(control.implementation) or clean(control.description) or line(control.name)
    entry: dict[str, Any] = {
        "uuid": uid("implemented-requirement", org.pk, control.pk, ref),
        "control-id": control_id,
        "props": [
            prop("control-ref", control.ref),
            prop("control-name", control.name),
            prop("implementation-status", control.status),
            prop("requirement-ref", ref),
        ],
    }
    if control.target_date:
        entry["props"].append(prop("target-date", control.target_date.isoformat()))
    if items:
        entry["links"] = [{"href": f"#{evidence_uuid(org, i)}", "rel": "evidence"} for i in items]
    owner = responsible(org, "control-owner", control.owner_id, member_ids)
    if owner:
        entry["responsible-roles"] = owner
    entry["by-components"] = [
        {
            "component-uuid": this_system,
            "uuid": uid("by-component", org.pk, control.pk, ref, "this-system"),
            "description": how,
            "implementation-status": state,
        }
    ]
    tied = [a for a in ties.get(control.pk, []) if a in asset_uuids]
    if tied:
        entry["statements"] = [
            {
                "statement-id": f"{control_id}_smt",
                "uuid": uid("statement", org.pk, control.pk, ref),
                "by-components": [
                    {
                        "component-uuid": asset_uuids[asset_id],
                        "uuid": uid("by-component", org.pk, control.pk, ref, asset_id),
                        "description": how,
                        "implementation-status": state,
                    }
                    for asset_id in tied
                ],
            }
        ]
    if clean(control.description) and clean(control.implementation):
        entry["remarks"] = clean(control.description)
    return entry
