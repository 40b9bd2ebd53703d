from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def diff_rows(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[tuple]:
    """Rows (field, old, new) for the fields that differ; all fields for a create or delete."""
    before = before or {}
    after = after or {}
    keys = sorted(set(before) | set(after))
    return [
        (key, before.get(key), after.get(key))
        for key in keys
        if before.get(key) != after.get(key) or not before or not after
    ]


@register.filter
def get_item(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def label(value: str) -> str:
    """Attribute values are spelled with underscores in the standard; show them with spaces."""
    return value.replace("_", " ")
