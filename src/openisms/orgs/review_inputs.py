"""Management review inputs (ISO/IEC 27001 clause 9.3.2): what each domain reports to a review.

Why a registry: a management review must consider the status of earlier actions, changes in
issues and interested parties, nonconformities and corrective actions, monitoring results,
audit results, objectives, risk assessment and treatment, and opportunities for improvement.
Each of these is owned by a different domain, some of which sit above the review's own app, so
each domain registers an input source in its ``AppConfig.ready``. A review computes every
registered input for its period and freezes the results into its record, so minutes show what
management saw on the day even when the data moves on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from openisms.orgs.access import Actor


@dataclass(frozen=True)
class ReviewPeriod:
    """The period a review looks back on: from the previous review (or ``start``) to ``end``."""

    start: dt.date
    end: dt.date


@dataclass
class ReviewInput:
    """One input as a review shows and freezes it.

    ``summary`` is one or two plain sentences computed from the data; ``figures`` are labelled
    numbers (``{"Open": 3, "Overdue": 1}``); ``items`` are rows (each a dict of short strings,
    the same keys in every row) listing what the figures count, at most a few dozen.
    """

    key: str
    clause: str  # "9.3.2 d) 1)"
    title: str
    summary: str
    figures: dict[str, int | float | str] = field(default_factory=dict)
    items: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "clause": self.clause,
            "title": self.title,
            "summary": self.summary,
            "figures": dict(self.figures),
            "items": [dict(i) for i in self.items],
        }


ReviewInputSource = Callable[[Actor, ReviewPeriod], ReviewInput]

_SOURCES: dict[str, tuple[str, ReviewInputSource]] = {}


def register(key: str, clause: str, source: ReviewInputSource) -> None:
    """Register (or replace) a source; idempotent so ``ready()`` may run more than once.
    ``clause`` orders the inputs as the standard lists them."""
    _SOURCES[key] = (clause, source)


def sources() -> dict[str, tuple[str, ReviewInputSource]]:
    return dict(sorted(_SOURCES.items(), key=lambda kv: (kv[1][0], kv[0])))


def review_inputs(actor: Actor, period: ReviewPeriod) -> list[ReviewInput]:
    """Every registered input for the period, in the order of the standard's list."""
    return [source(actor, period) for _, source in sources().values()]
