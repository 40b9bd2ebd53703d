"""What an objective's measurements say: latest value, progress, on track, next due.

Plain functions over an objective and its measurements (oldest first), so lists compute them
from prefetched rows without further queries.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from openisms.objectives.models import MONTHS, Direction, Measurement, Objective

DUE_SOON_DAYS = 7
TOLERANCE = 0.05  # progress may lag the calendar by this much and still be on track


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def met(objective: Objective, value: float) -> bool:
    if objective.direction == Direction.LOWER:
        return value <= objective.target
    return value >= objective.target


def progress(objective: Objective, points: Sequence[Measurement]) -> float | None:
    """How far the latest value has come from the baseline to the target, 0 to 1.

    The baseline is the objective's, else the first measurement. The same formula serves both
    directions: for "lower is better" the target lies below the baseline.
    """
    if not points:
        return None
    latest = points[-1].value
    baseline = objective.baseline if objective.baseline is not None else points[0].value
    span = objective.target - baseline
    if span == 0:
        return 1.0 if met(objective, latest) else 0.0
    return max(0.0, min(1.0, (latest - baseline) / span))


def expected(objective: Objective, points: Sequence[Measurement], today: dt.date) -> float | None:
    """The share of the way to the due date that has passed (None without a due date)."""
    if objective.due_on is None or not points:
        return None
    start = min(points[0].measured_on, objective.created_at.date())
    total = (objective.due_on - start).days
    if total <= 0:
        return 1.0
    return max(0.0, min(1.0, (today - start).days / total))


def next_due(objective: Objective, points: Sequence[Measurement]) -> dt.date:
    """The last measurement plus one period; the objective's start when none was recorded."""
    if not points:
        return objective.created_at.date()
    return add_months(points[-1].measured_on, MONTHS.get(objective.frequency, 1))


@dataclass(frozen=True)
class Standing:
    latest: float | None
    latest_on: dt.date | None
    progress: float | None
    track: str  # on_track, off_track, no_data
    next_due: dt.date
    overdue: bool

    @property
    def percent(self) -> int | None:
        return None if self.progress is None else round(self.progress * 100)

    @property
    def track_label(self) -> str:
        return {"on_track": "On track", "off_track": "Off track"}.get(self.track, "No data")


def standing(
    objective: Objective, points: Sequence[Measurement], today: dt.date | None = None
) -> Standing:
    """On track: the target is met, or progress keeps pace with the time to the due date (for
    an objective without a due date: the latest value is no worse than the baseline and moves
    towards the target)."""
    day = today or dt.date.today()
    done = progress(objective, points)
    due = next_due(objective, points)
    if not points:
        return Standing(None, None, None, "no_data", due, due < day)
    latest = points[-1]
    if met(objective, latest.value):
        track = "on_track"
    else:
        pace = expected(objective, points, day)
        if pace is None:
            track = "on_track" if (done or 0) > 0 else "off_track"
        else:
            track = "on_track" if (done or 0) + TOLERANCE >= pace else "off_track"
    return Standing(latest.value, latest.measured_on, done, track, due, due < day)
