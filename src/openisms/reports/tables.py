"""Tables as CSV (the standard library) and XLSX (XlsxWriter).

XlsxWriter keeps a workbook in memory (its fastest mode, with shared strings, and with its parts
in memory rather than in temporary files) unless it holds more than ``CONSTANT_MEMORY_CELLS``
cells; larger ones (a 20,000-risk register) are written in constant-memory mode, a row at a
time. Every value is written by its type: text as a string cell (never parsed as a formula, URL
or number), numbers as numbers, dates as dates; text first passes through ``safe_cell`` so that
a copy-paste into another spreadsheet stays inert too.

XlsxWriter spends about 5 microseconds per cell in pure Python, in two places: storing each cell
(``write_string`` and friends) and writing it out as ``<c>`` XML at ``close()`` (escaping two
attributes by regular expression per cell). A 1,500-control SoA has 15,000 cells, so that was
most of its export time (docs/performance.md). ``TableSheet``, a ``Worksheet`` subclass
(subclassing and ``add_worksheet(name, worksheet_class)`` are XlsxWriter's documented way to
extend a worksheet), stores a row of text cells at once and writes formatted text, number and
date cells one string per row, the same bytes XlsxWriter writes; every other cell, and every
sheet with row formats, comments or constant-memory mode, goes through XlsxWriter's own code.
Both shortcuts lean on XlsxWriter internals (its cell table, shared-string table and
``_write_rows``), so XlsxWriter is pinned and ``tests/test_reports.py`` checks that every part
of a workbook comes out byte for byte as stock XlsxWriter writes it (``TableSheet.fast =
False``) and that the shortcuts are taken.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

from openisms.reports.cells import safe_cell

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_WIDTH = 60.0
SAMPLE_ROWS = 200  # rows looked at to size columns that have no declared width
CONSTANT_MEMORY_CELLS = 200_000


@dataclass
class Table:
    """One sheet: a title (31 characters at most in XLSX), a header row, rows, and optional
    column widths in characters (measured from the data when absent)."""

    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    widths: Sequence[float] | None = None
    wrap: bool = False  # long text wraps inside its cell, top-aligned
    notes: Sequence[str] = field(default_factory=tuple)


def write_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
    return buffer.getvalue().encode("utf-8")


def _measured_widths(table: Table) -> list[float]:
    widths = [float(len(str(h))) + 2 for h in table.header]
    for row in table.rows[:SAMPLE_ROWS]:
        for i, value in enumerate(row[: len(widths)]):
            longest = max((len(part) for part in str(value).split("\n")), default=0)
            widths[i] = max(widths[i], min(MAX_WIDTH, longest + 2.0))
    return widths


@dataclass(frozen=True)
class CellFormats:
    """The formats of a table's body cells: text and numbers, dates, and date-times."""

    body: Any
    day: Any
    moment: Any


class TableSheet(Worksheet):
    """An XlsxWriter worksheet that stores a row of cells at once and writes text and number
    cells without XlsxWriter's per-cell method calls (see the module docstring).

    ``fast = False`` turns both shortcuts off (the tests compare the two)."""

    fast: bool = True

    def write_cells(self, row: int, values: Sequence[Any], formats: CellFormats) -> None:
        """One body row: text (through ``safe_cell``), numbers, booleans, dates and date-times
        by type; None and empty text leave the cell empty. Text cells are stored as
        ``write_string()`` stores them (a shared-string index and the body format), the rest
        through XlsxWriter's ``write_*`` methods."""
        if (
            not self.fast
            or self.constant_memory
            or row >= self.xls_rowmax
            or len(values) > self.xls_colmax
        ):
            for col, value in enumerate(values):
                self._write_typed(row, col, value, formats)
            return
        cells = self.table[row]
        index = self.str_table._get_shared_string_index
        body = formats.body
        longest = self.xls_strmax // 2  # longer text may need truncating: write_string()
        new = tuple.__new__  # CellStringTuple(i, body) without namedtuple's Python-level __new__
        first = last = -1
        for col, value in enumerate(values):
            if value.__class__ is str and len(value) <= longest:
                if value:
                    cells[col] = new(CellStringTuple, (index(safe_cell(value)), body))
                    if first < 0:
                        first = col
                    last = col
            else:
                self._write_typed(row, col, value, formats)
        if first >= 0:  # the sheet's extent, as write_string() records it
            self._check_dimensions(row, first)
            self._check_dimensions(row, last)

    def _write_typed(self, row: int, col: int, value: Any, formats: CellFormats) -> None:
        if isinstance(value, str):
            if value:
                self.write_string(row, col, safe_cell(value), formats.body)
        elif value is None:
            return
        elif isinstance(value, bool):
            self.write_boolean(row, col, value, formats.body)
        elif isinstance(value, int | float):
            self.write_number(row, col, value, formats.body)
        elif isinstance(value, dt.datetime):
            self.write_datetime(row, col, value.replace(tzinfo=None), formats.moment)
        elif isinstance(value, dt.date):
            self.write_datetime(row, col, value, formats.day)
        else:
            self.write_string(row, col, str(safe_cell(str(value))), formats.body)

    def _write_rows(self) -> None:
        """The rows of ``<sheetData>``: formatted text (a shared-string index), number and
        date cells as one string per row; anything else through XlsxWriter's ``_write_cell``.
        Sheets with row formats or heights, comments, a changed default row height or Excel
        2010 extensions (none of which the exports use) are left to XlsxWriter entirely."""
        if (
            not self.fast
            or self.constant_memory
            or self.row_info
            or self.comments
            or self.default_row_height != self.original_row_height
            or self.excel_version != 2007
        ):
            super()._write_rows()
            return
        table, write = self.table, self.fh.write
        rows = [(row, table.get(row)) for row in range(self.dim_rowmin, self.dim_rowmax + 1)]
        rows = [(row, cells) for row, cells in rows if cells]
        # The spans attribute, as XlsxWriter's _calculate_spans(): the columns used in each
        # block of 16 rows.
        blocks: dict[int, tuple[int, int]] = {}
        for row, cells in rows:
            low, high = min(cells), max(cells)
            if (block := blocks.get(row // 16)) is not None:
                low, high = min(low, block[0]), max(high, block[1])
            blocks[row // 16] = (low, high)
        spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in blocks.items()}
        letters = [xl_col_to_name(col) for col in range(self.dim_colmax + 1)]
        styles: dict[Any, int] = {}  # format -> its index in styles.xml
        for row, cells in rows:
            number = row + 1
            out = [f'<row r="{number}" spans="{spans[row // 16]}">']
            for col, cell in sorted(cells.items()):
                kind = cell.__class__
                if kind is CellStringTuple or kind is CellNumberTuple or kind is CellDatetimeTuple:
                    value, style = cell
                    if style:
                        if (xf := styles.get(style)) is None:
                            xf = styles[style] = style._get_xf_index()
                        if kind is CellStringTuple:
                            out.append(
                                f'<c r="{letters[col]}{number}" s="{xf}" t="s"><v>{value}</v></c>'
                            )
                        else:
                            out.append(
                                f'<c r="{letters[col]}{number}" s="{xf}"><v>{value:.16G}</v></c>'
                            )
                        continue
                write("".join(out))
                out = []
                self._write_cell(row, col, cell)
            out.append("</row>")
            write("".join(out))


def write_workbook(tables: Sequence[Table]) -> bytes:
    """One XLSX file with a sheet per table: bold header row, frozen, with an auto-filter."""
    buffer = io.BytesIO()
    cells = sum(len(t.rows) * max(len(t.header), 1) for t in tables)
    constant_memory = cells > CONSTANT_MEMORY_CELLS
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": constant_memory,
            # XML parts in memory rather than temporary files; XlsxWriter turns constant-memory
            # mode off if both are set, so only for the in-memory mode.
            "in_memory": not constant_memory,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True, "valign": "top"})
    plain = workbook.add_format({"valign": "top"})
    wrapped = workbook.add_format({"valign": "top", "text_wrap": True})
    day = workbook.add_format({"valign": "top", "num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"valign": "top", "num_format": "yyyy-mm-dd hh:mm"})
    for table in tables:
        sheet = workbook.add_worksheet(table.title[:31], TableSheet)
        widths = list(table.widths) if table.widths else _measured_widths(table)
        for i, width in enumerate(widths):
            sheet.set_column(i, i, width)
        formats = CellFormats(wrapped if table.wrap else plain, day, moment)
        sheet.write_row(0, 0, list(table.header), bold)
        sheet.freeze_panes(1, 0)
        write_cells = sheet.write_cells
        for number, row in enumerate(table.rows, start=1):
            write_cells(number, row, formats)
        if table.header:
            sheet.autofilter(0, 0, max(len(table.rows), 1), len(table.header) - 1)
        if table.notes:
            notes = workbook.add_worksheet("Help", TableSheet)
            notes.set_column(0, 0, 100)
            for i, line in enumerate(table.notes):
                notes.write_string(i, 0, str(safe_cell(line)))
    workbook.close()
    return buffer.getvalue()


def write_xlsx(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, notes: Sequence[str] = ()
) -> bytes:
    """One table as an XLSX file, with its notes on a second sheet, "Help"."""
    return write_workbook([Table(title, header, list(rows), notes=notes)])
