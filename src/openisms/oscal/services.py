"""Importing OSCAL catalogs and profiles as frameworks.

A catalog becomes a framework: its groups become families and its controls and enhancements
requirements, with their statements, guidance, parameters, OSCAL ids and uuids. A profile is
resolved against a catalog (an uploaded file, or a catalog imported earlier) and the resolved
catalog becomes a baseline framework that remembers the catalog it selects from.

Everything is read, validated and resolved before the database is touched; the write is one
transaction (the catalogue loader's, which also updates an earlier import of the same slug in
place), so an invalid document leaves no trace.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from openisms.catalog.errors import CatalogError
from openisms.catalog.loader import SCHEMA, load_document
from openisms.catalog.models import Framework, Requirement
from openisms.controls.models import ControlRequirement
from openisms.core import audit
from openisms.evidence.models import EvidenceLink
from openisms.orgs.access import Actor, Perm
from openisms.orgs.models import Organization
from openisms.oscal.documents import Document
from openisms.oscal.documents import load_document as read_document
from openisms.oscal.errors import Issue, OscalError
from openisms.oscal.flatten import Row, catalog_metadata, catalog_rows
from openisms.oscal.models import SourceDocument
from openisms.oscal.resolve import resolve_profile
from openisms.oscal.validate import validate
from openisms.soa.models import SoaEntry, TrackedFramework
from openisms.work.models import Task

Progress = Callable[[int, str], None]
IMPORTABLE = ("catalog", "profile")
SP800_53_R5 = "nist-sp800-53r5"
_SP800_53 = re.compile(r"800-53", re.IGNORECASE)
_REV5 = re.compile(r"\b(?:rev(?:ision)?\.?\s*5|r5)\b", re.IGNORECASE)


@dataclass
class GivenCatalog:
    """A catalog a profile may import: an uploaded file, or an imported framework's source."""

    name: str
    document: Document


@dataclass
class Prepared:
    """A document read, validated and (for a profile) resolved, ready to be written."""

    source: Document
    filename: str
    data: bytes
    framework_doc: dict[str, Any]
    digest: str
    baseline_of: Framework | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    framework: Framework
    status: str  # created | updated | unchanged
    model: str
    requirements: int
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        what = "baseline" if self.model == "profile" else "catalog"
        return (
            f"{self.framework.slug}: {self.status} from an OSCAL {what} "
            f"({self.requirements} requirements)"
        )


def _noop(percent: int, stage: str) -> None:
    return None


def read(data: bytes, *, filename: str = "") -> Document:
    """Parse and validate one document (any OSCAL model); OscalError lists every problem."""
    document = read_document(data, filename=filename)
    validate(document)
    return document


def maps_as(title: str) -> str:
    """The slug the shipped mapping sets call a catalog by, judged from its title (SP 800-53
    Rev. 5 and its baselines map through the NIST SP 800-53 to ISO/IEC 27001 set)."""
    if _SP800_53.search(title) and _REV5.search(title):
        return SP800_53_R5
    return ""


def _loader(catalogs: Sequence[GivenCatalog], profile: Document) -> Callable[[str], Document]:
    """Map a profile's import hrefs to the catalogs given (one given catalog answers every
    href; with several, the href's file name picks one)."""

    def load(href: str) -> Document:
        if len(catalogs) == 1:
            return catalogs[0].document
        name = href.rsplit("/", 1)[-1].lower()
        for given in catalogs:
            if given.name.lower() == name:
                return given.document
        raise OscalError(
            [
                Issue(
                    "profile.imports",
                    f"cannot resolve the import '{href}': give the catalog it names "
                    "(--catalog FILE, or the slug of an imported catalog)",
                )
            ]
        )

    return load


def _source_document(framework: Framework) -> GivenCatalog:
    source = SourceDocument.objects.filter(framework=framework).first()
    if source is None or source.model != "catalog":
        raise OscalError(
            [Issue("catalog", f"'{framework.slug}' was not imported from an OSCAL catalog")]
        )
    data = zlib.decompress(bytes(source.content))
    return GivenCatalog(source.filename or framework.slug, read_document(data))


def _requirement(row: Row, refs: dict[str, str], families: dict[str, str]) -> dict[str, Any]:
    return {
        "ref": refs[row.oscal_id],
        "kind": row.kind,
        "title": row.title.strip() or row.oscal_id,
        "parent": refs[row.parent] if row.parent else None,
        "theme": families.get(row.oscal_id, "")[:30],
        "oscal_id": row.oscal_id,
        "oscal_uuid": row.uuid,
        "statement": row.statement,
        "params": row.params,
        "withdrawn": row.withdrawn,
        "oscal": {
            "params": row.raw_params,
            "class": row.control_class,
            "guidance": row.guidance,
            "props": row.props,
            "parts": row.parts,
            "links": row.links,
        },
    }


def _refs(rows: list[Row]) -> dict[str, str]:
    """A short ref per row: its label where labels are unique and fit, else its OSCAL id."""
    refs: dict[str, str] = {}
    seen: set[str] = set()
    for row in rows:
        ref = row.ref if row.ref and len(row.ref) <= 40 else row.oscal_id
        if ref in seen or len(ref) > 40:
            ref = row.oscal_id[:40]
        if ref in seen:
            raise OscalError([Issue(row.oscal_id, f"two controls or groups share the id '{ref}'")])
        seen.add(ref)
        refs[row.oscal_id] = ref
    return refs


def _families(rows: list[Row]) -> dict[str, str]:
    """Each row's top-level group id (the family: 'ac' for AC-2(1)), for the theme filter."""
    parent = {r.oscal_id: r.parent for r in rows}
    out: dict[str, str] = {}
    for row in rows:
        node = row.oscal_id
        while parent.get(node):
            node = parent[node] or node
        out[row.oscal_id] = node
    return out


def framework_document(
    body: dict[str, Any],
    *,
    slug: str,
    origin: str,
    mapping_key: str,
    digest: str,
    oscal_version: str,
) -> dict[str, Any]:
    """The catalogue loader's document for a (resolved) OSCAL catalog."""
    meta = catalog_metadata(body)
    rows = catalog_rows(body)
    if not rows:
        raise OscalError([Issue("catalog", "the catalog has no groups or controls")])
    refs = _refs(rows)
    families = _families(rows)
    title = str(meta.get("title") or slug).strip()
    if mapping_key == SP800_53_R5 and origin == Framework.Origin.OSCAL:
        short = "NIST SP 800-53 Rev. 5"
    else:
        short = short_name(title)
    return {
        "schema": SCHEMA,
        "slug": slug,
        "name": title[:200],
        "short_name": short,
        "version": str(meta.get("version") or "")[:40] or "unversioned",
        "publisher": str(meta.get("publisher") or "OSCAL import")[:120],
        "description": str(meta.get("remarks") or "")[:5000],
        "content_version": digest[:12],
        "origin": origin,
        "mapping_key": mapping_key if mapping_key != slug else "",
        "oscal_uuid": str(meta.get("uuid") or "")[:36],
        "oscal_version": oscal_version[:20],
        "requirements": [_requirement(r, refs, families) for r in rows],
    }


def short_name(title: str, limit: int = 60) -> str:
    """A name for tabs and breadcrumbs: the title before its subtitle, cut at a word."""
    head = title.split(": ", 1)[0].strip() or title
    if len(head) <= limit:
        return head
    return head[: limit - 1].rsplit(" ", 1)[0] + "…"


def _slug(slug: str | None, title: str) -> str:
    value = slugify(slug if slug else title)[:60].strip("-")
    if not value:
        raise OscalError([Issue("slug", "give a slug (letters, digits and hyphens)")])
    if slug is not None and value != slug:
        raise OscalError(
            [Issue("slug", f"'{slug}' is not a valid slug: use letters, digits and hyphens")]
        )
    return value


def prepare(
    data: bytes,
    *,
    filename: str = "",
    slug: str | None = None,
    catalogs: Sequence[GivenCatalog] = (),
    catalog_framework: Framework | None = None,
    mapping_key: str | None = None,
    progress: Progress = _noop,
) -> Prepared:
    """Read, validate and resolve without writing anything."""
    progress(5, "Reading the document")
    source = read(data, filename=filename)
    if source.model not in IMPORTABLE:
        raise OscalError(
            [
                Issue(
                    source.model,
                    f"a {source.model} cannot be imported as a framework: "
                    "import a catalog or a profile",
                )
            ]
        )
    progress(25, "Validated")
    digest = hashlib.sha256(data).hexdigest()
    given = list(catalogs)
    if catalog_framework is not None:
        given.append(_source_document(catalog_framework))
    notes: list[str] = []
    if source.model == "catalog":
        body = source.body
        origin = Framework.Origin.OSCAL
        key_title = str(source.body.get("metadata", {}).get("title", ""))
    else:
        if not given:
            raise OscalError(
                [
                    Issue(
                        "profile.imports",
                        "a profile selects from a catalog: give it (--catalog FILE, or the "
                        "slug of an imported catalog)",
                    )
                ]
            )
        progress(35, "Resolving the profile")
        warnings: list[Issue] = []
        body = resolve_profile(source, load=_loader(given, source), warnings=warnings)["catalog"]
        notes = [f"{w.path}: {w.message}" for w in warnings]
        origin = Framework.Origin.BASELINE
        key_title = " ".join(
            str(g.document.body.get("metadata", {}).get("title", "")) for g in given
        )
        digest = hashlib.sha256(
            data + b"".join(str(g.document.body.get("uuid", "")).encode() for g in given)
        ).hexdigest()
    progress(55, "Reading controls")
    title = str(source.body.get("metadata", {}).get("title", ""))
    key = mapping_key if mapping_key is not None else maps_as(key_title)
    framework_doc = framework_document(
        body,
        slug=_slug(slug, title),
        origin=origin,
        mapping_key=key,
        digest=digest,
        oscal_version=source.version,
    )
    return Prepared(
        source=source,
        filename=filename,
        data=data,
        framework_doc=framework_doc,
        digest=digest,
        baseline_of=catalog_framework,
        notes=notes,
    )


def _require_importer(actor: Actor | None, organization: Organization | None) -> None:
    """An organisation's members who may edit the ISMS import for it; only an operator (the
    command line, no actor) imports for the whole instance."""
    if organization is None:
        if actor is not None:
            raise PermissionDenied("Only an operator imports frameworks for the whole instance.")
        return
    if actor is not None:
        if actor.org.pk != organization.pk:
            raise PermissionDenied("You can import frameworks only into your organisation.")
        actor.require(Perm.EDIT_ISMS, "Your role does not allow importing frameworks.")


def oscal_import(
    *,
    actor: Actor | None,
    organization: Organization | None,
    data: bytes,
    filename: str = "",
    slug: str | None = None,
    catalogs: Sequence[GivenCatalog] = (),
    catalog_framework: Framework | None = None,
    mapping_key: str | None = None,
    progress: Progress = _noop,
) -> ImportResult:
    """Import one OSCAL catalog or profile as a framework of ``organization`` (None: every
    organisation of the instance sees it)."""
    _require_importer(actor, organization)
    if catalog_framework is not None:
        visible = Framework.objects.filter(pk=catalog_framework.pk)
        if organization is not None:
            visible = visible.visible_to(organization.pk)
        if not visible.exists():
            raise OscalError([Issue("catalog", "no such catalog")])
        if organization is None and catalog_framework.organization_id is not None:
            raise OscalError(
                [
                    Issue(
                        "catalog",
                        f"'{catalog_framework.slug}' belongs to one organisation: a baseline of "
                        "it for the whole instance would show its text to every organisation",
                    )
                ]
            )
    prepared = prepare(
        data,
        filename=filename,
        slug=slug,
        catalogs=catalogs,
        catalog_framework=catalog_framework,
        mapping_key=mapping_key,
        progress=progress,
    )
    progress(70, "Writing the framework")
    return _write(actor=actor, organization=organization, prepared=prepared)


@transaction.atomic
def _write(
    *, actor: Actor | None, organization: Organization | None, prepared: Prepared
) -> ImportResult:
    try:
        loaded = load_document(
            prepared.framework_doc,
            prepared.digest,
            organization=organization,
            baseline_of=prepared.baseline_of,
        )
    except CatalogError as exc:
        raise OscalError([Issue("slug", str(exc))]) from exc
    framework = Framework.objects.get(slug=prepared.framework_doc["slug"])
    SourceDocument.objects.update_or_create(
        framework=framework,
        defaults={
            "model": prepared.source.model,
            "format": prepared.source.format,
            "filename": prepared.filename[:255],
            "sha256": hashlib.sha256(prepared.data).hexdigest(),
            "size": len(prepared.data),
            "content": zlib.compress(prepared.data, 6),
            "imported_by": actor.user if actor is not None else None,
        },
    )
    count = len(prepared.framework_doc["requirements"])
    if loaded.status != "unchanged":
        audit.record(
            actor=actor.user if actor is not None else None,
            org=organization,
            action="framework.import",
            obj=framework,
            after={
                "slug": framework.slug,
                "model": prepared.source.model,
                "filename": prepared.filename,
                "oscal_version": prepared.source.version,
                "requirements": count,
                "status": loaded.status,
            },
        )
    return ImportResult(framework, loaded.status, prepared.source.model, count, prepared.notes)


@transaction.atomic
def oscal_framework_delete(*, actor: Actor | None, framework: Framework) -> dict[str, int]:
    """Remove an imported framework with its requirements, parameter values and the
    organisation's assessments of it (an operator, no actor, may remove any import; members
    who edit the ISMS, their organisation's). Refused while a control, an evidence link or a
    task still points at one of its requirements: unlink those first. Returns what went."""
    if framework.origin == Framework.Origin.SHIPPED:
        raise ValidationError({"framework": "Shipped frameworks cannot be removed."})
    if actor is not None:
        if framework.organization_id != actor.org.pk:
            raise ValidationError({"framework": "No such imported framework."})
        actor.require(Perm.EDIT_ISMS, "Your role does not allow removing frameworks.")
    requirements = Requirement.objects.filter(framework=framework)
    blockers = {
        "controls": ControlRequirement.objects.filter(requirement__in=requirements).count(),
        "evidence links": EvidenceLink.objects.filter(requirement__in=requirements).count(),
        "tasks": Task.objects.filter(requirement__in=requirements).count(),
    }
    named = [f"{n} {what}" for what, n in blockers.items() if n]
    if named:
        raise ValidationError(
            {
                "framework": f"{framework.short_name} is still in use ({', '.join(named)} "
                "point at its requirements): unlink them first."
            }
        )
    assessments, _ = SoaEntry.objects.filter(requirement__in=requirements).delete()
    TrackedFramework.objects.filter(framework=framework).delete()
    gone = {"requirements": requirements.count(), "assessments": assessments}
    audit.record(
        actor=actor.user if actor is not None else None,
        org=framework.organization,
        action="framework.delete",
        obj=framework,
        before={"slug": framework.slug, "name": framework.name, "origin": framework.origin, **gone},
    )
    framework.delete()
    return gone
