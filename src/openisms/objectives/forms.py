from __future__ import annotations

from django import forms

from openisms.core.changes import changes_of
from openisms.objectives.fields import MeasurementFields, ObjectiveChanges
from openisms.objectives.models import Direction, Frequency, ObjectiveStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ObjectiveForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ChoiceField(required=False)
    measure = forms.CharField(max_length=250, help_text="What is measured, and how.")
    unit = forms.CharField(max_length=30, required=False)
    direction = forms.ChoiceField(choices=Direction.choices)
    baseline = forms.FloatField(required=False)
    target = forms.FloatField()
    due_on = forms.DateField(required=False, widget=DATE, label="Target date")
    frequency = forms.ChoiceField(choices=Frequency.choices, label="Measured")
    controls = forms.CharField(
        required=False, help_text='Controls of the register, comma-separated ("AC-01, BK-02").'
    )
    status = forms.ChoiceField(choices=ObjectiveStatus.choices)

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        people = [("", "Nobody yet")] + [(e, e) for e in member_emails]
        self.fields["owner"].choices = people  # type: ignore[attr-defined]

    def changes(self) -> ObjectiveChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        data["controls"] = [c.strip() for c in (data.get("controls") or "").split(",") if c.strip()]
        return changes_of(ObjectiveChanges, data)


class MeasurementForm(forms.Form):
    measured_on = forms.DateField(widget=DATE, label="Measured on")
    value = forms.FloatField()
    note = forms.CharField(required=False, max_length=2000)

    def fields_(self) -> MeasurementFields:
        return changes_of(MeasurementFields, self.cleaned_data)
