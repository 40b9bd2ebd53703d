"""Documents as Word files (python-docx): landscape US Letter, headings, a key-value table,
paragraphs and grid tables whose header row Word repeats on every page.

Every text goes through ``safe_cell`` like the other exports: Word and LibreOffice can turn
DDE-like text into fields when a table is pasted into a spreadsheet, so neutralise it here too.
XML-invalid control characters are dropped (python-docx would refuse them).
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Cm, Pt

from openisms.reports.cells import safe_cell

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: Any) -> str:
    return _XML_INVALID.sub(" ", str(safe_cell("" if value is None else str(value))))


def _runs(content: str) -> str:
    """A run's content: line breaks become <w:br/>, everything else is escaped text."""
    parts = [f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in content.split("\n")]
    return "<w:br/>".join(parts)


def _row_xml(values: Sequence[Any], twips: list[int], *, header: bool = False) -> str:
    """One table row as WordprocessingML. Built as text and parsed once: python-docx's
    element-by-element API takes seconds for 1,500 rows."""
    head = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    bold = "<w:rPr><w:b/></w:rPr>" if header else ""
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
        f"<w:p><w:r>{bold}{_runs(text(v))}</w:r></w:p></w:tc>"
        for v, w in zip(values, twips, strict=True)
    )
    return f"<w:tr {nsdecls('w')}>{head}{cells}</w:tr>"


class DocxDocument:
    def __init__(self, *, page_header: str) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(27.94), Cm(21.59)  # US Letter
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Cm(1.5))
        self.document.styles["Normal"].font.size = Pt(9)
        self.document.styles["Table Grid"].font.size = Pt(8)
        section.header.paragraphs[0].text = text(page_header)

    def heading(self, content: str, level: int = 1) -> None:
        self.document.add_heading(text(content), level=level)

    def paragraph(self, content: str) -> None:
        self.document.add_paragraph(text(content))

    def key_values(self, pairs: Sequence[tuple[str, Any]]) -> None:
        table = self.document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in pairs:
            row = table.add_row()._tr
            row.tc_lst[0].p_lst[0].add_r().text = text(label)
            row.tc_lst[1].p_lst[0].add_r().text = text(value)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_cm: Sequence[float]
    ) -> None:
        """A grid table; its first row is a header row (w:tblHeader), repeated on every page."""
        table = self.document.add_table(rows=0, cols=len(header))
        table.style = "Table Grid"
        for grid, width in zip(table._tbl.tblGrid.gridCol_lst, widths_cm, strict=True):
            grid.w = Cm(width)
        twips = [round(w * 567) for w in widths_cm]
        tbl = table._tbl
        tbl.append(parse_xml(_row_xml(list(header), twips, header=True)))
        for cells in rows:
            tbl.append(parse_xml(_row_xml(cells, twips)))

    def render(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
