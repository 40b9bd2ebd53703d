"""Input limits every form, schema and import shares, declared once."""

from __future__ import annotations

MAX_DB_INT = 2**63 - 1
"""The largest id or integer any supported database stores (a signed 64-bit integer)."""
MAX_OFFSET = 2**31 - 1
"""The furthest a list may be paged: far beyond any register, well inside every database."""
MAX_TEXT = 20_000
"""Free text (descriptions, notes, rationales): long enough for pages of prose, short enough
that every export re-imports and no cell breaks a spreadsheet's 32,767-character limit."""
MAX_SHORT = 200
"""One short value in a list: a tag, a reference, an e-mail address."""
MAX_ITEMS = 1_000
"""Items in one list field (tags, dependencies, linked controls)."""
