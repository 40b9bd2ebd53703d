"""Turning a form's or an API schema's data into a service's typed changes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast


def changes_of[T](kind: type[T], data: Mapping[str, Any]) -> T:
    """``data`` as the TypedDict ``kind``, refusing keys it does not declare.

    Forms and schemas call this once each, so a field they add that the service does not
    know fails at the boundary with its name rather than as "Unknown field" deep inside.
    """
    keys = getattr(kind, "__required_keys__", frozenset()) | getattr(
        kind, "__optional_keys__", frozenset()
    )
    unknown = sorted(set(data) - keys)
    if unknown:
        raise TypeError(f"{kind.__name__} has no field {', '.join(unknown)}")
    return cast(T, dict(data))
