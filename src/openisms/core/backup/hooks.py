"""What an app rebuilds after a restore (derived data that is not in any model's table).

The catalogue registers its SQLite full-text index here in its ``AppConfig.ready``; core
cannot import the catalogue, so the app that owns the derived data says how to rebuild it.
"""

from __future__ import annotations

from collections.abc import Callable

_AFTER_RESTORE: dict[str, Callable[[str], None]] = {}


def register_after_restore(name: str, rebuild: Callable[[str], None]) -> None:
    """``rebuild(using)`` runs once the rows are loaded and migrations are current."""
    _AFTER_RESTORE[name] = rebuild


def after_restore() -> dict[str, Callable[[str], None]]:
    return dict(_AFTER_RESTORE)
