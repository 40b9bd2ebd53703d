"""The risk register: creating, changing and removing risks."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.assets.models import Asset
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.risks import scoring
from openisms.risks.fields import RANGE_KEYS, RISK_FIELDS, RISK_RULE, RiskChanges
from openisms.risks.models import Risk, Threat, Vulnerability
from openisms.risks.services.common import (
    _compute,
    _controls,
    _register_controls,
    _risk_snapshot,
    _user,
)
from openisms.risks.services.method import risk_module_setup


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
    return actor.may_edit(RISK_RULE, risk)


def _apply(actor: Actor, risk: Risk, fields: Mapping[str, Any]) -> dict[str, list[Any]]:
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
        elif name == "controls":
            relations["controls"] = _register_controls(actor, value)
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
def risk_create(*, actor: Actor, **fields: Unpack[RiskChanges]) -> Risk:
    actor.require_edit(RISK_RULE, None, adding=True)
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
def risk_update(
    *, actor: Actor, risk: Risk, version: int | None = None, **changes: Unpack[RiskChanges]
) -> Risk:
    def apply() -> Callable[[], None] | None:
        relations = _apply(actor, risk, changes)

        def write_relations() -> None:
            for name, objs in relations.items():
                getattr(risk, name).set(objs)

        return write_relations if relations else None

    audited_update(
        actor=actor,
        obj=risk,
        action="risk.update",
        apply=apply,
        snapshot=_risk_snapshot,
        rule=RISK_RULE,
        version=version,
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
