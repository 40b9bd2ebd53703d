"""Benchmark for openisms.risks.quant.simulate.

Why: the engine must stay interactive for a realistic register (1,000 risks x 100,000
trials in under 2 s and 1 GiB on a 2-core machine). This script builds a varied synthetic
register, times a first simulation and several more (wall and CPU seconds, workers
included), then runs one more while sampling the memory of all processes, and prints a
single JSON line so CI can parse and track it.

Run: ``PYTHONPATH=src python bench/bench_quant.py --risks 1000 --trials 100000 --seed 1``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import threading
import time

import numpy as np

from openisms.risks.quant import Distribution, Range, RiskInput, range_mean, simulate


def build_register(n: int, seed: int) -> list[RiskInput]:
    """A mixed register resembling an ISO 27001 risk assessment.

    Frequencies (loss events, not threat contacts): mostly rare events (modes once per 100
    years to twice a year, log-uniform), with ~5 % frequent ones (modes 2-12 per year).
    Magnitudes: modes from 1k to 1M, with ~30 % heavy-tailed lognormal ranges. ~60 % of
    risks are treated, with a residual that cuts frequency and/or magnitude, and an annual
    treatment cost.
    """
    gen = np.random.default_rng(seed + 10_000)  # parameters only; simulate() has its own seed
    risks: list[RiskInput] = []
    for i in range(n):
        if gen.random() < 0.05:
            f_mode = float(gen.uniform(2.0, 12.0))
        else:
            f_mode = float(np.exp(gen.uniform(np.log(0.01), np.log(2.0))))
        frequency = Range(f_mode * gen.uniform(0.2, 0.8), f_mode, f_mode * gen.uniform(1.5, 4.0))
        m_mode = float(np.exp(gen.uniform(np.log(1e3), np.log(1e6))))
        m_low, m_high = m_mode * gen.uniform(0.1, 0.6), m_mode * gen.uniform(2.0, 20.0)
        kind: Distribution = "lognormal" if gen.random() < 0.3 else "pert"
        magnitude = Range(m_low, m_mode, m_high, kind)
        residual_frequency = residual_magnitude = None
        cost = 0.0
        if gen.random() < 0.6:
            if gen.random() < 0.7:
                k = float(gen.uniform(0.1, 0.7))
                residual_frequency = Range(
                    frequency.low * k, frequency.mode * k, frequency.high * k
                )
            if gen.random() < 0.5:
                k = float(gen.uniform(0.3, 0.9))
                residual_magnitude = Range(m_low * k, m_mode * k, m_high * k, kind)
            cost = float(gen.uniform(1e3, 5e4))
        risks.append(
            RiskInput(
                key=f"R-{i:05d}",
                frequency=frequency,
                magnitude=magnitude,
                residual_frequency=residual_frequency,
                residual_magnitude=residual_magnitude,
                treatment_cost=cost,
            )
        )
    return risks


class TreeMemory(threading.Thread):
    """Samples the summed resident memory of this process and all its descendants.

    The simulation runs its blocks in worker processes, whose memory ``getrusage`` does not
    see; Linux's /proc does. Sampled every 10 ms, so the figure is a (tight) lower bound of
    the true peak of the sum. One scan reads every process's status file and takes ~5 ms of
    CPU, about half a core at this rate, so it runs only during a separate memory round:
    running it beside the timed rounds slowed them by a quarter on two cores.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak_mib = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.01):
            self.peak_mib = max(self.peak_mib, _tree_rss_kib(os.getpid()) / 1024)

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree_rss_kib(root: int) -> int:
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc") if os.path.isdir("/proc") else []:
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as status:
                fields = dict(line.split(":", 1) for line in status if ":" in line)
        except OSError:
            continue  # the process ended while we looked
        parents[int(entry)] = int(fields.get("PPid", "0").strip())
        rss[int(entry)] = int(fields.get("VmRSS", "0 kB").split()[0])
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += rss.get(pid, 0)
        pending.extend(child for child, parent in parents.items() if parent == pid)
    return total


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the pool's workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--risks", type=int, default=1000)
    parser.add_argument("--trials", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    parser.add_argument("--rounds", type=int, default=5, help="timed calls after the first")
    args = parser.parse_args(argv)

    register = build_register(args.risks, args.seed)
    # The first call in a fresh process (the CLI's case) also pays for page faults in new
    # worker processes; later calls (a long-running server or worker) do not. Report both.
    walls, cpus = [], []
    for round_ in range(args.rounds + 1):
        before = _cpu_seconds()
        start = time.perf_counter()
        result = simulate(
            register, trials=args.trials, seed=args.seed + round_, workers=args.workers
        )
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu_seconds() - before)
    sampler = TreeMemory()
    sampler.start()
    simulate(register, trials=args.trials, seed=args.seed, workers=args.workers)
    sampler.stop()
    cold, warm = walls[0], sorted(walls[1:])
    # ru_maxrss is KiB on Linux (bytes on macOS).
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale
    worker_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / scale
    inherent_events = sum(range_mean(r.frequency) for r in register)
    residual_events = sum(
        range_mean(r.residual_frequency or r.frequency) for r in register if r.has_residual
    )
    line = {
        "risks": args.risks,
        "trials": args.trials,
        "seed": args.seed,
        "rounds": args.rounds,
        "wall_s_median": round(warm[len(warm) // 2], 3) if warm else None,
        "wall_s_min": round(warm[0], 3) if warm else None,
        "wall_s_max": round(warm[-1], 3) if warm else None,
        "wall_s_first_call": round(cold, 3),
        "cpu_s_median": round(sorted(cpus[1:])[len(cpus[1:]) // 2], 3) if warm else None,
        "peak_rss_mib": round(peak_mib, 1),
        "peak_rss_largest_worker_mib": round(worker_mib, 1) if worker_mib else None,
        "peak_rss_all_processes_mib": round(max(sampler.peak_mib, peak_mib), 1),
        "expected_events_simulated": round((inherent_events + residual_events) * args.trials),
        "portfolio_inherent_mean": round(result.portfolio.inherent.mean, 2),
        "portfolio_residual_mean": round(result.portfolio.residual.mean, 2),
    }
    print(json.dumps(line))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
