"""Helpers shared by the risk views: member e-mails, band colours, query strings, form messages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from openisms.orgs.access import Actor
from openisms.orgs.selectors import members_by_email
from openisms.risks.models import Risk, RiskMethod, TreatmentAction

PAGE_SIZE = 50
OPEN_ACTIONS = (TreatmentAction.Status.PLANNED, TreatmentAction.Status.IN_PROGRESS)


def _emails(actor: Actor) -> list[str]:
    return sorted(members_by_email(actor=actor))


def _band_colour(method: RiskMethod, level: str) -> str:
    for band in method.bands:
        if band["name"] == level:
            return str(band["colour"])
    return "#8796a5"


def _colour_risk(risk: Risk) -> Risk:
    """Attach the band colours of the risk's own method version (no query: method is joined)."""
    risk.inherent_colour = _band_colour(risk.method, risk.inherent_level)  # type: ignore[attr-defined]
    risk.residual_colour = _band_colour(risk.method, risk.residual_level)  # type: ignore[attr-defined]
    return risk


def _query(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _report(request: HttpRequest, form: Any, success: str) -> None:
    if form.errors:
        for field, errors in form.errors.items():
            label = form.fields[field].label or field if field in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
    else:
        messages.success(request, success)
