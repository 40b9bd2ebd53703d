from __future__ import annotations

import re
from typing import Any

from django import forms

from openisms.core.limits import MAX_TEXT
from openisms.orgs.models import Role
from openisms.risks.models import RiskMethod, Treatment, TreatmentAction

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
REF_SPLIT = re.compile(r"[\s,;]+")
RANGES = (
    ("frequency", "Frequency (events per year)"),
    ("magnitude", "Loss per event (USD)"),
    ("residual_frequency", "Residual frequency (events per year)"),
    ("residual_magnitude", "Residual loss per event (USD)"),
)


def refs(text: str) -> list[str]:
    """'A.8.13, A.5.30' or '8.13 5.30' as a list of refs (the service normalises 'A.')."""
    return [r for r in REF_SPLIT.split(text or "") if r]


def scale_choices(scale: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [(level["value"], f"{level['value']} - {level['label']}") for level in scale]


def _people(emails: list[str]) -> list[tuple[str, str]]:
    return [("", "—")] + [(e, e) for e in emails]


class RiskForm(forms.Form):
    title = forms.CharField(max_length=250)
    description = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="The scenario: what could happen, to what, and why.",
    )
    assets = forms.TypedMultipleChoiceField(
        coerce=int, required=False, help_text="Hold Ctrl or Cmd to choose several."
    )
    threat = forms.ChoiceField(required=False)
    vulnerability = forms.ChoiceField(required=False)
    owner = forms.ChoiceField(required=False, label="Risk owner")
    inherent_likelihood = forms.TypedChoiceField(coerce=int, label="Likelihood")
    inherent_impact = forms.TypedChoiceField(coerce=int, label="Impact")
    existing_controls = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    treatment = forms.ChoiceField(choices=Treatment.choices, initial=Treatment.MODIFY)
    planned_controls = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        help_text="Annex A controls of ISO/IEC 27001:2022, e.g. A.8.13, A.5.30.",
    )
    controls = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        label="Controls of the register",
        help_text="Your own controls by reference, e.g. BK-01, HIP-02.",
    )
    residual_likelihood = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Residual likelihood"
    )
    residual_impact = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Residual impact"
    )
    review_date = forms.DateField(required=False, widget=DATE)
    frequency_low = forms.FloatField(required=False, min_value=0, label="Low")
    frequency_mode = forms.FloatField(required=False, min_value=0, label="Most likely")
    frequency_high = forms.FloatField(required=False, min_value=0, label="High")
    magnitude_low = forms.FloatField(required=False, min_value=0, label="Low")
    magnitude_mode = forms.FloatField(required=False, min_value=0, label="Most likely")
    magnitude_high = forms.FloatField(required=False, min_value=0, label="High")
    residual_frequency_low = forms.FloatField(required=False, min_value=0, label="Low")
    residual_frequency_mode = forms.FloatField(required=False, min_value=0, label="Most likely")
    residual_frequency_high = forms.FloatField(required=False, min_value=0, label="High")
    residual_magnitude_low = forms.FloatField(required=False, min_value=0, label="Low")
    residual_magnitude_mode = forms.FloatField(required=False, min_value=0, label="Most likely")
    residual_magnitude_high = forms.FloatField(required=False, min_value=0, label="High")
    distribution = forms.ChoiceField(
        choices=[("pert", "PERT"), ("lognormal", "Lognormal")], initial="pert"
    )
    treatment_cost = forms.FloatField(
        required=False, min_value=0, label="Annual treatment cost (USD)"
    )

    MAIN = (
        "title",
        "description",
        "assets",
        "threat",
        "vulnerability",
        "owner",
        "review_date",
    )
    INHERENT = ("inherent_likelihood", "inherent_impact", "existing_controls")
    TREATMENT = (
        "treatment",
        "planned_controls",
        "controls",
        "residual_likelihood",
        "residual_impact",
    )

    def __init__(
        self,
        *args: Any,
        method: RiskMethod,
        member_emails: list[str],
        assets: list[tuple[int, str]],
        threats: list[tuple[int, str]],
        vulnerabilities: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        likelihood = scale_choices(method.likelihood_scale)
        impact = scale_choices(method.impact_scale)
        f = self.fields
        f["owner"].choices = _people(member_emails)  # type: ignore[attr-defined]
        f["assets"].choices = assets  # type: ignore[attr-defined]
        f["threat"].choices = [("", "—"), *threats]  # type: ignore[attr-defined]
        f["vulnerability"].choices = [("", "—"), *vulnerabilities]  # type: ignore[attr-defined]
        f["inherent_likelihood"].choices = [("", "Choose"), *likelihood]  # type: ignore[attr-defined]
        f["inherent_impact"].choices = [("", "Choose"), *impact]  # type: ignore[attr-defined]
        f["residual_likelihood"].choices = [("", "Not assessed"), *likelihood]  # type: ignore[attr-defined]
        f["residual_impact"].choices = [("", "Not assessed"), *impact]  # type: ignore[attr-defined]
        f["assets"].widget.attrs["size"] = min(max(len(assets), 3), 8)

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            ("Risk", [self[n] for n in self.MAIN]),
            ("Inherent risk (before new controls)", [self[n] for n in self.INHERENT]),
            ("Treatment and residual risk", [self[n] for n in self.TREATMENT]),
        ]

    def quant_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (label, [self[f"{key}_{p}"] for p in ("low", "mode", "high")]) for key, label in RANGES
        ]

    def has_quant(self) -> bool:
        names = [f"{k}_{p}" for k, _l in RANGES for p in ("low", "mode", "high")]
        names.append("treatment_cost")
        source = self.data if self.is_bound else self.initial
        return any(source.get(n) not in (None, "") for n in names)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for key, _label in RANGES:
            values = [data.get(f"{key}_{p}") for p in ("low", "mode", "high")]
            if any(v is not None for v in values) and any(v is None for v in values):
                self.add_error(f"{key}_low", "Give low, most likely and high, or none of them.")
        return data

    def quant(self) -> dict[str, Any] | None:
        data = self.cleaned_data
        out: dict[str, Any] = {}
        for key, _label in RANGES:
            values = [data.get(f"{key}_{p}") for p in ("low", "mode", "high")]
            if all(v is not None for v in values):
                out[key] = dict(zip(("low", "mode", "high"), values, strict=True))
                out[key]["distribution"] = data.get("distribution") or "pert"
        if not out and data.get("treatment_cost") is None:
            return None
        if data.get("treatment_cost") is not None:
            out["treatment_cost"] = data["treatment_cost"]
        return out

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {n: data[n] for n in self.MAIN + self.INHERENT + self.TREATMENT}
        fields["planned_controls"] = refs(data["planned_controls"])
        fields["controls"] = [r for r in data["controls"].replace(";", ",").split(",") if r.strip()]
        fields["threat"] = data["threat"] or None
        fields["vulnerability"] = data["vulnerability"] or None
        fields["quant"] = self.quant()
        return fields

    @staticmethod
    def initial_from(risk: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "title": risk.title,
            "description": risk.description,
            "assets": [a.pk for a in risk.assets.all()],
            "threat": risk.threat_id or "",
            "vulnerability": risk.vulnerability_id or "",
            "owner": risk.owner.email if risk.owner else "",
            "inherent_likelihood": risk.inherent_likelihood,
            "inherent_impact": risk.inherent_impact,
            "existing_controls": risk.existing_controls,
            "treatment": risk.treatment,
            "planned_controls": ", ".join(c.ref for c in risk.planned_controls.all()),
            "controls": ", ".join(c.ref for c in risk.controls.all()),
            "residual_likelihood": risk.residual_likelihood or "",
            "residual_impact": risk.residual_impact or "",
            "review_date": risk.review_date,
        }
        quant = risk.quant or {}
        for key, _label in RANGES:
            for p in ("low", "mode", "high"):
                if quant.get(key):
                    initial[f"{key}_{p}"] = quant[key].get(p)
            if quant.get(key):
                initial["distribution"] = quant[key].get("distribution", "pert")
        if quant.get("treatment_cost"):
            initial["treatment_cost"] = quant["treatment_cost"]
        return initial


class AcceptForm(forms.Form):
    rationale = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Why the organisation accepts this residual risk.",
    )
    expires_on = forms.DateField(
        widget=DATE, label="Review the acceptance by", help_text="Within three years."
    )


class DecisionForm(forms.Form):
    comment = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required when rejecting: say what needs to change.",
    )


class ActionForm(forms.Form):
    title = forms.CharField(max_length=250, label="Action")
    owner = forms.ChoiceField(required=False)
    due_date = forms.DateField(required=False, widget=DATE)
    status = forms.ChoiceField(
        choices=TreatmentAction.Status.choices, initial=TreatmentAction.Status.PLANNED
    )

    def __init__(self, *args: Any, member_emails: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = _people(member_emails)  # type: ignore[attr-defined]


class ActionUpdateForm(ActionForm):
    """Status, owner and due date of an existing action (the title stays)."""

    title = None  # type: ignore[assignment]


def _parse_lines(text: str, parts: int, field: str) -> list[list[str]]:
    rows = []
    for n, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) < parts:
            cells += [""] * (parts - len(cells))
        if len(cells) > parts:
            raise forms.ValidationError(f"Line {n}: use {parts} parts separated by '|'.")
        rows.append(cells)
    return rows


class MethodForm(forms.Form):
    name = forms.CharField(max_length=120)
    likelihood_levels = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="3 to 5 lines, lowest first: 'Label | description'.",
    )
    impact_levels = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="3 to 5 lines, lowest first: 'Label | description'.",
    )
    scoring = forms.ChoiceField(choices=RiskMethod.Scoring.choices)
    bands = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One line per level, lowest first: 'Name | min | max | #rrggbb'. "
        "Together they must cover every score.",
    )
    acceptance_threshold = forms.IntegerField(
        min_value=1,
        max_value=32_767,
        help_text="Residual scores above this need a recorded acceptance.",
    )
    acceptors = forms.MultipleChoiceField(
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text="Roles whose members may accept risks above the threshold.",
    )
    notes = forms.CharField(
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why it changed.",
    )

    def _scale(self, field: str) -> list[dict[str, Any]]:
        rows = _parse_lines(self.cleaned_data.get(field, ""), 2, field)
        if not 3 <= len(rows) <= 5:
            raise forms.ValidationError("Use 3 to 5 lines.")
        if any(not label for label, _d in rows):
            raise forms.ValidationError("Every line needs a label before the '|'.")
        return [
            {"value": n, "label": label, "description": description}
            for n, (label, description) in enumerate(rows, start=1)
        ]

    def clean_likelihood_levels(self) -> list[dict[str, Any]]:
        return self._scale("likelihood_levels")

    def clean_impact_levels(self) -> list[dict[str, Any]]:
        return self._scale("impact_levels")

    def clean_bands(self) -> list[dict[str, Any]]:
        out = []
        for name, low, high, colour in _parse_lines(self.cleaned_data.get("bands", ""), 4, "bands"):
            try:
                out.append({"name": name, "min": int(low), "max": int(high), "colour": colour})
            except ValueError as exc:
                raise forms.ValidationError(
                    f"Band '{name}': min and max must be whole numbers."
                ) from exc
        if not out:
            raise forms.ValidationError("Give at least one band.")
        return out

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "likelihood_scale": data["likelihood_levels"],
            "impact_scale": data["impact_levels"],
            "scoring": data["scoring"],
            "bands": data["bands"],
            "acceptance_threshold": data["acceptance_threshold"],
            "acceptors": data["acceptors"],
            "notes": data["notes"],
        }

    @staticmethod
    def initial_from(method: RiskMethod) -> dict[str, Any]:
        def lines(scale: list[dict[str, Any]]) -> str:
            return "\n".join(f"{s['label']} | {s.get('description', '')}" for s in scale)

        return {
            "name": method.name,
            "likelihood_levels": lines(method.likelihood_scale),
            "impact_levels": lines(method.impact_scale),
            "scoring": method.scoring,
            "bands": "\n".join(
                f"{b['name']} | {b['min']} | {b['max']} | {b['colour']}" for b in method.bands
            ),
            "acceptance_threshold": method.acceptance_threshold,
            "acceptors": list(method.acceptors),
            "notes": "",
        }


SERVICE_FIELD_ERRORS = {
    "likelihood_scale": "likelihood_levels",
    "impact_scale": "impact_levels",
}


class LibraryItemForm(forms.Form):
    name = forms.CharField(max_length=200)
    group = forms.CharField(max_length=80)
    key = forms.SlugField(
        max_length=80, required=False, help_text="Short identifier; made from the name if empty."
    )
    description = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    asset_types = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        help_text="Asset types it applies to, separated by commas.",
    )
    affects = forms.CharField(
        max_length=MAX_TEXT,
        required=False,
        help_text="Confidentiality, integrity, availability (comma separated).",
    )
    suggested_controls = forms.CharField(
        max_length=MAX_TEXT, required=False, help_text="Annex A controls, e.g. A.8.13, A.5.30."
    )

    def __init__(self, *args: Any, threat: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not threat:
            del self.fields["affects"]

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("asset_types", "affects"):
            if name in data:
                data[name] = [v.strip() for v in data[name].split(",") if v.strip()]
        data["suggested_controls"] = refs(data["suggested_controls"])
        if not data["key"]:
            data.pop("key")
        return data

    @staticmethod
    def initial_from(item: Any) -> dict[str, Any]:
        return {
            "name": item.name,
            "group": item.group,
            "key": item.key,
            "description": item.description,
            "asset_types": ", ".join(item.asset_types or []),
            "affects": ", ".join(getattr(item, "affects", None) or []),
            "suggested_controls": ", ".join(c.ref for c in item.suggested_controls.all()),
        }


class AssessmentForm(forms.Form):
    name = forms.CharField(max_length=200, help_text="For example 'Annual assessment 2026'.")
    performed_on = forms.DateField(widget=DATE)
    notes = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
