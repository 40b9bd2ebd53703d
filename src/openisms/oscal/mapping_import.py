"""An OSCAL mapping collection as our mapping-set document (``openisms-mapping-set/1``), so that
it imports through the catalogue's own all-or-nothing mapping import.

Plain Python (no Django): the caller hands the result to ``catalog.services``. A collection we
exported names its frameworks (a ``framework`` prop or document id on each resource) and keeps
each side's ref (a ``label`` prop), our relationship and strength (props in our namespace) and
the rationale (remarks), so it comes back as the same pairs. For a collection from elsewhere the
caller names the two frameworks; each side's ref is then its label, else its ``id-ref``.
"""

from __future__ import annotations

from typing import Any

from openisms.oscal.documents import Document
from openisms.oscal.errors import Issue, OscalError

SCHEMA = "openisms-mapping-set/1"
NS = "https://openisms.org/ns/oscal"
RELATIONSHIPS = {
    "equal-to": "equal",
    "equivalent-to": "equal",
    "subset-of": "subset",
    "superset-of": "superset",
    "intersects-with": "intersects",
}


def _prop(item: dict[str, Any], name: str) -> str | None:
    for prop in item.get("props") or []:
        if prop.get("name") == name:
            return str(prop.get("value"))
    return None


def _framework(body: dict[str, Any], href: str, given: str | None, where: str) -> str:
    if given:
        return given
    wanted = href[1:] if href.startswith("#") else None
    for resource in (body.get("back-matter") or {}).get("resources") or []:
        if resource.get("uuid") != wanted:
            continue
        slug = _prop(resource, "framework")
        for document_id in resource.get("document-ids") or []:
            if str(document_id.get("scheme", "")).startswith(NS):
                slug = slug or str(document_id.get("identifier"))
        if slug:
            return slug
    raise OscalError(
        [Issue(where, f"cannot tell which framework {href!r} is: name it (--source, --target)")]
    )


def _ref(side: dict[str, Any]) -> str:
    return _prop(side, "label") or str(side.get("id-ref", ""))


def _pairs(mapping: dict[str, Any], where: str, issues: list[Issue]) -> list[dict[str, Any]]:
    pairs = []
    for i, entry in enumerate(mapping.get("maps") or []):
        at = f"{where}.maps[{i}]"
        ours = _prop(entry, "relationship")
        relationship = ours or RELATIONSHIPS.get(str(entry.get("relationship")))
        if relationship is None:
            issues.append(Issue(at, f"unknown relationship {entry.get('relationship')!r}"))
            continue
        strength = _prop(entry, "strength")
        for source in entry.get("sources") or []:
            for target in entry.get("targets") or []:
                pair: dict[str, Any] = {
                    "source": _ref(source),
                    "target": _ref(target),
                    "relationship": relationship,
                }
                if strength is not None and strength.isdigit():
                    pair["strength"] = int(strength)
                if entry.get("remarks"):
                    pair["rationale"] = str(entry["remarks"])
                pairs.append(pair)
    return pairs


def mapping_set_document(
    document: Document, *, slug: str, source: str | None = None, target: str | None = None
) -> dict[str, Any]:
    """Our mapping-set document for a (validated) mapping collection with one mapping."""
    if document.model != "mapping-collection":
        raise OscalError([Issue(document.model, "not a mapping collection")])
    body = document.body
    mappings = body.get("mappings") or []
    if len(mappings) != 1:
        raise OscalError(
            [Issue("mapping-collection.mappings", "import one mapping (one pair of catalogs)")]
        )
    mapping = mappings[0]
    where = "mapping-collection.mappings[0]"
    source_href = str((mapping.get("source-resource") or {}).get("href", ""))
    target_href = str((mapping.get("target-resource") or {}).get("href", ""))
    issues: list[Issue] = []
    pairs = _pairs(mapping, where, issues)
    if issues:
        raise OscalError(issues)
    meta = body.get("metadata") or {}
    out: dict[str, Any] = {
        "schema": SCHEMA,
        "slug": slug,
        "name": str(meta.get("title", slug))[:200],
        "source_framework": _framework(body, source_href, source, f"{where}.source-resource"),
        "target_framework": _framework(body, target_href, target, f"{where}.target-resource"),
        "kind": "user",
        "publisher": (_prop(meta, "publisher") or "OSCAL import")[:120],
        "document": (_prop(meta, "document") or "")[:300],
        "version": (_prop(meta, "document-version") or "")[:40],
        "description": str(meta.get("remarks") or "")[:4000],
        "content_version": str(meta.get("version", ""))[:40] or "1",
        "pairs": pairs,
    }
    if meta.get("published"):
        out["published"] = str(meta["published"])[:10]
    return out


def suggested_slug(document: Document) -> str:
    """The set's slug when we exported it (a ``mapping-set`` prop), else empty."""
    return _prop(document.body.get("metadata") or {}, "mapping-set") or ""
