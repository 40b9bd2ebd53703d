"""The export layer: text in any script survives into PDF and XLSX, and formulas stay inert.

The PDF checks read the text back with pypdf, which decodes the embedded font subsets through
their character maps: if a glyph were missing or the wrong font were chosen, the text would not
come back as written.
"""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from openisms.assets import io as asset_io
from openisms.assets import services as asset_services
from openisms.orgs.access import actor_for
from openisms.reports import fonts
from openisms.reports.pdf import PageFrame, PdfDocument
from openisms.reports.tables import Table, write_workbook
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
