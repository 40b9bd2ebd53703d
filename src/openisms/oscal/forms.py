from __future__ import annotations

from typing import Any

from django import forms


class ImportForm(forms.Form):
    file = forms.FileField(
        label="OSCAL catalog or profile",
        help_text="JSON, YAML or XML; OSCAL 1.0 to 1.2. At most 50 MiB.",
    )
    catalog = forms.FileField(
        required=False,
        label="Catalog file (for a profile)",
        help_text="The catalog a profile selects from, unless you imported it already.",
    )
    catalog_framework = forms.ChoiceField(
        required=False, label="Or an imported catalog (for a profile)"
    )
    slug = forms.SlugField(
        required=False,
        max_length=60,
        label="Slug",
        help_text="How the framework is named in addresses and the API (default: from its title).",
    )

    def __init__(self, *args: Any, catalogs: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["catalog_framework"].choices = [("", "—")] + [(c, c) for c in catalogs]  # type: ignore[attr-defined]
