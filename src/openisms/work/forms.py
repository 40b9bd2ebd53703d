from __future__ import annotations

from django import forms

from openisms.core.changes import changes_of
from openisms.work.fields import TaskChanges
from openisms.work.models import TaskPriority, TaskStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class TaskForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What done looks like, and anything the assignee should know.",
    )
    assignee = forms.ChoiceField(required=False)
    due_on = forms.DateField(required=False, widget=DATE, label="Due on")
    status = forms.ChoiceField(choices=TaskStatus.choices)
    priority = forms.ChoiceField(choices=TaskPriority.choices, initial=TaskPriority.NORMAL)
    requirement = forms.CharField(
        max_length=40,
        required=False,
        label="Control or clause",
        help_text='A ref such as "A.5.15" or "9.2" ("5.1" is clause 5.1; write "A.5.1" for '
        "the control). A task on an SoA row is a task on its control.",
    )
    control = forms.CharField(
        max_length=40,
        required=False,
        label="Or a control of the register",
        help_text='Your own control by reference, such as "AC-01".',
    )
    risk = forms.CharField(
        max_length=20,
        required=False,
        label="Or a risk",
        help_text='A risk ref such as "R-003". Leave empty for a task on nothing in particular.',
    )

    def __init__(self, *args: object, member_emails: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        people = [("", "Nobody yet")] + [(e, e) for e in member_emails]
        self.fields["assignee"].choices = people  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        chosen = [name for name in ("requirement", "control", "risk") if data.get(name)]
        if len(chosen) > 1:
            self.add_error(
                chosen[-1],
                "Choose one target: a control or clause, a control of the register, or a risk.",
            )
        return data

    def changes(self) -> TaskChanges:
        data = dict(self.cleaned_data)
        for name in ("assignee", "requirement", "control", "risk"):
            data[name] = data.get(name) or None
        return changes_of(TaskChanges, data)


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=TaskStatus.choices)


class CommentForm(forms.Form):
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), label="Add a comment", max_length=10_000
    )
