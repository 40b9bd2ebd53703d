"""Forms of the login, password and multi-factor pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from openisms.accounts import throttle
from openisms.accounts.forms import EmailLoginForm


class ThrottledLoginForm(EmailLoginForm):
    """The e-mail login, refused outright while the account or address is throttled."""

    def clean(self) -> dict[str, Any]:
        email = str(self.cleaned_data.get("username") or "")
        address = throttle.client_address(self.request)
        if throttle.is_throttled(email=email, address=address):
            raise ValidationError(throttle.refused_message(), code="throttled")
        try:
            return super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                throttle.failure_record(email=email, address=address)
            raise


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code",
        help_text="The six digits your authenticator app shows, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class AppCodeForm(forms.Form):
    code = forms.CharField(
        max_length=20,
        label="Code from the app",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
