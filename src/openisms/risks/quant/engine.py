"""Simulation of one risk, and of a block of risks, on one random stream per risk.

:func:`_simulate_block` is what worker processes run (submitted by
:func:`openisms.risks.quant.simulate`), so it must stay importable by this module path.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from openisms.risks.quant.counts import _count_sampler
from openisms.risks.quant.inputs import FloatArray, IntArray, Range, RiskInput
from openisms.risks.quant.magnitudes import _draw_magnitudes
from openisms.risks.quant.results import LossStats, _sparse_percentiles

_BLOCK = 1 << 13  # events per block: 64 KiB float arrays stay below glibc's mmap threshold


@dataclass(frozen=True, eq=False)
class _SparseLoss:
    """Annual losses of one risk: zero except at trials ``idx`` (in any order)."""

    idx: IntArray
    loss: FloatArray
    stats: LossStats


def _simulate_component(
    frequency: Range, magnitude: Range, trials: int, seed_seq: np.random.SeedSequence
) -> _SparseLoss:
    """Simulate one risk's annual losses for one state (inherent or residual)."""
    rng = np.random.Generator(np.random.PCG64(seed_seq))
    years, per_k = _count_sampler(frequency).sample(rng, trials)
    if magnitude.is_constant:
        loss = np.repeat(np.arange(per_k.size) * magnitude.low, per_k)
    else:
        loss = _yearly_sums(magnitude, rng, per_k, years.size)
    p50, p90, p99 = _sparse_percentiles(loss, trials)
    return _SparseLoss(years, loss, LossStats(float(loss.sum()) / trials, p50, p90, p99))


def _yearly_sums(
    magnitude: Range, rng: np.random.Generator, per_k: IntArray, size: int
) -> FloatArray:
    """Losses of ``size`` years grouped by event count: ``per_k[k]`` years of k events each.

    Years with ``k`` events are column sums of a ``(k, years)`` slice of magnitudes, so no
    per-year bookkeeping is needed. Pieces of k-groups are gathered until they hold ~_BLOCK
    events and their magnitudes drawn in one call: few calls, small temporaries.
    """
    loss = np.empty(size)
    pieces: list[tuple[int, int, int]] = []  # (k, first year, years)
    pending = 0

    def flush() -> None:
        events = _draw_magnitudes(magnitude, rng, pending)
        at = 0
        for k, lo, n in pieces:
            part = events[at : at + k * n]
            if k == 1:
                loss[lo : lo + n] = part
            else:
                np.sum(part.reshape(k, n), axis=0, out=loss[lo : lo + n])
            at += k * n
        pieces.clear()

    start = 0
    for k in np.flatnonzero(per_k).tolist():
        stop = start + int(per_k[k])
        step = max(1, _BLOCK // k)
        for lo in range(start, stop, step):
            n = min(step, stop - lo)
            pieces.append((k, lo, n))
            pending += k * n
            if pending >= _BLOCK:
                flush()
                pending = 0
        start = stop
    if pieces:
        flush()
    return loss


def _risk_seed(seed: int, key: str) -> np.random.SeedSequence:
    """Independent, reproducible stream per risk.

    Keyed on the risk *key* (not its position) so adding, removing or reordering other
    risks in the register leaves this risk's simulated losses unchanged.
    """
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4)]
    return np.random.SeedSequence([seed, *words])


def _simulate_risk(risk: RiskInput, trials: int, seed: int) -> tuple[_SparseLoss, _SparseLoss]:
    inherent_seq, residual_seq = _risk_seed(seed, risk.key).spawn(2)
    inherent = _simulate_component(risk.frequency, risk.magnitude, trials, inherent_seq)
    if not risk.has_residual:
        return inherent, inherent
    residual = _simulate_component(
        risk.residual_frequency or risk.frequency,
        risk.residual_magnitude or risk.magnitude,
        trials,
        residual_seq,
    )
    return inherent, residual


def _simulate_block(
    risks: Sequence[RiskInput], trials: int, seed: int
) -> tuple[list[tuple[LossStats, LossStats]], FloatArray, FloatArray]:
    """Simulate a block of risks: their stats and the block's part of the portfolio losses.

    Risks are folded into the block's sums in register order, one ``np.add.at`` each: trial
    indices are unique per risk, so every trial gets at most one add per risk, in register
    order (NumPy 2's ``add.at`` beat both a fancy-index ``+=`` and a ``bincount`` here).
    """
    stats: list[tuple[LossStats, LossStats]] = []
    inherent_sum = np.zeros(trials, dtype=np.float64)
    residual_sum = np.zeros(trials, dtype=np.float64)
    for risk in risks:
        inherent, residual = _simulate_risk(risk, trials, seed)
        np.add.at(inherent_sum, inherent.idx, inherent.loss)
        np.add.at(residual_sum, residual.idx, residual.loss)
        stats.append((inherent.stats, residual.stats))
    return stats, inherent_sum, residual_sum
