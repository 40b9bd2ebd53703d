"""Markdown of documents, rendered safely.

markdown-it-py in CommonMark mode with raw HTML disabled: a ``<script>`` in a draft is shown
as text, never passed through, and links with ``javascript:`` and similar schemes are refused
by the parser's link validation. ``blocks`` gives the same text as plain blocks (headings,
paragraphs, list items) for the PDF and DOCX exports, which lay text out themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt

_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_html(text: str) -> str:
    return _MD.render(text or "")


@dataclass(frozen=True)
class Block:
    kind: str  # heading, paragraph, bullet, number, row (a table row, cells joined by " | ")
    text: str
    level: int = 0  # heading level, or list depth


def blocks(text: str) -> list[Block]:
    """Headings, paragraphs and list items, in order, with inline markup reduced to text."""
    out: list[Block] = []
    lists: list[list[int]] = []  # per open list: [ordered flag, counter]
    heading = 0
    in_item = False
    row: list[str] | None = None  # the cells of a table row being read
    for token in _MD.parse(text or ""):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close":
            if row is not None and any(row):
                out.append(Block("row", " | ".join(c for c in row if c)))
            row = None
        elif token.type == "heading_open":
            heading = int(token.tag[1:])
        elif token.type == "heading_close":
            heading = 0
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1) if token.type == "ordered_list_open" else 1
            lists.append([1 if token.type == "ordered_list_open" else 0, start - 1])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif token.type == "list_item_open":
            in_item = True
            if lists:
                lists[-1][1] += 1
        elif token.type == "list_item_close":
            in_item = False
        elif token.type == "inline":
            content = "".join(
                " " if child.type in ("softbreak", "hardbreak") else child.content
                for child in token.children or []
            ).strip()
            if row is not None:
                row.append(content)
            elif heading:
                out.append(Block("heading", content, heading))
            elif in_item and lists:
                ordered, count = lists[-1]
                kind = "number" if ordered else "bullet"
                prefix = f"{count}. " if ordered else "\u2022 "
                out.append(Block(kind, prefix + content, len(lists)))
            else:
                out.append(Block("paragraph", content))
        elif token.type in ("fence", "code_block"):
            out.append(Block("paragraph", token.content.rstrip()))
    return out
