"""Management review inputs from objectives (clause 9.3.2 d) 2) and d) 4))."""

from __future__ import annotations

from django.utils import timezone

from openisms.objectives.compute import standing
from openisms.objectives.models import ObjectiveStatus
from openisms.objectives.selectors import objective_list, points_of
from openisms.orgs.access import Actor
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "-"
    text = f"{value:g}"
    return f"{text} {unit}".strip()


def measurements(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """What was measured in the period: per objective, how many results and the latest."""
    items = []
    total = 0
    for objective in objective_list(actor=actor):
        inside = [p for p in points_of(objective) if period.start <= p.measured_on <= period.end]
        if not inside:
            continue
        total += len(inside)
        items.append(
            {
                "ref": objective.ref,
                "title": objective.title,
                "results": str(len(inside)),
                "first": _fmt(inside[0].value, objective.unit),
                "latest": _fmt(inside[-1].value, objective.unit),
                "target": _fmt(objective.target, objective.unit),
            }
        )
    summary = (
        f"{total} measurements of {len(items)} objectives in the period."
        if total
        else "No measurements were recorded in the period."
    )
    return ReviewInput(
        key="objective_measurements",
        clause="9.3.2 d) 2)",
        title="Monitoring and measurement results",
        summary=summary,
        figures={"Measurements": total, "Objectives measured": len(items)},
        items=items,
    )


def fulfilment(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    """Each objective's standing at the end of the period (measurements up to its end)."""
    day = min(period.end, timezone.localdate())
    counts = {"On track": 0, "Off track": 0, "No data": 0, "Achieved": 0, "Missed": 0}
    items = []
    for objective in objective_list(actor=actor):
        if objective.status == ObjectiveStatus.RETIRED:
            continue
        points = [p for p in points_of(objective) if p.measured_on <= period.end]
        s = standing(objective, points, day)
        if objective.status == ObjectiveStatus.ACHIEVED:
            label = "Achieved"
        elif objective.status == ObjectiveStatus.MISSED:
            label = "Missed"
        else:
            label = s.track_label
        counts[label] += 1
        items.append(
            {
                "ref": objective.ref,
                "title": objective.title,
                "standing": label,
                "latest": _fmt(s.latest, objective.unit),
                "target": _fmt(objective.target, objective.unit),
                "progress": "-" if s.percent is None else f"{s.percent}%",
            }
        )
    summary = (
        f"{counts['On track']} of {len(items)} objectives on track, {counts['Off track']} off "
        f"track, {counts['No data']} without data, {counts['Achieved']} achieved and "
        f"{counts['Missed']} missed."
        if items
        else "No objectives are set."
    )
    return ReviewInput(
        key="objective_fulfilment",
        clause="9.3.2 d) 4)",
        title="Fulfilment of information security objectives",
        summary=summary,
        figures=dict(counts),
        items=items,
    )
