"""Annual event counts: the mixed-Poisson pmf of a frequency Range and its sampler.

N ~ Poisson(lambda) with lambda ~ the frequency Range has an exact marginal pmf, tabulated
once per Range by quadrature; the years with N = k are then one multinomial draw. Very
wide frequencies fall back to drawing lambda and then N, trial by trial.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from openisms.risks.quant.inputs import FloatArray, IntArray, Range, _draw
from openisms.risks.quant.magnitudes import _cosine_map

# Mixed-Poisson quadrature: bounded so that building a table stays far cheaper than using it.
_MIN_NODES = 64  # pmf error <= 1e-8 against 512 nodes for the widest PERT ranges tabulated
_MAX_PERT_NODES = 512
_MAX_NODES = 8192
_MAX_TABLE_CELLS = 4_000_000
_LOGNORMAL_Z_SPAN = 6.5  # quadrature covers |z| <= 6.5; mass outside is ~8e-11


@functools.lru_cache(maxsize=8)
def _gauss_legendre_unit(n: int) -> tuple[FloatArray, FloatArray]:
    """Gauss-Legendre nodes and weights on [0, 1] by Newton iteration on P_n.

    A few ms for n = 512, where ``numpy.polynomial.legendre.leggauss`` takes ~0.4 s.
    """
    i = np.arange(1, n + 1)
    x = np.cos(np.pi * (i - 0.25) / (n + 0.5))
    for _ in range(100):
        p_prev, p = np.ones_like(x), x.copy()
        for k in range(2, n + 1):
            p_prev, p = p, ((2 * k - 1) * x * p - (k - 1) * p_prev) / k
        dp = n * (x * p - p_prev) / (x * x - 1.0)
        step = p / dp
        x -= step
        if np.max(np.abs(step)) < 1e-15:
            break
    weights = 2.0 / ((1.0 - x * x) * dp * dp)
    return (x[::-1] + 1.0) / 2.0, weights[::-1] / 2.0


@functools.lru_cache(maxsize=8)
def _pert_nodes(n: int) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """n Gauss nodes in t, cosine-mapped: x, log x, log(1 - x), and the Gauss weights times
    dx/dt (the PERT mixing weights' shape-free part)."""
    t, gauss_w = _gauss_legendre_unit(n)
    x, log_x, log_1mx, dxdt = _cosine_map(t)
    return x, log_x, log_1mx, dxdt * gauss_w


def _log_factorials(size: int) -> FloatArray:
    """log k! for k = 0 .. size - 1 (the common sizes from one cached table)."""
    table = _log_factorial_table()
    if size <= table.size:
        return table[:size]
    return np.concatenate(([0.0], np.cumsum(np.log(np.arange(1.0, size)))))


@functools.cache
def _log_factorial_table() -> FloatArray:
    return np.concatenate(([0.0], np.cumsum(np.log(np.arange(1.0, 4096.0)))))


def _mixing_nodes(r: Range) -> tuple[FloatArray, FloatArray] | None:
    """Quadrature nodes (lambda values) and weights (summing to 1) for a frequency Range.

    PERT: Gauss-Legendre in t with x = (1 - cos(pi t)) / 2, which clusters nodes at both
    ends and smooths the density's x^(alpha-1) end behaviour. Lognormal: midpoint rule in
    z = (ln lambda - mu) / sigma over |z| <= 6.5, spectrally accurate for a Gaussian weight.
    None when the grid needed to resolve the Poisson kernel would be too fine.
    """
    if r.is_constant:
        return np.array([r.low]), np.array([1.0])
    if r.distribution == "pert":
        width = r.high - r.low
        # Node spacing (max ~ width*pi/(2n)) must be small against the Poisson kernel's
        # width sqrt(lambda) (>= 1 for small lambda); half of it suffices for Gauss nodes.
        needed = math.ceil(width * math.pi / math.sqrt(max(r.low, 1.0)))
        n = _MIN_NODES
        while n < needed:
            n *= 2
        if n > _MAX_PERT_NODES:
            return None
        x, log_x, log_1mx, base_w = _pert_nodes(n)
        alpha, beta = r.pert_shape()
        log_w = (alpha - 1.0) * log_x + (beta - 1.0) * log_1mx
        w = np.exp(log_w - log_w.max()) * base_w
        return r.low + width * x, w / w.sum()
    mu, sigma = r.lognormal_params()
    lam_max = math.exp(mu + sigma * _LOGNORMAL_Z_SPAN)
    # Spacing in lambda near the top is lam*sigma*dz; keep it below ~sqrt(lam)/4.
    n = max(_MIN_NODES, math.ceil(8.0 * _LOGNORMAL_Z_SPAN * sigma * math.sqrt(max(lam_max, 1))))
    if n > _MAX_NODES:
        return None
    z = -_LOGNORMAL_Z_SPAN + (np.arange(n) + 0.5) * (2.0 * _LOGNORMAL_Z_SPAN / n)
    w = np.exp(-0.5 * z * z)
    return np.exp(mu + sigma * z), w / w.sum()


def _mixed_poisson_pmf(r: Range) -> FloatArray | None:
    """P(N = k), k = 0..K-1, where N ~ Poisson(lambda) and lambda ~ r.

    K = lambda_max + 9 sqrt(lambda_max) + 12 puts the truncated Poisson tail below ~1e-17 at
    every lambda (Chernoff bound); the pmf is renormalised to sum to one. None when the table
    would be too large.
    """
    nodes = _mixing_nodes(r)
    if nodes is None:
        return None
    lam, w = nodes
    lam_max = float(lam.max())
    k_max = math.ceil(lam_max + 9.0 * math.sqrt(lam_max) + 12.0)
    if k_max * lam.size > _MAX_TABLE_CELLS:
        return None
    k = np.arange(k_max, dtype=np.float64)
    log_k_fact = _log_factorials(k_max)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_p = k[:, None] * np.log(lam)[None, :]
    log_p[0, :] = 0.0  # 0 * log(0) is 0 here: P(N = 0 | lambda = 0) = 1
    log_p -= lam[None, :]
    log_p -= log_k_fact[:, None]
    pmf = (np.exp(log_p) * w[None, :]).sum(axis=1)  # not BLAS: no BLAS threads spin up
    return np.asarray(pmf / pmf.sum(), dtype=np.float64)


@dataclass(frozen=True, eq=False)
class _CountSampler:
    """Samples annual event counts N for one frequency Range.

    Why not one draw per trial: trials are independent and identically distributed, so
    the number of trials with N = k is Multinomial(trials, pmf), one cheap call; which
    trials those are is a uniformly random, randomly ordered subset (``Generator.choice``
    without replacement), assigned to the k-groups in order. Cost scales with the event
    years, not the trials. Without a ``pmf`` (a frequency too wide to tabulate), lambda
    and then N are drawn literally, trial by trial.
    """

    frequency: Range
    pmf: FloatArray | None

    def sample(self, rng: np.random.Generator, trials: int) -> tuple[IntArray, IntArray]:
        """Return (years, per_k): the trials with N > 0 and how many have each N = k.

        The first ``per_k[1]`` entries of ``years`` have one event, the next ``per_k[2]``
        two, and so on; ``per_k[0]`` is always 0.
        """
        if self.pmf is None:
            counts = rng.poisson(_draw(self.frequency, rng, trials))
            per_k = np.bincount(counts)
            years = np.argsort(counts, kind="stable")[int(per_k[0]) :]
        else:
            per_k = rng.multinomial(trials, self.pmf)
            years = rng.choice(trials, trials - int(per_k[0]), replace=False)
        per_k[0] = 0
        return years.astype(np.intp, copy=False), per_k.astype(np.intp, copy=False)


@functools.lru_cache(maxsize=4096)
def _count_sampler(r: Range) -> _CountSampler:
    return _CountSampler(r, _mixed_poisson_pmf(r))
