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
extend a worksheet), writes a row of text, number and date cells straight to its XML when the
row is stored (as XlsxWriter's constant-memory mode does, but keeping shared strings), with
the format numbers put in at ``close()`` in the order XlsxWriter gives them; ``TableSharedStrings``
(through the packager, which ``Workbook._get_packager`` is there to replace) writes plain
shared strings with one test each. Every other cell, and every sheet with row formats,
comments or constant-memory mode, goes through XlsxWriter's own code. The shortcuts lean on
XlsxWriter internals (its cell table, shared-string table, ``_write_rows`` and the packager),
so XlsxWriter is pinned and ``tests/test_reports.py`` checks that every part of a workbook
comes out byte for byte as stock XlsxWriter writes it (``TableSheet.fast = False``) and that
the shortcuts are taken. One deliberate difference: text shaped like XlsxWriter's rich
strings (``<r>...</r>``) is written as the text it is, where XlsxWriter would write it as XML.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from xlsxwriter.packager import Packager
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellDatetimeTuple, CellNumberTuple, CellStringTuple, Worksheet

from openisms.reports.cells import FORMULA_STARTS, safe_cell

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


# Stand for the body, date and date-time formats' numbers in cell XML written before the numbers
# are given (characters that cell references, string indices and numbers never contain).
_XF, _XF_DAY, _XF_MOMENT = "\x01", "\x02", "\x03"


class TableSheet(Worksheet):
    """An XlsxWriter worksheet that stores a row of cells at once and writes text and number
    cells without XlsxWriter's per-cell method calls (see the module docstring).

    ``fast = False`` turns both shortcuts off (the tests compare the two)."""

    fast: bool = True
    _text_tails: dict[str, str]
    _text_format: Any = None

    def __init__(self) -> None:
        super().__init__()
        # row -> (first column, last column, its cells' XML, its (mark, format) pairs)
        self._xml_rows: dict[int, tuple[int, int, str, tuple[tuple[str, Any], ...]]] = {}
        self._letters = [xl_col_to_name(col) for col in range(64)]

    def _xml_rich_inline_string(self, string: str, attributes: Any = ()) -> None:
        """Constant-memory mode's rich inline string: plain text here (see
        ``TableSharedStrings``). The text starts with "<" and ends with ">", so it has no
        whitespace to preserve."""
        self._xml_inline_string(string, False, list(attributes))

    def write_cells(self, row: int, values: Sequence[Any], formats: CellFormats) -> None:
        """One body row: text (through ``safe_cell``), numbers, booleans, dates and date-times
        by type; None and empty text leave the cell empty.

        A row of text, finite numbers, dates and date-times only (almost every export row) is
        written to XML at once, as XlsxWriter's constant-memory mode writes rows, with the same
        shared-string indices that ``write_string()`` gives and the cell XML ``_write_cell()``
        writes; format numbers are put in by ``_write_rows()``. Any other row goes through
        XlsxWriter's ``write_*`` methods and cell table."""
        if (
            not self.fast
            or self.constant_memory
            or row >= self.xls_rowmax
            or len(values) > self.xls_colmax
            or row in self.table
            or row in self._xml_rows
        ):
            self._write_row_typed(row, values, formats)
            return
        strings = self.str_table
        body = formats.body
        if self._text_format is not body:
            # A text's cell XML after its reference, once computed, for this body format.
            self._text_tails, self._text_format = {}, body
        tails = self._text_tails
        xf = _XF  # the body format's number, put in by _write_rows() (see there)
        starts = FORMULA_STARTS  # safe_cell(), inline: a cell's first character decides
        longest = self.xls_strmax // 2  # longer text may need truncating: write_string()
        if len(values) > len(self._letters):
            self._letters = [xl_col_to_name(col) for col in range(len(values))]
        letters = self._letters
        number = row + 1
        parts = []
        used: list[tuple[str, Any]] = []  # (mark, format) in the order of first use
        body_used = False
        first = last = -1
        counted = repeats = 0
        for col, value in enumerate(values):
            kind = value.__class__
            if kind is str:
                if not value:
                    continue
                if len(value) > longest:
                    break
                if (tail := tails.get(value)) is None:
                    text = "'" + value if value[0] in starts else value
                    index = strings._get_shared_string_index(text)
                    counted += 1
                    tail = tails[value] = f'" s="{xf}" t="s"><v>{index}</v></c>'
                else:
                    repeats += 1
                parts.append(f'<c r="{letters[col]}{number}{tail}')
                if not body_used:
                    body_used = True
                    used.append((xf, body))
            elif value is None:
                continue
            elif (kind is int or kind is float) and math.isfinite(value):
                parts.append(f'<c r="{letters[col]}{number}" s="{xf}"><v>{value:.16G}</v></c>')
                if not body_used:
                    body_used = True
                    used.append((xf, body))
            elif kind is dt.date or kind is dt.datetime:
                if kind is dt.date:
                    mark, style = _XF_DAY, formats.day
                else:
                    mark, style, value = _XF_MOMENT, formats.moment, value.replace(tzinfo=None)
                serial = self._convert_date_time(value)
                parts.append(f'<c r="{letters[col]}{number}" s="{mark}"><v>{serial:.16G}</v></c>')
                if (mark, style) not in used:
                    used.append((mark, style))
            else:
                break
            if first < 0:
                first = col
            last = col
        else:
            strings.count += repeats  # as _get_shared_string_index() counts every use
            if first >= 0:  # the sheet's extent, as write_string() records it
                self._check_dimensions(row, first)
                self._check_dimensions(row, last)
                self._xml_rows[row] = (first, last, "".join(parts), tuple(used))
            return
        # A cell this path does not write: the whole row through XlsxWriter. The texts already
        # given an index keep it (the same order write_string() would give), uncounted.
        strings.count -= counted
        self._write_row_typed(row, values, formats)

    def _write_row_typed(self, row: int, values: Sequence[Any], formats: CellFormats) -> None:
        for col, value in enumerate(values):
            self._write_typed(row, col, value, formats)

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
        table, xml_rows, write = self.table, self._xml_rows, self.fh.write
        rows: list[tuple[int, Any]] = []
        extents: list[tuple[int, int]] = []
        for row in range(self.dim_rowmin, self.dim_rowmax + 1):
            if (done := xml_rows.get(row)) is not None:
                rows.append((row, done))
                extents.append((done[0], done[1]))
            elif cells := table.get(row):
                rows.append((row, cells))
                extents.append((min(cells), max(cells)))
        # The spans attribute, as XlsxWriter's _calculate_spans(): the columns used in each
        # block of 16 rows.
        blocks: dict[int, tuple[int, int]] = {}
        for (row, _), (low, high) in zip(rows, extents, strict=True):
            if (block := blocks.get(row // 16)) is not None:
                low, high = min(low, block[0]), max(high, block[1])
            blocks[row // 16] = (low, high)
        spans = {block: f"{low + 1}:{high + 1}" for block, (low, high) in blocks.items()}
        letters = [xl_col_to_name(col) for col in range(self.dim_colmax + 1)]
        # Each cell's XML after its reference, by the cell tuple's identity (every tuple stays
        # alive in the table meanwhile, so no identity is reused).
        tails: dict[int, str] = {}
        styles: dict[Any, int] = {}  # format -> its index in styles.xml
        for row, cells in rows:
            number = row + 1
            if cells.__class__ is tuple:  # written by write_cells()
                # Its format's number, given now, in row order, as _write_cell() gives it: so
                # styles.xml numbers formats in the same order as XlsxWriter's own code does.
                _, _, xml, used = cells
                for mark, style in used:
                    if (xf := styles.get(style)) is None:
                        xf = styles[style] = style._get_xf_index()
                    xml = xml.replace(mark, str(xf))
                write(f'<row r="{number}" spans="{spans[row // 16]}">{xml}</row>')
                continue
            out = [f'<row r="{number}" spans="{spans[row // 16]}">']
            for col in sorted(cells):
                cell = cells[col]
                if (tail := tails.get(id(cell))) is None:
                    if (tail := _cell_tail(cell, styles)) is None:
                        write("".join(out))
                        out = []
                        self._write_cell(row, col, cell)
                        continue
                    tails[id(cell)] = tail
                out.append(f'<c r="{letters[col]}{number}{tail}')
            out.append("</row>")
            write("".join(out))


def _cell_tail(cell: Any, styles: dict[Any, int]) -> str | None:
    """A formatted text, number or date cell's XML after ``<c r="A1``, as XlsxWriter's
    ``_write_cell`` writes it; None for any other cell."""
    kind = cell.__class__
    if (
        kind is not CellStringTuple
        and kind is not CellNumberTuple
        and kind is not CellDatetimeTuple
    ):
        return None
    value, style = cell
    if not style:
        return None
    if (xf := styles.get(style)) is None:
        xf = styles[style] = style._get_xf_index()
    if kind is CellStringTuple:
        return f'" s="{xf}" t="s"><v>{value}</v></c>'
    return f'" s="{xf}"><v>{value:.16G}</v></c>'


# Text XlsxWriter's shared-strings writer treats specially (``SharedStrings._write_si``): "_xHHHH_"
# escapes, control and non-characters, leading or trailing whitespace, rich strings.
_SPECIAL_STRING = re.compile(r"_x|[\x00-\x08\x0b-\x1f\ufffe\uffff]|^\s|\s$")


class TableSharedStrings(SharedStrings):
    """XlsxWriter's sharedStrings.xml writer, with one regular-expression test per string
    instead of its five Python calls: plain text (almost all of an export's) is written as
    ``<si><t>...</t></si>`` with &, < and > escaped, the same bytes ``_write_si`` writes;
    anything ``_SPECIAL_STRING`` finds goes through ``_write_si`` itself.

    XlsxWriter writes a string that starts with ``<r>`` and ends with ``</r>`` unescaped, as a
    rich string (``write_rich_string()`` stores them so): a name typed as ``<r><t>x</t></r>``
    would come out as "x", and other markup would break the file. The exports write no rich
    strings, so such text is written as the plain text it is."""

    def _xml_rich_si_element(self, string: str) -> None:
        self._xml_si_element(string)

    def _write_sst_strings(self) -> None:
        if not TableSheet.fast:
            super()._write_sst_strings()
            return
        special, write = _SPECIAL_STRING.search, self.fh.write
        plain: list[str] = []  # a run of plain strings, escaped and written together
        for string in self.string_table.string_array:
            if special(string):
                _write_plain_si(write, plain)
                plain = []
                self._write_si(string)
            else:
                plain.append(string)
        _write_plain_si(write, plain)


def _write_plain_si(write: Any, strings: list[str]) -> None:
    """``<si><t>...</t></si>`` for each string, escaped at once: joined by a control character
    that plain strings never hold (``_SPECIAL_STRING``), which then becomes the elements'
    boundaries."""
    if strings:
        text = "\x00".join(strings).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        write("<si><t>" + text.replace("\x00", "</t></si><si><t>") + "</t></si>")


class TablePackager(Packager):
    def _write_shared_strings_file(self) -> None:
        """As XlsxWriter's, with ``TableSharedStrings``."""
        if not self.workbook.str_table.count:
            return
        sst = TableSharedStrings()
        sst.string_table = self.workbook.str_table
        sst._set_xml_writer(self._filename("xl/sharedStrings.xml"))
        sst._assemble_xml_file()


class TableWorkbook(xlsxwriter.Workbook):
    def _get_packager(self) -> Packager:
        """XlsxWriter's documented hook for its packager."""
        return TablePackager()


def write_workbook(tables: Sequence[Table]) -> bytes:
    """One XLSX file with a sheet per table: bold header row, frozen, with an auto-filter."""
    buffer = io.BytesIO()
    cells = sum(len(t.rows) * max(len(t.header), 1) for t in tables)
    constant_memory = cells > CONSTANT_MEMORY_CELLS
    workbook = TableWorkbook(
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
