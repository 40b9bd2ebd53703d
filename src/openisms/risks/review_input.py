"""The risks input to management reviews (9.3.2 f)): the results of risk assessment and the
status of the risk treatment plan, read through the risk selectors."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from openisms.orgs.access import Actor
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod
from openisms.risks import selectors
from openisms.risks.models import TreatmentAction

MAX_ITEMS = 40
ACTIVE = (TreatmentAction.Status.PLANNED, TreatmentAction.Status.IN_PROGRESS)


def risk_input(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Risks by current level, above the acceptance threshold (accepted or not), treatment
    actions open and overdue, and risks added or changed in the period."""
    start, end = period.start, period.end
    risks = list(selectors.risk_list(actor=actor, sort="ref"))
    by_level: dict[str, int] = {}
    for risk in risks:
        level = risk.residual_level or risk.inherent_level or "Not assessed"
        by_level[level] = by_level.get(level, 0) + 1
    above = [r for r in risks if getattr(r, "above_threshold", False)]
    accepted = [r for r in above if getattr(r, "accepted", False)]
    added = [r for r in risks if start <= timezone.localtime(r.created_at).date() <= end]
    changed = [
        r
        for r in risks
        if r not in added and start <= timezone.localtime(r.updated_at).date() <= end
    ]
    today = min(end, timezone.localdate())
    actions = selectors.action_list(actor=actor).aggregate(
        open=Count("id", filter=Q(status__in=ACTIVE)),
        overdue=Count("id", filter=Q(status__in=ACTIVE, due_date__lt=today)),
        done=Count("id", filter=Q(status=TreatmentAction.Status.DONE)),
    )
    figures: dict[str, int | float | str] = {
        "Risks": len(risks),
        **{f"Level: {level}": n for level, n in sorted(by_level.items())},
        "Above the acceptance threshold": len(above),
        "Accepted (valid acceptance)": len(accepted),
        "Above the threshold, not accepted": len(above) - len(accepted),
        "Treatment actions open": int(actions["open"]),
        "Treatment actions overdue": int(actions["overdue"]),
        "Treatment actions done": int(actions["done"]),
        "Risks added in the period": len(added),
        "Risks changed in the period": len(changed),
    }
    shown = (above + [r for r in added + changed if r not in above])[:MAX_ITEMS]
    items = [
        {
            "ref": r.ref,
            "title": r.title,
            "level": r.residual_level or r.inherent_level,
            "score": getattr(r, "current_score", None),
            "accepted": "yes" if getattr(r, "accepted", False) else "",
            "above_threshold": "yes" if getattr(r, "above_threshold", False) else "",
            "owner": r.owner.email if r.owner else "",
        }
        for r in shown
    ]
    summary = (
        f"{len(risks)} risk(s) in the register; {len(above)} above the acceptance threshold, "
        f"{len(accepted)} of them accepted. {actions['open']} treatment action(s) open, "
        f"{actions['overdue']} overdue. {len(added)} risk(s) added and {len(changed)} changed "
        "in the period."
    )
    return ReviewInput(
        key="risks",
        clause="9.3.2 f)",
        title="Results of risk assessment and status of risk treatment plan",
        summary=summary,
        figures=figures,
        items=items,
    )
