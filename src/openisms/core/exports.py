"""Helpers shared by every file export."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text that a spreadsheet would evaluate gets a leading
    apostrophe, so it is shown as text (CWE-1236). Numbers are left alone."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


@dataclass(frozen=True)
class PackFile:
    """A stored file that goes into an export bundle (the audit pack).

    ``path`` is its name inside the bundle (forward slashes, no leading slash, unique within
    the bundle); ``sha256`` and ``size`` are what was recorded when the file was stored, so the
    bundle's manifest can be checked against the bytes actually written. ``open`` returns a
    binary file object for reading (the caller closes it).
    """

    path: str
    sha256: str
    size: int
    open: Callable[[], IO[bytes]]
