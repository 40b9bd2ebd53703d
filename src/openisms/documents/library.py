"""The starter templates: Markdown files shipped in ``data/templates/`` with a front matter.

A template file starts with a header between two ``---`` lines, one ``name: value`` per line::

    ---
    key: backup
    title: Backup policy
    kind: policy
    controls: A.8.13, A.5.30
    review_months: 12
    ---

The body may use these placeholders, filled when a document is created from the template:
``{{ organisation }}`` (the organisation's name), ``{{ scope }}`` (its ISMS scope),
``{{ owner }}`` (the document owner's name), ``{{ approver_role }}`` (who approves),
``{{ review_interval }}`` (e.g. "12 months") and ``{{ effective_date }}`` (the day the draft
was created). Any other name is an error, so a typo never reaches a published policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

DATA = Path(__file__).parent / "data" / "templates"
PLACEHOLDERS = frozenset(
    {"organisation", "scope", "owner", "approver_role", "review_interval", "effective_date"}
)
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    kind: str
    controls: tuple[str, ...]
    review_months: int
    summary: str
    body: str

    @property
    def words(self) -> int:
        return len(self.body.split())


def parse(text: str) -> Template:
    if not text.startswith("---\n"):
        raise ValueError("A template starts with a '---' header.")
    header, _, body = text[4:].partition("\n---\n")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        name, sep, value = line.partition(":")
        if sep:
            meta[name.strip()] = value.strip()
    return Template(
        key=meta["key"],
        title=meta["title"],
        kind=meta["kind"],
        controls=tuple(c.strip() for c in meta.get("controls", "").split(",") if c.strip()),
        review_months=int(meta.get("review_months", "12")),
        summary=meta.get("summary", ""),
        body=body.lstrip("\n"),
    )


@cache
def templates() -> dict[str, Template]:
    found = [parse(p.read_text(encoding="utf-8")) for p in sorted(DATA.glob("*.md"))]
    return {t.key: t for t in found}


def template_get(key: str) -> Template:
    try:
        return templates()[key]
    except KeyError:
        raise ValidationError({"key": f"No template '{key}'."}) from None


def placeholders_in(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def fill(text: str, values: dict[str, str]) -> str:
    """Replace every placeholder; an unknown one raises ValueError naming it."""
    unknown = placeholders_in(text) - set(values)
    if unknown:
        raise ValueError(f"Unknown placeholder(s): {', '.join(sorted(unknown))}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)
