"""Writes to the catalogue that people make (the shipped content is written by the loaders)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from django.db import transaction

from openisms.accounts.models import User
from openisms.catalog import mapping_format, mapsets
from openisms.catalog.mapsets import SetLoadResult
from openisms.catalog.models import MappingSet
from openisms.core import audit


@dataclass
class MappingImport:
    """The outcome of an all-or-nothing import: ``problems`` empty means it was applied (or,
    for a dry run, would be)."""

    filename: str
    problems: list[str] = field(default_factory=list)
    result: SetLoadResult | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _shipped_slugs() -> set[str]:
    slugs = set()
    for path in mapsets.data_files():
        doc = json.loads(path.read_bytes())
        slugs.add(doc.get("slug"))
    return slugs


def mapping_set_import(
    *, actor: User | None, data: bytes, filename: str, dry_run: bool = False
) -> MappingImport:
    """Import a user's own mapping set (kind ``user``) from a mapping-set file.

    Every problem of the file is reported, by field or by pair, and nothing is written unless
    there are none. Importing the same slug again replaces that set's pairs; a slug that belongs
    to a set shipped with OpenISMS is refused. One audit event on the global chain.
    """
    outcome = MappingImport(filename)
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        outcome.problems.append(f"not valid JSON ({exc})")
        return outcome
    if isinstance(doc, dict):
        doc.setdefault("kind", MappingSet.Kind.USER)
    outcome.problems = mapping_format.problems(doc)
    if outcome.problems:
        return outcome
    if doc["kind"] != MappingSet.Kind.USER:
        outcome.problems.append(
            f"'kind' must be 'user' or left out in an imported set (got '{doc['kind']}'); "
            "official, derived and structural sets ship with OpenISMS"
        )
        return outcome
    slug = doc["slug"]
    taken = MappingSet.objects.filter(slug=slug).exclude(kind=MappingSet.Kind.USER).exists()
    if taken or slug in _shipped_slugs():
        outcome.problems.append(
            f"'slug' '{slug}' belongs to a set that ships with OpenISMS; choose another"
        )
        return outcome
    if dry_run:
        outcome.result = SetLoadResult(slug, "checked", len(doc["pairs"]))
        return outcome
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        outcome.result = mapsets.load(doc, digest)
        if outcome.result.status != "unchanged":
            mapping_set = MappingSet.objects.get(slug=slug)
            audit.record(
                actor=actor,
                org=None,
                action=f"mapping_set.import.{outcome.result.status}",
                obj=mapping_set,
                after={
                    "slug": slug,
                    "source_framework": mapping_set.source_framework,
                    "target_framework": mapping_set.target_framework,
                    "content_hash": digest,
                    "pairs": outcome.result.pairs,
                    "file": filename,
                },
            )
    return outcome
