"""Embedded TrueType fonts for PDF exports, with a fallback for CJK text.

The standard PDF fonts know only Latin-1, so a Greek, Cyrillic or Chinese name printed as
"?". PDFs now embed DejaVu Sans (Latin, Greek, Cyrillic and many symbols) and, for the glyphs
it lacks, WenQuanYi Zen Hei (Chinese, Japanese and Korean; Droid Sans Fallback, which has no
Korean, when that is all there is). No font is committed to this repository: they come from
the operating system's font packages (Debian: ``fonts-dejavu-core`` and ``fonts-wqy-zenhei``),
found in the usual font folders or in the folders named by ``OPENISMS_FONT_DIRS``
(colon-separated). reportlab embeds only the glyphs a document uses.

When a font is missing, PDFs still render: the standard Helvetica takes its place and text it
cannot show prints as "?" (a warning is logged once, and ``manage.py check`` says so).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

logger = logging.getLogger(__name__)

REGULAR, BOLD, FALLBACK = "OpenISMS-Sans", "OpenISMS-Sans-Bold", "OpenISMS-CJK"
FILES = {
    REGULAR: ("DejaVuSans.ttf",),
    BOLD: ("DejaVuSans-Bold.ttf",),
    FALLBACK: ("wqy-zenhei.ttc", "DroidSansFallbackFull.ttf"),
}
SEARCH_DIRS = (
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/truetype/wqy",
    "/usr/share/fonts/truetype/droid",
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/.fonts",
    "~/.local/share/fonts",
)


def search_dirs() -> list[Path]:
    configured = [d for d in os.environ.get("OPENISMS_FONT_DIRS", "").split(os.pathsep) if d]
    return [Path(d).expanduser() for d in (*configured, *SEARCH_DIRS)]


def _candidates(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        return
    yield from (p for p in directory.iterdir() if p.is_file())
    for root, _dirs, files in os.walk(directory):
        for name in files:
            yield Path(root) / name


def find_font(names: tuple[str, ...]) -> Path | None:
    """The first file called one of ``names`` in the search folders (shallow first)."""
    for directory in search_dirs():
        for path in _candidates(directory):
            if path.name in names:
                return path
    return None


@dataclass(frozen=True)
class FontSet:
    regular: str
    bold: str
    fallback: str | None
    primary_glyphs: frozenset[int]  # code points the regular font can draw (empty: Helvetica)
    fallback_glyphs: frozenset[int]

    @property
    def embedded(self) -> bool:
        return bool(self.primary_glyphs)

    def runs(self, text: str) -> list[tuple[bool, str]]:
        """``text`` cut into runs: (True, run) for the fallback font, (False, run) otherwise."""
        if text.isascii() or not self.fallback_glyphs:
            return [(False, text)]
        out: list[tuple[bool, str]] = []
        start, current = 0, False
        for i, char in enumerate(text):
            code = ord(char)
            use = code not in self.primary_glyphs and code in self.fallback_glyphs
            if use != current and i > start:
                out.append((current, text[start:i]))
                start = i
            current = use
        out.append((current, text[start:]))
        return out

    def printable(self, text: str) -> str:
        """Without embedded fonts, only what Helvetica can show survives (others become ?)."""
        if self.embedded:
            return text
        return text.encode("cp1252", "replace").decode("cp1252")


def _register(name: str) -> frozenset[int]:
    path = find_font(FILES[name])
    if path is None:
        return frozenset()
    # A .ttc collection holds several faces; the first is the regular one.
    options = {"subfontIndex": 0} if path.suffix.lower() == ".ttc" else {}
    font = TTFont(name, str(path), **options)
    pdfmetrics.registerFont(font)
    return frozenset(font.face.charToGlyph)


@lru_cache(maxsize=1)
def fonts() -> FontSet:
    """Register the fonts once per process and say what each can draw."""
    primary = _register(REGULAR)
    bold = _register(BOLD) if primary else frozenset()
    fallback = _register(FALLBACK) if primary else frozenset()
    if not primary:
        logger.warning(
            "PDF exports use Helvetica: DejaVuSans.ttf was not found (install fonts-dejavu-core "
            "or set OPENISMS_FONT_DIRS); text outside Latin-1 prints as '?'."
        )
    elif not fallback:
        logger.warning(
            "PDF exports cannot show Chinese, Japanese or Korean text: wqy-zenhei.ttc was not "
            "found (install fonts-wqy-zenhei or set OPENISMS_FONT_DIRS)."
        )
    return FontSet(
        regular=REGULAR if primary else "Helvetica",
        bold=BOLD if bold else (REGULAR if primary else "Helvetica-Bold"),
        fallback=FALLBACK if fallback else None,
        primary_glyphs=primary,
        fallback_glyphs=fallback,
    )


def missing() -> list[str]:
    """The font files that PDF exports would like but cannot find (for ``manage.py check``)."""
    return [names[0] for names in FILES.values() if find_font(names) is None]
