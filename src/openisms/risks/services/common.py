"""What the parts of the risk services share: the audit snapshot and the score computation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from openisms.accounts.models import User
from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.core import audit
from openisms.orgs.access import Actor, scoped
from openisms.risks import scoring
from openisms.risks.models import Risk

CONTROL_FRAMEWORK = "iso27001-2022"


def _user(actor: Actor) -> User | None:
    return actor.user


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


def _register_controls(actor: Actor, refs: Any) -> list[Control]:
    """Controls of the organisation's register by ref; unknown refs are one field error."""
    if isinstance(refs, str):
        refs = refs.replace(";", ",").split(",")
    wanted = list(dict.fromkeys(str(r).strip() for r in (refs or []) if str(r).strip()))
    found = {c.ref: c for c in scoped(actor, Control).filter(ref__in=wanted)}
    missing = [r for r in wanted if r not in found]
    if missing:
        raise ValidationError(
            {"controls": f"No such control in the register: {', '.join(missing)}."}
        )
    return [found[r] for r in wanted]


def _risk_snapshot(risk: Risk) -> dict[str, Any]:
    data = audit.snapshot(risk)
    if risk.pk:
        data["assets"] = sorted(a.pk for a in risk.assets.all())
        data["planned_controls"] = [c.ref for c in risk.planned_controls.all()]
        data["controls"] = sorted(c.ref for c in risk.controls.all())
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
