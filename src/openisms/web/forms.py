from __future__ import annotations

from django import forms

from openisms.orgs.models import OrgSize, PiiRole, Role, Sector


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(
        max_length=50, help_text="Used in addresses: lowercase letters, digits and hyphens."
    )
    scope = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="What the ISMS covers: services, locations, teams and systems.",
    )
    size = forms.ChoiceField(choices=OrgSize.choices)
    sector = forms.ChoiceField(choices=Sector.choices)
    pii_role = forms.ChoiceField(
        choices=PiiRole.choices,
        required=False,
        label="PII role",
        help_text="For ISO/IEC 27701: the privacy controls for controllers, processors or both "
        "apply accordingly.",
    )


class OrganizationSettingsForm(OrganizationForm):
    separate_approval = forms.BooleanField(
        required=False,
        label="Separate approval",
        help_text="Whoever submits a version (the SoA, a document, an audit report, review "
        "minutes) may not approve it, and nobody accepts a risk they own.",
    )
    require_mfa = forms.BooleanField(
        required=False,
        label="Require multi-factor",
        help_text="Members without multi-factor authentication are sent to set it up before "
        "they can open anything here. API tokens are not affected.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Role.choices, initial=Role.CONTRIBUTOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ActivityFilterForm(forms.Form):
    action = forms.CharField(required=False)
    object_type = forms.CharField(required=False, label="Object type")
    actor = forms.CharField(required=False, label="Who (e-mail contains)")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))


class AcceptInvitationForm(forms.Form):
    """For invitees who have no account yet."""

    full_name = forms.CharField(max_length=150, required=False, label="Your name")
    password = forms.CharField(widget=forms.PasswordInput, min_length=12)
    password_again = forms.CharField(widget=forms.PasswordInput, label="Password (again)")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", "The two passwords differ.")
        return data


class SsoDomainsForm(forms.Form):
    domains = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Single sign-on e-mail domains",
        help_text="One a line, e.g. example.com. People signing in through single sign-on with "
        "an address at one of these join this organisation. Leave empty to turn this off.",
    )
    role = forms.ChoiceField(
        choices=[(r.value, r.label) for r in (Role.MANAGER, Role.CONTRIBUTOR, Role.AUDITOR)]
        + [(Role.VIEWER.value, Role.VIEWER.label)],
        initial=Role.VIEWER,
        label="Their role",
    )
