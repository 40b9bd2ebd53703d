"""An organisation's requirement assessments (the SoA and the other tracked frameworks) as OSCAL
assessment results.

One result holds every assessment row of the tracked frameworks: one finding per requirement,
whose target (the requirement's id in our catalog export) is "satisfied" when the requirement
is implemented and "not-satisfied" otherwise, with our status as the reason; evidence linked to
the requirement or to a control of the register that meets it becomes an observation. When the
SoA has an approved version, the rows of the SoA's framework report that version's state (the
approved SoA), the others the working state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openisms.controls import selectors as control_selectors
from openisms.evidence import selectors as evidence_selectors
from openisms.evidence.models import EvidenceItem
from openisms.orgs import selectors as org_selectors
from openisms.orgs.access import Actor
from openisms.orgs.models import Organization
from openisms.oscal.common import (
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
    evidence_resource,
    evidence_uuid,
    parties,
    require_member,
    responsible_parties,
    roles,
)
from openisms.soa import selectors as soa_selectors
from openisms.soa.models import SoaEntry, SoaStatus, soa_framework

IMPLEMENTATION_STATE = {
    SoaStatus.IMPLEMENTED: "implemented",
    SoaStatus.PARTIALLY_IMPLEMENTED: "partial",
    SoaStatus.PLANNED: "planned",
    SoaStatus.NOT_STARTED: "planned",
    SoaStatus.NOT_APPLICABLE: "not-applicable",
}
LABELS = dict(SoaStatus.choices)


def _day(value: dt.date) -> str:
    return timestamp(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC))


def assessment_results_document(*, actor: Actor, organization: Organization) -> dict[str, Any]:
    """The assessments as OSCAL assessment results (a fixed number of queries)."""
    require_member(actor, organization)
    org = organization
    members = list(org_selectors.member_list(actor=actor))
    entries = list(soa_selectors.tracked_assessments(actor=actor))
    approved = soa_selectors.latest_approved(actor=actor)
    controls = control_selectors.controls_of_requirements(actor=actor)
    evidence = sorted(evidence_selectors.evidence_list(actor=actor), key=lambda i: i.number)

    # Evidence of each requirement: linked to it, or to a control of the register meeting it.
    requirements_of_control: dict[int, list[int]] = {}
    for requirement_id, linked in controls.items():
        for control in linked:
            requirements_of_control.setdefault(control.id, []).append(requirement_id)
    evidence_of: dict[int, list[EvidenceItem]] = {}
    for item in evidence:
        for link in evidence_selectors.links_of(item):
            if link.requirement_id:
                targets = [link.requirement_id]
            elif link.control_id:
                targets = requirements_of_control.get(link.control_id, [])
            else:
                continue
            for requirement_id in targets:
                items = evidence_of.setdefault(requirement_id, [])
                if item not in items:
                    items.append(item)

    frozen = {}
    if approved is not None:
        frozen = {row.get("ref"): row for row in approved.rows}
    slug = soa_framework()
    findings, excluded = [], []
    observed: dict[int, EvidenceItem] = {}
    for entry in entries:
        state = _state(entry, frozen if entry.requirement.framework.slug == slug else {})
        items = evidence_of.get(entry.requirement_id, [])
        observed.update((i.pk, i) for i in items)
        findings.append(_finding(org, entry, state, items))
        if not state["applicable"]:
            excluded.append({"control-id": token(entry.requirement.ref)})
    observations = [_observation(org, item) for item in observed.values()]
    observations.sort(key=lambda o: o["title"])

    modified = latest(
        [org.updated_at, approved.approved_at if approved else None]
        + [e.updated_at for e in entries]
        + [i.updated_at for i in observed.values()]
    )
    selection: dict[str, Any] = {
        "description": "Every requirement of the frameworks the organisation tracks; "
        "excluded requirements are left out.",
        "include-all": {},
    }
    if excluded:
        selection["exclude-controls"] = excluded
    result: dict[str, Any] = {
        "uuid": uid("result", org.pk, approved.number if approved else "working"),
        "title": "Requirement assessments and Statement of Applicability",
        "description": _result_description(approved),
        "start": timestamp(modified),
        "props": [prop("soa-framework", slug)],
        "reviewed-controls": {"control-selections": [selection]},
    }
    if approved is not None:
        result["props"].append(prop("soa-version", approved.number))
    if observations:
        result["observations"] = observations
    if findings:
        result["findings"] = findings
    ssp_resource = {
        "uuid": uid("ssp-resource", org.pk),
        "title": f"{line(org.name)}: system security plan (OSCAL SSP export of OpenISMS)",
        "remarks": "There is no separate assessment plan: the assessments follow the SSP.",
    }
    resources = [ssp_resource]
    resources.extend(
        evidence_resource(org, i) for i in sorted(observed.values(), key=lambda i: i.number)
    )
    body: dict[str, Any] = {
        "metadata": metadata(
            title=f"{org.name}: requirement assessments",
            last_modified=modified,
            version=f"soa-{approved.number}" if approved else timestamp(modified),
            roles=roles(),
            parties=parties(org, members),
            responsible_parties=responsible_parties(org, members),
        ),
        "import-ap": {"href": f"#{ssp_resource['uuid']}"},
        "results": [result],
        "back-matter": {"resources": resources},
    }
    return document("assessment-results", body)


def _result_description(approved: Any) -> str:
    if approved is None:
        return "The working state of every requirement assessment (no SoA version is approved)."
    return (
        f"The SoA as approved in version {approved.number}; the other tracked frameworks "
        "as they stand."
    )


def _state(entry: SoaEntry, frozen: dict[Any, dict[str, Any]]) -> dict[str, Any]:
    """The row's applicability, status, justification and implementation: the approved
    version's where it holds the row, else the working row's."""
    row = frozen.get(entry.requirement.ref)
    if row is not None:
        return {
            "applicable": bool(row.get("applicable", True)),
            "status": str(row.get("status") or SoaStatus.NOT_STARTED),
            "justification": str(row.get("justification") or ""),
            "implementation": str(row.get("implementation") or ""),
            "source": "approved",
        }
    return {
        "applicable": entry.applicable,
        "status": entry.status,
        "justification": entry.justification,
        "implementation": entry.implementation,
        "source": "working",
    }


def _finding(
    org: Organization, entry: SoaEntry, state: dict[str, Any], items: list[EvidenceItem]
) -> dict[str, Any]:
    req = entry.requirement
    status = state["status"]
    satisfied = status == SoaStatus.IMPLEMENTED
    label = LABELS.get(status, status)
    description = clean(state["implementation"]) or clean(state["justification"]) or label
    target: dict[str, Any] = {
        "type": "objective-id",
        "target-id": token(req.ref),
        "title": line(f"{req.ref} {req.title}"),
        "props": [
            {"name": "label", "value": line(req.ref)},
            prop("framework", req.framework.slug),
        ],
        "status": {"state": "satisfied" if satisfied else "not-satisfied", "reason": status},
        "implementation-status": {"state": IMPLEMENTATION_STATE.get(status, "planned")},
    }
    if not state["applicable"] and clean(state["justification"]):
        target["status"]["remarks"] = clean(state["justification"])
    props = [
        prop("status", status),
        prop("applicable", "true" if state["applicable"] else "false"),
        prop("state-of", state["source"]),
    ]
    if entry.override_status and state["source"] == "working":
        props.append(prop("override-status", entry.override_status))
    finding: dict[str, Any] = {
        "uuid": uid("finding", org.pk, req.framework.slug, req.ref),
        "title": line(f"{req.ref} {req.title}"),
        "description": description,
        "props": props,
        "target": target,
    }
    if items:
        finding["related-observations"] = [
            {"observation-uuid": uid("observation", org.pk, i.number)} for i in items
        ]
    if entry.override_reason and state["source"] == "working":
        finding["remarks"] = clean(entry.override_reason)
    return finding


def _observation(org: Organization, item: EvidenceItem) -> dict[str, Any]:
    observation: dict[str, Any] = {
        "uuid": uid("observation", org.pk, item.number),
        "title": line(f"{item.ref} {item.title}"),
        "description": clean(item.description) or line(item.title),
        "methods": ["EXAMINE"],
        "types": ["control-objective"],
        "relevant-evidence": [
            {
                "href": f"#{evidence_uuid(org, item)}",
                "description": line(f"{item.ref} {item.title}"),
            }
        ],
        "collected": _day(item.collected_on),
    }
    if item.valid_until:
        observation["expires"] = _day(item.valid_until)
    return observation
