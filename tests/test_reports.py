"""The export layer: text in any script survives into PDF and XLSX, and formulas stay inert.

The PDF checks read the text back with pypdf, which decodes the embedded font subsets through
their character maps: if a glyph were missing or the wrong font were chosen, the text would not
come back as written.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from pypdf import PdfReader
from xlsxwriter.sharedstrings import SharedStrings
from xlsxwriter.worksheet import Worksheet

from openisms.assets import io as asset_io
from openisms.assets import services as asset_services
from openisms.orgs.access import actor_for
from openisms.reports import fonts, tables
from openisms.reports.pdf import PageFrame, PdfDocument
from openisms.reports.tables import Table, TableSheet, write_workbook
from openisms.risks import exports as risk_exports
from openisms.risks import services as risk_services
from tests.conftest import World

MIXED = "Ελληνικά 中文 ✓"
EVERY_SCRIPT = ["Ελληνικά", "Кириллица", "中文", "日本語", "한국어", "Zürich ✓"]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def font_set() -> fonts.FontSet:
    found = fonts.fonts()
    if not (found.embedded and found.fallback):
        pytest.fail(
            "PDF fonts missing: install fonts-dejavu-core and fonts-wqy-zenhei "
            f"(looked in {[str(d) for d in fonts.search_dirs()]})"
        )
    return found


def test_fonts_cover_latin_greek_cyrillic_and_cjk(font_set: fonts.FontSet) -> None:
    assert font_set.runs("Plain ASCII") == [(False, "Plain ASCII")]
    assert font_set.runs("Ελληνικά Кириллица ✓") == [(False, "Ελληνικά Кириллица ✓")]
    assert font_set.runs(MIXED) == [(False, "Ελληνικά "), (True, "中文"), (False, " ✓")]
    assert fonts.missing() == []


@pytest.mark.usefixtures("catalog")
def test_risk_pdf_keeps_a_greek_and_chinese_title(world: World, font_set: fonts.FontSet) -> None:
    actor = actor_for(world.owner_a, "org-a")
    risk_services.risk_create(
        actor=actor, title=MIXED, description="Scenario", inherent_likelihood=3, inherent_impact=4
    )
    pdf, content_type, _ = risk_exports.export_risks(actor=actor, fmt="pdf")
    assert content_type == "application/pdf"
    assert MIXED in _text(pdf)


def test_pdf_document_keeps_every_script_in_tables_headers_and_frames(
    font_set: fonts.FontSet,
) -> None:
    pdf = PdfDocument(PageFrame(title="Organisation 中文", right="Ελληνικά"), title="t")
    pdf.heading("Кириллица")
    pdf.table([("Name", 120), ("Note", 0)], [[name, f"{name} note"] for name in EVERY_SCRIPT])
    text = _text(pdf.render())
    for name in [*EVERY_SCRIPT, "Organisation 中文", "Кириллица", "Page 1 of 1"]:
        assert name in text, name


def test_pdf_cells_are_formula_neutralised_and_control_characters_dropped(
    font_set: fonts.FontSet,
) -> None:
    pdf = PdfDocument(PageFrame(title="t"), title="t")
    pdf.table([("Cell", 0)], [["=cmd|' /C calc'!A0"], ["bell\x07rings"]])
    text = _text(pdf.render())
    assert "'=cmd" in text and "bell rings" in text


def test_xlsx_keeps_every_script_and_emoji_and_neutralises_formulas() -> None:
    names = [*EVERY_SCRIPT, "Locked 🔒", "=1+1", "@SUM(A1)"]
    content = write_workbook([Table("Names", ("Name", "Count"), [[n, 3] for n in names])])
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["Name", "Count"]
    assert [r[0] for r in rows[1:]] == [*EVERY_SCRIPT, "Locked 🔒", "'=1+1", "'@SUM(A1)"]
    assert all(r[1] == 3 for r in rows[1:])


@pytest.mark.usefixtures("catalog")
def test_asset_xlsx_export_keeps_unicode_names(world: World) -> None:
    actor = actor_for(world.owner_a, "org-a")
    for name in (MIXED, "Сервер 🔒"):
        asset_services.asset_create(actor=actor, name=name, type="software")
    content, _, ext = asset_io.export_assets(actor=actor, fmt="xlsx")
    assert ext == "xlsx"
    sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    names = {row[header.index("name")] for row in rows}
    assert {MIXED, "Сервер 🔒"} <= names


# Every kind of value an export hands the XLSX writer, and text XlsxWriter treats specially.
AWKWARD_ROW: list[Any] = [
    "=1+1",
    "+44 20 7946 0000",
    "http://example.org/x",
    "0012",
    "  padded  ",
    "two\nlines",
    "bell\x07rings",
    "_x0041_",
    '<b>&amp;"</b>',
    "Ελληνικά 中文 🔒",
    "",
    None,
    3,
    2.5,
    True,
    dt.date(2027, 1, 2),
    dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC),
    Decimal("1.50"),
    "x" * 20_000,  # over half the cell limit: XlsxWriter's own path
    "y" * 40_000,  # over the cell limit: truncated to 32,767 characters
    *(f"column {i}" for i in range(30)),  # past column Z
]


def _awkward_tables() -> list[Table]:
    rows = [AWKWARD_ROW for _ in range(40)] + [[], [None, None, "late"], ["short"]]
    moment = dt.datetime(2027, 1, 2, 3, 4, tzinfo=dt.UTC)
    dated = [  # written at once; a date before any text, so formats are numbered date first
        [dt.date(2027, 1, 2), "x", 1, moment, None, "=2"],
        ["y", None, 2.5, dt.date(2027, 3, 4), 7, "x"],
        [None, moment, "", 0],
    ]
    return [
        Table("Dated", ("d", "t", "n", "m", "o", "f"), dated),
        Table("Awkward", [f"h{i}" for i in range(len(AWKWARD_ROW))], rows, notes=["=note", "n"]),
        Table("Wrapped", ("a", "b"), [["text", 1], ["more", None]], widths=(10, 20), wrap=True),
        Table("Empty", ("a", "b"), []),
    ]


def _parts(content: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(content)) as book:
        return {name: book.read(name) for name in book.namelist()}


def test_xlsx_writes_the_bytes_stock_xlsxwriter_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """TableSheet's shortcuts reach into XlsxWriter (pinned in pyproject.toml): every part of the
    file must come out as XlsxWriter's own code writes it, or an upgrade broke them."""
    fast = _parts(write_workbook(_awkward_tables()))
    monkeypatch.setattr(TableSheet, "fast", False)
    stock = _parts(write_workbook(_awkward_tables()))
    assert fast.keys() == stock.keys()
    for name in stock:
        if name != "docProps/core.xml":  # the creation time
            assert fast[name] == stock[name], name


def test_xlsx_text_number_and_date_cells_skip_xlsxwriter_per_cell_calls(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The shortcuts are taken (a renamed XlsxWriter internal would quietly make exports slow
    again): no write_string() or _write_cell() call for text, number or date cells."""
    calls: Counter[str] = Counter()
    for owner, name in (
        (Worksheet, "write_string"),
        (Worksheet, "_write_cell"),
        (SharedStrings, "_write_si"),
    ):
        original = getattr(owner, name)

        def spy(self: Any, *args: Any, _name: str = name, _original: Any = original) -> Any:
            calls[_name] += 1
            return _original(self, *args)

        monkeypatch.setattr(owner, name, spy)
    rows = [[f"text {i} & <more>", 1, 2.5, dt.date(2027, 1, 2), None, ""] for i in range(50)]
    write_workbook([Table("Plain", ("a", "b", "c", "d", "e", "f"), rows)])
    assert calls == Counter()
    monkeypatch.setattr(TableSheet, "fast", False)
    write_workbook([Table("Plain", ("a", "b", "c", "d", "e", "f"), rows)])
    assert calls["write_string"] == 50 and calls["_write_cell"] == 6 + 4 * 50
    assert calls["_write_si"] == 6 + 50  # the header and the 50 distinct texts


@pytest.mark.parametrize("threshold", [10**6, 0], ids=["shared-strings", "constant-memory"])
def test_xlsx_writes_text_that_looks_like_xlsx_markup_as_text(
    monkeypatch: pytest.MonkeyPatch, threshold: int
) -> None:
    """XlsxWriter writes text shaped like one of its rich strings as raw XML: "<r><t>y</t></r>"
    would read back as "y", and other markup would break the file."""
    monkeypatch.setattr(tables, "CONSTANT_MEMORY_CELLS", threshold)
    texts = ["<r><t>y</t></r>", "<r>x</r>", "<r><t>a</t></r><oops/>", "plain"]
    book = load_workbook(
        io.BytesIO(write_workbook([Table("Rich", ("a",), [[t] for t in texts])])), read_only=True
    )
    assert [row[0] for row in book.worksheets[0].iter_rows(min_row=2, values_only=True)] == texts


def test_xlsx_keeps_types_widths_filter_frozen_header_and_help() -> None:
    book = load_workbook(io.BytesIO(write_workbook(_awkward_tables())))
    sheet = book["Awkward"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(AWKWARD_ROW))}44"  # 43 rows
    widths = {c: sheet.column_dimensions[c].width for c in ("A", "S")}  # measured from the data
    assert widths["A"] < 10 and widths["S"] == pytest.approx(60, abs=1)
    values = [cell.value for cell in sheet[2]]
    assert values[:10] == [
        "'=1+1",
        "'+44 20 7946 0000",
        "http://example.org/x",
        "0012",
        "  padded  ",
        "two\nlines",
        "bell_x0007_rings",  # XlsxWriter's escape of a control character (Excel decodes it)
        "_x0041_",
        '<b>&amp;"</b>',
        "Ελληνικά 中文 🔒",
    ]
    assert values[10:12] == [None, None]
    assert values[12:15] == [3, 2.5, True]
    assert values[15:17] == [dt.datetime(2027, 1, 2), dt.datetime(2027, 1, 2, 3, 4)]
    assert sheet.cell(2, 16).number_format == "yyyy-mm-dd"
    assert sheet.cell(2, 17).number_format == "yyyy-mm-dd hh:mm"
    assert values[17] == "1.50"
    assert values[18] == "x" * 20_000 and values[19] == "y" * 32_767
    assert values[-1] == "column 29"
    assert [cell.value for cell in sheet[43]][:4] == [None, None, "late", None]
    assert sheet.cell(44, 1).value == "short" and sheet.max_row == 44
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    wrapped = book["Wrapped"]
    assert wrapped.column_dimensions["B"].width == pytest.approx(20, abs=1)
    assert wrapped.cell(2, 1).alignment.wrap_text and wrapped.cell(2, 1).alignment.vertical == "top"
    assert [row[0].value for row in book["Help"].iter_rows()] == ["'=note", "n"]
    assert book["Empty"].max_row == 1
