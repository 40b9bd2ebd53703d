import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.catalog import selectors
from openisms.catalog.selectors import FACET_KEYS, RequirementFilter
from openisms.core.api import Error, Pagination
from openisms.core.limits import MAX_OFFSET
from openisms.orgs.access import token_org_id
from openisms.orgs.selectors import member_org_ids

router = Router(tags=["catalogue"])
PAGE = settings.NINJA_PAGINATION_PER_PAGE
MAX_LIMIT = settings.NINJA_PAGINATION_MAX_LIMIT


class FrameworkOut(Schema):
    slug: str
    name: str
    short_name: str
    version: str
    publisher: str
    description: str
    status: str
    content_version: str
    requirement_count: int
    origin: str  # shipped, oscal (an imported catalog) or baseline (a resolved profile)
    private: bool  # imported by one of your organisations, which alone sees it
    oscal_version: str

    @staticmethod
    def resolve_private(obj: Any) -> bool:
        return obj.organization_id is not None


class RequirementOut(Schema):
    ref: str
    kind: str
    title: str
    parent: str | None
    theme: str
    summary: str
    is_new: bool
    attributes: dict[str, list[str]]

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.ref if obj.parent_id else None

    @staticmethod
    def resolve_attributes(obj: Any) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for value in obj.attribute_values.all():
            out.setdefault(value.key, []).append(value.value)
        return out


class RequirementDetail(RequirementOut):
    auditor_expects: list[str]
    guidance: dict[str, Any]
    predecessors: list[str]
    oscal_id: str  # for a framework imported from OSCAL: its id, statement and parameters
    statement: str
    params: list[dict[str, Any]]
    withdrawn: bool

    @staticmethod
    def resolve_predecessors(obj: Any) -> list[str]:
        return [r.ref for r in selectors.predecessors(obj)]


class RequirementQuery(Schema):
    kind: str | None = None
    theme: str | None = None
    q: str | None = None
    new: bool | None = None
    control_type: list[str] = []
    information_security_properties: list[str] = []
    cybersecurity_concepts: list[str] = []
    operational_capabilities: list[str] = []
    security_domains: list[str] = []


class TransitionRef(Schema):
    ref: str
    title: str


class TransitionOut(Schema):
    ref: str
    title: str
    successors: list[TransitionRef]


def _member_orgs(request: HttpRequest) -> QuerySet[Any]:
    """The caller's organisations, whose imported frameworks they see beside the shared ones."""
    return member_org_ids(request.auth, token_org_id(request))  # type: ignore[attr-defined]


@router.get("/frameworks", response=list[FrameworkOut])
@paginate(Pagination)
def framework_list(request: HttpRequest) -> Any:
    return selectors.framework_list(orgs=_member_orgs(request))


@router.get("/frameworks/{slug}", response={200: FrameworkOut, 404: Error})
def framework_get(request: HttpRequest, slug: str) -> Any:
    return selectors.framework_get(slug=slug, orgs=_member_orgs(request))


@router.get("/frameworks/{slug}/requirements", response={200: list[RequirementOut], 404: Error})
@paginate(Pagination)
def requirement_list(request: HttpRequest, slug: str, filters: Query[RequirementQuery]) -> Any:
    """Filter by kind, theme, text (``q``) and attribute values. Repeat an attribute parameter
    to accept any of several values; different attributes must all match."""
    framework = selectors.framework_get(slug=slug, orgs=_member_orgs(request))
    return selectors.requirement_list(
        framework=framework,
        filters=RequirementFilter(
            kind=filters.kind,
            theme=filters.theme,
            text=filters.q or "",
            new_only=bool(filters.new),
            attributes={k: getattr(filters, k) for k in FACET_KEYS if getattr(filters, k)},
        ),
    )


@router.get("/frameworks/{slug}/requirements/{ref}", response={200: RequirementDetail, 404: Error})
def requirement_get(request: HttpRequest, slug: str, ref: str) -> Any:
    framework = selectors.framework_get(slug=slug, orgs=_member_orgs(request))
    return selectors.requirement_get(framework=framework, ref=ref)


@router.get("/catalog/transition", response={200: TransitionOut, 404: Error, 422: Error})
def transition(request: HttpRequest, ref: str) -> Any:
    """Which ISO/IEC 27001:2022 control(s) replaced a 2013 Annex A control."""
    result = selectors.transition_lookup(text=ref)
    if result.legacy is None:
        status = 422 if selectors.normalise_legacy_ref(ref) is None else 404
        return Status(status, {"detail": result.error})
    return {
        "ref": result.legacy.ref,
        "title": result.legacy.title,
        "successors": [{"ref": r.ref, "title": r.title} for r in result.successors],
    }


class MappingSetOut(Schema):
    slug: str
    name: str
    source_framework: str
    target_framework: str
    publisher: str
    document: str
    version: str
    published: dt.date | None
    kind: str
    derived_via: list[str]
    description: str
    content_version: str
    content_hash: str
    pair_count: int
    resolved_count: int = Field(description="Pairs whose source and target are both loaded.")


class PairOut(Schema):
    source_ref: str
    target_ref: str
    relationship: str
    strength: int | None
    rationale: str
    source_title: str | None = Field(description="Title of the source requirement, if loaded.")
    target_title: str | None = Field(description="Title of the target requirement, if loaded.")

    @staticmethod
    def resolve_source_title(obj: Any) -> str | None:
        return obj.source.title if obj.source_id else None

    @staticmethod
    def resolve_target_title(obj: Any) -> str | None:
        return obj.target.title if obj.target_id else None


class PairPage(Schema):
    items: list[PairOut]
    count: int


class MappingSetDetail(MappingSetOut):
    pairs: PairPage


class MappingOut(PairOut):
    set: str
    source_framework: str
    target_framework: str
    derived: bool

    @staticmethod
    def resolve_set(obj: Any) -> str:
        return obj.mapping_set.slug

    @staticmethod
    def resolve_source_framework(obj: Any) -> str:
        return obj.mapping_set.source_framework

    @staticmethod
    def resolve_target_framework(obj: Any) -> str:
        return obj.mapping_set.target_framework


class MappingQuery(Schema):
    source: str | None = Field(None, description="Slug of the source framework.")
    target: str | None = Field(None, description="Slug of the target framework.")


@router.get("/mapping-sets", response=list[MappingSetOut])
@paginate(Pagination)
def mapping_set_list(request: HttpRequest) -> Any:
    """Every loaded mapping set with its provenance and how many of its pairs are linked."""
    return selectors.mapping_set_list()


@router.get("/mapping-sets/{slug}", response={200: MappingSetDetail, 404: Error})
def mapping_set_get(
    request: HttpRequest,
    slug: str,
    limit: int = Query(PAGE, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
) -> Any:
    """A set and one page of its pairs, in the set's own order: ``limit`` (1-500, default 50)
    and ``offset`` page through ``pairs`` as they do through every list."""
    mapping_set = selectors.mapping_set_get(slug=slug)
    pairs = selectors.mapping_set_pairs(mapping_set=mapping_set)
    return {
        **MappingSetOut.from_orm(mapping_set).model_dump(),
        "pairs": {"items": list(pairs[offset : offset + limit]), "count": pairs.count()},
    }


@router.get("/mappings", response=list[MappingOut])
@paginate(Pagination)
def mapping_list(request: HttpRequest, filters: Query[MappingQuery]) -> Any:
    """Pairs of every set from framework ``source`` to framework ``target``, by set and in each
    set's own order; ``derived`` marks pairs composed from other sets."""
    return selectors.mappings_between(source=filters.source, target=filters.target)
