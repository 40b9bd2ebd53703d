"""Loss magnitudes: per-Range quantile tables and inverse-transform draws.

A magnitude is drawn by reading a quantile table at 14 bits of a 16-bit uniform (16,384
entries: 4,096 equal-probability bins, each read at four points); a lognormal's unbounded
top 1/64 of probability is drawn exactly. The cosine map here is shared with the PERT
mixing nodes of :mod:`openisms.risks.quant.counts`.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from openisms.risks.quant.inputs import Distribution, FloatArray, Range, U16Array

_BIN_BITS = 12  # magnitude quantile tables have 2**12 equal-probability bins ...
_SUB_BITS = 2  # ... each read at 2**2 evenly spaced points ...
_DRAW_MASK = (1 << (_BIN_BITS + _SUB_BITS)) - 1  # ... picked by 14 bits of a 16-bit uniform
_BINS = 1 << _BIN_BITS
_QUARTERS = ((np.arange(1 << _SUB_BITS) + 0.5) / (1 << _SUB_BITS))[:, None]  # read points
_SHAPE_DIGITS = 12  # magnitude shapes equal to 12 decimals share one quantile tabulation
_LOGNORMAL_TAIL_BINS = 64  # top 1/64 of a lognormal is drawn exactly, not from the table


def _uniform16(rng: np.random.Generator, size: int) -> U16Array:
    """``size`` uniform 16-bit integers: a quarter of the cost of float64 uniforms."""
    return rng.bit_generator.random_raw((size + 3) // 4).view(np.uint16)[:size]


def _cosine_map(t: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """x = (1 - cos(pi t)) / 2 with log x, log(1 - x) and dx/dt: the substitution both PERT
    integrals use, which clusters points at both ends where the density behaves like
    x^(alpha-1) and (1-x)^(beta-1)."""
    x = 0.5 * (1.0 - np.cos(np.pi * t))
    with np.errstate(divide="ignore"):
        return x, np.log(x), np.log1p(-x), 0.5 * np.pi * np.sin(np.pi * t)


@functools.cache
def _unit_grid() -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """The cosine-mapped grid of 2^11 intervals for the PERT CDF."""
    return _cosine_map(np.linspace(0.0, 1.0, (1 << 11) + 1))


@functools.cache
def _unit_targets() -> FloatArray:
    """Probabilities j / 4096, j = 0..4096, of the quantile knots."""
    return np.linspace(0.0, 1.0, _BINS + 1)


@functools.cache
def _normal_knots() -> FloatArray:
    """Standard normal quantiles at j / 4096, j = 0..4096 (infinite at both ends)."""
    inner = [NormalDist().inv_cdf(j / _BINS) for j in range(1, _BINS)]
    return np.array([-math.inf, *inner, math.inf])


@dataclass(frozen=True, eq=False)
class _QuantileTable:
    """Piecewise-linear quantile function Q of a magnitude Range, read at 16,384 points.

    Q is exact at the 4,097 knots j / 4096 and linear in between. Entry ``s * 4096 + b``
    holds Q at the midpoint of quarter ``s`` of bin ``b``, so a draw is one table read at 14
    uniform bits. Because Q is linear within a bin, the four midpoints average to Q's mean
    over the bin: the table has the piecewise-linear distribution's mean exactly, and its
    CDF lies within 2^-15 of it. ``tail_bin`` is the first bin that must be replaced by an
    exact draw (``_BINS`` when none is).
    """

    values: FloatArray
    tail_bin: int


@functools.lru_cache(maxsize=256)  # 32 KiB per entry
def _unit_knots(distribution: Distribution, a: float, b: float) -> FloatArray:
    """Quantile knots Q(j / 4096), j = 0..4096, of a Range's shape, before its location/scale.

    PERT: knots of Beta(a, b) on [0, 1]; the Range maps x to low + (high - low) x. Lognormal:
    exp(b z_j) for the normal knots z_j (``a`` unused); the Range multiplies by exp(mu).
    Keyed on the shape only, rounded to _SHAPE_DIGITS decimals (a shape error far below the
    tabulation's), so ranges that differ by scale (a residual magnitude that cuts every
    estimate by the same factor, say) share one tabulation.
    """
    if distribution == "lognormal":
        knots = np.exp(b * _normal_knots())
        tail_bin = _BINS - _LOGNORMAL_TAIL_BINS
        knots[tail_bin + 1 :] = knots[tail_bin]  # unused; finite to keep the algebra quiet
        return knots
    x, log_x, log_1mx, dxdt = _unit_grid()
    with np.errstate(invalid="ignore"):
        log_pdf = (a - 1.0) * log_x + (b - 1.0) * log_1mx
    g = np.exp(log_pdf - np.max(log_pdf[1:-1])) * dxdt
    g[0] = g[-1] = 0.0  # dx/dt vanishes at both ends; avoids 0 * inf for alpha or beta 1
    cdf = np.concatenate(([0.0], np.cumsum(g[1:] + g[:-1])))
    knots = np.interp(_unit_targets(), cdf / cdf[-1], x)
    knots[0], knots[-1] = 0.0, 1.0
    return knots


@functools.lru_cache(maxsize=64)  # 128 KiB per entry: a block reuses a range at once, if at all
def _quantile_table(r: Range) -> _QuantileTable:
    """Tabulate Q(j / 4096), j = 0..4096, and turn it into a :class:`_QuantileTable`.

    PERT: the Beta density is integrated with the trapezoid rule in t, x = (1 - cos pi t)/2,
    where the integrand stays smooth although the density behaves like x^(alpha-1) at the
    ends; with 2^11 intervals the CDF error is ~1e-6. Lognormal: exp(mu + sigma z_j); its top
    bins have no finite right knot and are flagged for exact sampling instead.
    """
    if r.distribution == "pert":
        alpha, beta = (round(v, _SHAPE_DIGITS) for v in r.pert_shape())
        knots = r.low + (r.high - r.low) * _unit_knots("pert", alpha, beta)
        knots[0], knots[-1] = r.low, r.high
        tail_bin = _BINS
    else:
        mu, sigma = r.lognormal_params()
        knots = math.exp(mu) * _unit_knots("lognormal", 0.0, round(sigma, _SHAPE_DIGITS))
        tail_bin = _BINS - _LOGNORMAL_TAIL_BINS
    values = np.empty((1 << _SUB_BITS, _BINS))
    np.multiply(_QUARTERS, np.diff(knots), out=values)
    values += knots[:-1]
    np.minimum(values, knots[-1], out=values)  # rounding must not leave [low, high]
    return _QuantileTable(values.ravel(), tail_bin)


def _normal_tail(rng: np.random.Generator, z0: float, size: int) -> FloatArray:
    """Exact draws of Z | Z > z0 for a standard normal Z (Marsaglia's tail method).

    x = sqrt(z0^2 - 2 ln U) has density proportional to x exp(-x^2 / 2) above z0; keeping
    x with probability z0 / x leaves the normal tail. ~85 % are kept for z0 = 2.15, so one
    round of 1.25 size + 8 candidates nearly always suffices (this runs once per batch of
    magnitudes, so its call overhead matters more than its arithmetic).
    """
    out = np.empty(0)
    while out.size < size:
        n = (size - out.size) * 5 // 4 + 8
        x = np.sqrt(z0 * z0 - 2.0 * np.log1p(-rng.random(n)))
        out = np.concatenate((out, x[rng.random(n) * x < z0]))
    return out[:size]


def _draw_magnitudes(r: Range, rng: np.random.Generator, size: int) -> FloatArray:
    """Draw loss magnitudes by inverse transform from the Range's quantile table."""
    if r.is_constant:
        return np.full(size, r.low, dtype=np.float64)
    table = _quantile_table(r)
    u = _uniform16(rng, size) & _DRAW_MASK
    out = table.values.take(u)
    if table.tail_bin < _BINS:
        tail = np.flatnonzero((u & (_BINS - 1)) >= table.tail_bin)
        if tail.size:
            mu, sigma = r.lognormal_params()
            z = _normal_tail(rng, float(_normal_knots()[table.tail_bin]), tail.size)
            out[tail] = np.exp(mu + sigma * z)
    return out
