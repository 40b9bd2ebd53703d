"""The one formula-neutralising cell function every export uses."""

from __future__ import annotations

from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
# The same characters as a set, for writers that test a cell's first character in a loop.
FORMULA_STARTS = frozenset(FORMULA_PREFIXES)


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas: text that a spreadsheet would evaluate gets a leading
    apostrophe, so it is shown as text (CWE-1236). Numbers are left alone; importers remove the
    apostrophe again, so an export re-imports as it was."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
