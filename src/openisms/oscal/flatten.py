"""A catalog (plain or resolved) as the ordered rows a framework is made of: families (groups),
controls and enhancements, with their statement rendered as Markdown."""

from __future__ import annotations

import re
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Any

_INSERT = re.compile(r"\{\{\s*insert:\s*param,\s*([^}\s]+)\s*\}\}")
_ROW_NAMESPACE = uuidlib.UUID("0d3e7d1f-5c4b-5a8e-8f61-2b9c3d4e5f60")
# Label props that are alternative spellings, not the display label ("AC-02", "AC-02(01)").
_ALTERNATE_LABEL_CLASSES = {"zero-padded", "sp800-53a"}


@dataclass
class Row:
    oscal_id: str
    ref: str  # display label: the label prop ("AC-2(1)"), a group's id upper-cased, else the id
    kind: str  # "family" (top-level group), "group" (nested group), "control", "enhancement"
    title: str
    parent: str | None  # the parent row's oscal_id
    uuid: str  # deterministic: uuid5 of the catalog uuid and the id
    control_class: str
    statement: str = ""
    guidance: str = ""
    params: list[dict[str, Any]] = field(default_factory=list)
    raw_params: list[dict[str, Any]] = field(default_factory=list)  # as the catalog wrote them
    withdrawn: bool = False
    props: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)


def catalog_metadata(body: dict[str, Any]) -> dict[str, Any]:
    metadata = body.get("metadata") or {}
    return {
        "uuid": body.get("uuid", ""),
        "title": metadata.get("title", ""),
        "version": metadata.get("version", ""),
        "published": metadata.get("published", ""),
        "last-modified": metadata.get("last-modified", ""),
        "oscal-version": metadata.get("oscal-version", ""),
    }


def catalog_rows(catalog_body: dict[str, Any]) -> list[Row]:
    """Rows in document order: each group, then its controls, each followed by its enhancements."""
    params = _all_params(catalog_body)
    catalog_uuid = str(catalog_body.get("uuid", ""))
    rows: list[Row] = []

    def group_rows(groups: list[Any], parent: str | None) -> None:
        for group in groups:
            if not isinstance(group, dict):
                continue
            ident = str(group.get("id") or f"group-{len(rows) + 1}")
            label = _label(group)
            rows.append(
                Row(
                    oscal_id=ident,
                    ref=label or ident.upper(),
                    kind="family" if parent is None else "group",
                    title=str(group.get("title", "")),
                    parent=parent,
                    uuid=_row_uuid(catalog_uuid, ident),
                    control_class=str(group.get("class", "")),
                    statement=_statement(group, params),
                    guidance=_guidance(group, params),
                    params=[_param_json(p, params) for p in group.get("params") or []],
                    raw_params=list(group.get("params") or []),
                    props=list(group.get("props") or []),
                    parts=list(group.get("parts") or []),
                    links=list(group.get("links") or []),
                )
            )
            control_rows(group.get("controls") or [], ident, nested=False)
            group_rows(group.get("groups") or [], ident)

    def control_rows(controls: list[Any], parent: str | None, *, nested: bool) -> None:
        for control in controls:
            if not isinstance(control, dict):
                continue
            ident = str(control.get("id", ""))
            props = list(control.get("props") or [])
            rows.append(
                Row(
                    oscal_id=ident,
                    ref=_label(control) or ident,
                    kind="enhancement" if nested else "control",
                    title=str(control.get("title", "")),
                    parent=parent,
                    uuid=_row_uuid(catalog_uuid, ident),
                    control_class=str(control.get("class", "")),
                    statement=_statement(control, params),
                    guidance=_guidance(control, params),
                    params=[_param_json(p, params) for p in control.get("params") or []],
                    raw_params=list(control.get("params") or []),
                    withdrawn=any(
                        p.get("name") == "status" and p.get("value") == "withdrawn" for p in props
                    ),
                    props=props,
                    parts=list(control.get("parts") or []),
                    links=list(control.get("links") or []),
                )
            )
            control_rows(control.get("controls") or [], ident, nested=True)

    control_rows(catalog_body.get("controls") or [], None, nested=False)
    group_rows(catalog_body.get("groups") or [], None)
    return rows


def _row_uuid(catalog_uuid: str, ident: str) -> str:
    return str(uuidlib.uuid5(_ROW_NAMESPACE, f"{catalog_uuid}#{ident}"))


def _label(obj: dict[str, Any]) -> str:
    labels = [
        p
        for p in obj.get("props") or []
        if isinstance(p, dict) and p.get("name") == "label" and not p.get("ns")
    ]
    for prop in labels:
        if prop.get("class") not in _ALTERNATE_LABEL_CLASSES:
            return str(prop.get("value", ""))
    return str(labels[0].get("value", "")) if labels else ""


def _all_params(catalog: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    stack = [catalog]
    while stack:
        node = stack.pop()
        for param in node.get("params") or []:
            if isinstance(param, dict) and isinstance(param.get("id"), str):
                out.setdefault(param["id"], param)
        for key in ("groups", "controls"):
            stack.extend(x for x in node.get(key) or [] if isinstance(x, dict))
    return out


def render_param(
    param: dict[str, Any] | None, params: dict[str, dict[str, Any]], depth: int = 0
) -> str:
    """A parameter as the statement shows it: its value(s) when set, else the selection or the
    assignment ("[Assignment: organization-defined frequency]")."""
    if param is None:
        return "[Assignment: organization-defined value]"
    values = [str(v) for v in param.get("values") or []]
    if values:
        return ", ".join(values)
    select = param.get("select")
    if isinstance(select, dict):
        choices = [render_prose(str(c), params, depth + 1) for c in select.get("choice") or []]
        how = select.get("how-many")
        head = "Selection (one or more)" if how == "one-or-more" else "Selection"
        return f"[{head}: {'; '.join(choices)}]"
    label = str(param.get("label") or param.get("id") or "value")
    if not label.startswith("organization-defined"):
        label = f"organization-defined {label}"
    return f"[Assignment: {label}]"


def render_prose(text: str, params: dict[str, dict[str, Any]], depth: int = 0) -> str:
    if depth > 5:  # a parameter that (indirectly) selects itself
        return text

    def replace(match: re.Match[str]) -> str:
        return render_param(params.get(match.group(1)), params, depth)

    return _INSERT.sub(replace, text)


def _statement(obj: dict[str, Any], params: dict[str, dict[str, Any]]) -> str:
    lines: list[str] = []
    for part in obj.get("parts") or []:
        if isinstance(part, dict) and part.get("name") == "statement":
            _part_lines(part, params, 0, lines)
    return "\n".join(lines).strip()


def _part_lines(
    part: dict[str, Any], params: dict[str, dict[str, Any]], depth: int, lines: list[str]
) -> None:
    label = _label(part)
    prose = render_prose(str(part.get("prose") or ""), params).strip()
    text = " ".join(x for x in (label, prose) if x)
    if text:
        indent = "  " * depth
        lines.append(indent + text.replace("\n", "\n" + indent))
    for child in part.get("parts") or []:
        if isinstance(child, dict) and child.get("name") in ("item", "statement", None):
            _part_lines(child, params, depth + 1 if text else depth, lines)


def _guidance(obj: dict[str, Any], params: dict[str, dict[str, Any]]) -> str:
    texts: list[str] = []

    def collect(part: dict[str, Any]) -> None:
        prose = str(part.get("prose") or "").strip()
        if prose:
            texts.append(render_prose(prose, params))
        for child in part.get("parts") or []:
            if isinstance(child, dict):
                collect(child)

    for part in obj.get("parts") or []:
        if isinstance(part, dict) and part.get("name") == "guidance":
            collect(part)
    return "\n\n".join(texts)


def _param_json(param: dict[str, Any], params: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A parameter as pages show it (``text``: what the catalog says, as in the statement);
    the OSCAL parameter itself is kept in ``Row.raw_params`` for export."""
    out: dict[str, Any] = {"id": param.get("id", ""), "text": render_param(param, params)}
    for key in ("label", "class", "usage"):
        if key in param:
            out[key] = param[key]
    select = param.get("select")
    if isinstance(select, dict):
        out["select"] = {
            "how-many": select.get("how-many", "one"),
            "choice": list(select.get("choice") or []),
        }
    out["values"] = list(param.get("values") or [])
    out["guidelines"] = [
        str(g.get("prose", "")) for g in param.get("guidelines") or [] if isinstance(g, dict)
    ]
    out["constraints"] = [
        str(c.get("description", "")) for c in param.get("constraints") or [] if isinstance(c, dict)
    ]
    out["props"] = list(param.get("props") or [])
    return out
