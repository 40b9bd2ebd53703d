"""The mapping-set data file (``openisms-mapping-set/1``): validation, writing and composition.

Plain Python with no database, so that the generator in ``scripts/`` and the tests can use it
without Django. The loader (``mapsets.py``) puts validated documents into the database; the
format is described in docs/catalog-format.md.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from typing import Any

SCHEMA = "openisms-mapping-set/1"
KINDS = ("official", "derived", "structural", "user")
# NIST OLIR's relationship types, and the succession of one edition by the next.
RELATIONSHIPS = ("equal", "subset", "superset", "intersects", "successor")
SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
REQUIRED = {
    "slug": 120,
    "name": 200,
    "source_framework": 60,
    "target_framework": 60,
    "publisher": 120,
    "kind": 12,
    "content_version": 40,
}
OPTIONAL_TEXT = {"document": 300, "version": 40, "description": 4000}
HEADER_KEYS = {"schema", "pairs", "published", "derived_via", "ref_aliases", *REQUIRED}
HEADER_KEYS |= set(OPTIONAL_TEXT)
PAIR_KEYS = {"source", "target", "relationship", "strength", "rationale"}
MAX_REF = 60
HINTS = {"equivalent": "equal", "intersect": "intersects", "intersects_with": "intersects"}


def problems(doc: Any) -> list[str]:
    """Every problem of a mapping-set document, each naming the field or the pair at fault."""
    if not isinstance(doc, dict):
        return ["the file must hold one JSON object"]
    found = [f"unknown field '{key}'" for key in doc if key not in HEADER_KEYS]
    if doc.get("schema") != SCHEMA:
        found.append(f"'schema' must be '{SCHEMA}'")
    for key, limit in REQUIRED.items():
        value = doc.get(key)
        if not isinstance(value, str) or not value.strip():
            found.append(f"'{key}' is required")
        elif len(value) > limit:
            found.append(f"'{key}' is longer than {limit} characters")
    for key, limit in OPTIONAL_TEXT.items():
        value = doc.get(key, "")
        if not isinstance(value, str):
            found.append(f"'{key}' must be text")
        elif len(value) > limit:
            found.append(f"'{key}' is longer than {limit} characters")
    for key in ("slug", "source_framework", "target_framework"):
        value = doc.get(key)
        if isinstance(value, str) and value and not SLUG.match(value):
            found.append(
                f"'{key}' must be lower-case letters, digits, '.', '-' or '_' (got '{value}')"
            )
    kind = doc.get("kind")
    if isinstance(kind, str) and kind and kind not in KINDS:
        found.append(f"'kind' must be one of {', '.join(KINDS)} (got '{kind}')")
    if kind == "official" and not doc.get("document"):
        found.append("'document' is required for an official set: name the source document")
    found.extend(_published_problems(doc.get("published")))
    found.extend(_derived_via_problems(doc.get("derived_via", []), kind))
    found.extend(_alias_problems(doc.get("ref_aliases", {})))
    pairs = doc.get("pairs")
    if not isinstance(pairs, list) or not pairs:
        found.append("'pairs' must be a non-empty list")
    else:
        found.extend(pair_problems(pairs))
    return found


def _published_problems(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            pass
        else:
            if len(value) == 10:
                return []
    return [f"'published' must be a date written YYYY-MM-DD, or null (got {value!r})"]


def _derived_via_problems(value: Any, kind: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) and SLUG.match(s) for s in value):
        return ["'derived_via' must be a list of mapping-set slugs"]
    if kind == "derived" and len(value) < 2:
        return ["'derived_via' must name the sets a derived set was composed from, in order"]
    if kind != "derived" and value:
        return ["'derived_via' is only for sets of kind 'derived'"]
    return []


def _alias_problems(value: Any) -> list[str]:
    shape = '\'ref_aliases\' must look like {"source": {"ref as written": "our ref"}, ...}'
    if not isinstance(value, dict) or set(value) - {"source", "target"}:
        return [shape]
    for side in value.values():
        if not isinstance(side, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in side.items()
        ):
            return [shape]
    return []


def pair_problems(pairs: Sequence[Any]) -> list[str]:
    found: list[str] = []
    first_seen: dict[tuple[str, str, str], int] = {}
    for number, pair in enumerate(pairs, start=1):
        if not isinstance(pair, dict):
            found.append(f"pair {number}: must be an object with source, target, relationship")
            continue
        where = f"pair {number} ({pair.get('source', '?')} -> {pair.get('target', '?')})"
        found.extend(f"{where}: unknown field '{key}'" for key in pair if key not in PAIR_KEYS)
        for key in ("source", "target", "relationship"):
            value = pair.get(key)
            if not isinstance(value, str) or not value.strip():
                found.append(f"{where}: '{key}' is required")
            elif value != value.strip():
                found.append(f"{where}: '{key}' has spaces around it")
            elif key != "relationship" and len(value) > MAX_REF:
                found.append(f"{where}: '{key}' is longer than {MAX_REF} characters")
        relationship = pair.get("relationship")
        if isinstance(relationship, str) and relationship and relationship not in RELATIONSHIPS:
            hint = f"; did you mean '{HINTS[relationship]}'?" if relationship in HINTS else ""
            found.append(
                f"{where}: unknown relationship '{relationship}' "
                f"(allowed: {', '.join(RELATIONSHIPS)}){hint}"
            )
        strength = pair.get("strength")
        if strength is not None and (
            isinstance(strength, bool) or not isinstance(strength, int) or not 1 <= strength <= 10
        ):
            found.append(f"{where}: 'strength' must be a whole number from 1 to 10, or absent")
        if not isinstance(pair.get("rationale", ""), str):
            found.append(f"{where}: 'rationale' must be text")
        identity = (pair.get("source"), pair.get("target"), pair.get("relationship"))
        if all(isinstance(part, str) for part in identity):
            typed = (str(identity[0]), str(identity[1]), str(identity[2]))
            if typed in first_seen:
                found.append(
                    f"{where}: duplicate of pair {first_seen[typed]} "
                    "(same source, target and relationship)"
                )
            else:
                first_seen[typed] = number
    return found


def dumps(doc: dict[str, Any]) -> str:
    """The file as we commit it: the header indented, then one pair per line (short diffs)."""
    header = json.dumps(
        {k: v for k, v in doc.items() if k != "pairs"}, indent=2, ensure_ascii=False
    )
    pairs = ",\n".join("    " + json.dumps(p, ensure_ascii=False) for p in doc["pairs"])
    return header[: -len("\n}")] + ',\n  "pairs": [\n' + pairs + "\n  ]\n}\n"


# --- composition ------------------------------------------------------------------------------

_NUMBER = re.compile(r"(\d+)")


def ref_key(ref: str) -> tuple[tuple[int, int, str], ...]:
    """Natural order of refs: 4.1 < 6.1.2 < 10.1 < A.5.1 < A.5.10; AC-2 < AC-2(12) < AC-10."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in _NUMBER.split(ref)
        if part
    )


def compose_relationship(first: str, second: str) -> str:
    """What one path A -(first)-> B -(second)-> C says about A and C.

    Equality passes the other relationship through, and a chain of subsets (or supersets)
    stays one; anything else only says that A and C may overlap: ``intersects``.
    """
    if first == "equal":
        return second if second != "successor" else "intersects"
    if second == "equal":
        return first if first != "successor" else "intersects"
    if first == second and first in ("subset", "superset"):
        return first
    return "intersects"


def combine_relationships(found: Iterable[str]) -> str:
    """The strongest statement several paths between the same two refs support together."""
    kinds = set(found)
    if "equal" in kinds or {"subset", "superset"} <= kinds:
        return "equal"
    for kind in ("subset", "superset"):
        if kind in kinds:
            return kind
    return "intersects"


def compose(
    first: Sequence[dict[str, Any]], second: Sequence[dict[str, Any]], *, via: str
) -> list[dict[str, Any]]:
    """Pairs A -> C for every A -> B of ``first`` and B -> C of ``second``.

    Deterministic: sources in the order they first appear in ``first``, targets of each source
    in natural ref order. Each pair's rationale names its path: the refs of ``via`` (the middle
    framework) it went through. Refs of the middle framework must be written the same way in
    both sets; a ref that appears in only one of them leads nowhere.
    """
    onward: dict[str, list[tuple[str, str]]] = {}
    for pair in second:
        onward.setdefault(pair["source"], []).append((pair["target"], pair["relationship"]))
    sources: dict[str, dict[str, dict[str, set[str]]]] = {}
    for pair in first:
        targets = sources.setdefault(pair["source"], {})
        for target, relationship in onward.get(pair["target"], []):
            path = targets.setdefault(target, {"via": set(), "relationships": set()})
            path["via"].add(pair["target"])
            path["relationships"].add(compose_relationship(pair["relationship"], relationship))
    out = []
    for source, targets in sources.items():
        for target in sorted(targets, key=ref_key):
            path = targets[target]
            middle = ", ".join(sorted(path["via"], key=ref_key))
            out.append(
                {
                    "source": source,
                    "target": target,
                    "relationship": combine_relationships(path["relationships"]),
                    "rationale": f"via {via} {middle}",
                }
            )
    return out


def derive(
    first: dict[str, Any],
    second: dict[str, Any],
    *,
    slug: str,
    name: str,
    publisher: str,
    document: str,
    description: str,
    content_version: str,
) -> dict[str, Any]:
    """A ``derived`` set from ``first`` (A -> B) and ``second`` (B -> C): A -> C through B.

    The source refs keep ``first``'s spelling and aliases, the target refs ``second``'s.
    """
    via = first["target_framework"]
    if second["source_framework"] != via:
        raise ValueError(f"{first['slug']} ends at {via}, {second['slug']} does not start there")
    aliases = {}
    if first.get("ref_aliases", {}).get("source"):
        aliases["source"] = first["ref_aliases"]["source"]
    if second.get("ref_aliases", {}).get("target"):
        aliases["target"] = second["ref_aliases"]["target"]
    doc: dict[str, Any] = {
        "schema": SCHEMA,
        "slug": slug,
        "name": name,
        "source_framework": first["source_framework"],
        "target_framework": second["target_framework"],
        "kind": "derived",
        "publisher": publisher,
        "document": document,
        "derived_via": [first["slug"], second["slug"]],
        "description": description,
        "content_version": content_version,
    }
    if aliases:
        doc["ref_aliases"] = aliases
    doc["pairs"] = compose(first["pairs"], second["pairs"], via=via)
    return doc
