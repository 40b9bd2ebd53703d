"""Risk method rules as pure functions: scales, scores, level bands and re-scoring."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from openisms.orgs.models import Role

HEX = "0123456789abcdef"

DEFAULT_LIKELIHOOD = [
    {"value": 1, "label": "Rare", "description": "Not expected in the next five years."},
    {"value": 2, "label": "Unlikely", "description": "Could happen once in three to five years."},
    {"value": 3, "label": "Possible", "description": "Could happen once in one to three years."},
    {"value": 4, "label": "Likely", "description": "Expected about once a year."},
    {"value": 5, "label": "Almost certain", "description": "Expected several times a year."},
]
DEFAULT_IMPACT = [
    {"value": 1, "label": "Negligible", "description": "No customer impact; under $10k."},
    {
        "value": 2,
        "label": "Minor",
        "description": "Brief disruption or a few records; under $100k.",
    },
    {
        "value": 3,
        "label": "Moderate",
        "description": "Notifiable incident or a day of outage; under $1M.",
    },
    {"value": 4, "label": "Major", "description": "Large breach, regulator action; under $10M."},
    {"value": 5, "label": "Severe", "description": "Threatens the business or patient safety."},
]
DEFAULT_BANDS = [
    {"name": "Low", "min": 1, "max": 4, "colour": "#2e7d32"},
    {"name": "Medium", "min": 5, "max": 9, "colour": "#f9a825"},
    {"name": "High", "min": 10, "max": 16, "colour": "#ef6c00"},
    {"name": "Critical", "min": 17, "max": 25, "colour": "#c62828"},
]


def default_method() -> dict[str, Any]:
    return {
        "name": "5x5 risk matrix",
        "likelihood_scale": DEFAULT_LIKELIHOOD,
        "impact_scale": DEFAULT_IMPACT,
        "scoring": "product",
        "bands": DEFAULT_BANDS,
        "acceptance_threshold": 9,
        "acceptors": ["owner", "admin"],
    }


def score(method: Any, likelihood: int, impact: int) -> int:
    return likelihood * impact if method.scoring == "product" else likelihood + impact


def max_score(method: Any) -> int:
    return score(method, len(method.likelihood_scale), len(method.impact_scale))


def band(method: Any, value: int) -> dict[str, Any]:
    for item in method.bands:
        if item["min"] <= value <= item["max"]:
            return dict(item)
    raise ValidationError(f"Score {value} is outside every band of {method}.")


def check_value(method: Any, field: str, value: int | None, axis: str) -> None:
    size = len(method.likelihood_scale if axis == "likelihood" else method.impact_scale)
    if value is None or not 1 <= int(value) <= size:
        raise ValidationError({field: f"Use a {axis} from 1 to {size}."})


def validate_method(method: Any) -> None:
    """Raise a ValidationError naming the field when the method is inconsistent."""
    for field in ("likelihood_scale", "impact_scale"):
        scale = getattr(method, field)
        if not isinstance(scale, list) or not 3 <= len(scale) <= 5:
            raise ValidationError({field: "Use 3 to 5 levels."})
        for position, level in enumerate(scale, start=1):
            if not isinstance(level, dict) or level.get("value") != position:
                raise ValidationError({field: f"Level {position} must have value {position}."})
            if not str(level.get("label", "")).strip():
                raise ValidationError({field: f"Level {position} needs a label."})
    if method.scoring not in ("product", "sum"):
        raise ValidationError({"scoring": "Use 'product' or 'sum'."})
    bands = sorted(method.bands or [], key=lambda b: b.get("min", 0))
    lowest = score(method, 1, 1)
    expected = lowest
    for item in bands:
        colour = str(item.get("colour", ""))
        if (
            not item.get("name")
            or len(colour) != 7
            or colour[0] != "#"
            or any(c not in HEX for c in colour[1:].lower())
        ):
            raise ValidationError({"bands": "Each band needs a name and a colour like #c62828."})
        if item.get("min") != expected or item.get("max", 0) < item["min"]:
            raise ValidationError(
                {
                    "bands": f"Bands must cover every score from {lowest} to {max_score(method)} "
                    "without gaps or overlaps."
                }
            )
        expected = item["max"] + 1
    if expected != max_score(method) + 1:
        raise ValidationError(
            {"bands": f"Bands must end at the highest score, {max_score(method)}."}
        )
    if not lowest <= method.acceptance_threshold <= max_score(method):
        raise ValidationError(
            {"acceptance_threshold": f"Use a score from {lowest} to {max_score(method)}."}
        )
    if not method.acceptors or any(r not in Role.values for r in method.acceptors):
        raise ValidationError({"acceptors": f"Choose roles from: {', '.join(Role.values)}."})


def rescale(value: int | None, old_size: int, new_size: int) -> int | None:
    """Map a level onto a scale of another size, keeping its relative position."""
    if value is None:
        return None
    if old_size == new_size:
        return value
    return round(1 + (value - 1) * (new_size - 1) / (old_size - 1))
