"""Reading spreadsheets (CSV and XLSX) for imports; writing them is ``openisms.reports``."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Any

MAX_ROWS = 100_000
# Python's csv module refuses a cell over 128 KiB by default. Our own exports hold text of
# at most MAX_TEXT characters, but a cell of a file from elsewhere may be longer: allow far
# more than any valid value (the importer then reports the field as too long), and refuse
# the rest as a row-numbered problem rather than a crash.
MAX_CSV_CELL = 1_048_576
csv.field_size_limit(max(csv.field_size_limit(), MAX_CSV_CELL))


class TableError(Exception):
    """The file cannot be read as a table at all."""


@dataclass(frozen=True)
class Issue:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column '{self.column}'" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    """The outcome of an all-or-nothing import; ``issues`` empty means it was applied."""

    noun: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.issues

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.created} {self.noun} {verb} created, {self.updated} updated, "
            f"{self.unchanged} unchanged."
        )


def read_table(
    data: bytes, filename: str = ""
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Return the lower-cased header and (row number, {column: text}) for non-blank rows."""
    if data[:2] == b"PK" or filename.lower().endswith(".xlsx"):
        rows = _xlsx_rows(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TableError("The CSV file is not UTF-8 text.") from exc
        rows = _csv_rows(text)
    if not rows:
        raise TableError("The file is empty.")
    if len(rows) > MAX_ROWS + 1:
        raise TableError(f"The file has more than {MAX_ROWS} rows.")
    header = [h.strip().lower() for h in rows[0]]
    out = []
    for number, values in enumerate(rows[1:], start=2):
        cells = {h: (values[i].strip() if i < len(values) else "") for i, h in enumerate(header)}
        if any(cells.values()):
            out.append((number, cells))
    return header, out


def _csv_rows(text: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text))
    try:
        return [[_text(v) for v in row] for row in reader]
    except csv.Error as exc:
        raise TableError(f"Line {reader.line_num} of the CSV file cannot be read ({exc}).") from exc


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"The XLSX file cannot be read ({type(exc).__name__}).") from exc
    sheet = workbook.worksheets[0]
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(["" if v is None else _text(_unescape(v)) for v in row])
    workbook.close()
    return rows


def _unescape(value: Any) -> Any:
    """XLSX stores a control character such as the CR of a CR LF as ``_x000D_``; Excel reads
    it back as the character, but openpyxl's read-only mode leaves the escape in the text."""
    if isinstance(value, str) and "_x" in value:
        from openpyxl.utils.escape import unescape

        return unescape(value)
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    # Undo our own formula neutralisation so an exported file re-imports as it was.
    if text.startswith("'") and text[1:2] in ("=", "+", "-", "@"):
        return text[1:]
    return text
