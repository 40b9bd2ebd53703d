"""The risk method: its versions, editing it, and re-scoring risks onto it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.core.forms import form_errors_from
from openisms.orgs.access import Actor, Perm
from openisms.orgs.decorators import org_view
from openisms.orgs.models import Role
from openisms.risks import selectors, services
from openisms.risks.forms import SERVICE_FIELD_ERRORS, MethodForm


@org_view("risks")
@require_http_methods(["GET", "POST"])
def method(request: HttpRequest, actor: Actor) -> HttpResponse:
    current = selectors.method_in_use(actor=actor)
    can_edit = actor.can(Perm.EDIT_ISMS)
    if request.method == "POST":
        actor.require(Perm.EDIT_ISMS)
    form = MethodForm(request.POST or None, initial=MethodForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        try:
            new = services.risk_method_update(actor=actor, **form.service_fields())
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                exc = ValidationError(
                    {SERVICE_FIELD_ERRORS.get(k, k): v for k, v in exc.error_dict.items()}
                )
            form_errors_from(form, exc)
        else:
            messages.success(
                request,
                f"Version {new.version} of the method saved. "
                "Re-score the risks to move them onto it.",
            )
            return redirect("risks:method", org=actor.org.slug)
    versions = list(selectors.method_list(actor=actor))
    context = {
        "org": actor.org,
        "method": current,
        "versions": versions,
        "stale": sum(v.risk_count for v in versions if v.pk != current.pk),  # type: ignore[attr-defined]
        "form": form,
        "can_edit": can_edit,
        "roles": dict(Role.choices),
    }
    return render(request, "risks/method.html", context)


@org_view("risks", perm=Perm.EDIT_ISMS)
@require_POST
def method_rescore(request: HttpRequest, actor: Actor) -> HttpResponse:
    moved = services.risk_rescore(actor=actor)
    messages.success(
        request, f"{moved} risk{'s' if moved != 1 else ''} moved onto the current method."
    )
    return redirect("risks:method", org=actor.org.slug)
