"""OSCAL XML to the JSON form of the same document.

OSCAL's XML and JSON are two notations of one model (NIST's metaschema). The rules here cover the
catalog and profile models and the metadata and back-matter every model shares; elements they do
not know are still converted by the generic rules (child elements become keys, repeated ones
lists, attributes keys, markup Markdown)."""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element

from openisms.oscal.errors import fail

NAMESPACE = "http://csrc.nist.gov/ns/oscal/1.0"
_NS = "{" + NAMESPACE + "}"

# XML element name -> JSON key of the list its repeated occurrences form.
PLURALS: dict[str, str] = {
    "prop": "props",
    "link": "links",
    "part": "parts",
    "param": "params",
    "control": "controls",
    "group": "groups",
    "role": "roles",
    "party": "parties",
    "responsible-party": "responsible-parties",
    "responsible-role": "responsible-roles",
    "location": "locations",
    "resource": "resources",
    "rlink": "rlinks",
    "import": "imports",
    "include-controls": "include-controls",
    "exclude-controls": "exclude-controls",
    "with-id": "with-ids",
    "matching": "matching",
    "set-parameter": "set-parameters",
    "alter": "alters",
    "add": "adds",
    "remove": "removes",
    "constraint": "constraints",
    "guideline": "guidelines",
    "value": "values",
    "choice": "choice",
    "test": "tests",
    "address": "addresses",
    "addr-line": "addr-lines",
    "email-address": "email-addresses",
    "telephone-number": "telephone-numbers",
    "party-uuid": "party-uuids",
    "member-of-organization": "member-of-organizations",
    "location-uuid": "location-uuids",
    "document-id": "document-ids",
    "revision": "revisions",
    "hash": "hashes",
    "insert-controls": "insert-controls",
    "external-id": "external-ids",
    "url": "urls",
    "keyword": "keywords",
    "action": "actions",
    "annotation": "annotations",
    "role-id": "role-ids",
}

# Elements whose text is the value of a named key next to their attributes.
VALUE_KEYS = {
    "telephone-number": "number",
    "document-id": "identifier",
    "hash": "value",
    "base64": "value",
    "external-id": "id",
}

# Elements holding markup-multiline content: the whole element becomes one Markdown string.
MULTILINE = {"remarks", "description", "usage", "purpose", "text-multiline"}
# Elements whose block-level children (p, ul, ...) become a "prose" key next to other keys.
BLOCK_TAGS = {
    "p",
    "ul",
    "ol",
    "table",
    "pre",
    "blockquote",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
}
INLINE_TAGS = {
    "em",
    "i",
    "strong",
    "b",
    "code",
    "q",
    "a",
    "insert",
    "sub",
    "sup",
    "img",
    "span",
    "br",
}
BOOLEANS = {"as-is"}
EMPTY_OBJECTS = {"include-all", "flat"}

_SPACE = re.compile(r"\s+")


def local_name(tag: str) -> str:
    return tag[len(_NS) :] if tag.startswith(_NS) else tag.rsplit("}", 1)[-1]


def xml_to_json(root: Element) -> tuple[str, dict[str, Any]]:
    """``(model, body)`` for the root element of an OSCAL XML document."""
    if not root.tag.startswith(_NS):
        raise fail(
            local_name(root.tag), f"the root element is not in the OSCAL namespace {NAMESPACE}"
        )
    model = local_name(root.tag)
    body = convert_element(root)
    if not isinstance(body, dict):
        raise fail(model, "the root element has no content")
    return model, body


def convert_element(el: Element) -> Any:
    tag = local_name(el.tag)
    if tag in MULTILINE:
        return markup_multiline(el)
    if tag in BOOLEANS:
        return (el.text or "").strip().lower() in ("true", "1")
    children = list(el)
    attrs = {local_name(k): v for k, v in el.attrib.items() if not k.startswith("{")}
    if tag in VALUE_KEYS:
        return {**attrs, VALUE_KEYS[tag]: (el.text or "").strip()}
    structured = [c for c in children if local_name(c.tag) not in INLINE_TAGS]
    if not attrs and not structured:
        if tag in EMPTY_OBJECTS:
            return {}
        return markup_line(el)
    # A grouping wrapper (<revisions><revision/>...</revisions>) is the list itself.
    if (
        not attrs
        and children
        and all(
            PLURALS.get(local_name(c.tag)) == tag and local_name(c.tag) != tag for c in children
        )
    ):
        return [convert_element(c) for c in children]
    obj: dict[str, Any] = dict(attrs)
    prose: list[str] = []
    for child in children:
        child_tag = local_name(child.tag)
        if child_tag in BLOCK_TAGS:
            block = _block(child, 0)
            if block:
                prose.append(block)
            continue
        value = convert_element(child)
        key = PLURALS.get(child_tag)
        if key is not None:
            obj.setdefault(key, []).append(value)
        else:
            obj[child_tag] = value
    if prose:
        obj["prose"] = "\n\n".join(prose)
    return obj


def markup_line(el: Element) -> str:
    """Inline Markdown of an element's mixed content, whitespace collapsed."""
    return _SPACE.sub(" ", _inline(el, top=True)).strip()


def markup_multiline(el: Element) -> str:
    blocks: list[str] = []
    loose = (el.text or "").strip()
    if loose:
        blocks.append(_SPACE.sub(" ", loose))
    for child in el:
        tag = local_name(child.tag)
        if tag in BLOCK_TAGS:
            block = _block(child, 0)
        else:
            block = _SPACE.sub(" ", _inline_child(child)).strip()
        if block:
            blocks.append(block)
        tail = (child.tail or "").strip()
        if tail:
            blocks.append(_SPACE.sub(" ", tail))
    return "\n\n".join(blocks)


def _inline(el: Element, *, top: bool = False) -> str:
    out = [el.text or ""]
    for child in el:
        out.append(_inline_child(child))
        out.append(child.tail or "")
    return "".join(out)


def _inline_child(child: Element) -> str:
    tag = local_name(child.tag)
    inner = _SPACE.sub(" ", _inline(child))
    if tag in ("em", "i"):
        return f"*{inner}*"
    if tag in ("strong", "b"):
        return f"**{inner}**"
    if tag == "code":
        return f"`{inner}`"
    if tag == "q":
        return f'"{inner}"'
    if tag == "sub":
        return f"~{inner}~"
    if tag == "sup":
        return f"^{inner}^"
    if tag == "a":
        href = child.get("href", "")
        return f"[{inner}]({href})" if href else inner
    if tag == "img":
        return f"![{child.get('alt', '')}]({child.get('src', '')})"
    if tag == "br":
        return "\n"
    if tag == "insert":
        return f"{{{{ insert: {child.get('type', 'param')}, {child.get('id-ref', '')} }}}}"
    return inner


def _block(el: Element, depth: int) -> str:
    tag = local_name(el.tag)
    if tag == "p":
        return markup_line(el)
    if tag.startswith("h") and tag[1:].isdigit():
        return "#" * int(tag[1:]) + " " + markup_line(el)
    if tag in ("ul", "ol"):
        return "\n".join(_list_lines(el, depth))
    if tag == "pre":
        return "```\n" + "".join(el.itertext()).strip("\n") + "\n```"
    if tag == "blockquote":
        inner = markup_multiline(el)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))
    if tag == "hr":
        return "---"
    if tag == "table":
        return _table(el)
    return markup_line(el)


def _list_lines(el: Element, depth: int) -> list[str]:
    ordered = local_name(el.tag) == "ol"
    lines: list[str] = []
    for number, li in enumerate(el, start=1):
        if local_name(li.tag) != "li":
            continue
        marker = f"{number}." if ordered else "-"
        text = [li.text or ""]
        nested: list[str] = []
        for child in li:
            if local_name(child.tag) in ("ul", "ol"):
                nested.extend(_list_lines(child, depth + 1))
            elif local_name(child.tag) == "p":
                text.append(" " + _inline(child))
            else:
                text.append(_inline_child(child))
            text.append(child.tail or "")
        lines.append("  " * depth + f"{marker} " + _SPACE.sub(" ", "".join(text)).strip())
        lines.extend(nested)
    return lines


def _table(el: Element) -> str:
    rows: list[list[str]] = []
    for tr in el.iter(_NS + "tr"):
        rows.append([markup_line(cell).replace("|", "\\|") for cell in tr])
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines.extend("| " + " | ".join(r) + " |" for r in rows[1:])
    return "\n".join(lines)
