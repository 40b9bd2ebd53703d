"""A shipped framework as an OSCAL catalog.

Faithful enough to rebuild the framework: every requirement (retired ones with OSCAL's
``status: withdrawn``), its parent structure, title, ref (``label``), kind (``class`` and a
``kind`` prop), theme, attribute values, "new in this edition" and the earlier-edition
requirements it replaces (props in our namespace), and our own guidance as parts. Every text
is ours (the summary, auditor expectations and guidance we write), never the standard's.

Layout: a requirement at depth 0 with children is a group (ISO/IEC 27001's clauses 4 to 10,
NIST CSF's functions, HIPAA's standards with specifications), its children are controls, and
theirs nested controls. Top-level requirements without children that carry a theme (the Annex A
controls of ISO/IEC 27001) are grouped by theme; any others are top-level controls.
"""

from __future__ import annotations

from collections.abc import Mapping as MappingType
from typing import Any

from openisms.catalog import selectors
from openisms.catalog.models import Framework, Requirement
from openisms.oscal.common import (
    NS,
    clean,
    document,
    line,
    metadata,
    name_token,
    prop,
    unique_tokens,
)

# Part names: OSCAL's own for the overview, the guidance and the assessment objectives; the
# guidance sections (purpose, implementation_steps, ...) are ours and carry our namespace.
OVERVIEW, GUIDANCE, OBJECTIVE, ITEM = "overview", "guidance", "assessment-objective", "item"
AUDITOR_EXPECTS = "auditor-expects"  # class of the objective part holding auditor_expects
ATTRIBUTE = "attribute"  # class of the props that are attribute values


def catalog_document(framework: Framework) -> dict[str, Any]:
    """The framework as an OSCAL catalog (three queries whatever its size)."""
    requirements = selectors.requirement_tree(framework=framework)
    if framework.origin != Framework.Origin.SHIPPED:
        return _imported(framework, requirements)
    tokens = unique_tokens(r.ref for r in requirements)
    children: dict[int | None, list[Requirement]] = {}
    ids = {r.pk for r in requirements}
    for req in requirements:
        parent = req.parent_id if req.parent_id in ids else None
        children.setdefault(parent, []).append(req)
    builder = _Builder(tokens, children)
    groups: list[dict[str, Any]] = []
    controls: list[dict[str, Any]] = []
    themes: dict[str, dict[str, Any]] = {}
    for req in children.get(None, []):
        if children.get(req.pk):
            groups.append(builder.node(req))
        elif req.theme:
            if req.theme not in themes:
                themes[req.theme] = _theme_group(req.theme)
                groups.append(themes[req.theme])
            themes[req.theme]["controls"].append(builder.node(req))
        else:
            controls.append(builder.node(req))
    for group in themes.values():
        _label_theme(group, [c["props"][0]["value"] for c in group["controls"]])
    body: dict[str, Any] = {"metadata": _metadata(framework)}
    if controls:
        body["controls"] = controls
    if groups:
        body["groups"] = groups
    return document("catalog", body)


def _imported(framework: Framework, requirements: list[Requirement]) -> dict[str, Any]:
    """An imported catalog (or resolved baseline) as it was loaded: its own ids, classes,
    props, parts, parameters and links, its families as groups (the text is the publisher's,
    and stays within the organisation that imported it)."""
    children: dict[int | None, list[Requirement]] = {}
    for req in requirements:
        children.setdefault(req.parent_id, []).append(req)

    def node(req: Requirement) -> dict[str, Any]:
        oscal = req.oscal if isinstance(req.oscal, MappingType) else {}
        out: dict[str, Any] = {"id": req.oscal_id or name_token(req.ref)}
        if oscal.get("class"):
            out["class"] = oscal["class"]
        out["title"] = line(req.title)
        for key, value in ((k, oscal.get(k)) for k in _KEPT):
            if value:
                out[key] = value
        kids = [node(child) for child in children.get(req.pk, [])]
        if kids:
            out["controls"] = kids
        return out

    groups, controls = [], []
    for req in children.get(None, []):
        item = node(req)
        if req.kind == "family":
            groups.append(item)
        else:
            controls.append(item)
    meta = metadata(
        title=framework.name,
        last_modified=framework.loaded_at,
        version=framework.version,
        document_ids=[{"scheme": f"{NS}/framework", "identifier": framework.slug}],
        props=[prop("framework", framework.slug), prop("origin", framework.origin)],
    )
    body: dict[str, Any] = {"metadata": meta}
    if controls:
        body["controls"] = controls
    if groups:
        body["groups"] = groups
    return document("catalog", body)


_KEPT = ("params", "props", "links", "parts")  # in OSCAL's order of a control's fields


def _metadata(framework: Framework) -> dict[str, Any]:
    props = [
        prop("framework", framework.slug),
        prop("framework-version", framework.version),
        prop("short-name", framework.short_name),
        prop("publisher", framework.publisher),
        prop("framework-status", framework.status),
        prop("content-hash", framework.content_hash),
    ]
    remarks = (
        "The requirement titles and references identify the items of the publication named "
        "above; every summary, guidance text and auditor expectation in this catalog is "
        "OpenISMS's own writing, not the publication's text."
    )
    if framework.description.strip():
        remarks = f"{framework.description.strip()}\n\n{remarks}"
    return metadata(
        title=framework.name,
        last_modified=framework.loaded_at,
        version=framework.content_version,
        document_ids=[{"scheme": f"{NS}/framework", "identifier": framework.slug}],
        props=[p for p in props if p["value"] != "-"],
        remarks=remarks,
    )


def _theme_group(theme: str) -> dict[str, Any]:
    return {
        "id": f"theme-{name_token(theme)}",
        "class": "theme",
        "title": f"{theme.replace('_', ' ').capitalize()} controls",
        "props": [prop("theme", theme)],
        "controls": [],
    }


def _label_theme(group: dict[str, Any], refs: list[str]) -> None:
    """Label a theme group with the refs' common stem (A.5 for A.5.1 ... A.5.37)."""
    stems = {ref.rsplit(".", 1)[0] for ref in refs if "." in ref}
    if len(stems) == 1:
        group["props"].insert(0, {"name": "label", "value": stems.pop()})


class _Builder:
    def __init__(self, tokens: dict[str, str], children: dict[int | None, list[Requirement]]):
        self.tokens = tokens
        self.children = children

    def node(self, req: Requirement) -> dict[str, Any]:
        """A requirement as a control (or a group: the same keys, children as controls)."""
        tok = self.tokens[req.ref]
        out: dict[str, Any] = {"id": tok, "class": name_token(req.kind), "title": line(req.title)}
        out["props"] = self.props(req)
        links = self.links(req)
        if links:
            out["links"] = links
        parts = self.parts(req, tok)
        if parts:
            out["parts"] = parts
        kids = [self.node(child) for child in self.children.get(req.pk, [])]
        if kids:
            out["controls"] = kids
        return out

    def props(self, req: Requirement) -> list[dict[str, Any]]:
        props = [{"name": "label", "value": line(req.ref)}, prop("kind", req.kind)]
        if req.retired:
            props.append({"name": "status", "value": "withdrawn"})
        if req.theme:
            props.append(prop("theme", req.theme))
        if req.is_new:
            props.append(prop("is-new", "true"))
        for value in req.attribute_values.all():
            props.append(prop(value.key, value.value, cls=ATTRIBUTE))
        seen = set()
        for pair in req.mappings_in.all():
            source = pair.source
            if source is None or source.pk in seen:
                continue
            seen.add(source.pk)
            props.append(prop("replaces", source.ref, cls=name_token(source.framework.slug)))
        return props

    def links(self, req: Requirement) -> list[dict[str, Any]]:
        guidance = req.guidance if isinstance(req.guidance, MappingType) else {}
        related = guidance.get("related_controls") or []
        return [
            {"href": f"#{self.tokens[ref]}", "rel": "related"}
            for ref in related
            if isinstance(ref, str) and ref in self.tokens and ref != req.ref
        ]

    def parts(self, req: Requirement, tok: str) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        if clean(req.summary):
            parts.append({"id": f"{tok}_ovw", "name": OVERVIEW, "prose": clean(req.summary)})
        expects = [clean(str(e)) for e in req.auditor_expects or [] if clean(str(e))]
        if expects:
            parts.append(
                {
                    "id": f"{tok}_obj",
                    "name": OBJECTIVE,
                    "class": AUDITOR_EXPECTS,
                    "parts": [
                        {"id": f"{tok}_obj.{i}", "name": OBJECTIVE, "prose": text}
                        for i, text in enumerate(expects, 1)
                    ],
                }
            )
        guidance = req.guidance if isinstance(req.guidance, MappingType) else {}
        sections = [
            section
            for key, value in guidance.items()
            if (section := _section(f"{tok}_gdn", str(key), value)) is not None
        ]
        if sections:
            parts.append({"id": f"{tok}_gdn", "name": GUIDANCE, "parts": sections})
        return parts


def _section(prefix: str, key: str, value: Any) -> dict[str, Any] | None:
    """One guidance section as a part in our namespace: text as prose, a list as items."""
    name = name_token(key).replace("-", "_")
    part: dict[str, Any] = {"id": f"{prefix}.{name}", "name": name, "ns": NS}
    if isinstance(value, list):
        items = [clean(str(v)) for v in value if clean(str(v))]
        if not items:
            return None
        part["parts"] = [
            {"id": f"{prefix}.{name}.{i}", "name": ITEM, "prose": text}
            for i, text in enumerate(items, 1)
        ]
        return part
    text = clean(value if isinstance(value, str) else None if value is None else str(value))
    if not text:
        return None
    part["prose"] = text
    return part
