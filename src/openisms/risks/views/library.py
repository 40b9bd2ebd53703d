"""The threat and vulnerability library."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.risks import selectors, services
from openisms.risks.forms import LibraryItemForm
from openisms.risks.models import Threat, Vulnerability
from openisms.risks.views.common import PAGE_SIZE, _query

KINDS: dict[str, type[Threat] | type[Vulnerability]] = {
    "threats": Threat,
    "vulnerabilities": Vulnerability,
}


def _kind(kind: str) -> type[Threat] | type[Vulnerability]:
    if kind not in KINDS:
        raise Http404("No such library.")
    return KINDS[kind]


@org_view("risks")
def library(request: HttpRequest, actor: Actor) -> HttpResponse:
    kind = request.GET.get("kind", "threats")
    model = _kind(kind)
    params = {"q": request.GET.get("q", "")[:200], "group": request.GET.get("group", "")}
    items = selectors.library_list(actor=actor, model=model, **params)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    groups = (
        selectors.library_list(actor=actor, model=model)
        .order_by("group")
        .values_list("group", flat=True)
        .distinct()
    )
    context = {
        "org": actor.org,
        "kind": kind,
        "kinds": [("threats", "Threats"), ("vulnerabilities", "Vulnerabilities")],
        "page": page,
        "params": params,
        "groups": list(groups),
        "query": _query(request),
        "can_edit": actor.can(Perm.EDIT_ISMS),
    }
    template = "risks/library.html#table" if request.htmx else "risks/library.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _library_form(
    request: HttpRequest, actor: Actor, kind: str, item: Threat | Vulnerability | None
) -> HttpResponse:
    model = _kind(kind)
    initial = LibraryItemForm.initial_from(item) if item else None
    form = LibraryItemForm(request.POST or None, initial=initial, threat=model is Threat)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.library_item_save(
                actor=actor, model=model, item=item, **form.service_fields()
            )
        except ValidationError as exc:
            form_errors_from(form, exc)
        else:
            messages.success(request, f"'{saved.name}' saved.")
            return redirect(f"{_url('risks:library', actor)}?kind={kind}")
    context = {"org": actor.org, "form": form, "item": item, "kind": kind}
    return render(request, "risks/library_form.html", context)


def _url(name: str, actor: Actor) -> str:
    return reverse(name, kwargs={"org": actor.org.slug})


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def library_create(request: HttpRequest, actor: Actor, kind: str) -> HttpResponse:
    return _library_form(request, actor, kind, None)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, actor: Actor, kind: str, item_id: int) -> HttpResponse:
    item = selectors.library_get(actor=actor, model=_kind(kind), item_id=item_id)
    return _library_form(request, actor, kind, item)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def library_delete(request: HttpRequest, actor: Actor, kind: str, item_id: int) -> HttpResponse:
    item = selectors.library_get(actor=actor, model=_kind(kind), item_id=item_id)
    services.library_item_delete(actor=actor, item=item)
    messages.success(request, f"'{item.name}' deleted.")
    return redirect(f"{_url('risks:library', actor)}?kind={kind}")
