"""Versioned risk methods, and moving risks scored with an older version onto the current one."""

from __future__ import annotations

from typing import Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from openisms.core import audit
from openisms.core.models import bulk_update_versions
from openisms.orgs.access import Actor, Perm, scoped
from openisms.risks import scoring
from openisms.risks.fields import METHOD_FIELDS, RiskMethodChanges
from openisms.risks.models import Risk, RiskMethod
from openisms.risks.services.common import _compute, _risk_snapshot, _user
from openisms.risks.services.library import library_load


def risk_module_setup(*, actor: Actor) -> RiskMethod:
    """Give the organisation a current risk method and the starter library.

    It is the risk module's starter (registered in ``RisksConfig.ready``), so it runs when an
    organisation is created; writes that need a method call it too, which creates the method
    for an organisation that somehow has none. Reads use ``selectors.method_in_use`` and never
    create anything.
    """
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


@transaction.atomic
def risk_method_update(*, actor: Actor, **changes: Unpack[RiskMethodChanges]) -> RiskMethod:
    """Save a new version of the method; the old version stays for the risks scored with it."""
    actor.require(Perm.EDIT_ISMS)
    current = risk_module_setup(actor=actor)
    unknown = set(changes) - set(METHOD_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    values = {name: getattr(current, name) for name in METHOD_FIELDS} | changes
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
        .prefetch_related("assets", "planned_controls", "controls")
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
    bulk_update_versions(
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
    )
    audit.record_many(actor=_user(actor), org=actor.org, events=events)
    return len(stale)
