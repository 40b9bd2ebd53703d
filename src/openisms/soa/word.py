"""The SoA as a Word document (python-docx): landscape, metadata, summary, the control table
with its header row repeated on every page, and the clause table.

Every text goes through ``safe_cell`` like the other exports: Word and LibreOffice can turn
DDE-like text into fields when a table is pasted into a spreadsheet, so neutralise it here too.
XML-invalid control characters are dropped (python-docx would refuse them).
"""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from openisms.core.exports import safe_cell

if TYPE_CHECKING:
    from openisms.soa.exports import SoaDocument

_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _XML_INVALID.sub(" ", str(safe_cell("" if value is None else str(value))))


def _runs(text: str) -> str:
    """A run's content: line breaks become <w:br/>, everything else is escaped text."""
    parts = [f'<w:t xml:space="preserve">{escape(line)}</w:t>' for line in text.split("\n")]
    return "<w:br/>".join(parts)


def _row_xml(values: list[Any], twips: list[int], *, header: bool = False) -> str:
    """One table row as WordprocessingML. Built as text and parsed once: python-docx's
    element-by-element API takes seconds for 1,500 rows."""
    head = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    bold = "<w:rPr><w:b/></w:rPr>" if header else ""
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/></w:tcPr>'
        f"<w:p><w:r>{bold}{_runs(_text(v))}</w:r></w:p></w:tc>"
        for v, w in zip(values, twips, strict=True)
    )
    return f"<w:tr {nsdecls('w')}>{head}{cells}</w:tr>"


def _table(document: Any, header: list[str], rows: list[list[Any]], widths: list[float]) -> Any:
    """A grid table; its first row is marked as a header row (w:tblHeader), so Word repeats
    it at the top of every page."""
    from docx.shared import Cm

    table = document.add_table(rows=0, cols=len(header))
    table.style = "Table Grid"
    for grid, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        grid.w = Cm(width)
    twips = [round(w * 567) for w in widths]
    tbl = table._tbl
    tbl.append(parse_xml(_row_xml(list(header), twips, header=True)))
    for cells in rows:
        tbl.append(parse_xml(_row_xml(cells, twips)))
    return table


def render_docx(doc: SoaDocument) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.shared import Cm, Pt

    from openisms.soa.exports import CLAUSE_HEADER, HEADER, clause_cells, control_cells

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(27.94), Cm(21.59)  # US Letter
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.5))
    document.styles["Normal"].font.size = Pt(9)
    document.styles["Table Grid"].font.size = Pt(8)
    header = section.header.paragraphs[0]
    header.text = _text(f"{doc.org_name} - Statement of Applicability - {doc.version_label}")

    document.add_heading(_text(f"Statement of Applicability: {doc.org_name}"), level=0)
    meta = document.add_table(rows=0, cols=2)
    meta.style = "Table Grid"
    for label, value in doc.meta:
        row = meta.add_row()._tr
        row.tc_lst[0].p_lst[0].add_r().text = _text(label)
        row.tc_lst[1].p_lst[0].add_r().text = _text(value)

    document.add_heading("Summary", level=1)
    document.add_paragraph("; ".join(f"{label}: {n}" for label, n in doc.counts()))

    document.add_heading("Controls", level=1)
    _table(
        document,
        list(HEADER),
        [control_cells(r) for r in doc.controls],
        [1.5, 3.5, 1.8, 1.5, 2.6, 3.8, 2.2, 2.8, 1.8, 3.4],
    )
    if doc.clauses:
        document.add_heading("Clauses 4 to 10", level=1)
        _table(
            document,
            list(CLAUSE_HEADER),
            [clause_cells(r) for r in doc.clauses],
            [1.5, 5.0, 2.6, 3.6, 2.0, 10.2],
        )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
