"""Pages of the tracked frameworks and their coverage: which frameworks the organisation tracks,
how far it meets each (totals, roll-ups, every requirement and why), the gaps, the downloads and
the manual verdict on a requirement."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from openisms.catalog.selectors import framework_list
from openisms.controls.selectors import controls_per_framework
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.soa import selectors, tracking
from openisms.soa.coverage import (
    COVERED,
    NOT_APPLICABLE,
    NOT_COVERED,
    PARTIAL,
    VERDICT_LABELS,
    Coverage,
    RequirementCoverage,
    coverage,
)
from openisms.soa.coverage_exports import export_coverage
from openisms.soa.forms import OverrideForm
from openisms.soa.models import SoaEntry, soa_framework

PAGE_SIZE = 100
BAR_VERDICTS = (COVERED, PARTIAL, NOT_COVERED)  # the bars show the applicable requirements
VERDICT_STATE = {COVERED: "ok", PARTIAL: "warn", NOT_COVERED: "bad", NOT_APPLICABLE: ""}


@dataclass(frozen=True)
class Segment:
    """A piece of a stacked bar, in percent of the applicable requirements (as text, so the
    template writes SVG numbers without localisation)."""

    status: str
    label: str
    count: int
    x: str
    width: str


def bar(counts: dict[str, int]) -> dict[str, list[Segment]]:
    """The shape ``soa/_bar.html`` draws: covered, partly covered, not covered."""
    applicable = sum(counts.get(v, 0) for v in BAR_VERDICTS)
    segments: list[Segment] = []
    start = 0.0
    for verdict in BAR_VERDICTS:
        n = counts.get(verdict, 0)
        if n and applicable:
            width = n * 100 / applicable
            segments.append(
                Segment(verdict, VERDICT_LABELS[verdict], n, f"{start:.2f}", f"{width:.2f}")
            )
            start += width
    return {"segments": segments}


def _coverage_url(actor: Actor, framework: str, name: str = "soa:coverage") -> str:
    return reverse(name, kwargs={"org": actor.org.slug, "framework": framework})


# --- tracked frameworks --------------------------------------------------------------------


@org_view("frameworks")
def frameworks(request: HttpRequest, actor: Actor) -> HttpResponse:
    tracked = selectors.tracked_list(actor=actor)
    per_framework = controls_per_framework(actor=actor)
    rows = [
        (fw, tracked.get(fw.pk), per_framework.get(fw.pk, 0))
        for fw in framework_list(orgs=actor.org.pk)
    ]
    context = {
        "org": actor.org,
        "rows": rows,
        "always": soa_framework(),
        "can_edit": actor.can(Perm.EDIT_ISMS),
        "tab": "frameworks",
    }
    return render(request, "soa/frameworks.html", context)


@org_view("frameworks", perm=Perm.EDIT_ISMS)
@require_POST
def framework_track(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    try:
        tracking.framework_track(actor=actor, framework_slug=framework)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Now tracking {framework}: each requirement has a row.")
    return redirect("soa:frameworks", org=actor.org.slug)


@org_view("frameworks", perm=Perm.EDIT_ISMS)
@require_POST
def framework_untrack(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    try:
        tracking.framework_untrack(actor=actor, framework_slug=framework)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"No longer tracking {framework}; its assessments are kept for later."
        )
    return redirect("soa:frameworks", org=actor.org.slug)


# --- coverage ------------------------------------------------------------------------------


def _matches(r: RequirementCoverage, verdict: str | None, text: str) -> bool:
    if verdict and r.verdict != verdict:
        return False
    return not text or text in r.ref.lower() or text in r.title.lower()


def _page_context(
    request: HttpRequest, actor: Actor, result: Coverage, rows: list[RequirementCoverage]
) -> dict[str, Any]:
    """The context both coverage pages share: a page of rows with their assessments."""
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries: dict[int, SoaEntry] = selectors.assessments_by_requirement(
        actor=actor, requirement_ids=[r.id for r in page]
    )
    can_edit = actor.can(Perm.EDIT_ISMS)
    query = request.GET.copy()
    query.pop("page", None)
    return {
        "org": actor.org,
        "framework": result.framework,
        "result": result,
        "totals": result.totals,
        "totals_bar": bar(result.totals.counts),
        "tracked": tracking.is_tracked(actor=actor, framework_slug=result.framework.slug),
        "page": page,
        "rows": [(r, entries.get(r.id)) for r in page],
        "query": query.urlencode(),
        "states": VERDICT_STATE,
        "labels": VERDICT_LABELS,
        "legend": [{"value": v, "label": VERDICT_LABELS[v]} for v in BAR_VERDICTS],
        "can_edit": can_edit,
        "override_form": OverrideForm(auto_id=False) if can_edit else None,
        "here": request.get_full_path(),
    }


@org_view("frameworks")
def coverage_page(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    result = coverage(actor=actor, framework_slug=framework)
    verdict = request.GET.get("verdict") or None
    if verdict not in VERDICT_LABELS:
        verdict = None
    text = request.GET.get("q", "")[:200].strip().lower()
    rows = [r for r in result.requirements if _matches(r, verdict, text)]
    context = _page_context(request, actor, result, rows)
    context |= {
        "params": {"verdict": verdict or "", "q": request.GET.get("q", "")[:200]},
        "rollups": [(u, bar(u.counts)) for u in result.rollups],
        "tab": "coverage",
    }
    template = "soa/coverage.html#reqs" if request.htmx else "soa/coverage.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("frameworks")
def coverage_gaps(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    """What is left to do: the requirements not covered, then the partly covered ones."""
    result = coverage(actor=actor, framework_slug=framework)
    context = _page_context(request, actor, result, result.gaps)
    context["tab"] = "gaps"
    return render(request, "soa/coverage_gaps.html", context)


@org_view("frameworks")
def coverage_export(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    """?format=json|xlsx|pdf; any member may download (auditors need it)."""
    try:
        content, content_type, ext = export_coverage(
            actor=actor, framework_slug=framework, fmt=request.GET.get("format", "xlsx")
        )
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400, content_type="text/plain")
    response = HttpResponse(content, content_type=content_type)
    name = f"{actor.org.slug}-coverage-{framework}.{ext}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view("frameworks", perm=Perm.EDIT_ISMS)
@require_POST
def coverage_override(
    request: HttpRequest, actor: Actor, framework: str, requirement_id: int
) -> HttpResponse:
    """Set or clear the manual verdict of one requirement, then go back to where it was set."""
    entry = selectors.assessment_for_requirement(actor=actor, requirement_id=requirement_id)
    if entry.requirement.framework.slug != framework:
        raise Http404("Not found.")
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Check the status set by hand: " + form.errors.as_text())
    else:
        status = form.cleaned_data["status"] or None
        try:
            tracking.assessment_override(
                actor=actor, entry=entry, status=status, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, f"{entry.requirement.ref}: {' '.join(exc.messages)}")
        else:
            done = "set by hand" if status else "back to following its controls"
            messages.success(request, f"{entry.requirement.ref}: status {done}.")
    back = request.POST.get("next", "")
    base = _coverage_url(actor, framework)
    if not back.startswith(base):  # only back to this framework's coverage pages
        back = base
    return redirect(f"{back}#req-{requirement_id}")
