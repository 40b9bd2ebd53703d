"""Problems found while reading, validating or resolving an OSCAL document."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 50


@dataclass(frozen=True)
class Issue:
    """One problem: ``path`` says where (``catalog.groups[2].controls[5].id``, or
    ``line 3, column 7`` for parse errors), ``message`` says what."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class OscalError(Exception):
    """A document could not be read, validated or resolved; ``issues`` lists every reason."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = list(issues)
        super().__init__(self._text())

    def _text(self) -> str:
        shown = [str(issue) for issue in self.issues[:MAX_LISTED]]
        more = len(self.issues) - MAX_LISTED
        if more > 0:
            shown.append(f"and {more} more")
        return "\n".join(shown) if shown else "invalid OSCAL document"

    def __str__(self) -> str:
        return self._text()


def fail(path: str, message: str) -> OscalError:
    """An error with a single issue, for ``raise fail(...)``."""
    return OscalError([Issue(path, message)])
