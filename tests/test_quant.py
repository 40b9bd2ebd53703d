"""Tests for the quantitative Monte Carlo risk engine.

Statistical checks compare simulated moments with closed-form values (no numbers copied
from a run). Tolerances are a few standard errors, so a wrong formula or a biased sampler
fails while honest Monte Carlo noise does not; the seeds are fixed so runs are repeatable.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from openisms.risks.quant import (
    Range,
    RiskInput,
    _count_sampler,
    _CountSampler,
    _draw,
    _draw_magnitudes,
    _gauss_legendre_unit,
    _mixed_poisson_pmf,
    _normal_tail,
    _quantile_table,
    _sparse_percentiles,
    _unit_knots,
    lognormal_mean,
    lognormal_variance,
    pert_mean,
    pert_variance,
    range_mean,
    range_variance,
    simulate,
)

N = 200_000


def rng(seed: int = 12345) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def register() -> list[RiskInput]:
    return [
        RiskInput(
            "ransomware",
            Range(0.05, 0.2, 0.6),
            Range(50_000, 200_000, 2_000_000, "lognormal"),
            residual_frequency=Range(0.02, 0.08, 0.3),
            treatment_cost=10_000,
        ),
        RiskInput("laptop-theft", Range(1, 3, 8), Range(500, 1_500, 6_000)),
        RiskInput(
            "phishing",
            Range(4, 10, 30),
            Range(100, 800, 20_000),
            residual_magnitude=Range(50, 300, 5_000),
            treatment_cost=2_500,
        ),
        RiskInput("fine", Range(0.01, 0.02, 0.05, "lognormal"), Range(1e6, 1e6, 1e6)),
    ]


# --- validation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"low": -1, "mode": 1, "high": 2}, "Range.low"),
        ({"low": 2, "mode": 1, "high": 3}, "Range.mode"),
        ({"low": 1, "mode": 3, "high": 2}, "Range.high"),
        ({"low": 1, "mode": 2, "high": math.inf}, "Range.high"),
        ({"low": 1, "mode": math.nan, "high": 3}, "Range.mode"),
        ({"low": 1, "mode": 2, "high": 3, "distribution": "normal"}, "Range.distribution"),
        ({"low": 0, "mode": 1, "high": 3, "distribution": "lognormal"}, "Range.low"),
        ({"low": "1", "mode": 2, "high": 3}, "Range.low"),
    ],
)
def test_range_validation_names_the_field(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        Range(**kwargs)  # type: ignore[arg-type]


def test_constant_and_valid_ranges_are_accepted() -> None:
    assert Range(5, 5, 5).is_constant
    assert Range(0, 0, 0).is_constant
    assert Range(1, 1, 4).pert_shape() == (1.0, 5.0)
    assert Range(0, 4, 4).pert_shape() == (5.0, 1.0)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"key": ""}, "RiskInput.key"),
        ({"treatment_cost": -1.0}, "RiskInput.treatment_cost"),
        ({"treatment_cost": math.nan}, "RiskInput.treatment_cost"),
        ({"frequency": (1, 2, 3)}, "RiskInput.frequency"),
    ],
)
def test_risk_input_validation(kwargs: dict[str, object], field: str) -> None:
    base: dict[str, object] = {
        "key": "r",
        "frequency": Range(1, 2, 3),
        "magnitude": Range(1, 2, 3),
    }
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        RiskInput(**(base | kwargs))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"trials": 0}, "trials"), ({"seed": -1}, "seed"), ({"chunk_size": 0}, "chunk_size")],
)
def test_simulate_rejects_bad_arguments(kwargs: dict[str, int], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        simulate(register(), **kwargs)


def test_duplicate_keys_are_rejected() -> None:
    risk = RiskInput("dup", Range(1, 2, 3), Range(1, 2, 3))
    with pytest.raises(ValueError, match="dup"):
        simulate([risk, risk], trials=10)


# --- reproducibility -------------------------------------------------------------------


def test_same_seed_gives_identical_results() -> None:
    a = simulate(register(), trials=20_000, seed=7)
    b = simulate(register(), trials=20_000, seed=7)
    assert a.to_dict() == b.to_dict()
    assert np.array_equal(a.portfolio_inherent_losses, b.portfolio_inherent_losses)


def test_different_seed_gives_different_results() -> None:
    a = simulate(register(), trials=20_000, seed=7)
    b = simulate(register(), trials=20_000, seed=8)
    assert a.to_dict() != b.to_dict()
    assert a.portfolio.inherent.mean != b.portfolio.inherent.mean


@pytest.mark.parametrize(("chunk_size", "workers"), [(1, 1), (3, 2), (2, 4), (100, 2)])
def test_results_do_not_depend_on_chunking_or_threads(chunk_size: int, workers: int) -> None:
    reference = simulate(register(), trials=20_000, seed=3, chunk_size=64, workers=1)
    other = simulate(register(), trials=20_000, seed=3, chunk_size=chunk_size, workers=workers)
    assert other.to_dict() == reference.to_dict()
    assert np.array_equal(other.portfolio_inherent_losses, reference.portfolio_inherent_losses)
    assert np.array_equal(other.portfolio_residual_losses, reference.portfolio_residual_losses)


def test_a_risk_keeps_its_losses_when_the_register_changes() -> None:
    """Streams are keyed on the risk key, not its position in the register."""
    risks = register()
    alone = simulate(risks[:1], trials=20_000, seed=5)
    reordered = simulate(list(reversed(risks)), trials=20_000, seed=5)
    assert reordered.risk("ransomware") == alone.risk("ransomware")


# --- samplers against analytic moments -------------------------------------------------

PERT_CASES = [Range(10, 20, 100), Range(0, 0, 50), Range(1, 9, 10), Range(3, 5, 7)]


@pytest.mark.parametrize("r", PERT_CASES)
@pytest.mark.parametrize("sampler", [_draw, _draw_magnitudes])
def test_pert_sample_moments_match_formula(r: Range, sampler: object) -> None:
    x = sampler(r, rng(), N)  # type: ignore[operator]
    mean = (r.low + 4 * r.mode + r.high) / 6
    variance = (mean - r.low) * (r.high - mean) / 7
    assert pert_mean(r) == pytest.approx(mean)
    assert pert_variance(r) == pytest.approx(variance)
    assert x.min() >= r.low and x.max() <= r.high
    assert abs(x.mean() - mean) < 5 * math.sqrt(variance / N)
    assert x.var() == pytest.approx(variance, rel=0.02)


@pytest.mark.parametrize(
    "r", [Range(1_000, 5_000, 100_000, "lognormal"), Range(2, 3, 4, "lognormal")]
)
def test_lognormal_percentiles_match_calibration(r: Range) -> None:
    x = _draw_magnitudes(r, rng(), N)
    p5, p95 = np.percentile(x, [5, 95])
    assert p5 == pytest.approx(r.low, rel=0.02)
    assert p95 == pytest.approx(r.high, rel=0.02)
    sd = math.sqrt(lognormal_variance(r))
    assert abs(x.mean() - lognormal_mean(r)) < 5 * sd / math.sqrt(N)


def test_pert_table_quantiles_match_exact_sampler() -> None:
    r = Range(100, 150, 1_000)
    qs = [1, 10, 50, 90, 99]
    table = np.percentile(_draw_magnitudes(r, rng(1), N), qs)
    exact = np.percentile(_draw(r, rng(2), N), qs)
    np.testing.assert_allclose(table, exact, rtol=0.02)


@pytest.mark.parametrize("r", [*PERT_CASES, Range(100, 900, 1_000), Range(1e6, 2e6, 9e7)])
def test_quantile_table_has_the_range_mean_and_bounds(r: Range) -> None:
    """Entries lie in [low, high]; reading 4 points per bin keeps the piecewise-linear mean.

    That mean is the average of the bins' knot midpoints; it is within 1e-4 of the PERT
    mean (linear interpolation slightly overstates a convex tail), far below Monte Carlo
    noise on a mean (~1e-3 at 10^5 trials).
    """
    values = _quantile_table(r).values
    assert values.size == 4 * 4096
    assert values.min() >= r.low and values.max() <= r.high
    knots = r.low + (r.high - r.low) * _unit_knots("pert", *r.pert_shape())
    assert values.mean() == pytest.approx(((knots[1:] + knots[:-1]) / 2).mean(), rel=1e-12)
    assert values.mean() == pytest.approx(pert_mean(r), rel=1e-4)
    # Entry s * 4096 + b lies in bin b: the quarters of a bin increase with s.
    assert np.all(np.diff(values.reshape(4, 4096), axis=0) >= 0)


def test_normal_tail_has_truncated_normal_moments() -> None:
    """E[Z | Z > a] = phi(a) / Q(a) and E[Z^2 | Z > a] = 1 + a phi(a) / Q(a)."""
    a = 2.153874694061456  # the lognormal tables' tail start, Phi^-1(63/64)
    z = _normal_tail(rng(), a, N)
    phi, q = math.exp(-a * a / 2) / math.sqrt(2 * math.pi), 1 / 64
    assert z.size == N and z.min() > a
    mean, second = phi / q, 1 + a * phi / q
    assert abs(z.mean() - mean) < 5 * math.sqrt((second - mean**2) / N)
    assert (z * z).mean() == pytest.approx(second, rel=0.01)


def test_lognormal_tail_beyond_the_table_is_sampled_exactly() -> None:
    """A very wide lognormal: its top 1/64 comes from the exact tail sampler."""
    r = Range(100, 1_000, 1_000_000, "lognormal")  # sigma ~ 2.8
    mu, sigma = r.lognormal_params()
    x = _draw_magnitudes(r, rng(7), N)
    table = _quantile_table(r)
    assert table.tail_bin == 4096 - 64
    for z, tail in ((2.153874694061456, 1 / 64), (3.090232306167813, 1e-3)):
        share = np.mean(x > math.exp(mu + sigma * z))
        assert abs(share - tail) < 5 * math.sqrt(tail * (1 - tail) / N)
    # The largest of 200k draws lies far beyond the last finite table knot.
    assert x.max() > math.exp(mu + sigma * 4.0)


# --- frequency and compound Poisson ----------------------------------------------------


@pytest.mark.parametrize(
    "freq",
    [
        Range(0.1, 0.5, 3),
        Range(2, 10, 40),
        Range(1, 20, 60),
        Range(0.5, 1, 4, "lognormal"),
        Range(0, 0, 0.2),
        Range(0.2, 0.3, 0.3),
    ],
)
def test_mixed_poisson_pmf_has_mixture_moments(freq: Range) -> None:
    """E[N] = E[L] and Var[N] = E[L] + Var[L] for N ~ Poisson(L)."""
    pmf = _mixed_poisson_pmf(freq)
    assert pmf is not None
    k = np.arange(pmf.size)
    mean = float(k @ pmf)
    var = float((k - mean) ** 2 @ pmf)
    assert mean == pytest.approx(range_mean(freq), rel=1e-4)
    assert var == pytest.approx(range_mean(freq) + range_variance(freq), rel=1e-3)


@pytest.mark.parametrize("n", [128, 512])
def test_gauss_legendre_matches_numpy(n: int) -> None:
    nodes, weights = _gauss_legendre_unit(n)
    ref_nodes, ref_weights = np.polynomial.legendre.leggauss(n)
    np.testing.assert_allclose(nodes, (ref_nodes + 1) / 2, atol=1e-14)
    np.testing.assert_allclose(weights, ref_weights / 2, atol=1e-13)


def test_very_wide_frequency_falls_back_to_direct_sampling() -> None:
    freq, magnitude = Range(1, 50, 3_000), Range(1, 1, 1)
    assert _mixed_poisson_pmf(freq) is None
    result = simulate([RiskInput("wide", freq, magnitude)], trials=20_000, seed=1)
    losses = result.portfolio_inherent_losses  # = event counts, magnitude is 1
    sd = math.sqrt(range_mean(freq) + range_variance(freq))
    assert abs(losses.mean() - range_mean(freq)) < 5 * sd / math.sqrt(losses.size)


@pytest.mark.parametrize("direct", [False, True])
def test_count_samplers_have_mixture_moments(direct: bool) -> None:
    freq = Range(0.5, 2, 6)
    pmf = _mixed_poisson_pmf(freq)
    assert pmf is not None
    years, per_k = _CountSampler(freq, None if direct else pmf).sample(rng(), N)
    assert per_k[0] == 0 and per_k.sum() == years.size
    assert np.unique(years).size == years.size and years.min() >= 0 and years.max() < N
    dense = np.zeros(N)
    dense[years] = np.repeat(np.arange(per_k.size), per_k)
    mean, var = range_mean(freq), range_mean(freq) + range_variance(freq)
    assert abs(dense.mean() - mean) < 5 * math.sqrt(var / N)
    assert dense.var() == pytest.approx(var, rel=0.03)


@pytest.mark.parametrize("freq", [Range(0.05, 0.3, 1.0), Range(0.01, 0.02, 0.05), Range(0.5, 2, 6)])
def test_count_distribution_matches_the_pmf(freq: Range) -> None:
    """Rare and frequent events alike: the sampled counts reproduce P(N = k)."""
    pmf = _mixed_poisson_pmf(freq)
    assert pmf is not None
    years, per_k = _CountSampler(freq, pmf).sample(rng(5), N)
    assert np.unique(years).size == years.size and (years.size == 0 or years.max() < N)
    observed = np.concatenate(([N - years.size], per_k[1:]))
    for k in range(4):
        p_k = pmf[k] if k < 3 else pmf[3:].sum()
        got = observed[k] if k < 3 else observed[3:].sum()
        assert abs(got - N * p_k) < 5 * math.sqrt(N * p_k * (1 - p_k)) + 1, (k, got, N * p_k)
    # Years with two or more events are not clustered at the start or the end.
    several = years[int(per_k[1]) :]
    if several.size > 100:
        assert abs(several.mean() - N / 2) < 5 * N / math.sqrt(12 * several.size)


def test_event_years_are_spread_uniformly_and_independently_of_counts() -> None:
    """Which years get events (and how many) must not depend on the year's index."""
    freq = Range(0.2, 0.5, 1.5)
    years, per_k = _count_sampler(freq).sample(rng(3), N)
    dense = np.zeros(N)
    dense[years] = np.repeat(np.arange(per_k.size), per_k)
    halves = dense.reshape(2, -1)
    sd = math.sqrt((range_mean(freq) + range_variance(freq)) / (N / 2))
    assert abs(halves[0].mean() - halves[1].mean()) < 5 * math.sqrt(2) * sd
    # Event counts of consecutive years are uncorrelated (no ordering leaks into the sample).
    assert abs(np.corrcoef(dense[:-1], dense[1:])[0, 1]) < 5 / math.sqrt(N)


@pytest.mark.parametrize(
    "magnitude", [Range(100, 300, 1_000), Range(1_000, 5_000, 80_000, "lognormal")]
)
@pytest.mark.parametrize("lam", [0.3, 3.0, 25.0])
def test_compound_poisson_moments(magnitude: Range, lam: float) -> None:
    risk = RiskInput("r", Range(lam, lam, lam), magnitude)
    runs = [simulate([risk], trials=N, seed=seed) for seed in (11, 12, 13)]
    losses = runs[0].portfolio_inherent_losses
    e_m = range_mean(magnitude)
    e_m2 = range_variance(magnitude) + e_m**2
    mean, var = lam * e_m, lam * e_m2
    assert abs(losses.mean() - mean) < 5 * math.sqrt(var / N)
    # Lognormal magnitudes are heavy-tailed: one extreme draw can lift a sample variance by
    # 40 %, so compare the median of three independent runs, and allow more slack.
    ratio = np.median([run.portfolio_inherent_losses.var() / var for run in runs])
    assert ratio == pytest.approx(1.0, rel=0.05 if magnitude.distribution == "pert" else 0.15)
    assert runs[0].risk("r").inherent.mean == pytest.approx(losses.mean())


def test_mixed_frequency_annual_loss_mean() -> None:
    freq, magnitude = Range(0.2, 1, 5), Range(10, 20, 90)
    result = simulate([RiskInput("r", freq, magnitude)], trials=N, seed=2)
    losses = result.portfolio_inherent_losses
    expected = range_mean(freq) * range_mean(magnitude)
    assert abs(losses.mean() - expected) < 5 * losses.std() / math.sqrt(N)


def test_zero_frequency_gives_all_zero_losses() -> None:
    result = simulate([RiskInput("none", Range(0, 0, 0), Range(1, 2, 3))], trials=5_000)
    assert not result.portfolio_inherent_losses.any()
    stats = result.risk("none").inherent
    assert (stats.mean, stats.p50, stats.p90, stats.p99) == (0, 0, 0, 0)
    assert result.portfolio.inherent_exceedance == ()


# --- statistics and exceedance ---------------------------------------------------------


def test_single_risk_stats_equal_dense_numpy_percentiles() -> None:
    """The sparse per-risk percentiles must agree with np.percentile on the dense vector."""
    for freq in (Range(0.01, 0.05, 0.2), Range(0.3, 0.7, 1.5), Range(3, 5, 9)):
        result = simulate([RiskInput("r", freq, Range(10, 50, 500))], trials=30_001, seed=4)
        losses = result.portfolio_inherent_losses
        stats = result.risk("r").inherent
        expected = np.percentile(losses, [50, 90, 99])
        np.testing.assert_allclose([stats.p50, stats.p90, stats.p99], expected, rtol=1e-12)
        assert stats.mean == pytest.approx(losses.mean(), rel=1e-12)


def test_sparse_percentiles_edge_cases() -> None:
    values = rng().random(37) + 1.0
    for trials in (37, 38, 100, 10_000):
        dense = np.zeros(trials)
        dense[: values.size] = values
        np.testing.assert_allclose(
            _sparse_percentiles(values, trials), np.percentile(dense, [50, 90, 99]), rtol=1e-12
        )
    # Every split between zeros and values, with ties among the values.
    gen = rng(5)
    for size in (1, 2, 3, 50, 99, 100, 101, 150, 199, 200):
        values = gen.integers(1, 4, size).astype(np.float64)
        dense = np.concatenate((np.zeros(200 - size), values))
        np.testing.assert_allclose(
            _sparse_percentiles(values, 200), np.percentile(dense, [50, 90, 99]), rtol=1e-12
        )


def test_exceedance_curve_is_monotone_and_correct() -> None:
    result = simulate(register(), trials=50_000, seed=9)
    losses = result.portfolio_inherent_losses
    curve = result.portfolio.inherent_exceedance
    assert len(curve) == 50
    thresholds = np.array([x for x, _ in curve])
    probs = np.array([p for _, p in curve])
    assert np.all(np.diff(thresholds) > 0)
    assert np.all(np.diff(probs) <= 0)
    assert thresholds[0] == pytest.approx(max(np.percentile(losses, 1), losses[losses > 0].min()))
    assert thresholds[-1] == pytest.approx(losses.max())
    assert probs[-1] == 0.0
    for x, p in curve:
        assert p == pytest.approx(np.mean(losses > x))


# --- residual and treatment ------------------------------------------------------------


def test_residual_without_residual_ranges_equals_inherent() -> None:
    risk = RiskInput("r", Range(0.5, 1, 3), Range(10, 20, 90), treatment_cost=5)
    result = simulate([risk], trials=20_000, seed=1)
    r = result.risk("r")
    assert r.residual == r.inherent
    assert r.risk_reduction == 0
    assert r.return_on_treatment == -1.0
    assert np.array_equal(result.portfolio_residual_losses, result.portfolio_inherent_losses)


def test_return_on_treatment_uses_simulated_means() -> None:
    result = simulate(register(), trials=50_000, seed=6)
    for risk in register():
        r = result.risk(risk.key)
        assert r.risk_reduction == pytest.approx(r.inherent.mean - r.residual.mean)
        if risk.treatment_cost > 0:
            expected = (r.risk_reduction - risk.treatment_cost) / risk.treatment_cost
            assert r.return_on_treatment == pytest.approx(expected)
        else:
            assert r.return_on_treatment is None
    portfolio = result.portfolio
    assert portfolio.risk_reduction == pytest.approx(
        portfolio.inherent.mean - portfolio.residual.mean
    )
    # Treatment lowers the phishing magnitude, so the residual mean follows the new range.
    phishing = result.risk("phishing")
    expected_residual = range_mean(Range(4, 10, 30)) * range_mean(Range(50, 300, 5_000))
    assert phishing.residual.mean == pytest.approx(expected_residual, rel=0.02)
    assert phishing.risk_reduction > 0


# --- serialisation ---------------------------------------------------------------------


def test_to_dict_is_json_serialisable_and_rounded() -> None:
    result = simulate(register(), trials=10_000, seed=4)
    data = result.to_dict()
    assert list(data) == ["trials", "seed", "portfolio", "risks"]
    assert (data["trials"], data["seed"]) == (10_000, 4)
    assert [r["key"] for r in data["risks"]] == [r.key for r in register()]
    assert list(data["risks"][0]) == [
        "key",
        "inherent",
        "residual",
        "risk_reduction",
        "treatment_cost",
        "return_on_treatment",
    ]
    assert json.loads(json.dumps(data)) == data
    mean = data["portfolio"]["inherent"]["mean"]
    assert mean == round(result.portfolio.inherent.mean, 2)
    assert data["risks"][1]["return_on_treatment"] is None


def test_worker_processes_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Large runs use worker processes; the block layout keeps every number identical."""
    from openisms.risks import quant

    risks = [
        RiskInput(f"r{i}", Range(0.2, 1 + i % 5, 9), Range(1e3, 5e3 * (1 + i % 3), 9e4))
        for i in range(3 * quant._RISKS_PER_BLOCK + 5)
    ]
    inline = simulate(risks, trials=5_000, seed=11, workers=1)
    monkeypatch.setattr(quant, "_PROCESS_MIN_EVENTS", 0)  # force the pool for this small run
    pooled = simulate(risks, trials=5_000, seed=11, workers=2, chunk_size=1)
    assert pooled.to_dict() == inline.to_dict()
    assert np.array_equal(pooled.portfolio_inherent_losses, inline.portfolio_inherent_losses)
