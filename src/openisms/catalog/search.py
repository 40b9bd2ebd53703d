"""Full-text search over requirement refs, titles, summaries and guidance.

SQLite uses an FTS5 table kept in step by the loader; PostgreSQL matches a ``to_tsvector``
expression over ref, title, summary and guidance, backed by a GIN index on that same
expression. Both structures are created by migration 0002.
User input is reduced to words, so no query syntax can cause an error.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import (
    Case,
    F,
    FloatField,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from openisms.catalog.models import Framework, Requirement

FTS_TABLE = "catalog_requirement_fts"
_WORD = re.compile(r"[\w.]+", re.UNICODE)
_REF = re.compile(r"^(?:[aA]\.)?\d{1,2}(?:\.\d{1,2}){1,3}(?:\.[a-z])?$")


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
    rows = (
        Requirement.objects.filter(framework=framework)
        .select_related("framework")
        .only("id", "ref", "title", "summary", "auditor_expects", "guidance", "framework__slug")
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


def ref_candidates(text: str) -> list[str]:
    """'8.13', 'a.8.13' and 'A.8.13' all name control A.8.13; '6.1.2' names a clause."""
    text = text.strip()
    if not _REF.match(text):
        return []
    upper = text[0].upper() + text[1:] if text[:2].lower() == "a." else text
    return list(dict.fromkeys([text, upper, f"A.{text}"]))


def _vector() -> SearchVector:
    return SearchVector("ref", "title", "summary", Cast("guidance", TextField()), config="english")


def _conditions(text: str) -> tuple[Q, str] | None:
    """The match condition (safe to use inside subqueries) and the backend query string."""
    words = terms(text)
    if not words:
        return None
    refs = Q(ref__in=ref_candidates(text))
    if connection.vendor == "sqlite":
        match = " ".join('"' + w.replace('"', "") + '"*' for w in words)
        ids = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [match],
        )
        return Q(id__in=ids) | refs, match
    query = " & ".join(w.replace("'", "").replace(":", "") + ":*" for w in words)
    search = SearchQuery(query, search_type="raw", config="english")
    return Q(search_vector=search) | refs, query


def matching(qs: QuerySet[Requirement], text: str) -> QuerySet[Requirement]:
    """Only the rows that match ``text``; no ordering, so it nests in other queries."""
    found = _conditions(text)
    if found is None:
        return qs
    condition, _ = found
    if connection.vendor != "sqlite":
        qs = qs.alias(search_vector=_vector())
    return qs.filter(condition)


def apply(qs: QuerySet[Requirement], text: str) -> QuerySet[Requirement]:
    """Filter ``qs`` to matches of ``text``: an exact ref first, then by relevance."""
    found = _conditions(text)
    if found is None:
        return qs
    _, query = found
    exact = Case(
        When(ref__in=ref_candidates(text), then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    qs = matching(qs, text)
    if connection.vendor == "sqlite":
        rank = RawSQL(  # noqa: S611 - constant SQL, user text is a bound parameter
            f"SELECT bm25({FTS_TABLE}, 10.0, 5.0, 1.0) FROM {FTS_TABLE} "  # noqa: S608
            f"WHERE {FTS_TABLE}.rowid = catalog_requirement.id AND {FTS_TABLE} MATCH %s",
            [query],
            output_field=FloatField(),
        )
        return qs.annotate(exact=exact, rank=rank).order_by("exact", "rank", "position")
    search = SearchQuery(query, search_type="raw", config="english")
    ranked = qs.annotate(exact=exact, rank=SearchRank(_vector(), search))
    return ranked.order_by("exact", F("rank").desc(), "position")


def reindex_all(using: str = "default") -> None:
    """Rebuild the SQLite full-text index of every framework (after a restore)."""
    for framework in Framework.objects.using(using).all():
        index_framework(framework)
