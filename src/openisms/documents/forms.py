from __future__ import annotations

from django import forms

from openisms.core.changes import changes_of
from openisms.documents.fields import DocumentChanges
from openisms.documents.models import Classification, DocumentKind
from openisms.orgs.models import Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _refs(text: str) -> list[str]:
    return [p.strip() for p in text.replace(";", ",").replace("\n", ",").split(",") if p.strip()]


class DocumentForm(forms.Form):
    title = forms.CharField(max_length=250)
    kind = forms.ChoiceField(choices=DocumentKind.choices)
    owner = forms.ChoiceField(required=False)
    classification = forms.ChoiceField(choices=Classification.choices)
    review_interval_months = forms.IntegerField(min_value=1, max_value=60, initial=12)
    next_review_on = forms.DateField(required=False, widget=DATE, label="Next review")
    audience_roles = forms.MultipleChoiceField(
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Published to",
        help_text="Leave all unticked to publish to every member.",
    )
    requirements = forms.CharField(
        required=False,
        label="Clauses and Annex A controls",
        help_text='Comma-separated refs, such as "5.2, A.5.1".',
    )
    controls = forms.CharField(
        required=False, label="Controls of the register", help_text='Refs such as "AC-01".'
    )
    draft_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 20}), required=False, label="Draft (Markdown)"
    )

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["owner"].choices = [("", "Nobody")] + [(e, e) for e in member_emails]  # type: ignore[attr-defined]

    def changes(self) -> DocumentChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        data["requirements"] = _refs(data.get("requirements") or "")
        data["controls"] = _refs(data.get("controls") or "")
        return changes_of(DocumentChanges, data)


class DraftForm(forms.Form):
    draft_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 24}), required=False, label="Draft (Markdown)"
    )


class CommentForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )
