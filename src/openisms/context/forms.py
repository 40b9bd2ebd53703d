from __future__ import annotations

from django import forms

from openisms.context.fields import (
    ContextChanges,
    IssueChanges,
    PartyChanges,
    PartyRequirementChanges,
)
from openisms.context.models import (
    IssueCategory,
    IssueKind,
    ItemStatus,
    PartyKind,
    RequirementKind,
)
from openisms.core.changes import changes_of

TEXT = forms.Textarea(attrs={"rows": 4})


class ContextForm(forms.Form):
    scope = forms.CharField(
        widget=TEXT, required=False, help_text="The scope statement (owners and admins)."
    )
    boundaries = forms.CharField(widget=TEXT, required=False)
    interfaces = forms.CharField(widget=TEXT, required=False)
    exclusions = forms.CharField(
        widget=TEXT, required=False, help_text="Each exclusion with the reason it is sound."
    )

    def changes(self) -> ContextChanges:
        return changes_of(ContextChanges, self.cleaned_data)


class IssueForm(forms.Form):
    kind = forms.ChoiceField(choices=IssueKind.choices)
    category = forms.ChoiceField(choices=IssueCategory.choices)
    title = forms.CharField(max_length=250)
    description = forms.CharField(widget=TEXT, required=False)
    effect = forms.CharField(widget=TEXT, required=False, label="Effect on the ISMS")
    owner = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=ItemStatus.choices)

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        people = [("", "Nobody")] + [(e, e) for e in member_emails]
        self.fields["owner"].choices = people  # type: ignore[attr-defined]

    def changes(self) -> IssueChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        return changes_of(IssueChanges, data)


class PartyForm(forms.Form):
    name = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=PartyKind.choices)
    needs = forms.CharField(widget=TEXT, required=False, label="Needs and expectations")
    status = forms.ChoiceField(choices=ItemStatus.choices)

    def changes(self) -> PartyChanges:
        return changes_of(PartyChanges, self.cleaned_data)


class RequirementForm(forms.Form):
    party = forms.TypedChoiceField(coerce=int, label="Interested party")
    title = forms.CharField(max_length=250)
    kind = forms.ChoiceField(choices=RequirementKind.choices)
    reference = forms.CharField(max_length=120, required=False)
    description = forms.CharField(widget=TEXT, required=False)
    addressed = forms.BooleanField(required=False, label="Addressed through the ISMS")
    how = forms.CharField(widget=TEXT, required=False, label="How")
    status = forms.ChoiceField(choices=ItemStatus.choices)

    def __init__(self, *args: object, parties: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["party"].choices = parties  # type: ignore[attr-defined]

    def changes(self) -> PartyRequirementChanges:
        return changes_of(PartyRequirementChanges, self.cleaned_data)


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
