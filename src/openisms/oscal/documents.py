"""Read an OSCAL document (JSON, YAML or XML) into its JSON form.

Only parsing and the shape of the root are checked here; ``validate`` checks the content.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import yaml
from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from openisms.oscal.errors import Issue, OscalError, fail
from openisms.oscal.xml import xml_to_json

MODELS = (
    "catalog",
    "profile",
    "system-security-plan",
    "assessment-results",
    "assessment-plan",
    "plan-of-action-and-milestones",
    "component-definition",
    "mapping-collection",
)
FORMATS = ("json", "yaml", "xml")
DEFAULT_MAX_BYTES = 50 * 1024 * 1024


@dataclass
class Document:
    model: str  # one of MODELS
    version: str  # metadata.oscal-version ("" when absent; validate() reports it)
    body: dict[str, Any]  # the JSON form of the root object (the value under the model key)
    format: str  # json | yaml | xml

    def as_json(self) -> dict[str, Any]:
        """The whole JSON document: ``{model: body}``."""
        return {self.model: self.body}


def load_document(
    data: bytes, *, filename: str = "", max_bytes: int = DEFAULT_MAX_BYTES
) -> Document:
    """Parse ``data`` and return the document; raise OscalError when it is not an OSCAL document.

    The format is read from the content (``{`` JSON, ``<`` XML, anything else YAML); the
    filename's extension only breaks a tie (a YAML file that starts with ``{`` is JSON anyway,
    which YAML accepts too)."""
    if len(data) > max_bytes:
        raise fail("", f"the file is {len(data):,} bytes; the limit is {max_bytes:,} bytes")
    fmt = detect_format(data, filename)
    if fmt == "xml":
        root = _parse_xml(data)
        model, body = xml_to_json(root)
        _check_model(model, "")
        return Document(model=model, version=_version(body), body=body, format="xml")
    text = _decode(data)
    tree = _parse_json(text) if fmt == "json" else _parse_yaml(text)
    model, body = _root(tree)
    return Document(model=model, version=_version(body), body=body, format=fmt)


def detect_format(data: bytes, filename: str = "") -> str:
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"{"):
        return "json"
    if head.startswith(b"<"):
        return "xml"
    lower = filename.lower()
    if lower.endswith(".json") and not head:
        return "json"
    if lower.endswith(".xml") and not head:
        return "xml"
    return "yaml"


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise fail(f"byte {exc.start}", "the file is not UTF-8 text") from exc


def _version(body: dict[str, Any]) -> str:
    metadata = body.get("metadata")
    version = metadata.get("oscal-version") if isinstance(metadata, dict) else None
    return version if isinstance(version, str) else ""


def _check_model(model: str, path: str) -> None:
    if model not in MODELS:
        raise fail(
            path or model, f"unknown OSCAL model {model!r}; expected one of {', '.join(MODELS)}"
        )


def _root(tree: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(tree, dict):
        raise fail("", f"the document's root must be an object, not {type_name(tree)}")
    keys = [key for key in tree if key != "$schema"]
    if len(keys) != 1:
        found = ", ".join(repr(k) for k in keys) or "nothing"
        raise fail("", f"the root must hold exactly one OSCAL model; found {found}")
    model = str(keys[0])
    _check_model(model, model)
    body = tree[model]
    if not isinstance(body, dict):
        raise fail(model, f"must be an object, not {type_name(body)}")
    return model, body


def type_name(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    return type(value).__name__


# --- JSON ---------------------------------------------------------------------------------------


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in JSON")


def _parse_json(text: str) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except _DuplicateKeyError as exc:
        raise fail("", f"duplicate key {exc.args[0]!r} in a JSON object") from exc
    except json.JSONDecodeError as exc:
        raise fail(f"line {exc.lineno}, column {exc.colno}", f"invalid JSON: {exc.msg}") from exc
    except (ValueError, RecursionError) as exc:
        raise fail("", f"invalid JSON: {exc}") from exc


# --- YAML ---------------------------------------------------------------------------------------


class _OscalYamlLoader(yaml.SafeLoader):
    """Safe YAML without aliases (no "billion laughs"), without timestamps (dates stay strings,
    as in JSON) and with only true/false as booleans (``yes``/``no`` stay strings)."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.MarkedYAMLError(None, None, "YAML aliases are not allowed", event.start_mark)
        return super().compose_node(parent, index)


_OscalYamlLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_OscalYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _parse_yaml(text: str) -> Any:
    try:
        tree = yaml.load(text, Loader=_OscalYamlLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise fail(where, f"invalid YAML: {exc.problem or exc.context}") from exc
    except (yaml.YAMLError, RecursionError) as exc:
        raise fail("", f"invalid YAML: {exc}") from exc
    _check_yaml_values(tree, "")
    return tree


def _check_yaml_values(value: Any, path: str) -> None:
    """JSON has no NaN, infinities or non-string keys; neither may the YAML form."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if not isinstance(key, str):
                    raise fail(where, f"keys must be strings, not {key!r}")
                stack.append((child, f"{where}.{key}" if where else key))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
        elif isinstance(item, float) and not math.isfinite(item):
            raise fail(where, "NaN and infinite numbers are not allowed")
        elif item is not None and not isinstance(item, str | int | float | bool):
            raise fail(where, f"unsupported YAML value {type(item).__name__}")


# --- XML ----------------------------------------------------------------------------------------


def _parse_xml(data: bytes) -> Any:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise fail("", f"XML entity/DTD declarations are not allowed ({exc})") from exc
    except SafeET.ParseError as exc:
        line, column = getattr(exc, "position", (0, 0))
        raise fail(f"line {line}, column {column + 1}", f"invalid XML: {exc}") from exc


__all__ = ["FORMATS", "MODELS", "Document", "Issue", "OscalError", "detect_format", "load_document"]
