from __future__ import annotations

from typing import cast

from django import forms

from openisms.core.changes import changes_of
from openisms.core.forms import BulkChangeForm
from openisms.soa.fields import SoaBulkChanges, SoaEntryChanges
from openisms.soa.models import SoaStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
APPLICABLE_STATUSES = [c for c in SoaStatus.choices if c[0] != SoaStatus.NOT_APPLICABLE]


def _people(emails: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(e, e) for e in emails]


class EntryForm(forms.Form):
    """The whole row, for members who may edit the ISMS."""

    applicable = forms.BooleanField(
        required=False,
        help_text="Untick to exclude the control; say why in the justification.",
    )
    legal_regulatory = forms.BooleanField(required=False, label="Reason: legal / regulatory")
    contractual = forms.BooleanField(required=False, label="Reason: contractual")
    business = forms.BooleanField(required=False, label="Reason: business (best practice)")
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Why it is included; for an excluded control, why it is not needed.",
    )
    status = forms.ChoiceField(
        choices=SoaStatus.choices,
        label="Implementation status",
        help_text="An excluded control is always 'not applicable'.",
    )
    owner = forms.ChoiceField(required=False)
    target_date = forms.DateField(required=False, widget=DATE)
    implementation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        label="How we implement it",
    )
    confirm_exclusion = forms.BooleanField(
        required=False,
        label="Exclude it although risks plan it as treatment",
    )
    cited_requirements = forms.CharField(
        required=False,
        max_length=500,
        label="Reason: requirements of interested parties",
        help_text='Refs from the ISMS context, comma-separated ("REQ-01, REQ-04"): the laws, '
        "regulations and contracts that call for it.",
    )

    def __init__(
        self,
        *args: object,
        member_emails: list[str],
        clause: bool = False,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].choices = _people(member_emails)  # type: ignore[attr-defined]
        if clause:
            for name in (
                "applicable",
                "legal_regulatory",
                "contractual",
                "business",
                "cited_requirements",
            ):
                del self.fields[name]
            del self.fields["confirm_exclusion"]
            self.fields["status"].choices = APPLICABLE_STATUSES  # type: ignore[attr-defined]
            self.fields["implementation"].label = "How we meet it"
            self.fields["justification"].label = "Notes"

    def changes(self) -> SoaEntryChanges:
        data = dict(self.cleaned_data)
        data.pop("confirm_exclusion", None)
        data.pop("cited_requirements", None)
        return changes_of(SoaEntryChanges, data)

    def cited(self) -> list[int | str] | None:
        if "cited_requirements" not in self.fields:
            return None
        text = self.cleaned_data.get("cited_requirements") or ""
        return [part.strip() for part in text.split(",") if part.strip()]


class AssignedForm(forms.Form):
    """What the owner of a row may change with only 'edit assigned'."""

    status = forms.ChoiceField(choices=APPLICABLE_STATUSES, label="Implementation status")
    implementation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="How we implement it"
    )

    def changes(self) -> SoaEntryChanges:
        return changes_of(SoaEntryChanges, self.cleaned_data)


class BulkForm(BulkChangeForm):
    statuses = list(APPLICABLE_STATUSES)

    def changes(self) -> SoaBulkChanges:
        return cast(SoaBulkChanges, self.bulk_changes())


class SubmitForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What changed since the last approved version.",
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Required when you reject: say what needs to change.",
    )


class OverrideForm(forms.Form):
    """A manual verdict on one requirement assessment; an empty status clears it."""

    status = forms.ChoiceField(
        choices=[("", "None: follow the controls"), *APPLICABLE_STATUSES],
        required=False,
        label="Status set by hand",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=5000,
        help_text="Why the status is set by hand (required when you set one).",
    )
