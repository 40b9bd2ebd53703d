"""The refusal of a write made on a stale copy of a row (optimistic locking).

A ``ValidationError`` so that every form view, which already shows a service's validation
errors on the form, shows this one too while keeping the user's input; the API answers it
with 409 rather than 422 (``core/api.py``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "empty"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return repr(value) if isinstance(value, str) else str(value)


class VersionConflict(ValidationError):
    """The caller edited version ``sent`` of a row that is now at ``current``.

    ``changed`` maps each field changed since ``sent`` to its current value (empty when the
    trail does not say, for instance after an import)."""

    def __init__(self, *, noun: str, sent: int, current: int, changed: dict[str, Any]) -> None:
        self.noun, self.sent, self.current, self.changed = noun, sent, current, changed
        text = (
            f"This {noun} was changed by someone else after you opened it (you edited version "
            f"{sent}; it is now at version {current}), so nothing was saved."
        )
        if changed:
            listed = "; ".join(f"{k} is now {_shown(v)}" for k, v in changed.items())
            text += f" Changed since: {listed}."
        text += " Check the current values; saving again keeps yours."
        super().__init__(text, code="version_conflict")

    def body(self) -> dict[str, Any]:
        """What the API answers: the message, the current version and what changed."""
        return {"detail": self.messages[0], "version": self.current, "changed": self.changed}
