"""The SoA as a PDF an auditor can file: US Letter landscape, drawn straight on the canvas.

Platypus tables with a Paragraph per cell cost seconds and hundreds of megabytes for a
framework of 1,500 controls, so the rows are laid out here with plain text wrapping
(``stringWidth``) and drawn with ``drawString``. No user text is ever parsed as markup, so
nothing needs escaping, and a word wider than its column is cut by characters. The layout is
computed first and drawn second, which is how every page knows the page count ("Page N of M").
A row taller than a page continues on the next one, under the repeated header row.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from openisms.core.exports import safe_cell

if TYPE_CHECKING:
    from openisms.soa.exports import SoaDocument

PAGE_W, PAGE_H = landscape(letter)
MARGIN = 30.0
TOP = PAGE_H - 62  # below the page header
BOTTOM = 36.0  # above the page footer
FONT, BOLD, SIZE, LEADING, PAD = "Helvetica", "Helvetica-Bold", 7.0, 8.6, 2.5
INK, RULE, BAND = HexColor("#1b2631"), HexColor("#c9d1d9"), HexColor("#0f2740")
CONTROL_COLUMNS = (
    ("Control", 38),
    ("Title", 94),
    ("Applicable", 46),
    ("Reasons", 80),
    ("Justification", 130),
    ("Status", 60),
    ("Owner", 82),
    ("Target date", 44),
    ("How we implement it", 0),  # the rest of the width
)
CLAUSE_COLUMNS = (
    ("Clause", 38),
    ("Title", 150),
    ("Status", 70),
    ("Owner", 90),
    ("Target date", 50),
    ("How we meet it", 0),
)
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _widths(columns: tuple[tuple[str, int], ...]) -> list[float]:
    fixed = sum(w for _, w in columns)
    rest = PAGE_W - 2 * MARGIN - fixed
    return [float(w) if w else rest for _, w in columns]


def _clean(value: Any) -> str:
    """Text as drawn: formula-neutralised like every export, without control characters, and
    limited to what the standard PDF fonts can show (others become '?')."""
    text = str(safe_cell("" if value is None else str(value)))
    text = _CONTROL_CHARS.sub(" ", text.replace("\r\n", "\n").replace("\t", " "))
    return text.encode("cp1252", "replace").decode("cp1252")


@lru_cache(maxsize=65536)
def _width(word: str, font: str, size: float) -> float:
    return float(stringWidth(word, font, size))


def wrap(text: str, width: float, font: str = FONT, size: float = SIZE) -> list[str]:
    """Greedy word wrap; a word wider than the column is cut by characters.

    The standard PDF fonts have no kerning, so a line's width is the sum of its words' widths
    and its spaces: each word is measured once (and cached), which keeps 1,500 rows fast.
    """
    inner = width - 2 * PAD
    space = _width(" ", font, size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = _width(word, font, size) if len(word) < 40 else stringWidth(word, font, size)
            if not line and w <= inner:
                line, used = [word], w
                continue
            if line and used + space + w <= inner:
                line.append(word)
                used += space + w
                continue
            if line:
                lines.append(" ".join(line))
            while w > inner and len(word) > 1:
                cut = max(1, int(len(word) * inner / w))
                while cut > 1 and stringWidth(word[:cut], font, size) > inner:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                w = stringWidth(word, font, size)
            line, used = [word], w
        lines.append(" ".join(line))
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


@dataclass
class Row:
    cells: list[list[str]]  # wrapped lines per column
    bold: bool = False

    @property
    def height_lines(self) -> int:
        return max((len(c) for c in self.cells), default=1) or 1


@dataclass
class Block:
    """Something drawn on one page: a heading, text lines, a header row or (part of) a row."""

    kind: str  # heading, text, header, row
    y: float
    lines: list[list[str]]  # per column (one column for heading/text)
    widths: list[float]
    height: float
    bold: bool = False


class Layout:
    """Places blocks top-down on pages; a table's header row repeats on every page."""

    def __init__(self) -> None:
        self.pages: list[list[Block]] = [[]]
        self.y = TOP

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP

    def room(self) -> float:
        return self.y - BOTTOM

    def text(self, lines: list[str], *, heading: bool = False, gap: float = 4) -> None:
        leading = 14.0 if heading else 10.5
        font, size = (BOLD, 12.0) if heading else (FONT, 8.5)
        width = PAGE_W - 2 * MARGIN + 2 * PAD
        lines = [part for line in lines for part in wrap(line, width, font, size)]
        for line in lines:
            if self.room() < leading:
                self.new_page()
            block = Block("heading" if heading else "text", self.y, [[line]], [0], leading)
            self.pages[-1].append(block)
            self.y -= leading
        self.y -= gap

    def table(self, columns: tuple[tuple[str, int], ...], rows: list[list[Any]]) -> None:
        widths = _widths(columns)
        header = Row([wrap(name, w, BOLD) for (name, _), w in zip(columns, widths, strict=True)])
        header_h = header.height_lines * LEADING + 2 * PAD
        wrapped = [
            Row([wrap(_clean(v), w) for v, w in zip(cells, widths, strict=True)]) for cells in rows
        ]
        if self.room() < header_h + LEADING + 2 * PAD:
            self.new_page()
        self._header(header, widths, header_h)
        for row in wrapped:
            start = 0
            total = row.height_lines
            while start < total:
                fits = int((self.room() - 2 * PAD) // LEADING)
                rest = total - start
                # Keep a row whole when it fits on a fresh page; split only taller rows.
                if fits < rest and (
                    fits < 1 or rest * LEADING + 2 * PAD <= TOP - BOTTOM - header_h
                ):
                    self.new_page()
                    self._header(header, widths, header_h)
                    continue
                take = min(fits, rest)
                part = [cell[start : start + take] for cell in row.cells]
                height = take * LEADING + 2 * PAD
                self.pages[-1].append(Block("row", self.y, part, widths, height))
                self.y -= height
                start += take
                if start < total:
                    self.new_page()
                    self._header(header, widths, header_h)
        self.y -= 10

    def _header(self, header: Row, widths: list[float], height: float) -> None:
        self.pages[-1].append(Block("header", self.y, header.cells, widths, height, bold=True))
        self.y -= height


def _draw_block(canvas: Canvas, block: Block) -> None:
    if block.kind in ("heading", "text"):
        canvas.setFillColor(INK)
        canvas.setFont(
            BOLD if block.kind == "heading" else FONT, 12 if block.kind == "heading" else 8.5
        )
        canvas.drawString(MARGIN, block.y - block.height + 3, block.lines[0][0])
        return
    top, bottom = block.y, block.y - block.height
    width = sum(block.widths)
    if block.kind == "header":
        canvas.setFillColor(BAND)
        canvas.rect(MARGIN, bottom, width, block.height, stroke=0, fill=1)
        canvas.setFillColor(white)
        canvas.setFont(BOLD, SIZE)
    else:
        canvas.setFillColor(INK)
        canvas.setFont(FONT, SIZE)
    x = MARGIN
    for lines, w in zip(block.lines, block.widths, strict=True):
        text = canvas.beginText(x + PAD, top - PAD - SIZE)
        text.setLeading(LEADING)
        for line in lines:
            text.textLine(line)
        canvas.drawText(text)
        x += w
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.4)
    canvas.line(MARGIN, bottom, MARGIN + width, bottom)


def _fit(text: str, width: float, font: str, size: float) -> str:
    """One line, shortened with an ellipsis when it is wider than ``width``."""
    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "...", font, size) > width:
        text = text[:-1]
    return text + "..."


def _page_frame(canvas: Canvas, doc: SoaDocument, number: int, total: int) -> None:
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 10)
    half = (PAGE_W - 2 * MARGIN) / 2
    title = _fit(f"{_clean(doc.org_name)} - Statement of Applicability", half + 120, BOLD, 10)
    canvas.drawString(MARGIN, PAGE_H - 26, title)
    canvas.setFont(FONT, 8)
    framework = _fit(_clean(doc.framework), half - 130, FONT, 8)
    canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 26, framework)
    label = _fit(_clean(doc.version_label), PAGE_W - 2 * MARGIN, FONT, 8)
    canvas.drawString(MARGIN, PAGE_H - 39, label)
    canvas.setStrokeColor(BAND)
    canvas.setLineWidth(0.8)
    canvas.line(MARGIN, PAGE_H - 46, PAGE_W - MARGIN, PAGE_H - 46)
    canvas.setFont(FONT, 7.5)
    canvas.drawString(MARGIN, 18, f"Generated {doc.generated:%Y-%m-%d %H:%M} UTC by OpenISMS")
    canvas.drawRightString(PAGE_W - MARGIN, 18, f"Page {number} of {total}")


def render_pdf(doc: SoaDocument, *, compress: bool = True) -> bytes:
    """The PDF bytes. ``compress=False`` leaves the page streams readable (for inspection)."""
    from openisms.soa.exports import clause_cells, control_cells

    layout = Layout()
    layout.text(["Statement of Applicability"], heading=True)
    layout.text([f"{label}: {_clean(value)}" for label, value in doc.meta if value], gap=6)
    layout.text(["Summary"], heading=True)
    layout.text(["; ".join(f"{label}: {n}" for label, n in doc.counts())], gap=8)
    layout.text(["Controls"], heading=True)
    controls = []
    for row in doc.controls:
        cells = control_cells(row)
        del cells[2]  # the theme: the ref already says it
        controls.append(cells)
    layout.table(CONTROL_COLUMNS, controls)
    if doc.clauses:
        layout.text(["Clauses 4 to 10"], heading=True)
        layout.table(CLAUSE_COLUMNS, [clause_cells(r) for r in doc.clauses])

    # Binary Flate streams without an ASCII85 layer: smaller files, and the pure-Python
    # ASCII85 encoder was a fifth of the time for 1,500 rows.
    rl_config.useA85 = 0
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(PAGE_W, PAGE_H),
        pageCompression=1 if compress else 0,
        invariant=0,
    )
    canvas.setTitle(f"{doc.org_name} - Statement of Applicability")
    canvas.setAuthor("OpenISMS")
    canvas.setSubject(doc.version_label)
    total = len(layout.pages)
    for number, blocks in enumerate(layout.pages, start=1):
        _page_frame(canvas, doc, number, total)
        for block in blocks:
            _draw_block(canvas, block)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
