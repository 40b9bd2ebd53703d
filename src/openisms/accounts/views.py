from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from openisms.accounts import selectors, services
from openisms.accounts.forms import TokenForm


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    user = request.user
    orgs = selectors.member_orgs(user=user)  # type: ignore[arg-type]
    form = TokenForm(request.POST or None, orgs=orgs)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = services.token_create(actor=user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm(orgs=orgs)
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": selectors.token_list(actor=user)[:100],  # type: ignore[arg-type]
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = selectors.token_get(actor=request.user, token_id=token_id)  # type: ignore[arg-type]
    services.token_revoke(actor=request.user, token=token)  # type: ignore[arg-type]
    messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("accounts:tokens")
