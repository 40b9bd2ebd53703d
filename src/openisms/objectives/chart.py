"""Measurements over time as an inline SVG line chart, drawn on the server.

No JavaScript and no CDN: the page embeds the SVG. It has a title and a description for
screen readers, a circle per measurement, the target as a dashed line, and axis labels
(the value range and the first and last dates).
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from openisms.objectives.models import Measurement, Objective


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".") if value != int(value) else str(int(value))


def svg_chart(
    objective: Objective, points: Sequence[Measurement], *, small: bool = False
) -> SafeString:
    width, height = (160, 48) if small else (640, 240)
    left, right, top, bottom = (2, 2, 4, 4) if small else (56, 16, 16, 36)
    chart_id = f"obj-{objective.pk}-{'s' if small else 'l'}"
    values = [p.value for p in points]
    domain = [*values, objective.target]
    if objective.baseline is not None:
        domain.append(objective.baseline)
    low, high = min(domain), max(domain)
    if low == high:
        low, high = low - 1, high + 1
    pad = (high - low) * 0.08
    low, high = low - pad, high + pad
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(value: float) -> float:
        return top + plot_h * (1 - (value - low) / (high - low))

    if points:
        first = points[0].measured_on.toordinal()
        last = points[-1].measured_on.toordinal()
        spread = max(last - first, 1)
    else:
        first, spread = 0, 1

    def x(p: Measurement) -> float:
        if len(points) == 1:
            return left + plot_w / 2
        return left + plot_w * (p.measured_on.toordinal() - first) / spread

    unit = f" {objective.unit}" if objective.unit else ""
    title = f"{objective.ref} {objective.title}"
    if points:
        desc = (
            f"{len(points)} measurements from {points[0].measured_on:%Y-%m-%d} to "
            f"{points[-1].measured_on:%Y-%m-%d}; latest {_num(values[-1])}{unit}; "
            f"target {_num(objective.target)}{unit} ({objective.get_direction_display().lower()})."
        )
    else:
        desc = f"No measurements yet; target {_num(objective.target)}{unit}."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart{" chart-small" if small else ""}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d">',
        f'<title id="{chart_id}-t">{escape(title)}</title>',
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="none" '
        'stroke="#ccc" stroke-width="1"/>',
        f'<line class="target" x1="{left}" x2="{left + plot_w}" y1="{y(objective.target):.1f}" '
        f'y2="{y(objective.target):.1f}" stroke="#2a7" stroke-width="1.5" '
        'stroke-dasharray="6 4"><title>Target</title></line>',
    ]
    if not small:
        parts += [
            f'<text x="{left - 6}" y="{top + 10}" text-anchor="end" font-size="11">'
            f"{escape(_num(high - pad))}</text>",
            f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" font-size="11">'
            f"{escape(_num(low + pad))}</text>",
            f'<text x="{left + plot_w}" y="{y(objective.target) - 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#2a7">target {escape(_num(objective.target) + unit)}</text>',
            f'<text x="{left - 6}" y="{top + plot_h / 2:.1f}" text-anchor="end" font-size="11">'
            f"{escape(objective.unit)}</text>",
        ]
        if points:
            parts += [
                f'<text x="{left}" y="{height - 12}" font-size="11">'
                f"{points[0].measured_on:%Y-%m-%d}</text>",
                f'<text x="{left + plot_w}" y="{height - 12}" text-anchor="end" font-size="11">'
                f"{points[-1].measured_on:%Y-%m-%d}</text>",
            ]
    if points:
        line = " ".join(f"{x(p):.1f},{y(p.value):.1f}" for p in points)
        parts.append(
            f'<polyline class="series" points="{line}" fill="none" stroke="#246" '
            f'stroke-width="{1.5 if small else 2}"/>'
        )
        radius = 1.8 if small else 3.5
        for p in points:
            parts.append(
                f'<circle class="point" cx="{x(p):.1f}" cy="{y(p.value):.1f}" r="{radius}" '
                f'fill="#246"><title>{p.measured_on:%Y-%m-%d}: {escape(_num(p.value) + unit)}'
                "</title></circle>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
