"""Risk assessments: dated runs that freeze every risk's scores when completed."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.risks.models import Risk, RiskAssessment, RiskAssessmentEntry
from openisms.risks.services.common import _user


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
