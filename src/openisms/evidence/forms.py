from __future__ import annotations

from typing import Any

from django import forms

from openisms.evidence.uploads import ALLOWED

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED)


def _people(emails: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(e, e) for e in emails]


class DatesForm(forms.Form):
    """The dates an item's owner may change (and that a new version may renew)."""

    collected_on = forms.DateField(
        required=False, widget=DATE, help_text="When the evidence was produced; today if empty."
    )
    validity_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=36500,
        label="Valid for (days)",
        help_text="Sets 'valid until' from the collection date (365 for a year). Or give the "
        "date below.",
    )
    valid_until = forms.DateField(required=False, widget=DATE)
    next_review_on = forms.DateField(required=False, widget=DATE, label="Next review")

    def changes(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        if data.get("validity_days") is None:
            data.pop("validity_days", None)
        else:
            data.pop("valid_until", None)
        return data


class ItemForm(DatesForm):
    """Everything about an item, for members who may edit the ISMS."""

    title = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    url = forms.CharField(
        max_length=1000, required=False, label="URL", help_text="Link items only (http or https)."
    )
    owner = forms.ChoiceField(required=False, help_text="Gets the expiry and review reminders.")
    field_order = [
        "title",
        "description",
        "url",
        "owner",
        "collected_on",
        "validity_days",
        "valid_until",
        "next_review_on",
    ]

    def __init__(self, *args: Any, member_emails: list[str], link: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _people(member_emails)  # type: ignore[attr-defined]
        if not link:
            del self.fields["url"]


class CreateForm(ItemForm):
    """A new item: a file (uploaded now) or a link, optionally linked at once."""

    kind = forms.ChoiceField(
        choices=[("file", "A file"), ("link", "A link")], widget=forms.RadioSelect, initial="file"
    )
    file = forms.FileField(
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text="PDF, images, text, CSV/JSON, office documents, ZIP, e-mail.",
    )
    note = forms.CharField(max_length=500, required=False, label="Version note")
    refs = forms.CharField(
        required=False,
        label="Controls and clauses",
        help_text="References separated by commas, e.g. A.5.15, A.8.13, 9.2",
    )
    controls = forms.CharField(
        required=False,
        label="Controls of the register",
        help_text="Your own controls by reference, separated by commas, e.g. AC-01, BK-02",
    )
    risks = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )
    field_order = [
        "kind",
        "file",
        "url",
        "title",
        "description",
        "owner",
        "refs",
        "controls",
        "risks",
    ]

    def __init__(self, *args: Any, risk_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, link=True, **kwargs)
        self.fields["title"].required = False
        self.fields["title"].help_text = "A file item takes the file's name when left empty."
        self.fields["risks"].choices = risk_choices  # type: ignore[attr-defined]


class VersionForm(DatesForm):
    file = forms.FileField(widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))
    note = forms.CharField(max_length=500, required=False, help_text="What changed.")
    field_order = ["file", "note", "collected_on", "validity_days", "valid_until", "next_review_on"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("collected_on", "validity_days", "valid_until", "next_review_on"):
            self.fields[name].help_text = "Leave empty to keep the item's current value."

    def changes(self) -> dict[str, Any]:
        return {
            k: v
            for k, v in super().changes().items()
            if v not in (None, "") and k not in ("file", "note")
        }


class LinkForm(forms.Form):
    refs = forms.CharField(
        required=False,
        label="Controls and clauses",
        help_text="e.g. A.5.15, A.8.13, 9.2",
    )
    controls = forms.CharField(
        required=False,
        label="Controls of the register",
        help_text="Your own controls by reference, separated by commas, e.g. AC-01, BK-02",
    )
    risks = forms.MultipleChoiceField(
        required=False, widget=forms.SelectMultiple(attrs={"size": 5})
    )

    def __init__(self, *args: Any, risk_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["risks"].choices = risk_choices  # type: ignore[attr-defined]
