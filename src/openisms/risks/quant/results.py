"""Results of a simulation, and the statistics that summarise annual losses.

Per-risk percentiles are taken from sparse losses (event years only); portfolio ones from
the dense per-trial sums. ``to_dict`` rounds currency to 2 decimals and ratios to 6.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from openisms.risks.quant.inputs import FloatArray

type ExceedanceCurve = tuple[tuple[float, float], ...]

#: Percentiles reported for every loss distribution.
PERCENTILES = (50.0, 90.0, 99.0)
#: Number of log-spaced thresholds in a loss exceedance curve.
EXCEEDANCE_POINTS = 50


@dataclass(frozen=True)
class LossStats:
    """Summary of an annual-loss distribution (currency units per year)."""

    mean: float
    p50: float
    p90: float
    p99: float

    def to_dict(self) -> dict[str, float]:
        return {name: _money(getattr(self, name)) for name in ("mean", "p50", "p90", "p99")}


@dataclass(frozen=True)
class RiskResult:
    """Per-risk outcome. ``return_on_treatment`` is None when there is no treatment cost."""

    key: str
    inherent: LossStats
    residual: LossStats
    treatment_cost: float
    risk_reduction: float
    return_on_treatment: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "inherent": self.inherent.to_dict(),
            "residual": self.residual.to_dict(),
            "risk_reduction": _money(self.risk_reduction),
            "treatment_cost": _money(self.treatment_cost),
            "return_on_treatment": _ratio(self.return_on_treatment),
        }


@dataclass(frozen=True)
class PortfolioResult:
    """Register-wide outcome: the sum of all risks' annual losses, trial by trial."""

    inherent: LossStats
    residual: LossStats
    inherent_exceedance: ExceedanceCurve
    residual_exceedance: ExceedanceCurve
    treatment_cost: float
    risk_reduction: float
    return_on_treatment: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "inherent": self.inherent.to_dict(),
            "residual": self.residual.to_dict(),
            "risk_reduction": _money(self.risk_reduction),
            "treatment_cost": _money(self.treatment_cost),
            "return_on_treatment": _ratio(self.return_on_treatment),
            "inherent_exceedance": _curve_to_list(self.inherent_exceedance),
            "residual_exceedance": _curve_to_list(self.residual_exceedance),
        }


@dataclass(frozen=True)
class SimulationResult:
    """Everything :func:`simulate` produces.

    ``portfolio_inherent_losses`` / ``portfolio_residual_losses`` are the per-trial portfolio
    annual losses (read-only arrays). They are kept because they are cheap (one float per
    trial) and let callers draw their own charts; they are not part of :meth:`to_dict`.
    """

    trials: int
    seed: int
    risks: tuple[RiskResult, ...]
    portfolio: PortfolioResult
    portfolio_inherent_losses: FloatArray = field(repr=False, compare=False)
    portfolio_residual_losses: FloatArray = field(repr=False, compare=False)

    def risk(self, key: str) -> RiskResult:
        """Look up one risk's result by key."""
        for result in self.risks:
            if result.key == key:
                return result
        raise KeyError(key)

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable summary with a stable key order.

        Currency amounts are rounded to 2 decimals. Exceedance probabilities and return on
        treatment are ratios, rounded to 6 decimals instead: at 2 decimals every tail
        probability below 0.5 % would print as 0.0, which defeats the point of the curve.
        """
        return {
            "trials": self.trials,
            "seed": self.seed,
            "portfolio": self.portfolio.to_dict(),
            "risks": [r.to_dict() for r in self.risks],
        }


def _money(value: float) -> float:
    return round(float(value), 2)


def _ratio(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)


def _curve_to_list(curve: ExceedanceCurve) -> list[list[float]]:
    return [[_money(loss), round(prob, 6)] for loss, prob in curve]


def _return_on_treatment(reduction: float, cost: float) -> float | None:
    return (reduction - cost) / cost if cost > 0 else None


# --- Statistics -------------------------------------------------------------------


def _sparse_percentiles(values: FloatArray, trials: int) -> tuple[float, ...]:
    """``np.percentile(dense, PERCENTILES)`` without building the dense vector.

    ``dense`` is ``values`` padded with ``trials - len(values)`` zeros; since every value
    is >= 0 those zeros sort first, so order statistic i is 0 for i < zeros and
    ``sorted(values)[i - zeros]`` otherwise. Interpolation mirrors NumPy's "linear" method.
    Order statistics are found by successive single-pivot partitions of a shrinking tail,
    which is ~3x faster than one ``np.partition`` call with six pivots; the second of two
    adjacent ranks is the minimum of what lies above the first, a cheaper pass still.
    """
    zeros = trials - values.size
    positions = [(trials - 1) * q / 100.0 for q in PERCENTILES]
    wanted = sorted({r for h in positions for r in (math.floor(h), math.ceil(h)) if r >= zeros})
    order_stats: dict[int, float] = {}
    tail, offset = values.copy(), zeros  # the values of rank >= offset, in any order
    for rank in wanted:
        local = rank - offset
        if local == 0:
            order_stats[rank] = float(tail.min())
            continue  # tail and offset stay: the next partition places this rank too
        tail.partition(local)
        order_stats[rank] = float(tail[local])
        tail, offset = tail[local + 1 :], rank + 1

    out = []
    for h in positions:
        lo = math.floor(h)
        hi = min(lo + 1, trials - 1)
        a, b, t = order_stats.get(lo, 0.0), order_stats.get(hi, 0.0), h - lo
        diff = b - a
        out.append(b - diff * (1.0 - t) if t >= 0.5 else a + diff * t)
    return tuple(out)


def _dense_stats(losses: FloatArray) -> LossStats:
    p50, p90, p99 = (float(v) for v in np.percentile(losses, PERCENTILES))
    return LossStats(float(losses.mean()), p50, p90, p99)


def _exceedance_curve(losses: FloatArray) -> ExceedanceCurve:
    """Points (loss, P(annual loss > loss)) at log-spaced losses.

    The range starts at the 1st percentile, or at the smallest positive loss when that
    percentile is zero (log spacing needs a positive start), and ends at the maximum.
    All-zero portfolios have no meaningful curve and get an empty one.
    """
    ordered = np.sort(losses)
    top = float(ordered[-1])
    if top <= 0.0:
        return ()
    bottom = float(np.percentile(ordered, 1.0))
    if bottom <= 0.0:
        bottom = float(ordered[np.searchsorted(ordered, 0.0, side="right")])
    thresholds = np.geomspace(bottom, top, EXCEEDANCE_POINTS)
    above = ordered.size - np.searchsorted(ordered, thresholds, side="right")
    probs = above / ordered.size
    return tuple((float(x), float(p)) for x, p in zip(thresholds, probs, strict=True))
