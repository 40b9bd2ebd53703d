from __future__ import annotations

from django import forms

from openisms.core.changes import changes_of
from openisms.reviews.fields import ReviewActionChanges, ReviewChanges
from openisms.reviews.models import ActionStatus, DecisionCategory, ReviewStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 3})


class ReviewForm(forms.Form):
    title = forms.CharField(max_length=250)
    meeting_on = forms.DateField(widget=DATE, label="Meeting date")
    period_start = forms.DateField(
        widget=DATE,
        required=False,
        label="Period starts",
        help_text="Leave empty to start at the previous review's meeting.",
    )
    chair = forms.ChoiceField(required=False)
    attendees = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="Members who attended."
    )
    guests = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Anyone else present, e.g. the external consultant.",
    )
    status = forms.ChoiceField(choices=ReviewStatus.choices)
    interested_parties = forms.CharField(
        widget=TEXT,
        required=False,
        label="Feedback from interested parties",
        help_text="What customers, regulators, staff or suppliers told you (no system holds this).",
    )
    other_notes = forms.CharField(widget=TEXT, required=False, label="Other notes")

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["chair"].choices = [("", "Nobody chosen")] + [  # type: ignore[attr-defined]
            (e, e) for e in member_emails
        ]
        self.fields["attendees"].choices = [(e, e) for e in member_emails]  # type: ignore[attr-defined]

    def changes(self) -> ReviewChanges:
        data = dict(self.cleaned_data)
        data["chair"] = data.get("chair") or None
        data["period_start"] = data.get("period_start") or None
        return changes_of(ReviewChanges, data)


class DecisionForm(forms.Form):
    text = forms.CharField(widget=TEXT, label="Decision")
    category = forms.ChoiceField(
        choices=[("", "No category"), *DecisionCategory.choices], required=False
    )


class ReviewActionForm(forms.Form):
    title = forms.CharField(max_length=250, label="Action")
    owner = forms.ChoiceField(required=False)
    due_on = forms.DateField(widget=DATE, required=False, label="Due on")
    status = forms.ChoiceField(choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].choices = [("", "Nobody yet")] + [  # type: ignore[attr-defined]
            (e, e) for e in member_emails
        ]

    def changes(self) -> ReviewActionChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        return changes_of(ReviewActionChanges, data)


class ActionProgressForm(forms.Form):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
