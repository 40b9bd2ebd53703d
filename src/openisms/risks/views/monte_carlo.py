"""The quantitative page: a Monte Carlo run and its loss exceedance curves."""

from __future__ import annotations

import math

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openisms.orgs.access import Actor
from openisms.orgs.decorators import org_view
from openisms.risks import selectors, simulation


def _curve_points(
    curves: list[list[list[float]]], width: int = 640, height: int = 280, pad: int = 48
) -> tuple[list[str], list[tuple[float, str]], list[tuple[float, str]]]:
    """SVG polyline points for loss exceedance curves on a log-scaled loss axis."""
    losses = [p[0] for curve in curves for p in curve if p[0] > 0]
    if not losses:
        return ["" for _ in curves], [], []
    low, high = math.log10(min(losses)), math.log10(max(losses))
    span = max(high - low, 1e-9)

    def x(loss: float) -> float:
        return pad + (math.log10(max(loss, 10**low)) - low) / span * (width - 2 * pad)

    def y(prob: float) -> float:
        return height - pad + -prob * (height - 2 * pad)

    points = [
        " ".join(f"{x(p[0]):.1f},{y(p[1]):.1f}" for p in curve if p[0] > 0) for curve in curves
    ]
    x_ticks = [(x(10**e), f"${10**e:,.0f}") for e in range(math.ceil(low), math.floor(high) + 1)]
    y_ticks = [(y(p), f"{int(p * 100)}%") for p in (0, 0.25, 0.5, 0.75, 1.0)]
    return points, x_ticks, y_ticks


@org_view("risks")
def simulation_page(request: HttpRequest, actor: Actor) -> HttpResponse:
    try:
        trials = int(request.GET.get("trials", 20_000))
        seed = int(request.GET.get("seed", 1))
        result = simulation.run(actor=actor, trials=trials, seed=seed)
        error = None
    except (ValueError, ValidationError) as exc:
        result, error = None, " ".join(getattr(exc, "messages", [str(exc)]))
        trials, seed = 20_000, 1
    curves: tuple[list[str], list[tuple[float, str]], list[tuple[float, str]]] = ([], [], [])
    if result and result.get("portfolio"):
        portfolio = result["portfolio"]
        curves = _curve_points([portfolio["inherent_exceedance"], portfolio["residual_exceedance"]])
    context = {
        "org": actor.org,
        "result": result,
        "error": error,
        "trials": trials,
        "seed": seed,
        "curve_points": curves[0],
        "x_ticks": curves[1],
        "y_ticks": curves[2],
        "refs": {r.ref: r.pk for r in selectors.quantified_risks(actor=actor)},
    }
    return render(request, "risks/simulation.html", context)
