"""Login in two steps (password, then a code for users with multi-factor), password reset and
password change. Django's auth views do the work; these add throttling, the code step and
ending other sessions when the password changes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_otp
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from openisms.accounts import mfa, sessions, throttle
from openisms.accounts.models import LoginFailure
from openisms.accounts.security_forms import CodeForm, ThrottledLoginForm

PENDING = "_openisms_mfa_pending"
PENDING_FOR = dt.timedelta(minutes=5)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if not mfa.mfa_enabled(user):
            throttle.failures_clear(email=user.email)
            return super().form_valid(form)
        throttle.failures_clear(email=user.email, kind=LoginFailure.Kind.PASSWORD)
        # The password was right; the session is not logged in until the code is too.
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": getattr(user, "backend", ""),
            "at": timezone.now().isoformat(),
            "next": self.get_success_url(),
        }
        return redirect("accounts:login_code")


def _pending(request: HttpRequest) -> dict[str, Any] | None:
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        started = dt.datetime.fromisoformat(str(pending.get("at")))
    except ValueError:
        return None
    if timezone.now() - started > PENDING_FOR:
        request.session.pop(PENDING, None)
        return None
    return pending


@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    """Second step: a code from the authenticator app or a recovery code."""
    if request.user.is_authenticated:
        return redirect("web:home")
    pending = _pending(request)
    user = mfa.pending_user(pending.get("user")) if pending else None
    if pending is None or user is None:
        messages.info(request, "Log in with your e-mail and password first.")
        return redirect("accounts:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = throttle.client_address(request)
        if throttle.is_throttled(email=user.email, address=address):
            form.add_error(None, throttle.refused_message())
        else:
            device = mfa.verify_code(user=user, code=form.cleaned_data["code"])
            if device is None:
                throttle.failure_record(
                    email=user.email, address=address, kind=LoginFailure.Kind.CODE
                )
                form.add_error("code", "That code is not valid. Try the current one.")
            else:
                request.session.pop(PENDING, None)
                throttle.failures_clear(email=user.email)
                auth_login(request, user, backend=pending.get("backend") or None)
                django_otp.login(request, device)
                return HttpResponseRedirect(str(pending.get("next") or reverse_lazy("web:home")))
    return render(request, "accounts/login_code.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer whether or not the address has an account (Django's behaviour)."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form: SetPasswordForm[Any]) -> HttpResponse:
        response = super().form_valid(form)
        sessions.password_changed(actor=form.user, keep=None, how="reset")
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:security")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        before = self.request.session.session_key
        response = super().form_valid(form)  # keeps this session, under a new key
        sessions.password_changed(actor=form.user, keep=before, how="change")
        sessions.session_rekey(old=before, new=self.request.session.session_key)
        messages.success(self.request, "Password changed. Your other sessions were signed out.")
        return response
