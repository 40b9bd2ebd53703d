"""The risk dashboard: inherent and residual heatmaps and level counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from openisms.orgs.access import Actor
from openisms.orgs.decorators import org_view
from openisms.risks import selectors

CELL, LEFT, BOTTOM = 52, 128, 44


def _heatmap_view(hm: selectors.Heatmap) -> dict[str, Any]:
    """Geometry of the heatmap's SVG (likelihood rows top-down from highest, impact columns)."""
    rows = hm.rows()
    impacts = hm.method.impact_scale
    cells, row_labels = [], []
    for r, (level, row) in enumerate(rows):
        y = r * CELL
        row_labels.append(
            {"y": y + CELL // 2 + 4, "label": level["label"], "value": level["value"]}
        )
        for c, (impact, count, colour) in enumerate(row):
            cells.append(
                {
                    "x": LEFT + c * CELL,
                    "y": y,
                    "cx": LEFT + c * CELL + CELL // 2,
                    "cy": y + CELL // 2,
                    "colour": colour,
                    "count": count,
                    "likelihood": level["label"],
                    "impact": impacts[impact - 1]["label"],
                }
            )
    height = len(rows) * CELL
    return {
        "map": hm,
        "rows": rows,
        "cells": cells,
        "row_labels": row_labels,
        "col_labels": [
            {"x": LEFT + c * CELL + CELL // 2, "label": i["label"], "value": i["value"]}
            for c, i in enumerate(impacts)
        ],
        "width": LEFT + len(impacts) * CELL + 4,
        "height": height + BOTTOM,
        "grid_height": height,
        "axis_y": height + 16,
        "axis_title_y": height + 36,
        "axis_title_x": LEFT + len(impacts) * CELL // 2,
        "label_x": LEFT - 8,
    }


@org_view("risks")
def dashboard(request: HttpRequest, actor: Actor) -> HttpResponse:
    method = selectors.method_in_use(actor=actor)
    counts = selectors.level_counts(actor=actor)
    levels = [(b["name"], b["colour"]) for b in method.bands]
    known = {name for name, _c in levels}

    def rows(which: str) -> list[tuple[str, str, int]]:
        found = counts[which]
        out = [(name, colour, found.get(name, 0)) for name, colour in levels]
        out += [(name, "#8796a5", n) for name, n in sorted(found.items()) if name not in known]
        return out

    overdue = selectors.action_list(actor=actor, overdue=True)
    context = {
        "org": actor.org,
        "method": method,
        "inherent": _heatmap_view(selectors.heatmap(actor=actor, method=method, which="inherent")),
        "residual": _heatmap_view(selectors.heatmap(actor=actor, method=method, which="residual")),
        "inherent_counts": rows("inherent"),
        "residual_counts": rows("residual"),
        "needing_acceptance": selectors.risk_list(actor=actor, acceptance="needed").count(),
        "overdue": list(overdue[:10]),
        "overdue_count": overdue.count(),
    }
    return render(request, "risks/dashboard.html", context)
