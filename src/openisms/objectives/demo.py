"""The demo organisation's objectives, each with a history of measurements (one off track)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.controls.models import Control
from openisms.objectives import services
from openisms.objectives.compute import add_months
from openisms.orgs.access import Actor, scoped

# title, measure, unit, direction, baseline, target, frequency, months, values, note
OBJECTIVES = (
    (
        "Patch critical vulnerabilities quickly",
        "Median days from a critical finding to its fix on production systems",
        "days",
        "lower",
        21.0,
        7.0,
        "monthly",
        (21, 19, 18, 15, 14, 12, 11, 10, 9, 8),
        "Measured from the scanner's export on the first working day of the month.",
    ),
    (
        "Everyone completes security awareness training",
        "Share of staff who completed this year's training",
        "%",
        "higher",
        62.0,
        98.0,
        "monthly",
        (62, 70, 76, 81, 85, 88, 91, 93),
        "From the learning platform's completion report.",
    ),
    (
        "Restore tests succeed",
        "Share of quarterly restore tests that met the recovery time objective",
        "%",
        "higher",
        50.0,
        100.0,
        "quarterly",
        (50, 75, 75, 100, 100, 100),
        "Every quarter the on-call engineer restores two production databases.",
    ),
    (
        "Phishing simulation click rate falls",
        "Share of staff who clicked the monthly simulated phishing mail",
        "%",
        "lower",
        14.0,
        3.0,
        "monthly",
        (14, 13, 14, 12, 13, 12, 13, 12),
        "Off track: the rate stalls around 12%; a new training module is planned.",
    ),
)


def load_demo_objectives(*, actor: Actor) -> None:
    """Four objectives owned by ``actor`` with monthly or quarterly measurements up to today."""
    today = timezone.localdate()
    owner = actor.user.email if actor.user else None
    linked = [c.ref for c in scoped(actor, Control).filter(ref__in=("HIP-01", "HIP-02"))]
    for i, (title, measure, unit, direction, baseline, target, freq, values, note) in enumerate(
        OBJECTIVES
    ):
        step = 3 if freq == "quarterly" else 1
        start = add_months(today.replace(day=1), -step * (len(values) - 1))
        objective = services.objective_create(
            actor=actor,
            title=title,
            description=note,
            owner=owner,
            measure=measure,
            unit=unit,
            direction=direction,
            baseline=baseline,
            target=target,
            due_on=dt.date(today.year + 1, 6, 30),
            frequency=freq,
            controls=linked if i == 2 else [],
        )
        for n, value in enumerate(values):
            services.measurement_record(
                actor=actor,
                objective=objective,
                measured_on=add_months(start, step * n),
                value=float(value),
                note="",
            )
