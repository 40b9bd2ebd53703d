"""Full-text search over requirement refs, titles, summaries and guidance.

SQLite uses an FTS5 table kept in step by the loader; PostgreSQL uses a GIN-indexed
``to_tsvector`` expression on the requirement table. Both are created by migration 0002.
User input is reduced to words, so no query syntax can cause an error.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import connection
from django.db.models import BooleanField, F, FloatField, QuerySet
from django.db.models.expressions import RawSQL

from openisms.catalog.models import Framework, Requirement

FTS_TABLE = "catalog_requirement_fts"
PG_VECTOR = (
    "to_tsvector('english', coalesce(catalog_requirement.ref, '') || ' ' || "
    "coalesce(catalog_requirement.title, '') || ' ' || coalesce(catalog_requirement.summary, '')"
    " || ' ' || coalesce(catalog_requirement.guidance::text, ''))"
)
_WORD = re.compile(r"[\w.]+", re.UNICODE)


def document_text(req: Requirement) -> str:
    """Everything a person might search for in one requirement."""
    parts: list[str] = [req.ref, req.short_ref, req.title, req.summary, *req.auditor_expects]
    parts.extend(_flatten(req.guidance))
    return "\n".join(p for p in parts if p)


def _flatten(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in _flatten(item)]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _flatten(item)]
    return []


def index_framework(framework: Framework) -> None:
    if connection.vendor != "sqlite":
        return  # PostgreSQL indexes the expression itself
    rows = Requirement.objects.filter(framework=framework).only(
        "id", "ref", "title", "summary", "auditor_expects", "guidance"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {FTS_TABLE} WHERE rowid IN "  # noqa: S608 - constant table name
            "(SELECT id FROM catalog_requirement WHERE framework_id = %s)",
            [framework.pk],
        )
        cursor.executemany(
            f"INSERT INTO {FTS_TABLE} (rowid, ref, title, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
            [(r.pk, f"{r.ref} {r.short_ref}", r.title, document_text(r)) for r in rows],
        )


def terms(text: str) -> list[str]:
    return [w.strip(".") for w in _WORD.findall(text.lower()) if w.strip(".")][:12]


def apply(qs: QuerySet[Requirement], text: str) -> QuerySet[Requirement]:
    """Filter ``qs`` to matches of ``text`` and order them by relevance."""
    words = terms(text)
    if not words:
        return qs
    if connection.vendor == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
        rank = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
            f"SELECT bm25({FTS_TABLE}, 10.0, 5.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE}.rowid = catalog_requirement.id AND {FTS_TABLE} MATCH %s",
            [match],
            output_field=FloatField(),
        )
        ids = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [match],
        )
        return qs.filter(id__in=ids).annotate(rank=rank).order_by("rank", "position")
    query = " & ".join(w.replace("'", "") + ":*" for w in words)
    matches = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
        f"{PG_VECTOR} @@ to_tsquery('english', %s)", [query], output_field=BooleanField()
    )
    rank = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
        f"ts_rank({PG_VECTOR}, to_tsquery('english', %s))", [query], output_field=FloatField()
    )
    ranked = qs.alias(matches=matches).filter(matches=True).annotate(rank=rank)
    return ranked.order_by(F("rank").desc(), "position")
