from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from openisms.accounts.models import TokenScope
from openisms.accounts.services import TOKEN_DEFAULT_DAYS, TOKEN_MAX_DAYS


class EmailLoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def clean_username(self) -> str:
        return str(self.cleaned_data["username"]).strip().lower()


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What will use it, e.g. 'nightly export'.")
    scope = forms.ChoiceField(choices=TokenScope.choices, initial=TokenScope.READ)
    org_id = forms.TypedChoiceField(
        coerce=int,
        empty_value=None,
        required=False,
        label="Organisation",
        help_text="Bind the token to one organisation, or let it reach all of yours.",
    )
    expires_in_days = forms.IntegerField(
        min_value=1,
        max_value=TOKEN_MAX_DAYS,
        initial=TOKEN_DEFAULT_DAYS,
        required=False,
        label="Expires after (days)",
        help_text=f"{TOKEN_DEFAULT_DAYS} if left empty; at most {TOKEN_MAX_DAYS}.",
    )

    def __init__(self, *args: Any, orgs: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org_id"].choices = [("", "All my organisations"), *orgs]  # type: ignore[attr-defined]
