"""Inputs of the quantitative engine: three-point estimates, risks, and their moments.

:class:`Range` is one calibrated estimate, :class:`RiskInput` one risk of the register in
FAIR terms. The closed-form moments are reference values for tests and quick estimates;
:func:`_draw` samples a Range exactly (slow: used for frequencies too wide to tabulate).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

type FloatArray = npt.NDArray[np.float64]
type IntArray = npt.NDArray[np.intp]
type U16Array = npt.NDArray[np.uint16]

Distribution = Literal["pert", "lognormal"]

#: z-score of the 95th percentile of the standard normal distribution.
Z95 = 1.6448536269514722
#: Beta-PERT shape parameter (the classic PERT weight on the mode).
PERT_LAMBDA = 4.0


# --- Inputs --------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """A calibrated estimate "between ``low`` and ``high``, most likely ``mode``".

    Why a three-point estimate: it is what risk owners can actually give in a workshop,
    and it maps directly onto the two supported distributions.

    * ``"pert"`` - Beta-PERT (lambda = 4) scaled to ``[low, high]``. Bounded, so it suits
      frequencies and losses with a credible worst case.
    * ``"lognormal"`` - ``low`` and ``high`` are read as the **5th and 95th percentiles**
      (a 90 % confidence interval, the usual FAIR calibration question). ``mode`` is only
      validated, so a Range can switch distribution without becoming inconsistent. Heavy
      right tail, no upper bound; requires ``low > 0``.

    ``low == mode == high`` is allowed and means a known constant (for example a fixed fine).
    """

    low: float
    mode: float
    high: float
    distribution: Distribution = "pert"

    def __post_init__(self) -> None:
        for name in ("low", "mode", "high"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"Range.{name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"Range.{name} must be finite and >= 0, got {value!r}")
        if self.distribution not in ("pert", "lognormal"):
            raise ValueError(
                f"Range.distribution must be 'pert' or 'lognormal', got {self.distribution!r}"
            )
        if self.mode < self.low:
            raise ValueError(f"Range.mode ({self.mode}) must be >= Range.low ({self.low})")
        if self.high < self.mode:
            raise ValueError(f"Range.high ({self.high}) must be >= Range.mode ({self.mode})")
        if self.distribution == "lognormal" and self.low <= 0:
            raise ValueError(f"Range.low must be > 0 for a lognormal range, got {self.low!r}")

    @property
    def is_constant(self) -> bool:
        """True when the range is a single value (no uncertainty to sample)."""
        return self.low == self.high

    def pert_shape(self) -> tuple[float, float]:
        """Beta shape parameters (alpha, beta) of the PERT distribution."""
        width = self.high - self.low
        if width == 0:
            raise ValueError("Range.high must be > Range.low to have PERT shape parameters")
        alpha = 1.0 + PERT_LAMBDA * (self.mode - self.low) / width
        beta = 1.0 + PERT_LAMBDA * (self.high - self.mode) / width
        return alpha, beta

    def lognormal_params(self) -> tuple[float, float]:
        """(mu, sigma) of the underlying normal, from the 5th/95th percentiles."""
        if self.low <= 0:
            raise ValueError("Range.low must be > 0 for lognormal parameters")
        log_low, log_high = math.log(self.low), math.log(self.high)
        return (log_low + log_high) / 2.0, (log_high - log_low) / (2.0 * Z95)


@dataclass(frozen=True)
class RiskInput:
    """One risk of the register in FAIR terms.

    ``frequency`` is loss events per year, ``magnitude`` is loss per event in currency
    units. The ``residual_*`` ranges describe the risk after treatment; a missing one means
    the treatment does not change that factor (so with both missing, residual == inherent).
    ``treatment_cost`` is the annual cost of the treatment, used for return on treatment.
    """

    key: str
    frequency: Range
    magnitude: Range
    residual_frequency: Range | None = None
    residual_magnitude: Range | None = None
    treatment_cost: float = 0.0

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key:
            raise ValueError(f"RiskInput.key must be a non-empty string, got {self.key!r}")
        for name in ("frequency", "magnitude", "residual_frequency", "residual_magnitude"):
            value = getattr(self, name)
            optional = name.startswith("residual")
            if not isinstance(value, Range) and not (optional and value is None):
                raise ValueError(f"RiskInput.{name} must be a Range")
        cost = self.treatment_cost
        if isinstance(cost, bool) or not isinstance(cost, int | float):
            raise ValueError(f"RiskInput.treatment_cost must be a number, got {cost!r}")
        if not math.isfinite(cost) or cost < 0:
            raise ValueError(f"RiskInput.treatment_cost must be finite and >= 0, got {cost!r}")

    @property
    def has_residual(self) -> bool:
        """True when a treatment changes frequency or magnitude."""
        return self.residual_frequency is not None or self.residual_magnitude is not None


# --- Analytic moments (reference values for tests and quick estimates) ---------------


def _require(r: Range, distribution: Distribution) -> None:
    if r.distribution != distribution:
        raise ValueError(f"expected a {distribution} Range, got {r.distribution!r}")


def pert_mean(r: Range) -> float:
    """Mean of a Beta-PERT range: (low + 4 mode + high) / 6."""
    _require(r, "pert")
    return (r.low + PERT_LAMBDA * r.mode + r.high) / (PERT_LAMBDA + 2.0)


def pert_variance(r: Range) -> float:
    """Variance of a Beta-PERT range: (mean - low)(high - mean) / 7 (alpha + beta = 6)."""
    mean = pert_mean(r)
    return (mean - r.low) * (r.high - mean) / (PERT_LAMBDA + 3.0)


def lognormal_mean(r: Range) -> float:
    """Mean of a lognormal range: exp(mu + sigma^2 / 2)."""
    _require(r, "lognormal")
    if r.is_constant:
        return r.low
    mu, sigma = r.lognormal_params()
    return math.exp(mu + sigma * sigma / 2.0)


def lognormal_variance(r: Range) -> float:
    """Variance of a lognormal range: (exp(sigma^2) - 1) exp(2 mu + sigma^2)."""
    _require(r, "lognormal")
    if r.is_constant:
        return 0.0
    mu, sigma = r.lognormal_params()
    return math.expm1(sigma * sigma) * math.exp(2.0 * mu + sigma * sigma)


def range_mean(r: Range) -> float:
    """Mean of either distribution."""
    return pert_mean(r) if r.distribution == "pert" else lognormal_mean(r)


def range_variance(r: Range) -> float:
    """Variance of either distribution."""
    return pert_variance(r) if r.distribution == "pert" else lognormal_variance(r)


# --- Exact draws ------------------------------------------------------------------


def _draw(r: Range, rng: np.random.Generator, size: int) -> FloatArray:
    """Draw ``size`` values from a Range exactly (slow; for wide frequencies and tests)."""
    if r.is_constant:
        return np.full(size, r.low, dtype=np.float64)
    if r.distribution == "lognormal":
        mu, sigma = r.lognormal_params()
        return rng.lognormal(mu, sigma, size)
    alpha, beta = r.pert_shape()
    return r.low + (r.high - r.low) * rng.beta(alpha, beta, size)
