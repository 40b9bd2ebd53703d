from __future__ import annotations

from typing import Any

from django import forms

from openisms.audits.fields import AuditChanges, ChecklistChanges, FindingChanges, ProgrammeChanges
from openisms.audits.models import AuditStatus, ChecklistResult, FindingType
from openisms.audits.selectors import THEMES
from openisms.catalog.models import Requirement
from openisms.core.changes import changes_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _people(emails: list[str], empty: str | None) -> list[tuple[str, str]]:
    return ([("", empty)] if empty is not None else []) + [(e, e) for e in emails]


class ProgrammeForm(forms.Form):
    title = forms.CharField(max_length=250)
    first_year = forms.IntegerField(min_value=2000, max_value=2100)
    last_year = forms.IntegerField(min_value=2000, max_value=2100)
    objectives = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What the programme should show management, and what it concentrates on.",
    )
    criteria = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="What the audits judge against: the standard, your policies, contracts.",
    )
    owner = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, member_emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _people(member_emails, "Nobody yet")  # type: ignore[attr-defined]

    def changes(self) -> ProgrammeChanges:
        data = dict(self.cleaned_data)
        data["owner"] = data.get("owner") or None
        return changes_of(ProgrammeChanges, data)


class AuditForm(forms.Form):
    programme = forms.TypedChoiceField(coerce=int)
    title = forms.CharField(max_length=250)
    criteria = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    planned_start = forms.DateField(widget=DATE)
    planned_end = forms.DateField(widget=DATE)
    actual_start = forms.DateField(widget=DATE, required=False)
    actual_end = forms.DateField(widget=DATE, required=False)
    status = forms.ChoiceField(choices=AuditStatus.choices, initial=AuditStatus.PLANNED)
    lead_auditor = forms.ChoiceField(required=False)
    auditors = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Members of any role; nobody may audit a control or SoA row they own.",
    )
    all_clauses = forms.BooleanField(
        required=False, label="Add all clauses 4 to 10", help_text="Adds to the scope below."
    )
    themes = forms.MultipleChoiceField(
        required=False,
        choices=THEMES,
        widget=forms.CheckboxSelectMultiple,
        label="Add the controls of",
    )
    scope = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Scope"
    )

    def __init__(
        self,
        *args: Any,
        member_emails: list[str],
        programmes: list[tuple[int, str]],
        requirements: list[Requirement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.requirements = requirements
        self.fields["programme"].choices = programmes  # type: ignore[attr-defined]
        self.fields["lead_auditor"].choices = _people(member_emails, "Nobody yet")  # type: ignore[attr-defined]
        self.fields["auditors"].choices = _people(member_emails, None)  # type: ignore[attr-defined]
        self.fields["scope"].choices = [  # type: ignore[attr-defined]
            (r.ref, f"{r.ref} {r.title}") for r in requirements
        ]

    def changes(self) -> AuditChanges:
        data = dict(self.cleaned_data)
        scope = list(data.pop("scope", []) or [])
        if data.pop("all_clauses", False):
            scope += [r.ref for r in self.requirements if r.kind == "clause"]
        themes = set(data.pop("themes", []) or [])
        scope += [r.ref for r in self.requirements if r.kind == "control" and r.theme in themes]
        data["scope"] = list(dict.fromkeys(scope))
        data["lead_auditor"] = data.get("lead_auditor") or None
        data["auditors"] = list(data.get("auditors") or [])
        return changes_of(AuditChanges, data)


class ChecklistForm(forms.Form):
    result = forms.ChoiceField(choices=ChecklistResult.choices)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence = forms.TypedMultipleChoiceField(
        coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, evidence: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["evidence"].choices = evidence  # type: ignore[attr-defined]

    def changes(self) -> ChecklistChanges:
        return changes_of(ChecklistChanges, dict(self.cleaned_data))


class FindingForm(forms.Form):
    type = forms.ChoiceField(choices=FindingType.choices)
    title = forms.CharField(max_length=250)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    evidence_seen = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Records, interviews and observations the finding rests on.",
    )
    checklist_item = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    requirement = forms.CharField(
        max_length=40,
        required=False,
        help_text='A clause or control ref such as "9.2" or "A.5.15" (taken from the checklist '
        "item when left empty).",
    )

    def __init__(self, *args: Any, items: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["checklist_item"].choices = [("", "None"), *items]  # type: ignore[attr-defined]

    def changes(self) -> FindingChanges:
        data = dict(self.cleaned_data)
        data["requirement"] = data.get("requirement") or None
        if data["requirement"] is None and data.get("checklist_item"):
            data.pop("requirement")
        return changes_of(FindingChanges, data)


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class SubmitForm(forms.Form):
    comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Note for the approver"
    )
