from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.catalog import selectors
from openisms.catalog.selectors import FACET_KEYS, RequirementFilter
from openisms.core.api import Error, Pagination

router = Router(tags=["catalogue"])


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

    @staticmethod
    def resolve_predecessors(obj: Any) -> list[str]:
        return [m.source.ref for m in obj.mappings_in.all()]


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


@router.get("/frameworks", response=list[FrameworkOut])
@paginate(Pagination)
def framework_list(request: HttpRequest) -> Any:
    return selectors.framework_list()


@router.get("/frameworks/{slug}", response={200: FrameworkOut, 404: Error})
def framework_get(request: HttpRequest, slug: str) -> Any:
    return selectors.framework_get(slug=slug)


@router.get("/frameworks/{slug}/requirements", response={200: list[RequirementOut], 404: Error})
@paginate(Pagination)
def requirement_list(request: HttpRequest, slug: str, filters: Query[RequirementQuery]) -> Any:
    """Filter by kind, theme, text (``q``) and attribute values. Repeat an attribute parameter
    to accept any of several values; different attributes must all match."""
    framework = selectors.framework_get(slug=slug)
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
    framework = selectors.framework_get(slug=slug)
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
