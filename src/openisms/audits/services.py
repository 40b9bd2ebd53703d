"""Writes for internal audits. Each is atomic and records its audit events.

Who may do what: editors (Perm.EDIT_ISMS) plan programmes and audits, record the checklist and
submit reports; approvers decide reports (separation of duties through the shared workflow).
Members with Perm.WRITE_FINDINGS write findings on the audits they are assigned to (editors on
any), and change or delete only their own (``FINDING_RULE``); the auditor role can do nothing
else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Unpack

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from openisms.accounts.models import User
from openisms.audits import selectors
from openisms.audits.fields import (
    AUDIT_FIELDS,
    CHECKLIST_FIELDS,
    FINDING_FIELDS,
    FINDING_RULE,
    PROGRAMME_FIELDS,
    AuditChanges,
    ChecklistChanges,
    FindingChanges,
    ProgrammeChanges,
)
from openisms.audits.models import (
    Audit,
    AuditProgramme,
    AuditReport,
    AuditStatus,
    ChecklistItem,
    ChecklistResult,
    Finding,
    FindingType,
)
from openisms.catalog.models import Requirement
from openisms.controls.selectors import controls_of_requirements
from openisms.core import audit as trail
from openisms.evidence.models import EvidenceItem
from openisms.orgs import approvals
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.approvals import ApprovalFlow
from openisms.orgs.selectors import members_by_email, resolve_member
from openisms.orgs.updates import audited_update
from openisms.soa.selectors import assessments_by_requirement

REPORT_FLOW = ApprovalFlow(noun="audit report version", action="audit_report")
OPEN_STATUSES = (AuditStatus.PLANNED, AuditStatus.IN_PROGRESS)


def _unknown(changes: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(changes) - set(allowed)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))


def _text(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# --- programmes -------------------------------------------------------------------------------


def _apply_programme(actor: Actor, programme: AuditProgramme, changes: ProgrammeChanges) -> None:
    _unknown(dict(changes), PROGRAMME_FIELDS)
    data: dict[str, Any] = dict(changes)
    for name, value in data.items():
        if name == "owner":
            programme.owner = resolve_member(value, "owner", actor=actor)
        else:
            setattr(programme, name, _text(value))
    errors: dict[str, str] = {}
    if not programme.title:
        errors["title"] = "Give the programme a title."
    for name in ("first_year", "last_year"):
        year = getattr(programme, name)
        if year is None or not 2000 <= int(year) <= 2100:
            errors[name] = "Give a year between 2000 and 2100."
    if not errors and programme.last_year < programme.first_year:
        errors["last_year"] = "The last year cannot be before the first year."
    if errors:
        raise ValidationError(errors)
    programme.full_clean(exclude=["org", "owner"])


@transaction.atomic
def programme_create(*, actor: Actor, **fields: Unpack[ProgrammeChanges]) -> AuditProgramme:
    actor.require(Perm.EDIT_ISMS)
    programme = AuditProgramme(org=actor.org)
    _apply_programme(actor, programme, fields)
    programme.save()
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit_programme.create",
        obj=programme,
        after=trail.snapshot(programme),
    )
    return programme


@transaction.atomic
def programme_update(
    *, actor: Actor, programme: AuditProgramme, **changes: Unpack[ProgrammeChanges]
) -> AuditProgramme:
    actor.require(Perm.EDIT_ISMS)
    audited_update(
        actor=actor,
        obj=programme,
        action="audit_programme.update",
        apply=lambda: _apply_programme(actor, programme, changes),
    )
    return programme


@transaction.atomic
def programme_delete(*, actor: Actor, programme: AuditProgramme) -> None:
    actor.require(Perm.EDIT_ISMS)
    if scoped(actor, Audit).filter(programme=programme).exists():
        raise ValidationError("The programme has audits; delete or move them first.")
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit_programme.delete",
        obj=programme,
        before=trail.snapshot(programme),
    )
    programme.delete()


# --- audits -----------------------------------------------------------------------------------


def audit_snapshot(audit: Audit) -> dict[str, Any]:
    """The audit's own fields plus its scope refs and auditors, for the trail."""
    data = trail.snapshot(audit)
    data["ref"] = audit.ref if audit.year else ""
    if audit.pk:
        data["scope"] = sorted(audit.scope.values_list("ref", flat=True))
        data["auditors"] = sorted(audit.auditors.values_list("email", flat=True))
    return data


def _independence(
    actor: Actor, people: list[User], requirements: list[Requirement], field: str
) -> None:
    """Refuse auditors who own a control or an SoA row of a requirement in scope; the message
    names the person and the items (ISO/IEC 27001 9.2.2: auditors do not audit their own
    work)."""
    if not people or not requirements:
        return
    ids = [r.pk for r in requirements]
    refs = {r.pk: r.ref for r in requirements}
    controls = controls_of_requirements(actor=actor, requirement_ids=ids)
    entries = assessments_by_requirement(actor=actor, requirement_ids=ids)
    problems: list[str] = []
    for person in people:
        owned: list[str] = []
        for req_id in ids:
            for control in controls.get(req_id, []):
                if control.owner_id == person.pk:
                    owned.append(f"{refs[req_id]} (control {control.ref})")
            entry = entries.get(req_id)
            if entry is not None and entry.owner_id == person.pk and not controls.get(req_id):
                owned.append(f"{refs[req_id]} (SoA row)")
        if owned:
            who = f"{person.full_name} ({person.email})" if person.full_name else person.email
            problems.append(
                f"{who} owns {', '.join(owned)} and cannot audit "
                "them; choose another auditor or leave these out of scope."
            )
    if problems:
        raise ValidationError({field: " ".join(problems)})


def _resolve_scope(refs: list[str]) -> list[Requirement]:
    found, unknown = selectors.resolve_refs(list(refs or []))
    if unknown:
        raise ValidationError(
            {"scope": f"No clause or Annex A control {', '.join(unknown)} in the catalogue."}
        )
    return found


def _apply_audit(actor: Actor, audit: Audit, changes: AuditChanges) -> Callable[[], None] | None:
    """Set the audit's fields; returns the writer of scope and auditors (after the save)."""
    _unknown(dict(changes), AUDIT_FIELDS)
    members: dict[str, User] | None = None
    scope: list[Requirement] | None = None
    auditors: list[User] | None = None
    was = audit.status
    data: dict[str, Any] = dict(changes)
    for name, value in data.items():
        if name == "programme":
            programme = scoped(actor, AuditProgramme).filter(pk=value).first()
            if programme is None:
                raise ValidationError({"programme": "No such programme in this organisation."})
            audit.programme = programme
        elif name in ("lead_auditor", "auditors"):
            members = members if members is not None else members_by_email(actor=actor)
            if name == "lead_auditor":
                audit.lead_auditor = resolve_member(value, name, members=members)
            else:
                chosen = [resolve_member(v, name, members=members) for v in value or []]
                auditors = list(dict.fromkeys(u for u in chosen if u is not None))
        elif name == "scope":
            scope = _resolve_scope(list(value or []))
        else:
            setattr(audit, name, _text(value))
    errors: dict[str, str] = {}
    if not audit.title:
        errors["title"] = "Give the audit a title."
    if audit.status not in AuditStatus.values:
        errors["status"] = f"Unknown status '{audit.status}'."
    if audit.planned_start is None:
        errors["planned_start"] = "Give the planned start date."
    if audit.planned_end is None:
        errors["planned_end"] = "Give the planned end date."
    elif audit.planned_start and audit.planned_end < audit.planned_start:
        errors["planned_end"] = "The planned end cannot be before the planned start."
    if errors:
        raise ValidationError(errors)
    today = timezone.localdate()
    if audit.status in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED) and was != audit.status:
        audit.actual_start = audit.actual_start or min(today, audit.planned_start)
    if audit.status == AuditStatus.COMPLETED and was != audit.status:
        audit.actual_end = audit.actual_end or today
    if audit.actual_start and audit.actual_end and audit.actual_end < audit.actual_start:
        raise ValidationError({"actual_end": "The audit cannot end before it started."})
    if not audit.year:
        audit.year = audit.planned_start.year
    audit.full_clean(exclude=["org", "programme", "lead_auditor", "year", "sequence"])

    # Independence: everyone assigned after the change against the whole scope after it.
    if scope is not None or auditors is not None or "lead_auditor" in changes:
        current_scope = (
            scope if scope is not None else (list(audit.scope.all()) if audit.pk else [])
        )
        people = (
            auditors if auditors is not None else (list(audit.auditors.all()) if audit.pk else [])
        )
        if audit.lead_auditor is not None and audit.lead_auditor not in people:
            people = [audit.lead_auditor, *people]
        field = "scope" if scope is not None and auditors is None else "auditors"
        _independence(actor, people, current_scope, field)

    def write_relations() -> None:
        if scope is not None:
            audit.scope.set(scope)
        if auditors is not None:
            audit.auditors.set(auditors)
        _sync_checklist(actor, audit)

    return write_relations


def _sync_checklist(actor: Actor, audit: Audit) -> None:
    """Once an audit has started (and until it is completed or cancelled), its checklist holds
    one item per in-scope requirement: new scope adds items, and scope taken away removes the
    items nobody has touched (no result, notes, evidence or findings)."""
    if audit.status != AuditStatus.IN_PROGRESS:
        return
    items = scoped(actor, ChecklistItem).filter(audit=audit)
    have = set(items.values_list("requirement_id", flat=True))
    wanted = list(audit.scope.order_by("position"))
    wanted_ids = {r.pk for r in wanted}
    added = [r for r in wanted if r.pk not in have]
    ChecklistItem.objects.bulk_create(
        [ChecklistItem(org=actor.org, audit=audit, requirement=r) for r in added]
    )
    untouched = (
        items.exclude(requirement_id__in=wanted_ids)
        .annotate(n_evidence=Count("evidence", distinct=True), n_findings=Count("findings"))
        .filter(result=ChecklistResult.NOT_ASSESSED, notes="", n_evidence=0, n_findings=0)
    )
    removed = list(untouched.values_list("pk", "requirement__ref"))
    if removed:
        ChecklistItem.objects.filter(pk__in=[pk for pk, _ in removed]).delete()
    if added or removed:
        trail.record(
            actor=actor.user,
            org=actor.org,
            action="audit_checklist.sync",
            obj=audit,
            after={
                "ref": audit.ref,
                "added": [r.ref for r in added],
                "removed": sorted(ref for _, ref in removed),
            },
        )


@transaction.atomic
def audit_create(*, actor: Actor, **fields: Unpack[AuditChanges]) -> Audit:
    """A new audit of a programme; its ref (IA-<year>-<nn>) follows the planned start's year."""
    actor.require(Perm.EDIT_ISMS)
    if "programme" not in fields:
        raise ValidationError({"programme": "Choose the audit programme."})
    audit = Audit(org=actor.org)
    write_relations = _apply_audit(actor, audit, fields)
    last = scoped(actor, Audit).filter(year=audit.year).aggregate(n=Max("sequence"))["n"] or 0
    audit.sequence = last + 1
    audit.save()
    if write_relations is not None:
        write_relations()
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit.create",
        obj=audit,
        after=audit_snapshot(audit),
    )
    return audit


@transaction.atomic
def audit_update(*, actor: Actor, audit: Audit, **changes: Unpack[AuditChanges]) -> Audit:
    """Change an audit. Starting it (status in_progress) creates its checklist."""
    actor.require(Perm.EDIT_ISMS)
    audited_update(
        actor=actor,
        obj=audit,
        action="audit.update",
        apply=lambda: _apply_audit(actor, audit, changes),
        snapshot=audit_snapshot,
    )
    return audit


@transaction.atomic
def audit_delete(*, actor: Actor, audit: Audit) -> None:
    """Remove an audit planned by mistake; one with findings or reports stays (cancel it)."""
    actor.require(Perm.EDIT_ISMS)
    if audit.findings.exists() or audit.reports.exists():
        raise ValidationError("The audit has findings or reports; cancel it instead.")
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit.delete",
        obj=audit,
        before=audit_snapshot(audit),
    )
    audit.delete()


# --- checklist --------------------------------------------------------------------------------


def item_snapshot(item: ChecklistItem) -> dict[str, Any]:
    data = trail.snapshot(item)
    data["evidence"] = sorted(item.evidence.values_list("pk", flat=True))
    return data


@transaction.atomic
def checklist_item_update(
    *, actor: Actor, item: ChecklistItem, **changes: Unpack[ChecklistChanges]
) -> ChecklistItem:
    """Record a result, notes and evidence (editors; the auditor role writes findings only)."""
    actor.require(
        Perm.EDIT_ISMS, "Your role does not allow recording the checklist; write a finding."
    )
    _unknown(dict(changes), CHECKLIST_FIELDS)
    if item.audit.status == AuditStatus.CANCELLED:
        raise ValidationError("The audit is cancelled.")

    def apply() -> Callable[[], None] | None:
        evidence: list[EvidenceItem] | None = None
        data: dict[str, Any] = dict(changes)
        for name, value in data.items():
            if name == "evidence":
                ids = {int(v) for v in value or []}
                evidence = list(scoped(actor, EvidenceItem).filter(pk__in=ids))
                if len(evidence) != len(ids):
                    raise ValidationError({"evidence": "Choose evidence of this organisation."})
            else:
                setattr(item, name, _text(value))
        if item.result not in ChecklistResult.values:
            raise ValidationError({"result": f"Unknown result '{item.result}'."})
        item.full_clean(exclude=["org", "audit", "requirement"])
        if evidence is None:
            return None
        chosen = evidence
        return lambda: item.evidence.set(chosen)

    audited_update(
        actor=actor,
        obj=item,
        action="audit_checklist.update",
        apply=apply,
        snapshot=item_snapshot,
    )
    return item


# --- findings ---------------------------------------------------------------------------------


def may_write_findings(actor: Actor, audit: Audit) -> bool:
    """Editors on any audit; members with Perm.WRITE_FINDINGS on the audits they are assigned
    to (needs :func:`selectors.audit_get`'s prefetch)."""
    if actor.can(Perm.EDIT_ISMS):
        return True
    return (
        actor.can(Perm.WRITE_FINDINGS)
        and actor.user is not None
        and actor.user.pk in selectors.assigned_ids(audit)
    )


def may_edit_finding(actor: Actor, finding: Finding) -> bool:
    return actor.may_edit(FINDING_RULE, finding)


def finding_snapshot(finding: Finding) -> dict[str, Any]:
    data = trail.snapshot(finding)
    data["ref"] = f"{finding.audit.ref}-F{finding.number}"
    return data


def _apply_finding(actor: Actor, finding: Finding, changes: FindingChanges) -> None:
    _unknown(dict(changes), FINDING_FIELDS)
    data: dict[str, Any] = dict(changes)
    for name, value in data.items():
        if name == "checklist_item":
            if value in (None, ""):
                finding.checklist_item = None
                continue
            item = (
                scoped(actor, ChecklistItem)
                .filter(audit=finding.audit, pk=value)
                .select_related("requirement")
                .first()
            )
            if item is None:
                raise ValidationError({"checklist_item": "No such item in this audit's checklist."})
            finding.checklist_item = item
            if "requirement" not in changes:
                finding.requirement = item.requirement
        elif name == "requirement":
            if value in (None, ""):
                finding.requirement = None
            else:
                found, unknown = selectors.resolve_refs([str(value)])
                if unknown or not found:
                    raise ValidationError(
                        {"requirement": f"No clause or Annex A control {value} in the catalogue."}
                    )
                finding.requirement = found[0]
        else:
            setattr(finding, name, _text(value))
    errors: dict[str, str] = {}
    if not finding.title:
        errors["title"] = "Give the finding a title."
    if finding.type not in FindingType.values:
        errors["type"] = "Choose major_nc, minor_nc, observation or ofi."
    if errors:
        raise ValidationError(errors)
    finding.full_clean(exclude=["org", "audit", "number", "author", "checklist_item"])


@transaction.atomic
def finding_create(*, actor: Actor, audit: Audit, **fields: Unpack[FindingChanges]) -> Finding:
    audit = selectors.audit_get(actor=actor, audit_id=audit.pk)
    if not may_write_findings(actor, audit):
        raise PermissionDenied(
            "You can write findings only on the audits you are assigned to."
            if actor.can(Perm.WRITE_FINDINGS)
            else f"Your role ({actor.role}) does not allow writing findings."
        )
    if audit.status in (AuditStatus.PLANNED, AuditStatus.CANCELLED):
        raise ValidationError(
            f"The audit is {audit.get_status_display().lower()}; findings are written once it "
            "has started."
        )
    finding = Finding(org=actor.org, audit=audit, author=actor.user)
    _apply_finding(actor, finding, fields)
    last = Finding.objects.filter(audit=audit).aggregate(n=Max("number"))["n"] or 0
    finding.number = last + 1
    finding.save()
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit_finding.create",
        obj=finding,
        after=finding_snapshot(finding),
    )
    return finding


@transaction.atomic
def finding_update(*, actor: Actor, finding: Finding, **changes: Unpack[FindingChanges]) -> Finding:
    """Editors change any finding; its author (Perm.WRITE_FINDINGS) only their own."""
    audited_update(
        actor=actor,
        obj=finding,
        action="audit_finding.update",
        apply=lambda: _apply_finding(actor, finding, changes),
        snapshot=finding_snapshot,
        rule=FINDING_RULE,
    )
    return finding


@transaction.atomic
def finding_delete(*, actor: Actor, finding: Finding) -> None:
    actor.require_edit(FINDING_RULE, FINDING_RULE.assignee_of(finding))
    trail.record(
        actor=actor.user,
        org=actor.org,
        action="audit_finding.delete",
        obj=finding,
        before=finding_snapshot(finding),
    )
    finding.delete()


# --- reports ----------------------------------------------------------------------------------


@transaction.atomic
def report_submit(*, actor: Actor, audit: Audit, comment: str = "") -> AuditReport:
    """Freeze the audit (scope, dates, auditors, checklist, findings) into a report version."""
    actor.require(Perm.EDIT_ISMS, "Your role does not allow submitting audit reports.")
    if audit.status not in (AuditStatus.IN_PROGRESS, AuditStatus.COMPLETED):
        raise ValidationError("Submit the report of an audit that has started or is completed.")
    return approvals.version_submit(
        actor=actor,
        flow=REPORT_FLOW,
        model=AuditReport,
        subject={"audit": audit},
        snapshot=selectors.audit_snapshot(actor=actor, audit=audit),
        comment=comment,
    )


@transaction.atomic
def report_approve(*, actor: Actor, report: AuditReport, comment: str = "") -> AuditReport:
    return approvals.version_approve(actor=actor, flow=REPORT_FLOW, version=report, comment=comment)


@transaction.atomic
def report_reject(*, actor: Actor, report: AuditReport, comment: str) -> AuditReport:
    return approvals.version_reject(actor=actor, flow=REPORT_FLOW, version=report, comment=comment)


def may_decide(actor: Actor, report: AuditReport) -> bool:
    return approvals.may_decide(actor, REPORT_FLOW, report)
