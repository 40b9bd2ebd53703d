"""Load the framework data files shipped in ``openisms/catalog/data`` into the database, then
the mapping sets of ``data/mappings`` (``mapsets.py``).

Loading is idempotent: a file whose SHA-256 matches the loaded one is skipped with a single
query. A changed file is applied in place: requirements are matched by ref and updated,
new ones are added, and ones that vanished are marked retired (never deleted), so
organisation data that points at requirements survives upgrades. Everything for one
framework happens in one transaction, including the structural mapping set that its
``predecessors`` lists make (``<predecessor>-to-<framework>``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from openisms.catalog import mapsets, search
from openisms.catalog.errors import CatalogError
from openisms.catalog.mapsets import SetLoadResult
from openisms.catalog.models import Framework, MappingSet, Requirement, RequirementAttribute
from openisms.catalog.signals import framework_loaded
from openisms.orgs.models import Organization

DATA_DIR = Path(__file__).resolve().parent / "data"
SCHEMA = "openisms-framework/1"
REQUIRED_KEYS = ("slug", "name", "short_name", "version", "publisher", "content_version")
UPDATABLE = (
    "kind",
    "title",
    "position",
    "depth",
    "theme",
    "summary",
    "auditor_expects",
    "guidance",
    "is_new",
    "retired",
    "oscal_id",
    "oscal_uuid",
    "statement",
    "params",
    "withdrawn",
    "oscal",
)
# Framework fields an imported document may set (shipped files leave them at their defaults).
IMPORT_META = ("origin", "mapping_key", "oscal_uuid", "oscal_version")


@dataclass
class LoadResult:
    slug: str
    status: str  # "unchanged", "created", "updated"
    created: int = 0
    updated: int = 0
    retired: int = 0
    notes: list[str] = field(default_factory=list)
    structural: SetLoadResult | None = None  # the set made from the ``predecessors`` lists

    def __str__(self) -> str:
        text = f"{self.slug}: unchanged"
        if self.status != "unchanged":
            text = (
                f"{self.slug}: {self.status} ({self.created} added, {self.updated} updated, "
                f"{self.retired} retired)"
            )
        if self.structural is not None and self.structural.status != "unchanged":
            text += f"; {self.structural}"
        return text


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def read_file(path: Path) -> tuple[dict[str, Any], str]:
    raw = path.read_bytes()
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise CatalogError(f"{path.name}: not valid JSON ({exc})") from exc
    validate(doc, path.name)
    return doc, hashlib.sha256(raw).hexdigest()


def validate(doc: dict[str, Any], name: str) -> None:
    if doc.get("schema") != SCHEMA:
        raise CatalogError(f"{name}: 'schema' must be '{SCHEMA}'")
    for key in REQUIRED_KEYS:
        if not isinstance(doc.get(key), str) or not doc[key]:
            raise CatalogError(f"{name}: '{key}' is required")
    vocabulary: dict[str, list[str]] = doc.get("attribute_vocabulary", {})
    seen: set[str] = set()
    for index, req in enumerate(doc.get("requirements", []), start=1):
        where = f"{name}: requirement {index} ({req.get('ref', '?')})"
        for key in ("ref", "kind", "title"):
            if not isinstance(req.get(key), str) or not req[key].strip():
                raise CatalogError(f"{where}: '{key}' is required")
        if req["ref"] in seen:
            raise CatalogError(f"{where}: duplicate ref")
        parent = req.get("parent")
        if parent is not None and parent not in seen:
            raise CatalogError(f"{where}: parent '{parent}' must appear before its child")
        seen.add(req["ref"])
        for key, values in (req.get("attributes") or {}).items():
            allowed = vocabulary.get(key)
            if allowed is None:
                raise CatalogError(f"{where}: attribute '{key}' is not in attribute_vocabulary")
            bad = [v for v in values if v not in allowed]
            if bad or not values:
                raise CatalogError(f"{where}: attribute '{key}' has invalid values {bad or '[]'}")
    if not seen:
        raise CatalogError(f"{name}: no requirements")


def _order(items: Iterable[tuple[dict[str, Any], str]]) -> list[tuple[dict[str, Any], str]]:
    """Predecessor frameworks first, so transition mappings can point at them."""
    items = list(items)
    predecessors = {doc.get("predecessor_framework") for doc, _ in items}
    return sorted(items, key=lambda item: item[0]["slug"] not in predecessors)


def load_all(
    directory: Path = DATA_DIR, *, force: bool = False
) -> list[LoadResult | SetLoadResult]:
    """Every framework file, then every mapping-set file (``directory/mappings``); all files
    are read and validated before anything is written."""
    docs = [read_file(path) for path in data_files(directory)]
    sets = [mapsets.read_file(path) for path in mapsets.data_files(directory / "mappings")]
    _check_set_slugs(docs, sets)
    results: list[LoadResult | SetLoadResult] = [
        load_document(doc, digest, force=force) for doc, digest in _order(docs)
    ]
    results += [mapsets.load(doc, digest, force=force) for doc, digest in sets]
    return results


def _check_set_slugs(
    docs: list[tuple[dict[str, Any], str]], sets: list[tuple[dict[str, Any], str]]
) -> None:
    structural = {
        f"{doc['predecessor_framework']}-to-{doc['slug']}"
        for doc, _ in docs
        if doc.get("predecessor_framework")
    }
    seen: set[str] = set()
    for doc, _ in sets:
        slug = doc["slug"]
        if slug in seen or slug in structural:
            raise CatalogError(f"mapping set '{slug}' is defined twice")
        seen.add(slug)
    known = seen | structural | set(MappingSet.objects.values_list("slug", flat=True))
    for doc, _ in sets:
        missing = [s for s in doc.get("derived_via", []) if s not in known]
        if missing:
            raise CatalogError(f"mapping set '{doc['slug']}': derived_via names unknown {missing}")


@transaction.atomic
def load_document(
    doc: dict[str, Any],
    digest: str,
    *,
    force: bool = False,
    organization: Organization | None = None,
    baseline_of: Framework | None = None,
) -> LoadResult:
    """Create or update one framework from a validated document.

    Shipped files load with no ``organization``; an imported document (``oscal.services``)
    names the organisation it belongs to (None: the whole instance) and may only replace a
    framework of the same origin and owner.
    """
    slug = doc["slug"]
    framework = Framework.objects.filter(slug=slug).first()
    origin = doc.get("origin", Framework.Origin.SHIPPED)
    if framework is not None and (
        framework.origin != origin or framework.organization_id != getattr(organization, "pk", None)
    ):
        raise CatalogError(f"A framework with the slug '{slug}' already exists: choose another.")
    if framework is not None and framework.content_hash == digest and not force:
        structural = _load_predecessors(doc, digest, framework, force=False)
        return LoadResult(slug, "unchanged", structural=structural)
    meta = {
        "name": doc["name"],
        "short_name": doc["short_name"],
        "version": doc["version"],
        "publisher": doc["publisher"],
        "description": doc.get("description", ""),
        "status": doc.get("status", Framework.Status.CURRENT),
        "content_version": doc["content_version"],
        "content_hash": digest,
        "loaded_at": timezone.now(),
        **{key: doc[key] for key in IMPORT_META if key in doc},
        "organization": organization,
        "baseline_of": baseline_of,
    }
    status = "updated"
    if framework is None:
        framework = Framework.objects.create(slug=slug, **meta)
        status = "created"
    else:
        for key, value in meta.items():
            setattr(framework, key, value)
        framework.save()
    result = LoadResult(slug, status)
    existing = {r.ref: r for r in Requirement.objects.filter(framework=framework)}
    rows = _rows(doc)
    to_create: list[Requirement] = []
    to_update: list[Requirement] = []
    for row in rows:
        current = existing.get(row["ref"])
        if current is None:
            to_create.append(Requirement(framework=framework, ref=row["ref"], **_fields(row)))
            continue
        values = _fields(row)
        if any(getattr(current, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(current, key, value)
            to_update.append(current)
    listed = {row["ref"] for row in rows}
    for ref, current in existing.items():
        if ref not in listed and not current.retired:
            current.retired = True
            to_update.append(current)
            result.retired += 1
    Requirement.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Requirement.objects.bulk_update(to_update, UPDATABLE, batch_size=500)
    result.created = len(to_create)
    result.updated = len(to_update) - result.retired
    by_ref = {r.ref: r for r in Requirement.objects.filter(framework=framework)}
    _link_parents(rows, by_ref)
    _load_attributes(rows, by_ref)
    search.index_framework(framework)
    mapsets.resolve_framework(slug)
    result.structural = _load_predecessors(doc, digest, framework, force=force)
    framework_loaded.send(sender=Framework, framework=framework, created=result.created)
    return result


def _rows(doc: dict[str, Any]) -> list[dict[str, Any]]:
    depth: dict[str, int] = {}
    rows = []
    for position, req in enumerate(doc["requirements"], start=1):
        parent = req.get("parent")
        depth[req["ref"]] = depth[parent] + 1 if parent else 0
        rows.append({**req, "position": position, "depth": depth[req["ref"]]})
    return rows


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": row["kind"],
        "title": row["title"].strip(),
        "position": row["position"],
        "depth": row["depth"],
        "theme": row.get("theme", ""),
        "summary": row.get("summary", ""),
        "auditor_expects": row.get("auditor_expects", []),
        "guidance": row.get("guidance", {}),
        "is_new": bool(row.get("is_new", False)),
        "retired": False,
        "oscal_id": row.get("oscal_id", ""),
        "oscal_uuid": row.get("oscal_uuid", ""),
        "statement": row.get("statement", ""),
        "params": row.get("params", []),
        "withdrawn": bool(row.get("withdrawn", False)),
        "oscal": row.get("oscal", {}),
    }


def _link_parents(rows: list[dict[str, Any]], by_ref: dict[str, Requirement]) -> None:
    changed = []
    for row in rows:
        req = by_ref[row["ref"]]
        parent_id = by_ref[row["parent"]].pk if row.get("parent") else None
        if req.parent_id != parent_id:
            req.parent_id = parent_id
            changed.append(req)
    if changed:
        Requirement.objects.bulk_update(changed, ["parent"], batch_size=500)


def _load_attributes(rows: list[dict[str, Any]], by_ref: dict[str, Requirement]) -> None:
    ids = [r.pk for r in by_ref.values()]
    RequirementAttribute.objects.filter(requirement_id__in=ids).delete()
    RequirementAttribute.objects.bulk_create(
        [
            RequirementAttribute(requirement=by_ref[row["ref"]], key=key, value=value)
            for row in rows
            for key, values in (row.get("attributes") or {}).items()
            for value in values
        ],
        batch_size=1000,
    )


def _load_predecessors(
    doc: dict[str, Any], digest: str, framework: Framework, *, force: bool
) -> SetLoadResult | None:
    """Turn each requirement's ``predecessors`` list into the successor pairs of the framework
    file's structural mapping set; only that set's pairs are replaced, and only when the file
    changed (the set carries the file's SHA-256)."""
    predecessor_slug = doc.get("predecessor_framework")
    if not predecessor_slug:
        return None
    slug = f"{predecessor_slug}-to-{doc['slug']}"
    if not force and MappingSet.objects.filter(slug=slug, content_hash=digest).exists():
        return SetLoadResult(slug, "unchanged")
    old_framework = Framework.objects.filter(slug=predecessor_slug).first()
    if old_framework is None:
        raise CatalogError(
            f"{doc['slug']}: predecessor framework '{predecessor_slug}' is not loaded"
        )
    old = set(Requirement.objects.filter(framework=old_framework).values_list("ref", flat=True))
    for row in doc["requirements"]:
        for ref in row.get("predecessors", []):
            if ref not in old:
                raise CatalogError(f"{doc['slug']}: {row['ref']} names unknown predecessor {ref}")
    structural = mapsets.structural_document(
        doc, predecessor_name=old_framework.short_name, name=framework.short_name
    )
    assert structural is not None
    return mapsets.load(structural, digest, force=force)


def after_restore(using: str = "default") -> None:
    """After a restore at this version's schema: what ``openisms migrate`` would load (newer
    shipped catalogue files; unchanged ones are skipped by hash), then the SQLite search index,
    which lives outside the model tables and so is not in a backup."""
    load_all()
    search.reindex_all(using)
