"""Check an OSCAL document: supported version, required fields, identifier formats, types,
duplicate uuids and ids; and, when the caller has the schemas, the OSCAL JSON schema itself."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import regex

from openisms.oscal.documents import Document, type_name
from openisms.oscal.errors import Issue, OscalError

MAX_ISSUES = 200
SUPPORTED_VERSIONS = "1.0.0 through 1.2.x"
VERSION_RE = regex.compile(r"^1\.[0-2]\.(?:0|[1-9][0-9]*)$")
# OSCAL's TokenDatatype (an XML NCName) and UUIDDatatype (RFC 4122 version 4 or 5).
TOKEN_RE = regex.compile(r"^(\p{L}|_)(\p{L}|\p{N}|[.\-_])*$")
UUID_RE = regex.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[45][0-9A-Fa-f]{3}-[89ABab][0-9A-Fa-f]{3}-[0-9A-Fa-f]{12}$"
)

STRING_LIST_KEYS = {
    "with-ids",
    "values",
    "choice",
    "party-uuids",
    "email-addresses",
    "addr-lines",
    "member-of-organizations",
    "location-uuids",
    "urls",
    "role-ids",
}
OBJECT_LIST_KEYS = {
    "props",
    "links",
    "parts",
    "params",
    "controls",
    "groups",
    "roles",
    "parties",
    "responsible-parties",
    "responsible-roles",
    "locations",
    "resources",
    "rlinks",
    "imports",
    "include-controls",
    "exclude-controls",
    "matching",
    "set-parameters",
    "alters",
    "adds",
    "removes",
    "constraints",
    "guidelines",
    "tests",
    "addresses",
    "telephone-numbers",
    "document-ids",
    "revisions",
    "hashes",
    "insert-controls",
    "external-ids",
    "actions",
    "components",
    "implemented-requirements",
    "by-components",
    "statements",
    "users",
    "inventory-items",
    "results",
    "findings",
    "observations",
    "risks",
    "poam-items",
    "capabilities",
    "control-implementations",
    "mappings",
    "maps",
}
STRING_KEYS = {
    "id",
    "uuid",
    "title",
    "href",
    "param-id",
    "control-id",
    "name",
    "value",
    "label",
    "class",
    "ns",
    "rel",
    "media-type",
    "prose",
    "remarks",
    "description",
    "version",
    "oscal-version",
    "last-modified",
    "published",
    "by-id",
    "position",
    "by-name",
    "by-class",
    "by-item-name",
    "by-ns",
    "how-many",
    "method",
    "role-id",
    "pattern",
    "usage",
    "with-child-controls",
    "short-name",
    "type",
}
OBJECT_KEYS = {
    "metadata",
    "back-matter",
    "merge",
    "modify",
    "select",
    "citation",
    "base64",
    "combine",
    "custom",
    "include-all",
    "flat",
}
BOOLEAN_KEYS = {"as-is"}
KNOWN_KEYS = STRING_LIST_KEYS | OBJECT_LIST_KEYS | STRING_KEYS | OBJECT_KEYS | BOOLEAN_KEYS
ID_TOKEN_PARENTS = {"groups", "controls", "params", "parts", "roles"}
TOKEN_KEYS = {"id", "param-id", "control-id", "by-id", "role-id"}

# Required fields of objects met in every model.
METADATA_REQUIRED = ("title", "last-modified", "version", "oscal-version")
NESTED_REQUIRED = {
    "roles": ("id", "title"),
    "parties": ("uuid", "type"),
    "responsible-parties": ("role-id", "party-uuids"),
    "props": ("name", "value"),
    "links": ("href",),
    "resources": ("uuid",),
    "rlinks": ("href",),
    "parts": ("name",),
    "params": ("id",),
    "controls": ("id", "title"),
    "groups": ("title",),
    "imports": ("href",),
    "set-parameters": ("param-id",),
    "alters": ("control-id",),
    "matching": ("pattern",),
}
REMOVE_KEYS = ("by-name", "by-class", "by-id", "by-item-name", "by-ns")
POSITIONS = ("starting", "ending", "before", "after")
COMBINE_METHODS = ("use-first", "merge", "keep")


class _Found:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(Issue(path, message))

    @property
    def full(self) -> bool:
        return len(self.issues) >= MAX_ISSUES


def validate(doc: Document) -> None:
    """Raise OscalError listing every problem found (up to MAX_ISSUES)."""
    issues = check(doc)
    if issues:
        raise OscalError(issues)


def check(doc: Document) -> list[Issue]:
    """Every problem found, without raising."""
    found = _Found()
    body = doc.body
    root = doc.model
    _check_version(body, root, found)
    for key in ("uuid", "metadata"):
        if key not in body:
            found.add(root, f"{key} is required")
    metadata = body.get("metadata")
    if isinstance(metadata, dict):
        for key in METADATA_REQUIRED:
            if key not in metadata:
                found.add(f"{root}.metadata", f"{key} is required")
    _walk(body, root, found)
    if doc.model == "catalog":
        _check_catalog_ids(body, root, found)
    elif doc.model == "profile":
        _check_profile(body, root, found)
    return found.issues


def _check_version(body: dict[str, Any], root: str, found: _Found) -> None:
    metadata = body.get("metadata")
    version = metadata.get("oscal-version") if isinstance(metadata, dict) else None
    where = f"{root}.metadata.oscal-version"
    if version is None:
        found.add(where, f"the OSCAL version is missing; supported: {SUPPORTED_VERSIONS}")
    elif not isinstance(version, str) or not VERSION_RE.match(version):
        found.add(
            where,
            f"OSCAL version {version!r} is not supported; supported: {SUPPORTED_VERSIONS}",
        )


def _walk(body: dict[str, Any], root: str, found: _Found) -> None:
    """Types, identifier formats, required nested fields and duplicate uuids, everywhere."""
    uuids: dict[str, str] = {}
    stack: list[tuple[Any, str]] = [(body, root)]
    while stack and not found.full:
        value, path = stack.pop()
        if isinstance(value, list):
            stack.extend((item, f"{path}[{i}]") for i, item in reversed(list(enumerate(value))))
            continue
        if not isinstance(value, dict):
            continue
        children: list[tuple[Any, str]] = []
        for key, item in value.items():
            where = f"{path}.{key}"
            if "_" in key and key.replace("_", "-") in KNOWN_KEYS:
                found.add(where, f"unknown field {key!r}; OSCAL names it {key.replace('_', '-')!r}")
            if key in OBJECT_LIST_KEYS or key in STRING_LIST_KEYS:
                if not isinstance(item, list):
                    found.add(where, f"must be a list, not {type_name(item)}")
                    continue
                wanted = dict if key in OBJECT_LIST_KEYS else str
                for i, element in enumerate(item):
                    if not isinstance(element, wanted):
                        kind = "an object" if wanted is dict else "a string"
                        found.add(f"{where}[{i}]", f"must be {kind}, not {type_name(element)}")
                    elif isinstance(element, dict):
                        _required(element, key, f"{where}[{i}]", found)
                if key == "with-ids":
                    _tokens(item, where, found)
            elif key in STRING_KEYS:
                if not isinstance(item, str):
                    found.add(where, f"must be a string, not {type_name(item)}")
                    continue
                if key == "uuid":
                    if not UUID_RE.match(item):
                        found.add(where, f"{item!r} is not a UUID (RFC 4122, version 4 or 5)")
                    elif path.endswith("]") or path == root or "." in path:
                        first = uuids.setdefault(item.lower(), where)
                        if first != where:
                            found.add(where, f"duplicate uuid {item} (also at {first})")
                elif key in TOKEN_KEYS and _token_context(key, path) and not TOKEN_RE.match(item):
                    found.add(where, f"{item!r} is not a valid OSCAL token (an XML NCName)")
                continue
            elif key in OBJECT_KEYS and not isinstance(item, dict):
                found.add(where, f"must be an object, not {type_name(item)}")
                continue
            elif key in BOOLEAN_KEYS and not isinstance(item, bool):
                found.add(where, f"must be true or false, not {type_name(item)}")
                continue
            children.append((item, where))
        stack.extend(reversed(children))


def _token_context(key: str, path: str) -> bool:
    """``id`` is a token on controls, groups, parameters, parts and roles; elsewhere (a system
    id, an external id) it is any string."""
    if key != "id":
        return True
    last = path.rsplit(".", 1)[-1].split("[", 1)[0]
    return last in ID_TOKEN_PARENTS


def _required(obj: dict[str, Any], list_key: str, path: str, found: _Found) -> None:
    for key in NESTED_REQUIRED.get(list_key, ()):
        if key not in obj:
            found.add(path, f"{key} is required")


def _tokens(items: list[Any], path: str, found: _Found) -> None:
    for i, item in enumerate(items):
        if isinstance(item, str) and not TOKEN_RE.match(item):
            found.add(f"{path}[{i}]", f"{item!r} is not a valid control id (an OSCAL token)")


def _check_catalog_ids(body: dict[str, Any], root: str, found: _Found) -> None:
    """Control, group, parameter and part ids are unique within a catalog.

    One exception: two parts of the same control sharing an id are tolerated, since FedRAMP's
    own Rev 5 MODERATE and HIGH baselines give two requirement items of CP-4 the id
    ``cp-4_fr_smt.1``; nothing refers to such parts but an alter's by-id (which takes the
    first)."""
    seen: dict[str, tuple[str, str | None]] = {}  # id -> (path, owning control for parts)

    stack: list[tuple[Any, str, str | None, bool]] = [(body, root, None, False)]
    while stack:
        obj, path, control, is_part = stack.pop()
        if not isinstance(obj, dict):
            continue
        ident = obj.get("id")
        if path != root and isinstance(ident, str):
            first = seen.setdefault(ident, (path, control if is_part else None))
            if first[0] != path and not (is_part and first[1] is not None and first[1] == control):
                found.add(f"{path}.id", f"duplicate id {ident!r} (also at {first[0]})")
        for key in ("groups", "controls", "params", "parts"):
            items = obj.get(key)
            if not isinstance(items, list):
                continue
            for i in reversed(range(len(items))):
                item = items[i]
                owner = control
                if key == "controls" and isinstance(item, dict):
                    owner = str(item.get("id"))
                stack.append((item, f"{path}.{key}[{i}]", owner, key == "parts"))


def _check_profile(body: dict[str, Any], root: str, found: _Found) -> None:
    imports = body.get("imports")
    if imports is None:
        found.add(root, "imports is required")
    elif isinstance(imports, list) and not imports:
        found.add(f"{root}.imports", "a profile imports at least one catalog or profile")
    for i, imp in enumerate(imports if isinstance(imports, list) else []):
        if not isinstance(imp, dict):
            continue
        where = f"{root}.imports[{i}]"
        if "include-all" in imp and "include-controls" in imp:
            found.add(where, "give include-all or include-controls, not both")
        for key in ("include-controls", "exclude-controls"):
            for j, sel in enumerate(imp.get(key) or []):
                if isinstance(sel, dict):
                    _check_selection(sel, f"{where}.{key}[{j}]", found)
    merge = body.get("merge")
    if isinstance(merge, dict):
        chosen = [k for k in ("as-is", "flat", "custom") if k in merge]
        if len(chosen) > 1:
            found.add(f"{root}.merge", f"give at most one of as-is, flat, custom (got {chosen})")
        combine = merge.get("combine")
        if isinstance(combine, dict) and combine.get("method", "use-first") not in COMBINE_METHODS:
            found.add(
                f"{root}.merge.combine.method",
                f"{combine.get('method')!r} is not one of {', '.join(COMBINE_METHODS)}",
            )
    modify = body.get("modify")
    if not isinstance(modify, dict):
        return
    alters = modify.get("alters")
    for i, alter in enumerate(alters if isinstance(alters, list) else []):
        if not isinstance(alter, dict):
            continue
        where = f"{root}.modify.alters[{i}]"
        for j, remove in enumerate(alter.get("removes") or []):
            if isinstance(remove, dict) and not any(k in remove for k in REMOVE_KEYS):
                found.add(f"{where}.removes[{j}]", f"give at least one of {', '.join(REMOVE_KEYS)}")
        for j, add in enumerate(alter.get("adds") or []):
            if isinstance(add, dict) and add.get("position", "ending") not in POSITIONS:
                found.add(
                    f"{where}.adds[{j}].position",
                    f"{add.get('position')!r} is not one of {', '.join(POSITIONS)}",
                )


def _check_selection(sel: dict[str, Any], path: str, found: _Found) -> None:
    if "with-child-controls" in sel and sel["with-child-controls"] not in ("yes", "no"):
        found.add(f"{path}.with-child-controls", "must be 'yes' or 'no'")
    if "with-ids" not in sel and "matching" not in sel:
        found.add(path, "give with-ids or matching")


# --- JSON schema --------------------------------------------------------------------------------

SCHEMA_FILES = {
    "catalog": "catalog",
    "profile": "profile",
    "system-security-plan": "ssp",
    "assessment-results": "assessment-results",
    "assessment-plan": "assessment-plan",
    "plan-of-action-and-milestones": "poam",
    "component-definition": "component",
    "mapping-collection": "mapping",
}


@functools.lru_cache(maxsize=512)
def _regex(pattern: str) -> Any:
    return regex.compile(pattern)


def _pattern(
    validator: Any, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not _regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


_OscalValidator = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _pattern})


@functools.lru_cache(maxsize=32)
def _validator(path: str, mtime_ns: int) -> Any:
    with open(path, encoding="utf-8") as handle:
        schema = json.load(handle)
    return _OscalValidator(schema)


def schema_validate(document_json: dict[str, Any], model: str, schema_dir: Path) -> list[Issue]:
    """Validate a whole JSON document (``{"catalog": ...}``) against
    ``schema_dir/oscal_<model>_schema.json``; ``model`` is the root key (``system-security-plan``)
    or the schema's short name (``ssp``)."""
    name = SCHEMA_FILES.get(model, model)
    path = Path(schema_dir) / f"oscal_{name}_schema.json"
    if not path.is_file():
        return [Issue("", f"no JSON schema for {model!r} in {schema_dir}")]
    validator = _validator(str(path), path.stat().st_mtime_ns)
    issues: list[Issue] = []
    for error in validator.iter_errors(document_json):
        while error.context:  # anyOf/oneOf: name the deepest reason, not the whole object
            error = max(error.context, key=lambda e: len(e.absolute_path))
        where = _json_path(error.absolute_path)
        message = error.message if len(error.message) <= 300 else error.message[:297] + "..."
        issues.append(Issue(where, message))
        if len(issues) >= MAX_ISSUES:
            break
    return issues


def _json_path(parts: Any) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
