"""Documents as PDF: US Letter landscape, laid out here and drawn straight on the canvas.

Platypus tables with a Paragraph per cell cost seconds and hundreds of megabytes for a
framework of 1,500 controls, so rows are laid out with plain text wrapping (each word measured
once and cached) and drawn as text objects. No user text is ever parsed as markup, so nothing
needs escaping, and a word wider than its column is cut by characters. The layout is computed
first and drawn second, which is how every page knows the page count ("Page N of M"). A row
taller than a page continues on the next one, under the repeated header row.

Text is drawn in the embedded fonts of :mod:`openisms.reports.fonts`; a run of characters the
main font lacks (Chinese, say) switches to the fallback font for that run only.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from reportlab import rl_config
from reportlab.lib.colors import HexColor, white
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.pdfgen.textobject import PDFTextObject

from openisms.reports.cells import safe_cell
from openisms.reports.fonts import fonts

PAGE_W, PAGE_H = landscape(letter)
MARGIN = 30.0
TOP = PAGE_H - 62  # below the page header
BOTTOM = 36.0  # above the page footer
SIZE, LEADING, PAD = 7.0, 8.6, 2.5
INK, RULE, BAND = HexColor("#1b2631"), HexColor("#c9d1d9"), HexColor("#0f2740")
PDF_TYPE = "application/pdf"
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True)
class Cell:
    """A table cell with a background colour (a heatmap square)."""

    text: str
    fill: str | None = None


def clean(value: Any) -> str:
    """Text as drawn: formula-neutralised like every export, without control characters."""
    text = str(safe_cell("" if value is None else str(value)))
    text = _CONTROL_CHARS.sub(" ", text.replace("\r\n", "\n").replace("\t", " "))
    return fonts().printable(text)


@lru_cache(maxsize=65536)
def text_width(text: str, bold: bool, size: float) -> float:
    """Width of ``text`` in points, each run in the font that draws it."""
    f = fonts()
    main = f.bold if bold else f.regular
    return float(
        sum(
            stringWidth(run, f.fallback if alt and f.fallback else main, size)
            for alt, run in f.runs(text)
        )
    )


def wrap(text: str, width: float, *, bold: bool = False, size: float = SIZE) -> list[str]:
    """Greedy word wrap inside a cell of ``width`` points; a longer word is cut by characters."""
    inner = width - 2 * PAD
    space = text_width(" ", bold, size)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line: list[str] = []
        used = 0.0
        for word in paragraph.split(" "):
            w = text_width(word, bold, size)
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
                while cut > 1 and text_width(word[:cut], bold, size) > inner:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
                w = text_width(word, bold, size)
            line, used = [word], w
        lines.append(" ".join(line))
    while len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def fit(text: str, width: float, *, bold: bool = False, size: float = SIZE) -> str:
    """One line, shortened with an ellipsis when it is wider than ``width``."""
    if text_width(text, bold, size) <= width:
        return text
    while text and text_width(text + "...", bold, size) > width:
        text = text[:-1]
    return text + "..."


def _lines(text: PDFTextObject, lines: Sequence[str], *, bold: bool, size: float) -> None:
    """Write lines into a text object, switching to the fallback font only where needed."""
    f = fonts()
    main = f.bold if bold else f.regular
    text.setFont(main, size)
    current = main
    for line in lines:
        runs = f.runs(line)
        for index, (alt, run) in enumerate(runs):
            font = f.fallback if alt and f.fallback else main
            if font != current:
                text.setFont(font, size)
                current = font
            if index == len(runs) - 1:
                text.textLine(run)
            else:
                text.textOut(run)


@dataclass
class Block:
    """Something drawn on one page: a heading, a text line, a header row or (part of) a row."""

    kind: str  # heading, text, header, row
    y: float
    lines: list[list[str]]  # per column (one column for heading/text)
    widths: list[float]
    height: float
    fills: list[str | None] = field(default_factory=list)


@dataclass
class PageFrame:
    """What every page repeats: a bold title and a right-hand note on top, a second line under
    them, and a footer (the page number is added on the right)."""

    title: str
    right: str = ""
    subtitle: str = ""
    footer: str = ""


class PdfDocument:
    """Headings, text and tables placed top-down on pages; a table's header repeats per page."""

    def __init__(self, frame: PageFrame, *, title: str, subject: str = "") -> None:
        self.frame = frame
        self.title = title
        self.subject = subject
        self.pages: list[list[Block]] = [[]]
        self.y = TOP

    def new_page(self) -> None:
        self.pages.append([])
        self.y = TOP

    def room(self) -> float:
        return self.y - BOTTOM

    def heading(self, text: str) -> None:
        self._text([text], heading=True, gap=4)

    def text(self, lines: Sequence[str], *, gap: float = 4) -> None:
        self._text([clean(line) for line in lines], heading=False, gap=gap)

    def _text(self, lines: list[str], *, heading: bool, gap: float) -> None:
        leading = 14.0 if heading else 10.5
        size = 12.0 if heading else 8.5
        width = PAGE_W - 2 * MARGIN + 2 * PAD
        wrapped = [part for line in lines for part in wrap(line, width, bold=heading, size=size)]
        for line in wrapped:
            if self.room() < leading:
                self.new_page()
            kind = "heading" if heading else "text"
            self.pages[-1].append(Block(kind, self.y, [[line]], [0], leading))
            self.y -= leading
        self.y -= gap

    def table(self, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[Any]]) -> None:
        """``columns``: (title, width in points; 0 takes the rest). A cell is text or a Cell."""
        fixed = sum(w for _, w in columns)
        rest = PAGE_W - 2 * MARGIN - fixed
        widths = [float(w) if w else rest for _, w in columns]
        header = [wrap(name, w, bold=True) for (name, _), w in zip(columns, widths, strict=True)]
        header_h = max(len(c) for c in header) * LEADING + 2 * PAD
        if self.room() < header_h + LEADING + 2 * PAD:
            self.new_page()
        self._header(header, widths, header_h)
        for cells in rows:
            texts = [c.text if isinstance(c, Cell) else c for c in cells]
            fills = [c.fill if isinstance(c, Cell) else None for c in cells]
            wrapped = [wrap(clean(v), w) for v, w in zip(texts, widths, strict=True)]
            total = max((len(c) for c in wrapped), default=1) or 1
            start = 0
            while start < total:
                fits = int((self.room() - 2 * PAD) // LEADING)
                remaining = total - start
                # Keep a row whole when it fits on a fresh page; split only taller rows.
                if fits < remaining and (
                    fits < 1 or remaining * LEADING + 2 * PAD <= TOP - BOTTOM - header_h
                ):
                    self.new_page()
                    self._header(header, widths, header_h)
                    continue
                take = min(fits, remaining)
                part = [cell[start : start + take] for cell in wrapped]
                height = take * LEADING + 2 * PAD
                self.pages[-1].append(Block("row", self.y, part, widths, height, fills))
                self.y -= height
                start += take
                if start < total:
                    self.new_page()
                    self._header(header, widths, header_h)
        self.y -= 10

    def _header(self, header: list[list[str]], widths: list[float], height: float) -> None:
        self.pages[-1].append(Block("header", self.y, header, widths, height))
        self.y -= height

    # --- drawing ------------------------------------------------------------------------------

    def _draw_block(self, canvas: Canvas, block: Block) -> None:
        if block.kind in ("heading", "text"):
            heading = block.kind == "heading"
            canvas.setFillColor(INK)
            text = canvas.beginText(MARGIN, block.y - block.height + 3)
            _lines(text, block.lines[0], bold=heading, size=12.0 if heading else 8.5)
            canvas.drawText(text)
            return
        top, bottom = block.y, block.y - block.height
        width = sum(block.widths)
        header = block.kind == "header"
        if header:
            canvas.setFillColor(BAND)
            canvas.rect(MARGIN, bottom, width, block.height, stroke=0, fill=1)
        elif any(block.fills):
            x = MARGIN
            for fill, w in zip(block.fills, block.widths, strict=True):
                if fill:
                    canvas.setFillColor(HexColor(fill))
                    canvas.rect(x, bottom, w, block.height, stroke=0, fill=1)
                x += w
        canvas.setFillColor(white if header else INK)
        x = MARGIN
        for lines, w in zip(block.lines, block.widths, strict=True):
            if lines:
                text = canvas.beginText(x + PAD, top - PAD - SIZE)
                text.setLeading(LEADING)
                _lines(text, lines, bold=header, size=SIZE)
                canvas.drawText(text)
            x += w
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.4)
        canvas.line(MARGIN, bottom, MARGIN + width, bottom)

    def _draw_frame(self, canvas: Canvas, number: int, total: int) -> None:
        frame = self.frame
        half = (PAGE_W - 2 * MARGIN) / 2
        canvas.setFillColor(INK)
        self._line(
            canvas,
            MARGIN,
            PAGE_H - 26,
            fit(clean(frame.title), half + 120, bold=True, size=10),
            bold=True,
            size=10,
        )
        right = fit(clean(frame.right), half - 130, size=8)
        self._line(
            canvas, PAGE_W - MARGIN - text_width(right, False, 8), PAGE_H - 26, right, size=8
        )
        subtitle = fit(clean(frame.subtitle), PAGE_W - 2 * MARGIN, size=8)
        self._line(canvas, MARGIN, PAGE_H - 39, subtitle, size=8)
        canvas.setStrokeColor(BAND)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, PAGE_H - 46, PAGE_W - MARGIN, PAGE_H - 46)
        self._line(canvas, MARGIN, 18, fit(clean(frame.footer), half, size=7.5), size=7.5)
        page = f"Page {number} of {total}"
        self._line(canvas, PAGE_W - MARGIN - text_width(page, False, 7.5), 18, page, size=7.5)

    @staticmethod
    def _line(
        canvas: Canvas, x: float, y: float, line: str, *, bold: bool = False, size: float
    ) -> None:
        text = canvas.beginText(x, y)
        _lines(text, [line], bold=bold, size=size)
        canvas.drawText(text)

    def render(self, *, compress: bool = True) -> bytes:
        """The PDF bytes. ``compress=False`` leaves the page streams readable (for tests)."""
        # Binary Flate streams without an ASCII85 layer: smaller files, and the pure-Python
        # ASCII85 encoder was a fifth of the time for 1,500 rows.
        rl_config.useA85 = 0
        buffer = io.BytesIO()
        canvas = Canvas(
            buffer, pagesize=(PAGE_W, PAGE_H), pageCompression=1 if compress else 0, invariant=0
        )
        canvas.setTitle(self.title)
        canvas.setAuthor("OpenISMS")
        canvas.setSubject(self.subject)
        total = len(self.pages)
        for number, blocks in enumerate(self.pages, start=1):
            self._draw_frame(canvas, number, total)
            for block in blocks:
                self._draw_block(canvas, block)
            canvas.showPage()
        canvas.save()
        return buffer.getvalue()
