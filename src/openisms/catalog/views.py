"""Catalogue pages. Content is global; the organisation in the URL keeps the page in context."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render

from openisms.catalog import selectors
from openisms.catalog.selectors import FACET_KEYS, FACET_LABELS, RequirementFilter
from openisms.core.panels import panel_context
from openisms.orgs.access import Actor
from openisms.orgs.decorators import org_view

THEMES = (
    ("organizational", "Organizational", "5"),
    ("people", "People", "6"),
    ("physical", "Physical", "7"),
    ("technological", "Technological", "8"),
)

# Labels of other frameworks' attributes where capitalising the key is not enough.
OTHER_LABELS = {"pims_role": "PIMS role"}


def filters_from(query: QueryDict) -> RequirementFilter:
    return RequirementFilter(
        kind=query.get("kind") or None,
        theme=query.get("theme") or None,
        attributes={key: query.getlist(key) for key in FACET_KEYS if query.getlist(key)},
        text=query.get("q", "")[:200],
        new_only=query.get("new") == "1",
    )


@org_view("catalog")
def index(request: HttpRequest, actor: Actor) -> HttpResponse:
    return redirect("catalog:framework", org=actor.org.slug, framework=selectors.ISO_FRAMEWORK)


@org_view("catalog")
def framework(request: HttpRequest, actor: Actor, framework: str) -> HttpResponse:
    fw = selectors.framework_get(slug=framework, orgs=actor.org.pk)
    filters = filters_from(request.GET)
    if filters.kind is None and fw.slug == selectors.ISO_FRAMEWORK:
        filters.kind = "control"
    imported = fw.origin != fw.Origin.SHIPPED
    if imported and filters.kind == "all":
        filters.kind = None
    elif imported and filters.kind is None and not filters.theme and not filters.text.strip():
        # An imported catalog opens on its controls; a family tab or a search shows the
        # whole tree (enhancements under their controls).
        filters.kind = "control"
    requirements = list(selectors.requirement_list(framework=fw, filters=filters, brief=True))
    query = request.GET.copy()
    context = {
        "org": actor.org,
        "framework": fw,
        "frameworks": list(selectors.framework_list(orgs=actor.org.pk)),
        "filters": filters,
        "requirements": requirements,
        "facets": [
            (key, FACET_LABELS[key], values)
            for key, values in selectors.facet_counts(framework=fw, filters=filters).items()
        ],
        "theme_counts": selectors.theme_counts(framework=fw, filters=filters),
        "themes": THEMES if fw.origin == fw.Origin.SHIPPED else selectors.families(framework=fw),
        "query_without_theme": _without(query, "theme"),
        "query": query.urlencode(),
        "imported": imported,
    }
    template = "catalog/framework.html#results" if request.htmx else "catalog/framework.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _without(query: QueryDict, key: str) -> str:
    copy = query.copy()
    copy.pop(key, None)
    return copy.urlencode()


@org_view("catalog")
def requirement(request: HttpRequest, actor: Actor, framework: str, ref: str) -> HttpResponse:
    fw = selectors.framework_get(slug=framework, orgs=actor.org.pk)
    req = selectors.requirement_get(framework=fw, ref=ref)
    attributes: dict[str, list[str]] = {}
    for value in req.attribute_values.all():
        attributes.setdefault(value.key, []).append(value.value)
    related = selectors.requirements_by_refs(
        framework=fw, refs=list(req.guidance.get("related_controls", []))
    )
    context = {
        "org": actor.org,
        "framework": fw,
        "req": req,
        "kind_label": req.kind.replace("_", " ").capitalize(),
        "attributes": [
            (FACET_LABELS.get(k, k), k, attributes[k]) for k in FACET_KEYS if k in attributes
        ],
        # Attributes of other frameworks (HIPAA's designation and safeguard, ...), as facts.
        "other_attributes": [
            (OTHER_LABELS.get(k, k.replace("_", " ").capitalize()), attributes[k])
            for k in sorted(attributes)
            if k not in FACET_KEYS
        ],
        "related": related,
        "predecessors": selectors.predecessors(req),
        "successors": selectors.successors(req),
        "crosswalk": selectors.crosswalk(req),
        **panel_context("parameters", actor, requirement=req),
    }
    return render(request, "catalog/requirement.html", context)


@org_view("catalog")
def transition(request: HttpRequest, actor: Actor) -> HttpResponse:
    text = request.GET.get("ref", "").strip()
    result = selectors.transition_lookup(text=text) if text else None
    context = {"org": actor.org, "text": text, "result": result}
    template = "catalog/transition.html#result" if request.htmx else "catalog/transition.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@org_view("catalog")
def mapping_sets(request: HttpRequest, actor: Actor) -> HttpResponse:
    context = {
        "org": actor.org,
        "sets": list(selectors.mapping_set_list()),
        "names": selectors.framework_names(),
    }
    return render(request, "catalog/mapping_sets.html", context)
