"""Profile resolution: a profile plus the catalogs (or profiles) it imports -> a catalog.

Follows NIST's OSCAL profile resolution specification in spirit: select (include-all,
include-controls by id or glob pattern, with or without child controls, exclude-controls), merge
(as-is keeps the catalog's groups and nesting and brings in the parents of selected
enhancements, as NIST's and FedRAMP's resolved catalogs do; flat or no merge gives one flat list;
custom builds the groups the profile describes; combine use-first / merge / keep for controls
imported twice) and modify (set-parameters, alters with removes and adds).

Where the spec leaves the outcome to the tool: a set-parameter for a parameter that is not in the
result, an alter of a control that exists but was not selected, and an add whose by-id target is
not in the control are not errors (FedRAMP's Rev 5 profiles, written against catalog 5.1.1, meet
all three against 5.0.1); they are reported through the optional ``warnings`` list. A control id
that exists in no imported catalog is an error.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import uuid as uuidlib
from collections.abc import Callable, Iterator
from typing import Any

from openisms.oscal.documents import Document, load_document
from openisms.oscal.errors import Issue, OscalError
from openisms.oscal.validate import check

Loader = Callable[[str], Document]
RESOLUTION_TOOL = "OpenISMS profile resolver"
_NAMESPACE = uuidlib.UUID("6b1b0c4e-2f0c-5d6e-9a7b-4f5e6a7b8c9d")
_MEDIA_ORDER = ("json", "yaml", "xml")


def resolve_profile(
    profile: Document,
    *,
    load: Loader,
    warnings: list[Issue] | None = None,
    source_href: str = "",
) -> dict[str, Any]:
    """The resolved catalog document ``{"catalog": {...}}`` of ``profile``.

    ``load(href)`` turns an import's href (a back-matter rlink's href, or the import's own href)
    into a Document; it raises LookupError or OSError when it does not know the href (the next
    rlink is then tried) and OscalError when the document is bad. Raises OscalError listing every
    problem (unresolvable imports, import cycles, unknown control ids)."""
    resolver = _Resolver(load)
    body = resolver.resolve(profile, (), source_href)
    if warnings is not None:
        warnings.extend(resolver.warnings)
    return {"catalog": body}


def deep_copy(value: Any) -> Any:
    """A copy of plain JSON (faster than copy.deepcopy for this)."""
    if isinstance(value, dict):
        return {k: deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [deep_copy(v) for v in value]
    return value


class _Index:
    """The controls of one catalog, by id, in document order."""

    def __init__(self, catalog: dict[str, Any]) -> None:
        self.catalog = catalog
        self.controls: dict[str, dict[str, Any]] = {}
        self.children: dict[str, list[str]] = {}
        self.order: list[str] = []
        for control in self._walk(catalog):
            ident = control.get("id")
            if isinstance(ident, str) and ident not in self.controls:
                self.controls[ident] = control
                self.order.append(ident)
                self.children[ident] = [
                    c["id"]
                    for c in control.get("controls") or []
                    if isinstance(c, dict) and isinstance(c.get("id"), str)
                ]

    def _walk(self, node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        for control in node.get("controls") or []:
            if isinstance(control, dict):
                yield control
                yield from self._walk(control)
        for group in node.get("groups") or []:
            if isinstance(group, dict):
                yield from self._walk(group)

    def descendants(self, ident: str) -> Iterator[str]:
        for child in self.children.get(ident, ()):
            yield child
            yield from self.descendants(child)


class _Resolver:
    def __init__(self, load: Loader) -> None:
        self.load = load
        self.issues: list[Issue] = []
        self.warnings: list[Issue] = []

    # --- entry -----------------------------------------------------------------------------

    def resolve(
        self, profile: Document, stack: tuple[str, ...], source_href: str
    ) -> dict[str, Any]:
        if profile.model != "profile":
            raise OscalError([Issue(profile.model, "not a profile")])
        problems = check(profile)
        if problems:
            raise OscalError(problems)
        body = profile.body
        key = str(body.get("uuid"))
        if key in stack:
            raise OscalError(
                [Issue("profile.imports", f"import cycle: profile {key} imports itself")]
            )
        imported: list[tuple[_Index, list[str]]] = []
        for i, imp in enumerate(body.get("imports") or []):
            where = f"profile.imports[{i}]"
            source = self._import_source(imp.get("href", ""), body, where, (*stack, key))
            if source is None:
                continue
            index = _Index(source)
            selected = self._select(imp, index, where)
            imported.append((index, selected))
        if self.issues:
            raise OscalError(self.issues)
        merge = body.get("merge") or {}
        method = (merge.get("combine") or {}).get("method", "use-first")
        if "custom" in merge:
            structure = self._custom(merge["custom"], imported, method)
        elif merge.get("as-is") is True:
            structure = self._as_is(imported, method)
        else:
            structure = {"controls": self._flat(imported, method)}
        catalog: dict[str, Any] = {
            "uuid": str(uuidlib.uuid5(_NAMESPACE, key)),
            "metadata": self._metadata(body, source_href),
        }
        catalog.update(structure)
        self._modify(body.get("modify") or {}, catalog, imported)
        back_matter = self._back_matter(body, imported)
        if back_matter:
            catalog["back-matter"] = back_matter
        if self.issues:
            raise OscalError(self.issues)
        return catalog

    # --- imports ---------------------------------------------------------------------------

    def _import_source(
        self, href: str, profile: dict[str, Any], where: str, stack: tuple[str, ...]
    ) -> dict[str, Any] | None:
        doc = self._load_href(href, profile, where)
        if doc is None:
            return None
        if doc.model == "catalog":
            return doc.body
        if doc.model == "profile":
            return self.resolve(doc, stack, href)
        self.issues.append(
            Issue(where, f"import {href} is a {doc.model}, not a catalog or profile")
        )
        return None

    def _load_href(self, href: str, profile: dict[str, Any], where: str) -> Document | None:
        candidates = [href]
        if href.startswith("#"):
            resource = _resource(profile, href[1:])
            if resource is None:
                self.issues.append(
                    Issue(f"{where}.href", f"no back-matter resource {href[1:]} for import {href}")
                )
                return None
            encoded = resource.get("base64")
            if isinstance(encoded, dict) and isinstance(encoded.get("value"), str):
                try:
                    data = base64.b64decode(encoded["value"], validate=False)
                except (binascii.Error, ValueError):
                    self.issues.append(Issue(f"{where}.href", f"resource {href}: bad base64"))
                    return None
                return load_document(data, filename=str(encoded.get("filename", "")))
            candidates = [*_rlinks(resource), href]
        for candidate in candidates:
            try:
                return self.load(candidate)
            except (LookupError, OSError):
                continue
        self.issues.append(
            Issue(f"{where}.href", f"cannot resolve import href {href}: give the catalog")
        )
        return None

    def _select(self, imp: dict[str, Any], index: _Index, where: str) -> list[str]:
        if "include-controls" in imp:
            included = self._matches(imp["include-controls"], index, f"{where}.include-controls")
        else:  # include-all, or nothing said
            included = set(index.order)
        excluded = self._matches(
            imp.get("exclude-controls") or [], index, f"{where}.exclude-controls"
        )
        return [ident for ident in index.order if ident in included and ident not in excluded]

    def _matches(self, selections: list[Any], index: _Index, where: str) -> set[str]:
        chosen: set[str] = set()
        for i, sel in enumerate(selections):
            found: list[str] = []
            for j, ident in enumerate(sel.get("with-ids") or []):
                if ident in index.controls:
                    found.append(ident)
                else:
                    self.issues.append(
                        Issue(f"{where}[{i}].with-ids[{j}]", f"unknown control id {ident!r}")
                    )
            for match in sel.get("matching") or []:
                pattern = match.get("pattern", "")
                found.extend(i for i in index.order if fnmatch.fnmatchcase(i, pattern))
            chosen.update(found)
            if sel.get("with-child-controls") == "yes":
                for ident in found:
                    chosen.update(index.descendants(ident))
        return chosen

    # --- merge -----------------------------------------------------------------------------

    def _as_is(self, imported: list[tuple[_Index, list[str]]], method: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for index, selected in imported:
            keep = set(selected)
            tree = {
                "controls": _filter_controls(index.catalog.get("controls") or [], keep),
                "groups": _filter_groups(index.catalog.get("groups") or [], keep),
            }
            _merge_into(result, tree, method)
        return {k: v for k, v in result.items() if v}

    def _flat(self, imported: list[tuple[_Index, list[str]]], method: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        position: dict[str, int] = {}
        for index, selected in imported:
            for ident in selected:
                control = _without(index.controls[ident], "controls")
                if ident in position and method != "keep":
                    if method == "merge":
                        _merge_objects(out[position[ident]], control)
                    continue
                position.setdefault(ident, len(out))
                out.append(control)
        return out

    def _custom(
        self, custom: dict[str, Any], imported: list[tuple[_Index, list[str]]], method: str
    ) -> dict[str, Any]:
        pool = self._flat(imported, method)
        by_id = {c["id"]: c for c in pool}
        order = [c["id"] for c in pool]
        placed: set[str] = set()

        def insert(spec_list: list[Any]) -> list[dict[str, Any]]:
            out: list[dict[str, Any]] = []
            for spec in spec_list:
                if "include-controls" in spec:
                    wanted: set[str] = set()
                    for sel in spec["include-controls"]:
                        wanted.update(x for x in sel.get("with-ids") or [] if x in by_id)
                        for m in sel.get("matching") or []:
                            wanted.update(
                                x for x in order if fnmatch.fnmatchcase(x, m.get("pattern", ""))
                            )
                else:
                    wanted = set(order) - placed
                ids = [x for x in order if x in wanted]
                if spec.get("order") == "ascending":
                    ids.sort()
                elif spec.get("order") == "descending":
                    ids.sort(reverse=True)
                placed.update(ids)
                out.extend(by_id[x] for x in ids)
            return out

        def groups(specs: list[Any]) -> list[dict[str, Any]]:
            out = []
            for spec in specs:
                group = {
                    k: deep_copy(v)
                    for k, v in spec.items()
                    if k not in ("groups", "insert-controls")
                }
                controls = insert(spec.get("insert-controls") or [])
                if controls:
                    group["controls"] = controls
                sub = groups(spec.get("groups") or [])
                if sub:
                    group["groups"] = sub
                out.append(group)
            return out

        result: dict[str, Any] = {}
        top = insert(custom.get("insert-controls") or [])
        if top:
            result["controls"] = top
        grouped = groups(custom.get("groups") or [])
        if grouped:
            result["groups"] = grouped
        return result

    # --- modify ----------------------------------------------------------------------------

    def _modify(
        self,
        modify: dict[str, Any],
        catalog: dict[str, Any],
        imported: list[tuple[_Index, list[str]]],
    ) -> None:
        controls = {c["id"]: c for c in _Index(catalog).controls.values()}
        params: dict[str, dict[str, Any]] = {}
        for holder in _param_holders(catalog):
            for param in holder.get("params") or []:
                params.setdefault(param.get("id"), param)
        for i, setting in enumerate(modify.get("set-parameters") or []):
            where = f"profile.modify.set-parameters[{i}]"
            param = params.get(setting.get("param-id"))
            if param is None:
                self.warnings.append(
                    Issue(where, f"parameter {setting.get('param-id')!r} is not in the result")
                )
                continue
            _set_parameter(param, setting)
        known = set().union(*(index.controls for index, _ in imported)) if imported else set()
        for i, alter in enumerate(modify.get("alters") or []):
            where = f"profile.modify.alters[{i}]"
            ident = alter.get("control-id")
            control = controls.get(ident)
            if control is None:
                if ident in known:
                    self.warnings.append(Issue(where, f"control {ident!r} was not selected"))
                else:
                    self.issues.append(
                        Issue(f"{where}.control-id", f"unknown control id {ident!r}")
                    )
                continue
            for remove in alter.get("removes") or []:
                _remove(control, remove)
            for j, add in enumerate(alter.get("adds") or []):
                problem = _add(control, add)
                if problem:
                    target = self.issues if problem[0] == "error" else self.warnings
                    target.append(Issue(f"{where}.adds[{j}]", problem[1]))

    # --- metadata --------------------------------------------------------------------------

    def _metadata(self, profile: dict[str, Any], source_href: str) -> dict[str, Any]:
        source = profile.get("metadata") or {}
        metadata = {
            k: deep_copy(v)
            for k, v in source.items()
            if k
            in (
                "title",
                "published",
                "last-modified",
                "version",
                "oscal-version",
                "props",
                "links",
                "roles",
                "parties",
                "responsible-parties",
                "locations",
                "remarks",
            )
        }
        metadata.setdefault("oscal-version", "1.1.3")
        metadata["props"] = [
            *metadata.get("props", []),
            {"name": "resolution-tool", "value": RESOLUTION_TOOL},
        ]
        href = source_href or f"urn:uuid:{profile.get('uuid')}"
        metadata["links"] = [*metadata.get("links", []), {"href": href, "rel": "source-profile"}]
        return metadata

    def _back_matter(
        self, profile: dict[str, Any], imported: list[tuple[_Index, list[str]]]
    ) -> dict[str, Any]:
        resources: list[dict[str, Any]] = []
        seen: set[str] = set()
        import_refs = {
            imp.get("href", "")[1:] for imp in profile.get("imports") or [] if isinstance(imp, dict)
        }
        sources = [index.catalog for index, _ in imported] + [profile]
        for source in sources:
            for resource in (source.get("back-matter") or {}).get("resources") or []:
                ident = resource.get("uuid")
                if ident in seen or (source is profile and ident in import_refs):
                    continue
                seen.add(ident)
                resources.append(deep_copy(resource))
        return {"resources": resources} if resources else {}


# --- helpers ---------------------------------------------------------------------------------


def _resource(profile: dict[str, Any], ident: str) -> dict[str, Any] | None:
    for resource in (profile.get("back-matter") or {}).get("resources") or []:
        if isinstance(resource, dict) and resource.get("uuid") == ident:
            return resource
    return None


def _rlinks(resource: dict[str, Any]) -> list[str]:
    links = [r for r in resource.get("rlinks") or [] if isinstance(r, dict) and r.get("href")]

    def rank(rlink: dict[str, Any]) -> int:
        media = str(rlink.get("media-type", "")) + str(rlink["href"]).lower()
        return next((n for n, kind in enumerate(_MEDIA_ORDER) if kind in media), len(_MEDIA_ORDER))

    return [str(r["href"]) for r in sorted(links, key=rank)]


def _without(obj: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: deep_copy(v) for k, v in obj.items() if k not in keys}


def _filter_controls(controls: list[Any], keep: set[str]) -> list[dict[str, Any]]:
    out = []
    for control in controls:
        if not isinstance(control, dict):
            continue
        kids = _filter_controls(control.get("controls") or [], keep)
        if control.get("id") in keep or kids:
            copy = _without(control, "controls")
            if kids:
                copy["controls"] = kids
            out.append(copy)
    return out


def _filter_groups(groups: list[Any], keep: set[str]) -> list[dict[str, Any]]:
    out = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        controls = _filter_controls(group.get("controls") or [], keep)
        subgroups = _filter_groups(group.get("groups") or [], keep)
        if controls or subgroups:
            copy = _without(group, "controls", "groups")
            if controls:
                copy["controls"] = controls
            if subgroups:
                copy["groups"] = subgroups
            out.append(copy)
    return out


def _merge_into(target: dict[str, Any], tree: dict[str, Any], method: str) -> None:
    """Merge an as-is tree into the result: groups with the same id (or title) join, a control
    imported twice is kept once (use-first), merged (merge) or kept twice (keep)."""
    for key in ("controls", "groups"):
        items = tree.get(key) or []
        existing = target.setdefault(key, [])
        for item in items:
            match = None
            if method != "keep" or key == "groups":
                match = next((e for e in existing if _same(e, item, key)), None)
            if match is None:
                existing.append(item)
            elif key == "groups" or method == "merge":
                if method == "merge" and key == "controls":
                    _merge_objects(match, _without(item, "controls"))
                _merge_into(match, item, method)
            else:  # use-first: keep the first, still merge in children it lacks
                _merge_into(match, {"controls": item.get("controls") or []}, method)


def _same(a: dict[str, Any], b: dict[str, Any], key: str) -> bool:
    if a.get("id") or b.get("id"):
        return bool(a.get("id") == b.get("id"))
    return key == "groups" and a.get("title") == b.get("title")


def _merge_objects(target: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if key not in target:
            target[key] = value
        elif isinstance(value, list) and isinstance(target[key], list):
            ids = {x.get("id") for x in target[key] if isinstance(x, dict) and x.get("id")}
            target[key].extend(
                x
                for x in value
                if not (isinstance(x, dict) and x.get("id") in ids) and x not in target[key]
            )


def _param_holders(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for key in ("groups", "controls"):
        for child in node.get(key) or []:
            if isinstance(child, dict):
                yield from _param_holders(child)


_REPLACED = ("class", "depends-on", "label", "usage", "values", "select", "how-many")
_APPENDED = ("props", "links", "constraints", "guidelines")


def _set_parameter(param: dict[str, Any], setting: dict[str, Any]) -> None:
    for key in _REPLACED:
        if key in setting:
            param[key] = deep_copy(setting[key])
    for key in _APPENDED:
        if key in setting:
            param[key] = [*param.get(key, []), *deep_copy(setting[key])]


_ITEM_KEYS = {"params": "param", "props": "prop", "links": "link", "parts": "part"}


def _remove(control: dict[str, Any], remove: dict[str, Any]) -> None:
    def matches(item: dict[str, Any], item_name: str) -> bool:
        checks = (
            ("by-name", item.get("name")),
            ("by-class", item.get("class")),
            ("by-id", item.get("id")),
            ("by-item-name", item_name),
            ("by-ns", item.get("ns")),
        )
        return all(remove[k] == v for k, v in checks if k in remove)

    def prune(node: dict[str, Any]) -> None:
        for key, item_name in _ITEM_KEYS.items():
            items = node.get(key)
            if not isinstance(items, list):
                continue
            kept = [x for x in items if not (isinstance(x, dict) and matches(x, item_name))]
            if kept:
                node[key] = kept
            else:
                node.pop(key)
            for x in kept:
                if isinstance(x, dict) and key in ("parts", "params"):
                    prune(x)

    prune(control)


def _find(node: dict[str, Any], ident: str) -> tuple[dict[str, Any], str, dict[str, Any]] | None:
    """(parent, list key, item) of the part or parameter ``ident`` inside ``node``."""
    for key in ("parts", "params"):
        for item in node.get(key) or []:
            if not isinstance(item, dict):
                continue
            if item.get("id") == ident:
                return node, key, item
            if key == "parts":
                found = _find(item, ident)
                if found:
                    return found
    return None


def _add(control: dict[str, Any], add: dict[str, Any]) -> tuple[str, str] | None:
    position = add.get("position", "ending")
    target_id = add.get("by-id")
    new: dict[str, list[Any]] = {
        k: deep_copy(add[k]) for k in ("params", "props", "links", "parts") if k in add
    }
    if target_id is None or target_id == control.get("id"):
        if position in ("before", "after"):
            return ("error", f"position {position} needs a by-id of a part or parameter")
        target = control
    else:
        found = _find(control, target_id)
        if found is None:
            return ("warning", f"{target_id!r} is not a part or parameter of {control.get('id')}")
        parent, key, target = found
        if position in ("before", "after"):
            siblings = parent[key]
            at = siblings.index(target) + (1 if position == "after" else 0)
            siblings[at:at] = new.pop(key, [])
            for other, items in new.items():
                parent[other] = [*parent.get(other, []), *items]
            if "title" in add:
                target["title"] = add["title"]
            return None
    if "title" in add:
        target["title"] = add["title"]
    for key, items in new.items():
        existing = target.get(key, [])
        target[key] = [*items, *existing] if position == "starting" else [*existing, *items]
    return None
