"""Form helpers shared by every app's views."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest


def form_errors_from(form: Form, exc: ValidationError) -> None:
    """Attach a service's ValidationError to the form fields it names."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def posted_version(request: HttpRequest) -> int | None:
    """The version of the row an edit form was opened on (its hidden ``version`` input), for
    the update service to refuse the save when someone else changed the row since. A form
    without one (or with something else in it) saves as before: the last write wins."""
    raw = request.POST.get("version", "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


class BulkChangeForm(forms.Form):
    """Set the status, owner or target date of many rows at once ("Keep" leaves a field alone,
    "Nobody" clears the owner). Subclasses give ``status`` its choices."""

    status = forms.ChoiceField(required=False, label="Set status")
    owner = forms.ChoiceField(required=False, label="Set owner")
    target_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="Set target date",
    )
    statuses: list[tuple[str, str]] = []

    def __init__(self, *args: Any, member_emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", "Keep"), *self.statuses]  # type: ignore[attr-defined]
        people = [("", "Keep"), ("-", "Nobody")] + [(e, e) for e in member_emails]
        self.fields["owner"].choices = people  # type: ignore[attr-defined]

    def bulk_changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        if data.get("status"):
            out["status"] = data["status"]
        if data.get("owner"):
            out["owner"] = None if data["owner"] == "-" else data["owner"]
        if data.get("target_date"):
            out["target_date"] = data["target_date"]
        return out
