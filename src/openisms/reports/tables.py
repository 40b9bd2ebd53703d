"""Tables as CSV (the standard library) and XLSX (XlsxWriter).

XlsxWriter keeps a workbook in memory (its fastest mode, with shared strings) unless it holds
more than ``CONSTANT_MEMORY_CELLS`` cells; larger ones (a 20,000-risk register) are written in
constant-memory mode, a row at a time. Every value is written by its type: text as a string
cell (never parsed as a formula, URL or number), numbers as numbers, dates as dates; text first
passes through ``safe_cell`` so that a copy-paste into another spreadsheet stays inert too.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter

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


def write_workbook(tables: Sequence[Table]) -> bytes:
    """One XLSX file with a sheet per table: bold header row, frozen, with an auto-filter."""
    buffer = io.BytesIO()
    cells = sum(len(t.rows) * max(len(t.header), 1) for t in tables)
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": cells > CONSTANT_MEMORY_CELLS,
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
        sheet = workbook.add_worksheet(table.title[:31])
        widths = list(table.widths) if table.widths else _measured_widths(table)
        for i, width in enumerate(widths):
            sheet.set_column(i, i, width)
        body = wrapped if table.wrap else plain
        sheet.write_row(0, 0, list(table.header), bold)
        sheet.freeze_panes(1, 0)
        write_string, write_number = sheet.write_string, sheet.write_number
        number = 0
        for number, row in enumerate(table.rows, start=1):
            for col, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        write_string(number, col, safe_cell(value), body)
                elif value is None:
                    continue
                elif isinstance(value, bool):
                    sheet.write_boolean(number, col, value, body)
                elif isinstance(value, int | float):
                    write_number(number, col, value, body)
                elif isinstance(value, dt.datetime):
                    sheet.write_datetime(number, col, value.replace(tzinfo=None), moment)
                elif isinstance(value, dt.date):
                    sheet.write_datetime(number, col, value, day)
                else:
                    write_string(number, col, str(safe_cell(str(value))), body)
        if table.header:
            sheet.autofilter(0, 0, max(number, 1), len(table.header) - 1)
        if table.notes:
            notes = workbook.add_worksheet("Help")
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
