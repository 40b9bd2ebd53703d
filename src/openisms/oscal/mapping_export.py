"""A mapping set (crosswalk) as an OSCAL 1.2 mapping collection.

One ``mapping`` from the source framework's catalog to the target's (both named by back-matter
resources, as our catalog exports of them), one ``map`` per pair. NIST OLIR's relationship
types become OSCAL's (equal-to, subset-of, superset-of, intersects-with); an edition
succession, which OSCAL has no word for, is ``successor`` in our namespace. Each side's
``id-ref`` is the OSCAL id of the requirement in our catalog export (the linked requirement's
ref where the set writes it differently), with the ref as the set writes it in a ``label`` prop.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openisms.catalog import selectors
from openisms.catalog.models import Mapping, MappingSet, Requirement
from openisms.oscal.common import NS, clean, document, line, metadata, prop, token, uid

RELATIONSHIPS = {
    Mapping.Relationship.EQUAL: "equal-to",
    Mapping.Relationship.SUBSET: "subset-of",
    Mapping.Relationship.SUPERSET: "superset-of",
    Mapping.Relationship.INTERSECTS: "intersects-with",
}
SUCCESSOR = "successor"  # ours: the source was replaced by the target in the next edition
METHODS = {
    MappingSet.Kind.OFFICIAL: "human",
    MappingSet.Kind.STRUCTURAL: "human",
    MappingSet.Kind.USER: "human",
    MappingSet.Kind.DERIVED: "automation",
}


def mapping_document(mapping_set: MappingSet) -> dict[str, Any]:
    """The set and its pairs as an OSCAL mapping collection (two queries)."""
    names = selectors.framework_names()
    pairs = list(selectors.mapping_set_pairs(mapping_set=mapping_set))
    source_uuid = uid("catalog-resource", mapping_set.source_framework)
    target_uuid = uid("catalog-resource", mapping_set.target_framework)
    collection: dict[str, Any] = {
        "metadata": _metadata(mapping_set),
        "provenance": {
            "method": METHODS.get(MappingSet.Kind(mapping_set.kind), "human"),
            "matching-rationale": "semantic",
            "status": "complete",
            "mapping-description": clean(mapping_set.description)
            or f"{line(mapping_set.name)} ({line(mapping_set.provenance)}).",
        },
        "mappings": [
            {
                "uuid": uid("mapping", mapping_set.slug),
                "source-resource": {"type": "catalog", "href": f"#{source_uuid}"},
                "target-resource": {"type": "catalog", "href": f"#{target_uuid}"},
                "maps": [_map(mapping_set, pair) for pair in pairs],
            }
        ],
        "back-matter": {
            "resources": [
                _resource(source_uuid, mapping_set.source_framework, names),
                _resource(target_uuid, mapping_set.target_framework, names),
            ]
        },
    }
    return document("mapping-collection", collection)


def _metadata(mapping_set: MappingSet) -> dict[str, Any]:
    props = [
        prop("mapping-set", mapping_set.slug),
        prop("kind", mapping_set.kind),
        prop("source-framework", mapping_set.source_framework),
        prop("target-framework", mapping_set.target_framework),
        prop("publisher", mapping_set.publisher),
    ]
    if mapping_set.document:
        props.append(prop("document", mapping_set.document))
    if mapping_set.version:
        props.append(prop("document-version", mapping_set.version))
    props.extend(prop("derived-via", slug) for slug in mapping_set.derived_via or [])
    published = None
    if mapping_set.published:
        day = mapping_set.published
        published = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).isoformat()
    out = metadata(
        title=mapping_set.name,
        last_modified=mapping_set.loaded_at,
        version=mapping_set.content_version,
        props=props,
        remarks=clean(mapping_set.description),
    )
    if published:
        out = {"title": out.pop("title"), "published": published, **out}
    return out


def _side(ref: str, linked: Requirement | None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "control", "id-ref": token(linked.ref if linked else ref)}
    item["props"] = [{"name": "label", "value": line(ref)}]
    return item


def _map(mapping_set: MappingSet, pair: Mapping) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "uuid": uid("map", mapping_set.slug, pair.source_ref, pair.target_ref, pair.relationship)
    }
    relationship = RELATIONSHIPS.get(Mapping.Relationship(pair.relationship))
    if relationship is None:
        entry["ns"] = NS
        relationship = SUCCESSOR
    entry["relationship"] = relationship
    entry["sources"] = [_side(pair.source_ref, pair.source)]
    entry["targets"] = [_side(pair.target_ref, pair.target)]
    props = [prop("relationship", pair.relationship)]
    if pair.strength is not None:
        props.append(prop("strength", pair.strength))
    entry["props"] = props
    if clean(pair.rationale):
        entry["remarks"] = clean(pair.rationale)
    return entry


def _resource(resource_uuid: str, slug: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "uuid": resource_uuid,
        "title": f"{names.get(slug, slug)}: OSCAL catalog export of OpenISMS",
        "props": [prop("framework", slug)],
        "document-ids": [{"scheme": f"{NS}/framework", "identifier": slug}],
    }
