from __future__ import annotations

from django import forms

from openisms.assets.fields import AssetChanges
from openisms.assets.models import AssetType, Classification
from openisms.core.changes import changes_of
from openisms.core.limits import MAX_TEXT

VALUE_CHOICES = [
    (n, f"{n} - {label}")
    for n, label in [(1, "low"), (2, "moderate"), (3, "significant"), (4, "high"), (5, "critical")]
]


class AssetForm(forms.Form):
    name = forms.CharField(max_length=200)
    type = forms.ChoiceField(choices=AssetType.choices)
    description = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    owner = forms.ChoiceField(required=False, help_text="Accountable for the asset.")
    custodian = forms.ChoiceField(required=False, help_text="Looks after it day to day.")
    location = forms.CharField(max_length=200, required=False)
    classification = forms.ChoiceField(choices=Classification.choices, initial="internal")
    confidentiality = forms.TypedChoiceField(choices=VALUE_CHOICES, coerce=int, initial=3)
    integrity = forms.TypedChoiceField(choices=VALUE_CHOICES, coerce=int, initial=3)
    availability = forms.TypedChoiceField(choices=VALUE_CHOICES, coerce=int, initial=3)
    tags = forms.CharField(max_length=500, required=False, help_text="Separate tags with ';'.")

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        people = [("", "—")] + [(e, e) for e in member_emails]
        self.fields["owner"].choices = people  # type: ignore[attr-defined]
        self.fields["custodian"].choices = people  # type: ignore[attr-defined]

    def changes(self) -> AssetChanges:
        return changes_of(AssetChanges, self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(help_text="CSV (UTF-8) or XLSX with the template's columns.")
    dry_run = forms.BooleanField(required=False, label="Check only (write nothing)")
