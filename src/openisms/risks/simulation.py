"""Run the quantitative model over an organisation's quantified risks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from openisms.orgs.access import Actor
from openisms.risks import selectors

MAX_TRIALS = 1_000_000


def _range(data: dict[str, Any]) -> Any:
    from openisms.risks.quant import Range

    return Range(
        low=float(data["low"]),
        mode=float(data["mode"]),
        high=float(data["high"]),
        distribution=data.get("distribution", "pert"),
    )


def inputs(actor: Actor) -> list[Any]:
    """One model input per quantified risk, keyed by its ref."""
    from openisms.risks.quant import RiskInput

    out = []
    for risk in selectors.quantified_risks(actor=actor):
        q = risk.quant or {}
        out.append(
            RiskInput(
                key=risk.ref,
                frequency=_range(q["frequency"]),
                magnitude=_range(q["magnitude"]),
                residual_frequency=_range(q["residual_frequency"])
                if q.get("residual_frequency")
                else None,
                residual_magnitude=_range(q["residual_magnitude"])
                if q.get("residual_magnitude")
                else None,
                treatment_cost=float(q.get("treatment_cost") or 0),
            )
        )
    return out


def run(*, actor: Actor, trials: int = 100_000, seed: int = 0) -> dict[str, Any]:
    """Simulate every quantified risk; the result is a plain, JSON-ready dict."""
    from openisms.risks.quant import simulate

    if not 1_000 <= trials <= MAX_TRIALS:
        raise ValidationError({"trials": f"Use 1,000 to {MAX_TRIALS:,} trials."})
    if seed < 0:
        raise ValidationError({"seed": "Use a seed of 0 or more."})
    risks = inputs(actor)
    result: dict[str, Any] = {"organisation": actor.org.slug}
    if not risks:
        result.update({"trials": trials, "seed": seed, "risks": [], "portfolio": None})
        return result
    result.update(simulate(risks, trials=trials, seed=seed).to_dict())
    return result
