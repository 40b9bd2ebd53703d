from __future__ import annotations

import re
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError

from openisms.controls.fields import ControlBulkChanges, ControlChanges
from openisms.controls.models import ControlStatus
from openisms.controls.selectors import requirements_by_name
from openisms.controls.services import MAX_REQUIREMENTS
from openisms.core.changes import changes_of
from openisms.core.forms import BulkChangeForm
from openisms.orgs.access import Actor

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_LINE = re.compile(r"^(?P<slug>[-a-zA-Z0-9_.]+)\s*:\s*(?P<ref>\S.*)$")


def _people(emails: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(e, e) for e in emails]


def parse_requirement_lines(text: str, *, actor: Actor) -> list[str]:
    """``framework:ref`` lines (blank lines and repeats ignored) as names the service resolves.

    Each bad line is its own message naming its line number, so a long paste is fixed in one
    go: a line that is not ``framework:ref``, a requirement the catalogue does not have, or one
    that is retired.
    """
    names: dict[tuple[str, str], int] = {}
    errors: list[str] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        match = _LINE.match(line)
        if match is None:
            errors.append(f"Line {n}: “{line[:80]}” is not framework:ref (iso27001-2022:A.8.13).")
            continue
        names.setdefault((match["slug"], match["ref"].strip()), n)
    if len(names) > MAX_REQUIREMENTS:
        raise ValidationError(f"At most {MAX_REQUIREMENTS} requirements.")
    found = requirements_by_name(names, actor=actor)
    for (slug, ref), n in names.items():
        requirement = found.get((slug, ref))
        if requirement is None:
            errors.append(f"Line {n}: {slug}:{ref} is not in the catalogue.")
        elif requirement.retired:
            errors.append(f"Line {n}: {slug}:{ref} is retired from the catalogue.")
    if errors:
        raise ValidationError(errors)
    return [f"{slug}:{ref}" for slug, ref in names]


class ControlForm(forms.Form):
    """The whole control, for members who may edit the ISMS."""

    ref = forms.CharField(max_length=40, label="Reference", help_text="e.g. AC-01 or A.8.13.")
    name = forms.CharField(max_length=250)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="What the control is."
    )
    owner = forms.ChoiceField(required=False)
    status = forms.ChoiceField(choices=ControlStatus.choices, label="Implementation status")
    target_date = forms.DateField(required=False, widget=DATE)
    implementation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="How we implement it"
    )
    requirements = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false", "class": "mono"}),
        required=False,
        label="Requirements it meets",
        help_text="One per line as framework:ref, e.g. iso27001-2022:A.8.13, "
        "nist-csf-2.0:PR.DS-11, hipaa-security-rule:164.308(a)(7)(ii)(A).",
    )

    def __init__(self, *args: Any, actor: Actor, member_emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.actor = actor
        self.fields["owner"].choices = _people(member_emails)  # type: ignore[attr-defined]

    def clean_requirements(self) -> list[str]:
        return parse_requirement_lines(
            self.cleaned_data.get("requirements") or "", actor=self.actor
        )

    def changes(self) -> ControlChanges:
        data = dict(self.cleaned_data)
        data.pop("requirements", None)
        return changes_of(ControlChanges, data)


class AssignedForm(forms.Form):
    """What the owner of a control may change with only 'edit assigned'."""

    status = forms.ChoiceField(choices=ControlStatus.choices, label="Implementation status")
    implementation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 5}), required=False, label="How we implement it"
    )

    def changes(self) -> ControlChanges:
        return changes_of(ControlChanges, self.cleaned_data)


class BulkForm(BulkChangeForm):
    statuses = list(ControlStatus.choices)

    def changes(self) -> ControlBulkChanges:
        return cast(ControlBulkChanges, self.bulk_changes())
