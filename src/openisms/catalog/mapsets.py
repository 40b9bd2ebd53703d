"""Load mapping-set data files (``data/mappings/*.json``) and link their pairs to requirements.

Like framework files, a set file whose SHA-256 matches the loaded one is skipped. A changed file
replaces that set's own pairs (never another set's) in one transaction. Pairs name refs as the
source document writes them; :func:`resolve` points them at our requirements where the
framework and the ref exist, and runs again whenever a framework or a set loads, so a set loaded
before its framework links up later.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from openisms.catalog import mapping_format
from openisms.catalog.errors import CatalogError
from openisms.catalog.models import Framework, Mapping, MappingSet, Requirement

DATA_DIR = Path(__file__).resolve().parent / "data" / "mappings"
SHOWN_PROBLEMS = 50


class MappingFileError(CatalogError):
    """A mapping-set file is invalid; ``problems`` lists every one, by field or pair."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        shown = problems[:SHOWN_PROBLEMS]
        more = len(problems) - len(shown)
        lines = [f"{name}: {p}" for p in shown]
        if more:
            lines.append(f"{name}: ... and {more} more")
        super().__init__("\n".join(lines))


@dataclass
class SetLoadResult:
    slug: str
    status: str  # "unchanged", "created", "updated"
    pairs: int = 0
    resolved: int = 0

    def __str__(self) -> str:
        if self.status == "unchanged":
            return f"{self.slug}: unchanged"
        return f"{self.slug}: {self.status} ({self.pairs} pairs, {self.resolved} linked)"


def data_files(directory: Path = DATA_DIR) -> list[Path]:
    return sorted(directory.glob("*.json"))


def parse(raw: bytes, name: str) -> tuple[dict[str, Any], str]:
    """The validated document and the SHA-256 of its bytes; every problem at once if invalid."""
    try:
        doc = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise MappingFileError(name, [f"not valid JSON ({exc})"]) from exc
    found = mapping_format.problems(doc)
    if found:
        raise MappingFileError(name, found)
    return doc, hashlib.sha256(raw).hexdigest()


def read_file(path: Path) -> tuple[dict[str, Any], str]:
    return parse(path.read_bytes(), path.name)


class _Resolver:
    """Requirement ids by framework slug and ref, read once per framework."""

    def __init__(self) -> None:
        self._ids: dict[str, dict[str, int]] = {}

    def ids(self, framework: str) -> dict[str, int]:
        if framework not in self._ids:
            self._ids[framework] = dict(
                Requirement.objects.filter(framework__slug=framework).values_list("ref", "id")
            )
        return self._ids[framework]

    def side(self, mapping_set: MappingSet, side: str) -> dict[str, int]:
        """Ref as the document writes it -> requirement id."""
        framework = (
            mapping_set.source_framework if side == "source" else mapping_set.target_framework
        )
        ids = self.ids(framework)
        aliases: dict[str, str] = (mapping_set.ref_aliases or {}).get(side, {})
        if not aliases:
            return ids
        return {**ids, **{alias: ids[ref] for alias, ref in aliases.items() if ref in ids}}


def resolve(sets: Iterable[MappingSet]) -> None:
    """Point each pair of these sets at the requirements its refs name (or at none).

    Set-based: per set and side, one UPDATE with a subquery on the (framework, ref) index,
    then one per alias; no pair is read into Python. Only frameworks every organisation sees
    are linked: an organisation's own import is matched by ref where it is used
    (``soa.coverage``), so that its text never shows through a shared set.
    """
    frameworks = dict(Framework.objects.filter(organization__isnull=True).values_list("slug", "id"))
    for mapping_set in sets:
        pairs = Mapping.objects.filter(mapping_set=mapping_set)
        for side, framework in (
            ("source", mapping_set.source_framework),
            ("target", mapping_set.target_framework),
        ):
            framework_id = frameworks.get(framework)
            if framework_id is None:
                pairs.exclude(**{f"{side}__isnull": True}).update(**{side: None})
                continue
            same_ref = Requirement.objects.filter(
                framework_id=framework_id, ref=OuterRef(f"{side}_ref")
            ).values("id")[:1]
            pairs.update(**{side: Subquery(same_ref)})
            aliases: dict[str, str] = (mapping_set.ref_aliases or {}).get(side, {})
            if aliases:
                ids = dict(
                    Requirement.objects.filter(
                        framework_id=framework_id, ref__in=aliases.values()
                    ).values_list("ref", "id")
                )
                for alias, ref in aliases.items():
                    pairs.filter(**{f"{side}_ref": alias}).update(**{side: ids.get(ref)})


def resolve_framework(slug: str) -> None:
    """After a framework loads: re-link every set that names it."""
    resolve(MappingSet.objects.filter(Q(source_framework=slug) | Q(target_framework=slug)))


def header(doc: dict[str, Any], digest: str) -> dict[str, Any]:
    published = doc.get("published")
    return {
        "name": doc["name"],
        "source_framework": doc["source_framework"],
        "target_framework": doc["target_framework"],
        "publisher": doc["publisher"],
        "document": doc.get("document", ""),
        "version": doc.get("version", ""),
        "published": dt.date.fromisoformat(published) if published else None,
        "kind": doc["kind"],
        "derived_via": list(doc.get("derived_via", [])),
        "ref_aliases": doc.get("ref_aliases", {}),
        "description": doc.get("description", ""),
        "content_version": doc["content_version"],
        "content_hash": digest,
        "loaded_at": timezone.now(),
    }


@transaction.atomic
def load(doc: dict[str, Any], digest: str, *, force: bool = False) -> SetLoadResult:
    """Create or replace one set from a validated document (see :func:`parse`).

    A shipped file never replaces a set a user imported under the same slug, and the other way
    round; the caller decides which kinds it may write (``services.mapping_set_import``).
    """
    slug = doc["slug"]
    mapping_set = MappingSet.objects.filter(slug=slug).first()
    if mapping_set is not None and mapping_set.content_hash == digest and not force:
        return SetLoadResult(slug, "unchanged")
    if mapping_set is not None and (mapping_set.kind == MappingSet.Kind.USER) != (
        doc["kind"] == MappingSet.Kind.USER
    ):
        raise CatalogError(
            f"{slug}: a set of kind '{mapping_set.kind}' with this slug is already loaded; "
            f"a '{doc['kind']}' set may not replace it"
        )
    status = "updated"
    if mapping_set is None:
        mapping_set = MappingSet.objects.create(slug=slug, **header(doc, digest))
        status = "created"
    else:
        for key, value in header(doc, digest).items():
            setattr(mapping_set, key, value)
        mapping_set.save()
        mapping_set.pairs.all().delete()
    resolver = _Resolver()
    sources = resolver.side(mapping_set, "source")
    targets = resolver.side(mapping_set, "target")
    rows = [
        Mapping(
            mapping_set=mapping_set,
            position=position,
            source_ref=pair["source"],
            target_ref=pair["target"],
            relationship=pair["relationship"],
            strength=pair.get("strength"),
            rationale=pair.get("rationale", ""),
            source_id=sources.get(pair["source"]),
            target_id=targets.get(pair["target"]),
        )
        for position, pair in enumerate(doc["pairs"], start=1)
    ]
    Mapping.objects.bulk_create(rows, batch_size=1000)
    resolved = sum(1 for r in rows if r.source_id and r.target_id)
    return SetLoadResult(slug, status, len(rows), resolved)


def structural_document(
    doc: dict[str, Any], *, predecessor_name: str, name: str
) -> dict[str, Any] | None:
    """The set of successor pairs that a framework file's ``predecessors`` lists describe,
    named ``<predecessor>-to-<framework>`` (e.g. ``iso27001-2013-to-iso27001-2022``)."""
    predecessor = doc.get("predecessor_framework")
    if not predecessor:
        return None
    pairs = [
        {"source": old, "target": req["ref"], "relationship": "successor"}
        for req in doc["requirements"]
        for old in req.get("predecessors", [])
    ]
    return {
        "schema": mapping_format.SCHEMA,
        "slug": f"{predecessor}-to-{doc['slug']}",
        "name": f"{predecessor_name} to {name}",
        "source_framework": predecessor,
        "target_framework": doc["slug"],
        "publisher": doc["publisher"],
        "document": doc.get("predecessor_provenance", ""),
        "version": doc["version"],
        "kind": "structural",
        "description": f"Which requirements of {predecessor_name} each requirement of {name} "
        "replaces, from the predecessors listed in our framework file.",
        "content_version": doc["content_version"],
        "pairs": pairs,
    }
