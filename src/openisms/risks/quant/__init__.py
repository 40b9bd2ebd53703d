"""Quantitative (FAIR-style) Monte Carlo risk engine.

Why this module exists: a qualitative 5x5 heat map cannot say how much money is at risk,
whether a treatment pays for itself, or how likely a bad year is. FAIR answers those
questions by modelling each risk as *loss event frequency* (events per year) times *loss
magnitude* (currency per event) and simulating many years. NumPy only, so it can run in a
web request or a background task without pulling SciPy into the deployment.

Model, per risk and per simulated year ("trial"):

* a frequency ``lambda`` is drawn from the risk's frequency :class:`Range`;
* the number of loss events is ``N ~ Poisson(lambda)``;
* the annual loss is the sum of ``N`` independent draws from the magnitude :class:`Range`.

The portfolio loss of a trial is the sum of the risks' annual losses in that trial (risks
are independent). A 1,000-risk register simulates ~10^8 loss events, so the sampling is
organised around the cost per event:

* ``N`` follows its exact marginal, the *mixed Poisson* pmf, tabulated once per frequency
  Range by quadrature. Trials are i.i.d., so the number of years with ``N = k`` is one
  multinomial draw, and which years those are is a random subset: the cost scales with
  event years, not trials. Very wide frequencies fall back to lambda-then-Poisson.
* Magnitudes are drawn by inverse transform from a per-Range quantile table (14 bits of a
  16-bit uniform pick one of 16,384 entries) rather than gamma or normal variates costing
  several times more. A lognormal's unbounded top 1/64 of probability is drawn exactly.
* Years with ``k`` events get the column sums of a ``(k, years)`` slice of magnitudes,
  drawn ~8k events at a time across k-groups, so temporaries stay in cache and are
  recycled by the allocator (larger ones make glibc map and fault in fresh pages each time).
* Each risk's losses are kept *sparse* (event years and their losses); no risk x trial
  matrix exists.
* Every risk owns a random stream derived from ``(seed, risk key)``, and risks are summed
  in fixed blocks in register order, so results do not depend on how many worker
  processes run or in which order they finish. Large runs use one process per CPU (the
  Python work between NumPy calls holds the GIL, so threads gained only ~1.3x on two cores).

Approximations, all far below Monte Carlo noise at 10^5 trials: magnitude quantiles are
exact at 4,096 equal-probability knots and linear in between, read at 4 points per bin
(CDF within 2^-15 of the piecewise-linear one, same mean), with the PERT CDF behind them
integrated to ~1e-6 (lognormal mean bias < 1e-5); the count pmf is truncated ~9 sd
above the largest frequency (tail mass < 1e-17).
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

import numpy as np

from openisms.risks.quant.counts import (
    _count_sampler as _count_sampler,
)
from openisms.risks.quant.counts import (
    _CountSampler as _CountSampler,
)
from openisms.risks.quant.counts import (
    _gauss_legendre_unit as _gauss_legendre_unit,
)
from openisms.risks.quant.counts import (
    _mixed_poisson_pmf as _mixed_poisson_pmf,
)
from openisms.risks.quant.engine import _simulate_block
from openisms.risks.quant.inputs import (
    PERT_LAMBDA,
    Z95,
    Distribution,
    FloatArray,
    IntArray,
    Range,
    RiskInput,
    lognormal_mean,
    lognormal_variance,
    pert_mean,
    pert_variance,
    range_mean,
    range_variance,
)
from openisms.risks.quant.inputs import _draw as _draw
from openisms.risks.quant.magnitudes import _draw_magnitudes as _draw_magnitudes
from openisms.risks.quant.magnitudes import _normal_tail as _normal_tail
from openisms.risks.quant.magnitudes import _quantile_table as _quantile_table
from openisms.risks.quant.magnitudes import _unit_knots as _unit_knots
from openisms.risks.quant.results import (
    EXCEEDANCE_POINTS,
    PERCENTILES,
    ExceedanceCurve,
    LossStats,
    PortfolioResult,
    RiskResult,
    SimulationResult,
    _dense_stats,
    _exceedance_curve,
    _return_on_treatment,
)
from openisms.risks.quant.results import _sparse_percentiles as _sparse_percentiles

__all__ = [
    "EXCEEDANCE_POINTS",
    "PERCENTILES",
    "PERT_LAMBDA",
    "Z95",
    "Distribution",
    "ExceedanceCurve",
    "FloatArray",
    "IntArray",
    "LossStats",
    "PortfolioResult",
    "Range",
    "RiskInput",
    "RiskResult",
    "SimulationResult",
    "lognormal_mean",
    "lognormal_variance",
    "pert_mean",
    "pert_variance",
    "range_mean",
    "range_variance",
    "simulate",
]

# Read here at call time (tests patch them on this package), so they live next to simulate().
_MAX_TRIALS = 2**31 - 1  # far beyond any sensible run; guards against typos like 10**12
_DEFAULT_CHUNK_SIZE = 16  # blocks in flight: bounds memory (not the numbers), avoids idling
_RISKS_PER_BLOCK = 32  # fixed: the portfolio sums blocks in order, so this must not vary
_PROCESS_MIN_EVENTS = 5_000_000  # below this, starting worker processes costs more than it saves


# --- Simulation ----------------------------------------------------------------------


def _positive_int(name: str, value: object, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return value


def _expected_events(risks: Sequence[RiskInput], trials: int) -> float:
    total = 0.0
    for risk in risks:
        total += range_mean(risk.frequency)
        if risk.has_residual:
            total += range_mean(risk.residual_frequency or risk.frequency)
    return total * trials


def _process_pool(workers: int) -> ProcessPoolExecutor:
    """Worker processes for one simulation.

    Processes, not threads: the Python work between NumPy calls holds the GIL, which kept
    threads at ~1.3x on two cores. A single-threaded caller (the CLI, a background task,
    the benchmark) forks, which starts in milliseconds; a threaded one (the web server)
    uses a fork server that has imported NumPy and this module, because forking a
    multi-threaded process is unsafe.
    """
    if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods():
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(workers, mp_context=context)


def simulate(
    risks: Sequence[RiskInput],
    *,
    trials: int = 100_000,
    seed: int = 0,
    chunk_size: int = _DEFAULT_CHUNK_SIZE,
    workers: int | None = None,
) -> SimulationResult:
    """Run the Monte Carlo simulation for a register of risks.

    Risks are simulated in fixed blocks of ``_RISKS_PER_BLOCK`` (in register order), each
    block summing its risks' losses per trial, and the portfolio adds the block sums in block
    order. The block layout never changes, and every risk has its own random stream, so the
    numbers do not depend on ``workers`` (processes; default: CPUs available) or on
    ``chunk_size`` (how many blocks may be in flight at once, which bounds memory). Small runs
    stay in this process, where starting workers would cost more than it saves.
    """
    if _positive_int("trials", trials) > _MAX_TRIALS:
        raise ValueError(f"trials must be <= {_MAX_TRIALS}, got {trials!r}")
    _positive_int("seed", seed, minimum=0)
    _positive_int("chunk_size", chunk_size)
    if workers is not None:
        _positive_int("workers", workers)
    risks = list(risks)
    keys = [r.key for r in risks]
    if len(set(keys)) != len(keys):
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        # Same key -> same random stream -> perfectly correlated "independent" risks.
        raise ValueError(f"risk keys must be unique, duplicated: {duplicates}")

    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    blocks = [risks[i : i + _RISKS_PER_BLOCK] for i in range(0, len(risks), _RISKS_PER_BLOCK)]
    n_workers = min(workers or cpus or 1, len(blocks))
    if n_workers > 1 and _expected_events(risks, trials) < _PROCESS_MIN_EVENTS:
        n_workers = 1
    portfolio_inherent = np.zeros(trials, dtype=np.float64)
    portfolio_residual = np.zeros(trials, dtype=np.float64)
    results: list[RiskResult] = []

    def fold(block: Sequence[RiskInput], done: tuple[Any, FloatArray, FloatArray]) -> None:
        stats, inherent_sum, residual_sum = done
        np.add(portfolio_inherent, inherent_sum, out=portfolio_inherent)
        np.add(portfolio_residual, residual_sum, out=portfolio_residual)
        for risk, (inherent, residual) in zip(block, stats, strict=True):
            reduction = inherent.mean - residual.mean
            cost = float(risk.treatment_cost)
            roi = _return_on_treatment(reduction, cost)
            results.append(RiskResult(risk.key, inherent, residual, cost, reduction, roi))

    if n_workers == 1:
        for block in blocks:
            fold(block, _simulate_block(block, trials, seed))
    else:
        # Sliding window: at most chunk_size blocks are running or waiting to be folded.
        with _process_pool(n_workers) as pool:
            pending: deque[tuple[list[RiskInput], Future[Any]]] = deque()
            for block in blocks:
                if len(pending) >= max(chunk_size, n_workers):
                    done_block, future = pending.popleft()
                    fold(done_block, future.result())
                pending.append((block, pool.submit(_simulate_block, block, trials, seed)))
            while pending:
                done_block, future = pending.popleft()
                fold(done_block, future.result())

    inherent_stats = _dense_stats(portfolio_inherent)
    residual_stats = _dense_stats(portfolio_residual)
    total_cost = float(sum(r.treatment_cost for r in results))
    total_reduction = inherent_stats.mean - residual_stats.mean
    portfolio = PortfolioResult(
        inherent=inherent_stats,
        residual=residual_stats,
        inherent_exceedance=_exceedance_curve(portfolio_inherent),
        residual_exceedance=_exceedance_curve(portfolio_residual),
        treatment_cost=total_cost,
        risk_reduction=total_reduction,
        return_on_treatment=_return_on_treatment(total_reduction, total_cost),
    )
    portfolio_inherent.setflags(write=False)
    portfolio_residual.setflags(write=False)
    return SimulationResult(
        trials, seed, tuple(results), portfolio, portfolio_inherent, portfolio_residual
    )
