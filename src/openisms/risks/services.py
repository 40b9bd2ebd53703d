"""Writes for risk assessment and treatment. Each is atomic and records its audit event."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openisms.accounts.models import User
from openisms.assets.models import Asset
from openisms.catalog.models import Requirement
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.risks import scoring
from openisms.risks.models import (
    Risk,
    RiskAcceptance,
    RiskAssessment,
    RiskAssessmentEntry,
    RiskMethod,
    Threat,
    TreatmentAction,
    Vulnerability,
)

LIBRARY = Path(__file__).resolve().parent / "data" / "library.json"
CONTROL_FRAMEWORK = "iso27001-2022"
RISK_FIELDS = (
    "title",
    "description",
    "assets",
    "threat",
    "vulnerability",
    "owner",
    "inherent_likelihood",
    "inherent_impact",
    "existing_controls",
    "treatment",
    "planned_controls",
    "residual_likelihood",
    "residual_impact",
    "review_date",
    "quant",
)
RANGE_KEYS = ("frequency", "magnitude", "residual_frequency", "residual_magnitude")


def _user(actor: Actor) -> User | None:
    return actor.user


# --- setup: default method and starter library -------------------------------------------


def risk_module_setup(*, actor: Actor) -> RiskMethod:
    """Give the organisation a current risk method and the starter library on first use."""
    method = scoped(actor, RiskMethod).filter(is_current=True).first()
    if method is not None:
        return method
    with transaction.atomic():
        method = RiskMethod(org=actor.org, version=1, is_current=True, **scoring.default_method())
        scoring.validate_method(method)
        method.save()
        audit.record(
            actor=None,
            org=actor.org,
            action="risk_method.create",
            obj=method,
            after=audit.snapshot(method),
        )
        library_load(actor=actor)
    return method


def library_load(*, actor: Actor) -> int:
    """Copy the shipped threats and vulnerabilities the organisation does not have yet."""
    data = json.loads(LIBRARY.read_text())
    controls = {
        r.ref: r
        for r in Requirement.objects.filter(framework__slug=CONTROL_FRAMEWORK, kind="control")
    }
    groups = {
        "threats": {g["key"]: g["name"] for g in data["threat_groups"]},
        "vulnerabilities": {g["key"]: g["name"] for g in data["vulnerability_groups"]},
    }
    added = 0
    with transaction.atomic():
        sections: list[tuple[str, Any]] = [("threats", Threat), ("vulnerabilities", Vulnerability)]
        for section, model in sections:
            have = set(scoped(actor, model).values_list("key", flat=True))
            new = [item for item in data[section] if item["key"] not in have]
            objs = []
            for item in new:
                obj = model(
                    org=actor.org,
                    key=item["key"],
                    group=groups[section][item["group"]],
                    name=item["name"],
                    description=item["description"],
                    asset_types=item.get("asset_types", []),
                    from_library=data["version"],
                )
                if model is Threat:
                    obj.affects = item.get("affects", [])
                objs.append(obj)
            model.objects.bulk_create(objs)
            through = model.suggested_controls.through
            saved = {o.key: o for o in scoped(actor, model).filter(key__in=[i["key"] for i in new])}
            fk = f"{model._meta.model_name}_id"
            through.objects.bulk_create(
                [
                    through(**{fk: saved[item["key"]].pk, "requirement_id": controls[ref].pk})
                    for item in new
                    for ref in item.get("suggested_controls", [])
                    if ref in controls
                ]
            )
            audit.record_many(
                actor=_user(actor),
                org=actor.org,
                events=[
                    (
                        f"{model._meta.model_name}.create",
                        saved[i["key"]],
                        None,
                        {"key": i["key"], "name": i["name"]},
                    )
                    for i in new
                ],
            )
            added += len(new)
    return added


# --- methods ---------------------------------------------------------------------------------


@transaction.atomic
def risk_method_update(*, actor: Actor, **changes: Any) -> RiskMethod:
    """Save a new version of the method; the old version stays for the risks scored with it."""
    actor.require(Perm.EDIT_ISMS)
    current = risk_module_setup(actor=actor)
    allowed = {
        "name",
        "likelihood_scale",
        "impact_scale",
        "scoring",
        "bands",
        "acceptance_threshold",
        "acceptors",
        "notes",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    values = {name: getattr(current, name) for name in allowed} | changes
    latest = scoped(actor, RiskMethod).aggregate(v=Max("version"))["v"] or 0
    new = RiskMethod(org=actor.org, version=latest + 1, is_current=True, **values)
    scoring.validate_method(new)
    RiskMethod.objects.filter(pk=current.pk).update(is_current=False)
    new.save()
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk_method.create",
        obj=new,
        before=audit.snapshot(current),
        after=audit.snapshot(new),
    )
    return new


@transaction.atomic
def risk_rescore(*, actor: Actor) -> int:
    """Move every risk scored with an older method version onto the current one.

    Levels are mapped by their relative position on each scale (3 of 5 becomes 2 of 3) and
    the scores and bands recomputed; each moved risk records its before and after.
    """
    actor.require(Perm.EDIT_ISMS)
    current = risk_module_setup(actor=actor)
    stale = list(
        scoped(actor, Risk)
        .exclude(method=current)
        .select_related("method")
        .prefetch_related("assets", "planned_controls")
    )
    events = []
    for risk in stale:
        before = _risk_snapshot(risk)
        old = risk.method
        for field, axis in (
            ("inherent_likelihood", "likelihood"),
            ("inherent_impact", "impact"),
            ("residual_likelihood", "likelihood"),
            ("residual_impact", "impact"),
        ):
            old_size = len(old.likelihood_scale if axis == "likelihood" else old.impact_scale)
            new_size = len(
                current.likelihood_scale if axis == "likelihood" else current.impact_scale
            )
            setattr(risk, field, scoring.rescale(getattr(risk, field), old_size, new_size))
        risk.method = current
        _compute(risk)
        events.append(("risk.rescore", risk, before, _risk_snapshot(risk)))
    Risk.objects.bulk_update(
        stale,
        [
            "method",
            "inherent_likelihood",
            "inherent_impact",
            "inherent_score",
            "inherent_level",
            "residual_likelihood",
            "residual_impact",
            "residual_score",
            "residual_level",
        ],
        batch_size=500,
    )
    audit.record_many(actor=_user(actor), org=actor.org, events=events)
    return len(stale)


# --- library ---------------------------------------------------------------------------------


def _library_fields(
    actor: Actor, obj: Threat | Vulnerability, fields: dict[str, Any]
) -> list[Requirement] | None:
    controls = None
    for name, value in fields.items():
        if name == "suggested_controls":
            controls = _controls(value)
        elif name in ("key", "group", "name", "description", "asset_types", "affects"):
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
        else:
            raise ValidationError({name: "Unknown field."})
    obj.org = actor.org
    obj.full_clean(exclude=["org"])
    return controls


@transaction.atomic
def library_item_save(
    *,
    actor: Actor,
    model: type[Threat] | type[Vulnerability],
    item: Threat | Vulnerability | None,
    **fields: Any,
) -> Threat | Vulnerability:
    actor.require(Perm.EDIT_ISMS)
    obj = item or model(org=actor.org)
    before = audit.snapshot(obj) if item else None
    if item is None and not fields.get("key"):
        from django.utils.text import slugify

        fields["key"] = slugify(fields.get("name", ""))[:80] or "custom"
    controls = _library_fields(actor, obj, fields)
    if scoped(actor, model).filter(key=obj.key).exclude(pk=obj.pk).exists():
        raise ValidationError({"key": f"'{obj.key}' is already used."})
    obj.save()
    if controls is not None:
        obj.suggested_controls.set(controls)
    name = model._meta.model_name
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action=f"{name}.{'update' if item else 'create'}",
        obj=obj,
        before=before,
        after=audit.snapshot(obj),
    )
    return obj


@transaction.atomic
def library_item_delete(*, actor: Actor, item: Threat | Vulnerability) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action=f"{item._meta.model_name}.delete",
        obj=item,
        before=audit.snapshot(item),
    )
    item.delete()


# --- risks -----------------------------------------------------------------------------------


def _controls(refs: Any) -> list[Requirement]:
    refs = [str(r).strip() for r in (refs or []) if str(r).strip()]
    refs = [r if r.startswith("A.") else f"A.{r}" for r in refs]
    found = {
        r.ref: r
        for r in Requirement.objects.filter(
            framework__slug=CONTROL_FRAMEWORK, kind="control", ref__in=refs
        )
    }
    missing = [r for r in refs if r not in found]
    if missing:
        listed = ", ".join(missing)
        raise ValidationError(
            {"planned_controls": f"Not Annex A controls of ISO/IEC 27001:2022: {listed}."}
        )
    return [found[r] for r in dict.fromkeys(refs)]


def _risk_snapshot(risk: Risk) -> dict[str, Any]:
    data = audit.snapshot(risk)
    if risk.pk:
        data["assets"] = sorted(a.pk for a in risk.assets.all())
        data["planned_controls"] = [c.ref for c in risk.planned_controls.all()]
    return data


def _compute(risk: Risk) -> None:
    method = risk.method
    risk.inherent_score = scoring.score(method, risk.inherent_likelihood, risk.inherent_impact)
    risk.inherent_level = scoring.band(method, risk.inherent_score)["name"]
    if risk.residual_likelihood is not None and risk.residual_impact is not None:
        risk.residual_score = scoring.score(method, risk.residual_likelihood, risk.residual_impact)
        risk.residual_level = scoring.band(method, risk.residual_score)["name"]
    else:
        risk.residual_score = None
        risk.residual_level = ""


def validate_quant(value: Any) -> dict[str, Any] | None:
    """Check the optional quantitative inputs; ranges need 0 <= low <= mode <= high."""
    if value in (None, {}, ""):
        return None
    if not isinstance(value, dict):
        raise ValidationError({"quant": "Give the ranges as an object."})
    unknown = set(value) - set(RANGE_KEYS) - {"treatment_cost"}
    if unknown:
        raise ValidationError({"quant": f"Unknown keys: {', '.join(sorted(unknown))}."})
    for key in ("frequency", "magnitude"):
        if key not in value:
            raise ValidationError({"quant": f"'{key}' is required for a quantified risk."})
    clean: dict[str, Any] = {}
    for key in RANGE_KEYS:
        if value.get(key) is None:
            continue
        rng = value[key]
        try:
            low, mode, high = (float(rng[k]) for k in ("low", "mode", "high"))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError({"quant": f"{key}: give numbers low, mode and high."}) from exc
        distribution = rng.get("distribution", "pert")
        if distribution not in ("pert", "lognormal"):
            raise ValidationError({"quant": f"{key}: distribution is 'pert' or 'lognormal'."})
        if not 0 <= low <= mode <= high or (distribution == "lognormal" and low <= 0):
            raise ValidationError(
                {"quant": f"{key}: need 0 <= low <= mode <= high (low > 0 for lognormal)."}
            )
        clean[key] = {"low": low, "mode": mode, "high": high, "distribution": distribution}
    cost = value.get("treatment_cost", 0) or 0
    try:
        cost = float(cost)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"quant": "treatment_cost must be a number."}) from exc
    if cost < 0:
        raise ValidationError({"quant": "treatment_cost cannot be negative."})
    clean["treatment_cost"] = cost
    return clean


def can_edit_risk(actor: Actor, risk: Risk | None = None) -> bool:
    return actor.can_edit(risk.owner_id if risk is not None else None)


def _apply(actor: Actor, risk: Risk, fields: dict[str, Any]) -> dict[str, list[Any]]:
    unknown = set(fields) - set(RISK_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    relations: dict[str, list[Any]] = {}
    for name, value in fields.items():
        if name == "assets":
            ids = {int(v) for v in value or []}
            found = list(scoped(actor, Asset).filter(pk__in=ids))
            if len(found) != len(ids):
                raise ValidationError({"assets": "Unknown asset."})
            relations["assets"] = found
        elif name == "planned_controls":
            relations["planned_controls"] = _controls(value)
        elif name in ("threat", "vulnerability"):
            model = Threat if name == "threat" else Vulnerability
            if value in (None, ""):
                setattr(risk, name, None)
            else:
                obj = scoped(actor, model).filter(pk=int(value)).first()
                if obj is None:
                    raise ValidationError({name: f"Unknown {name}."})
                setattr(risk, name, obj)
        elif name == "owner":
            risk.owner = resolve_member(value, "owner", actor=actor)
        elif name == "quant":
            risk.quant = validate_quant(value)
        else:
            setattr(risk, name, value.strip() if isinstance(value, str) else value)
    method = risk.method
    scoring.check_value(method, "inherent_likelihood", risk.inherent_likelihood, "likelihood")
    scoring.check_value(method, "inherent_impact", risk.inherent_impact, "impact")
    if (risk.residual_likelihood is None) != (risk.residual_impact is None):
        raise ValidationError({"residual_impact": "Give both residual likelihood and impact."})
    if risk.residual_likelihood is not None:
        scoring.check_value(method, "residual_likelihood", risk.residual_likelihood, "likelihood")
        scoring.check_value(method, "residual_impact", risk.residual_impact, "impact")
    _compute(risk)
    if risk.residual_score is not None and risk.residual_score > risk.inherent_score:
        raise ValidationError(
            {"residual_likelihood": "The residual risk cannot be higher than the inherent risk."}
        )
    if not risk.threat_id and not risk.vulnerability_id and not risk.description.strip():
        raise ValidationError(
            {"description": "Describe the scenario, or choose a threat and vulnerability."}
        )
    risk.full_clean(exclude=["org", "method", "inherent_score", "inherent_level"])
    return relations


def _next_ref(actor: Actor) -> str:
    refs = scoped(actor, Risk).values_list("ref", flat=True)
    numbers = [int(r[2:]) for r in refs if r.startswith("R-") and r[2:].isdigit()]
    return f"R-{(max(numbers, default=0) + 1):03d}"


@transaction.atomic
def risk_create(*, actor: Actor, **fields: Any) -> Risk:
    if not can_edit_risk(actor):
        raise PermissionDenied("Your role does not allow adding risks.")
    method = risk_module_setup(actor=actor)
    risk = Risk(org=actor.org, method=method, ref=_next_ref(actor))
    relations = _apply(actor, risk, fields)
    risk.save()
    for name, objs in relations.items():
        getattr(risk, name).set(objs)
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk.create",
        obj=risk,
        after=_risk_snapshot(risk),
    )
    return risk


@transaction.atomic
def risk_update(*, actor: Actor, risk: Risk, **changes: Any) -> Risk:
    if not can_edit_risk(actor, risk):
        raise PermissionDenied("You can edit only the risks you own.")
    before = _risk_snapshot(risk)
    relations = _apply(actor, risk, changes)
    risk.save()
    for name, objs in relations.items():
        getattr(risk, name).set(objs)
    after = _risk_snapshot(risk)
    audit.record_change(
        actor=_user(actor),
        org=actor.org,
        action="risk.update",
        obj=risk,
        before=before,
        after=after,
    )
    return risk


@transaction.atomic
def risk_delete(*, actor: Actor, risk: Risk) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk.delete",
        obj=risk,
        before=_risk_snapshot(risk),
    )
    risk.delete()


# --- acceptance and treatment ----------------------------------------------------------------


def needs_acceptance(risk: Risk) -> bool:
    current = risk.residual_score if risk.residual_score is not None else risk.inherent_score
    return current > risk.method.acceptance_threshold


@transaction.atomic
def risk_accept(*, actor: Actor, risk: Risk, rationale: str, expires_on: dt.date) -> RiskAcceptance:
    method = risk.method
    if actor.role not in method.acceptors:
        raise PermissionDenied(
            f"Only {', '.join(method.acceptors)} may accept risks under {method}."
        )
    current_score = risk.residual_score if risk.residual_score is not None else risk.inherent_score
    if risk.acceptances.filter(
        revoked_at__isnull=True,
        expires_on__gte=timezone.localdate(),
        residual_score__gte=current_score,
    ).exists():
        raise ValidationError({"risk": f"{risk.ref} already has a valid acceptance."})
    if not needs_acceptance(risk):
        raise ValidationError(
            {"risk": f"{risk.ref} is within the acceptance threshold; no acceptance is needed."}
        )
    if not rationale or not rationale.strip():
        raise ValidationError({"rationale": "Explain why the risk is accepted."})
    today = timezone.localdate()
    if not today < expires_on <= today + dt.timedelta(days=3 * 366):
        raise ValidationError({"expires_on": "Choose a date in the next three years."})
    acceptance = RiskAcceptance.objects.create(
        org=actor.org,
        risk=risk,
        accepted_by=actor.user,
        rationale=rationale.strip(),
        residual_score=risk.residual_score
        if risk.residual_score is not None
        else risk.inherent_score,
        expires_on=expires_on,
    )
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk.accept",
        obj=acceptance,
        object_repr=f"{risk.ref} accepted until {expires_on}",
        after=audit.snapshot(acceptance),
    )
    return acceptance


@transaction.atomic
def acceptance_revoke(*, actor: Actor, acceptance: RiskAcceptance) -> RiskAcceptance:
    if actor.role not in acceptance.risk.method.acceptors:
        raise PermissionDenied("Your role may not revoke risk acceptances.")
    if acceptance.revoked_at is None:
        before = audit.snapshot(acceptance)
        acceptance.revoked_at = timezone.now()
        acceptance.save(update_fields=["revoked_at", "updated_at"])
        audit.record(
            actor=_user(actor),
            org=actor.org,
            action="risk.accept_revoke",
            obj=acceptance,
            before=before,
            after=audit.snapshot(acceptance),
        )
    return acceptance


@transaction.atomic
def action_save(
    *, actor: Actor, risk: Risk, action: TreatmentAction | None = None, **fields: Any
) -> TreatmentAction:
    if not can_edit_risk(actor, risk) and not (
        action is not None
        and actor.user is not None
        and action.owner_id == actor.user.pk
        and actor.can(Perm.EDIT_ASSIGNED)
    ):
        raise PermissionDenied("You cannot change this risk's treatment plan.")
    obj = action or TreatmentAction(org=actor.org, risk=risk)
    before = audit.snapshot(obj) if action else None
    for name, value in fields.items():
        if name == "owner":
            obj.owner = resolve_member(value, "owner", actor=actor)
        elif name in ("title", "due_date", "status", "notes"):
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
        else:
            raise ValidationError({name: "Unknown field."})
    obj.full_clean(exclude=["org", "risk"])
    obj.save()
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="treatment_action.update" if action else "treatment_action.create",
        obj=obj,
        before=before,
        after=audit.snapshot(obj),
    )
    return obj


# --- assessments -----------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *, actor: Actor, name: str, performed_on: dt.date, notes: str = ""
) -> RiskAssessment:
    actor.require(Perm.EDIT_ISMS)
    assessment = RiskAssessment(
        org=actor.org, name=(name or "").strip(), performed_on=performed_on, notes=notes
    )
    assessment.full_clean(exclude=["org"])
    assessment.save()
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk_assessment.create",
        obj=assessment,
        after=audit.snapshot(assessment),
    )
    return assessment


@transaction.atomic
def assessment_complete(*, actor: Actor, assessment: RiskAssessment) -> RiskAssessment:
    """Freeze every risk's current scores into the assessment; it cannot change afterwards."""
    actor.require(Perm.EDIT_ISMS)
    if assessment.status == RiskAssessment.Status.COMPLETED:
        raise ValidationError({"status": "This assessment is already completed."})
    risks = scoped(actor, Risk).select_related("method")
    RiskAssessmentEntry.objects.bulk_create(
        [
            RiskAssessmentEntry(
                assessment=assessment,
                risk=r,
                ref=r.ref,
                title=r.title,
                method_version=r.method.version,
                inherent_likelihood=r.inherent_likelihood,
                inherent_impact=r.inherent_impact,
                inherent_score=r.inherent_score,
                inherent_level=r.inherent_level,
                residual_likelihood=r.residual_likelihood,
                residual_impact=r.residual_impact,
                residual_score=r.residual_score,
                residual_level=r.residual_level,
                treatment=r.treatment,
            )
            for r in risks
        ],
        batch_size=1000,
    )
    before = audit.snapshot(assessment)
    assessment.status = RiskAssessment.Status.COMPLETED
    assessment.completed_at = timezone.now()
    assessment.save(update_fields=["status", "completed_at", "updated_at"])
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action="risk_assessment.complete",
        obj=assessment,
        before=before,
        after=audit.snapshot(assessment),
    )
    return assessment
