"""Turning a form's or an API schema's data into a service's typed changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ForwardRef, cast, get_args

from django.core.exceptions import ValidationError


def _nullable(annotation: Any) -> bool:
    if isinstance(annotation, ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):  # postponed annotations: "str | User | None"
        return annotation.strip() == "Any" or "None" in {p.strip() for p in annotation.split("|")}
    return annotation is Any or annotation is None or type(None) in get_args(annotation)


def changes_of[T](kind: type[T], data: Mapping[str, Any]) -> T:
    """``data`` as the TypedDict ``kind``, refusing keys it does not declare.

    Forms and schemas call this once each, so a field they add that the service does not
    know fails at the boundary with its name rather than as "Unknown field" deep inside.
    A ``null`` for a field the service does not take as ``None`` (a list, a number) is a
    field error here, not a crash inside the service.
    """
    annotations: dict[str, Any] = getattr(kind, "__annotations__", {})
    keys = getattr(kind, "__required_keys__", frozenset()) | getattr(
        kind, "__optional_keys__", frozenset()
    )
    unknown = sorted(set(data) - keys)
    if unknown:
        raise TypeError(f"{kind.__name__} has no field {', '.join(unknown)}")
    nulls = sorted(
        k
        for k, v in data.items()
        if v is None and k in annotations and not _nullable(annotations[k])
    )
    if nulls:
        raise ValidationError(dict.fromkeys(nulls, "This field may not be null."))
    return cast(T, dict(data))
