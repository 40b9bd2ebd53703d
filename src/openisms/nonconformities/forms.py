from __future__ import annotations

from django import forms

from openisms.core.changes import changes_of
from openisms.nonconformities.fields import ActionChanges, NonconformityChanges
from openisms.nonconformities.models import (
    ActionStatus,
    Effectiveness,
    NcSource,
    RootCauseMethod,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


def _people(field: forms.Field, emails: list[str]) -> None:
    field.choices = [("", "Nobody yet")] + [(e, e) for e in emails]  # type: ignore[attr-defined]


class NonconformityForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(
        widget=TEXT, required=False, help_text="What was found, where, and the evidence for it."
    )
    source = forms.ChoiceField(choices=NcSource.choices)
    source_ref = forms.CharField(
        max_length=200,
        required=False,
        label="Source reference",
        help_text="The audit finding, incident or review it came from, "
        'e.g. "IA-2026-01 finding 1".',
    )
    severity = forms.ChoiceField(choices=Severity.choices, initial=Severity.MINOR)
    raised_on = forms.DateField(widget=DATE, label="Raised on")
    owner = forms.ChoiceField(required=False)
    requirements = forms.CharField(
        max_length=400,
        required=False,
        label="Requirements concerned",
        help_text='Clause or control refs separated by commas, e.g. "9.2, A.5.15".',
    )
    correction = forms.CharField(
        widget=TEXT, required=False, help_text="What was done at once to contain the problem."
    )
    correction_on = forms.DateField(widget=DATE, required=False, label="Correction made on")
    root_cause_method = forms.ChoiceField(
        choices=[("", "Not chosen"), *RootCauseMethod.choices], required=False, label="Method"
    )
    root_cause = forms.CharField(
        widget=TEXT, required=False, help_text="Why it happened, not only what happened."
    )

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _people(self.fields["owner"], member_emails)

    def changes(self) -> NonconformityChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        data["requirements"] = [
            r.strip() for r in str(data.get("requirements") or "").split(",") if r.strip()
        ]
        return changes_of(NonconformityChanges, data)


class ActionForm(forms.Form):
    title = forms.CharField(max_length=250, label="Corrective action")
    owner = forms.ChoiceField(required=False)
    due_on = forms.DateField(widget=DATE, required=False, label="Due on")
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    notes = forms.CharField(widget=TEXT, required=False)

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        _people(self.fields["owner"], member_emails)

    def changes(self) -> ActionChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        return changes_of(ActionChanges, data)


class ActionProgressForm(forms.Form):
    """What the action's owner may change."""

    status = forms.ChoiceField(choices=ActionStatus.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CheckForm(forms.Form):
    result = forms.ChoiceField(choices=Effectiveness.choices, label="Result")
    checked_on = forms.DateField(widget=DATE, required=False, label="Checked on")
    notes = forms.CharField(
        widget=TEXT,
        required=False,
        help_text="What you looked at; required when the actions were not effective.",
    )
