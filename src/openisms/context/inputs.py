"""Management review inputs from the context (clause 9.3.2 b) and c)).

Computed from timestamps: an item created in the period was added, one retired in it was
retired, and one otherwise updated in it was changed. Context versions approved in the period
are listed as well, so the review sees that the changes were signed off.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from openisms.context.models import ContextVersion, InterestedParty, Issue, PartyRequirement
from openisms.core.models import ApprovalState
from openisms.orgs.access import Actor, scoped
from openisms.orgs.review_inputs import ReviewInput, ReviewPeriod


def _bounds(period: ReviewPeriod) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(period.end, dt.time.max, tzinfo=tz)
    return start, end


def _change(obj: Any, start: dt.datetime, end: dt.datetime) -> str:
    if start <= obj.created_at <= end:
        return "added"
    if obj.retired_at and start <= obj.retired_at <= end:
        return "retired"
    return "changed"


def _touched[M: Model](qs: QuerySet[M], start: dt.datetime, end: dt.datetime) -> QuerySet[M]:
    return qs.filter(
        Q(created_at__range=(start, end))
        | Q(updated_at__range=(start, end))
        | Q(retired_at__range=(start, end))
    )


def _approved(actor: Actor, start: dt.datetime, end: dt.datetime) -> list[str]:
    versions = scoped(actor, ContextVersion).filter(
        state=ApprovalState.APPROVED, approved_at__range=(start, end)
    )
    return [f"version {v.number}" for v in versions.order_by("number")]


def _figures(items: list[dict[str, str]]) -> dict[str, int | float | str]:
    return {
        label.capitalize(): sum(1 for i in items if i["change"] == label)
        for label in ("added", "changed", "retired")
    }


def _summary(noun: str, figures: dict[str, int | float | str], approved: list[str]) -> str:
    total = sum(int(v) for v in figures.values())
    if not total:
        text = f"No {noun} were added, changed or retired in the period."
    else:
        text = (
            f"{figures['Added']} {noun} added, {figures['Changed']} changed and "
            f"{figures['Retired']} retired in the period."
        )
    if approved:
        text += f" Context approved in the period: {', '.join(approved)}."
    return text


def issue_changes(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    start, end = _bounds(period)
    items = [
        {
            "ref": i.ref,
            "title": i.title,
            "kind": i.get_kind_display(),
            "change": _change(i, start, end),
        }
        for i in _touched(scoped(actor, Issue), start, end).order_by("number")
    ]
    figures = _figures(items)
    return ReviewInput(
        key="context_issues",
        clause="9.3.2 b)",
        title="Changes in external and internal issues",
        summary=_summary("issues", figures, _approved(actor, start, end)),
        figures=figures,
        items=items,
    )


def party_changes(actor: Actor, period: ReviewPeriod) -> ReviewInput:
    start, end = _bounds(period)
    items = [
        {"ref": p.ref, "title": p.name, "kind": "party", "change": _change(p, start, end)}
        for p in _touched(scoped(actor, InterestedParty), start, end).order_by("number")
    ]
    reqs = _touched(scoped(actor, PartyRequirement), start, end).select_related("party")
    items += [
        {
            "ref": r.ref,
            "title": f"{r.title} ({r.party.name})",
            "kind": "requirement",
            "change": _change(r, start, end),
        }
        for r in reqs.order_by("number")
    ]
    figures = _figures(items)
    return ReviewInput(
        key="context_parties",
        clause="9.3.2 c)",
        title="Changes in needs and expectations of interested parties",
        summary=_summary(
            "interested parties and requirements", figures, _approved(actor, start, end)
        ),
        figures=figures,
        items=items,
    )
