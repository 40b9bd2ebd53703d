"""Internal audit in the demo organisation: a three-year programme, one completed audit with
its checklist, findings of every type and an approved report, and one audit planned for next
year. Dates are relative to the day the demo is created."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.audits import follow_up, selectors, services
from openisms.audits.models import ChecklistResult, FindingType
from openisms.evidence.models import EvidenceLink
from openisms.nonconformities.models import Nonconformity
from openisms.orgs.access import Actor, scoped

CONTROLS = (
    "A.5.1",
    "A.5.15",
    "A.5.18",
    "A.5.23",
    "A.5.24",
    "A.5.30",
    "A.6.3",
    "A.7.4",
    "A.8.2",
    "A.8.7",
    "A.8.13",
    "A.8.15",
)
RESULTS = {
    "A.8.13": (ChecklistResult.NONCONFORMING, "No restore test since the platform move."),
    "A.5.18": (ChecklistResult.NONCONFORMING, "Two leavers kept access for three weeks."),
    "7.5.3": (ChecklistResult.NONCONFORMING, "Superseded runbooks still in the shared drive."),
    "9.1": (ChecklistResult.OBSERVATION, "Metrics exist but nobody reviews them monthly."),
    "A.7.4": (ChecklistResult.NOT_APPLICABLE, "Fully remote; the data centre is the provider's."),
}


def load_demo_audits(*, manager: Actor, auditor: Actor, approver: Actor) -> list[Nonconformity]:
    """``manager`` plans and records, ``auditor`` (the auditor role) writes the findings and
    ``approver`` approves the report the manager submitted. The manager raises the major and
    minor findings into the nonconformity register; the new entries are returned (in finding
    order) for the register's demo to carry on with."""
    today = timezone.localdate()
    programme = services.programme_create(
        actor=manager,
        title="Internal audit programme",
        first_year=today.year,
        last_year=today.year + 2,
        objectives="Cover every clause of 4 to 10 and every applicable Annex A control once in "
        "three years, with the risk-critical controls (backup, access, suppliers) every year.",
        criteria="ISO/IEC 27001:2022, our information security policy and topic policies, "
        "customer contracts (BAAs).",
        owner=manager.user.email if manager.user else None,
    )
    clauses = [r.ref for r in selectors.auditable_requirements() if r.kind == "clause"]
    start = today - dt.timedelta(days=45)
    auditor_email = auditor.user.email if auditor.user else None
    audit = services.audit_create(
        actor=manager,
        programme=programme.pk,
        title="ISMS core and key operational controls",
        criteria="Clauses 4 to 10 and twelve Annex A controls chosen from the risk treatment.",
        planned_start=start,
        planned_end=start + dt.timedelta(days=4),
        lead_auditor=auditor_email,
        auditors=[auditor_email] if auditor_email else [],
        scope=[*clauses, *CONTROLS],
    )
    services.audit_update(actor=manager, audit=audit, status="in_progress", actual_start=start)
    audit = selectors.audit_get(actor=manager, audit_id=audit.pk)
    items = {i.requirement.ref: i for i in selectors.checklist(actor=manager, audit=audit)}
    links: dict[int, list[int]] = {}
    rows = scoped(manager, EvidenceLink).filter(
        requirement_id__in=[i.requirement_id for i in items.values()]
    )
    for req_id, item_id in rows.values_list("requirement_id", "item_id"):
        links.setdefault(req_id, []).append(item_id)
    for ref, item in items.items():
        result, notes = RESULTS.get(ref, (ChecklistResult.CONFORMING, ""))
        services.checklist_item_update(
            actor=manager,
            item=item,
            result=result,
            notes=notes or "Interviewed the owner and sampled the records.",
            evidence=links.get(item.requirement_id, [])[:3],
        )
    findings = [
        (
            FindingType.MAJOR,
            "A.8.13",
            "Restores from backup are not tested",
            "The backup policy asks for a quarterly restore test; none was done since the move "
            "to the new platform eight months ago.",
            "Backup job logs, change tickets",
        ),
        (
            FindingType.MINOR,
            "A.5.18",
            "Leavers' access removed late",
            "Two of fifteen leavers sampled kept access to the ticketing system for about three "
            "weeks after their last day.",
            "HR leavers list, access review export",
        ),
        (
            FindingType.MINOR,
            "7.5.3",
            "Obsolete documents still in use",
            "Superseded incident runbooks remain in the shared drive next to the current ones.",
            "Shared drive listing",
        ),
        (
            FindingType.OBSERVATION,
            "9.1",
            "Security metrics not reviewed",
            "Metrics are collected automatically but no monthly review is recorded.",
            "Dashboard, meeting notes",
        ),
        (
            FindingType.OFI,
            "A.8.15",
            "Centralise log retention settings",
            "Retention is set per service; one central setting would make changes auditable.",
            "Logging configuration",
        ),
    ]
    written = []
    for kind, ref, title, description, seen in findings:
        linked = items.get(ref)
        finding = services.finding_create(
            actor=auditor,
            audit=audit,
            type=kind,
            title=title,
            description=description,
            evidence_seen=seen,
            checklist_item=linked.pk if linked else None,
        )
        written.append(finding)
    raised = [
        follow_up.finding_raise_nonconformity(
            actor=manager, finding=f, owner=manager.user, raised_on=start + dt.timedelta(days=4)
        )
        for f in written
        if f.is_nonconformity
    ]
    services.audit_update(
        actor=manager,
        audit=audit,
        status="completed",
        actual_end=start + dt.timedelta(days=4),
    )
    report = services.report_submit(
        actor=manager, audit=audit, comment="Findings agreed with the owners at the closing."
    )
    services.report_approve(actor=approver, report=report, comment="Accepted.")
    services.audit_create(
        actor=manager,
        programme=programme.pk,
        title="Suppliers, cloud services and continuity",
        criteria="Clauses 8 and 9.1; supplier and continuity controls.",
        planned_start=dt.date(today.year + 1, 5, 4),
        planned_end=dt.date(today.year + 1, 5, 8),
        lead_auditor=auditor_email,
        scope=["8.1", "9.1", "A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23", "A.5.29", "A.5.30"],
    )
    return raised
