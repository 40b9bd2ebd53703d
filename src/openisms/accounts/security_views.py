"""The account security page: sessions, multi-factor authentication and the password."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from openisms.accounts import mfa, sessions
from openisms.accounts.models import User
from openisms.accounts.security_forms import AppCodeForm, CodeForm


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "accounts/security.html",
        {
            "sessions": sessions.session_list(actor=user)[:50],
            "current_key": request.session.session_key,
            "mfa_on": mfa.mfa_enabled(user),
            "recovery_left": mfa.recovery_codes_left(actor=user),
            "code_form": CodeForm(auto_id="disable_%s"),
            "app_code_form": AppCodeForm(auto_id="recovery_%s"),
        },
    )


@login_required
@require_POST
def session_end(request: HttpRequest, session_id: int) -> HttpResponse:
    user = _user(request)
    found = sessions.session_get(actor=user, session_id=session_id)
    if found.session_key == request.session.session_key:
        messages.error(request, "This is the session you are using: log out instead.")
    else:
        sessions.session_end(actor=user, session=found)
        messages.success(request, "Session signed out.")
    return redirect("accounts:security")


@login_required
@require_POST
def sessions_end_others(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    count = sessions.sessions_end_others(
        actor=user, keep=request.session.session_key, reason="signed out by the user"
    )
    messages.success(request, f"Signed out {count} other session{'s' if count != 1 else ''}.")
    return redirect("accounts:security")


@login_required
@require_POST
def mfa_enrol(request: HttpRequest) -> HttpResponse:
    mfa.mfa_enrol_start(actor=_user(request))
    return redirect("accounts:mfa_setup")


@login_required
@require_http_methods(["GET", "POST"])
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    device = mfa.pending_totp(actor=user)
    if device is None:
        messages.info(request, "Start the set-up from your account security page.")
        return redirect("accounts:security")
    form = AppCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = mfa.mfa_enrol_confirm(actor=user, code=form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, "Multi-factor authentication is on.")
            return render(request, "accounts/recovery_codes.html", {"codes": codes})
        form.add_error("code", "That code is not valid. Check the app's clock and try again.")
    return render(
        request,
        "accounts/mfa_setup.html",
        {
            "form": form,
            # SVG drawn by the qrcode package from our own data: safe to inline.
            "qr": mark_safe(mfa.qr_svg(device)),  # noqa: S308
            "secret": mfa.secret_base32(device),
        },
    )


@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if form.is_valid() and mfa.mfa_disable(actor=_user(request), code=form.cleaned_data["code"]):
        messages.success(request, "Multi-factor authentication is off.")
    else:
        messages.error(request, "That code is not valid: multi-factor authentication stays on.")
    return redirect("accounts:security")


@login_required
@require_POST
def mfa_recovery_codes(request: HttpRequest) -> HttpResponse:
    form = AppCodeForm(request.POST)
    codes = None
    if form.is_valid():
        codes = mfa.mfa_recovery_regenerate(actor=_user(request), code=form.cleaned_data["code"])
    if codes is None:
        messages.error(request, "Enter a current code from your app to get new recovery codes.")
        return redirect("accounts:security")
    messages.success(request, "New recovery codes: the old ones no longer work.")
    return render(request, "accounts/recovery_codes.html", {"codes": codes})
