"""What every OSCAL document we write shares: the version, our namespace, deterministic uuids,
ids made valid OSCAL tokens, timestamps, props and metadata.

Every uuid is a uuid5 of a fixed namespace and a stable key, so exporting the same data twice
gives the same document. A document's own uuid is derived from a hash of its content, so it
changes exactly when the content does (OSCAL asks for a new document uuid on every revision).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from typing import Any

OSCAL_VERSION = "1.2.1"
NS = "https://openisms.org/ns/oscal"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, NS)
EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

_NOT_TOKEN = re.compile(r"[^a-z0-9._-]+")
_DASHES = re.compile(r"-{2,}")


def uid(*keys: object) -> str:
    """A stable uuid (version 5) for the thing named by ``keys``."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(k) for k in keys)))


def content_uid(kind: str, body: dict[str, Any]) -> str:
    """A document uuid that changes exactly when the document's content does."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return uid(kind, hashlib.sha256(canonical.encode("utf-8")).hexdigest())


def token(ref: str) -> str:
    """An OSCAL token (an XML NCName) for a requirement ref: lower case, with runs of other
    characters as '-', and 'ref-' in front when it would not start with a letter.

    A.5.1 -> a.5.1, GV.OC-01 -> gv.oc-01, 4.1 -> ref-4.1, 164.308(a)(1) -> ref-164.308-a-1.
    The original ref travels beside it in a ``label`` prop.
    """
    text = _DASHES.sub("-", _NOT_TOKEN.sub("-", ref.strip().lower())).strip("-")
    if not text or not text[0].isalpha():
        text = f"ref-{text}" if text else "ref"
    return text


def unique_tokens(refs: Iterable[str]) -> dict[str, str]:
    """Tokens for refs of one framework, in document order; a ref whose token another ref
    already took gets '-2', '-3', ... (no shipped framework has such a pair)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for ref in refs:
        base = candidate = token(ref)
        n = 1
        while candidate in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate)
        out[ref] = candidate
    return out


def name_token(text: str) -> str:
    """A token for a free name (attribute keys, kinds, slugs)."""
    return token(text.replace(" ", "-"))


def timestamp(moment: dt.datetime | None) -> str:
    """ISO 8601 with a timezone, to the second (OSCAL's date-time-with-timezone)."""
    value = moment or EPOCH
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def latest(moments: Iterable[dt.datetime | None]) -> dt.datetime:
    present = [m for m in moments if m is not None]
    return max(present) if present else EPOCH


def clean(text: str | None) -> str:
    """OSCAL strings have no leading or trailing whitespace and are never empty."""
    return (text or "").strip()


def line(text: str | None, fallback: str = "-") -> str:
    """A markup-line value: one line, not empty."""
    return " ".join((text or "").split()) or fallback


def prop(name: str, value: object, *, ours: bool = True, cls: str = "") -> dict[str, Any]:
    """A prop in our namespace (``ours=False``: OSCAL's own), with an optional class."""
    out: dict[str, Any] = {"name": name, "value": line(str(value))}
    if ours:
        out["ns"] = NS
    if cls:
        out["class"] = cls
    return out


def metadata(
    *,
    title: str,
    last_modified: dt.datetime,
    version: str,
    **extra: Any,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "title": line(title),
        "last-modified": timestamp(last_modified),
        "version": line(version),
        "oscal-version": OSCAL_VERSION,
    }
    out.update({k.replace("_", "-"): v for k, v in extra.items() if v})
    return out


def document(root: str, body: dict[str, Any]) -> dict[str, Any]:
    """The whole document, ``{root: {uuid, ...body}}``, with a content-derived uuid."""
    return {root: {"uuid": content_uid(root, body), **body}}
