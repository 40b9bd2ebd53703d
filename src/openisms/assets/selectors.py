from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from openisms.assets.models import Asset
from openisms.orgs.access import Actor, get_scoped_or_404, scoped

SORTS = {
    "name": ("name",),
    "-name": ("-name",),
    "type": ("type", "name"),
    "classification": ("classification", "name"),
    "owner": ("owner__email", "name"),
    "updated": ("-updated_at", "name"),
}


def asset_list(
    *,
    actor: Actor,
    q: str = "",
    type: str | None = None,
    classification: str | None = None,
    owner: str | None = None,
    tag: str | None = None,
    sort: str = "name",
) -> QuerySet[Asset]:
    qs = scoped(actor, Asset).select_related("owner", "custodian")
    if q.strip():
        qs = qs.filter(
            Q(name__icontains=q) | Q(description__icontains=q) | Q(location__icontains=q)
        )
    if type:
        qs = qs.filter(type=type)
    if classification:
        qs = qs.filter(classification=classification)
    if owner:
        qs = qs.filter(owner__email=owner.strip().lower())
    if tag:
        qs = qs.filter(tags__contains=f",{tag.strip().lower()},")
    return qs.annotate(dependency_count=Count("depends_on", distinct=True)).order_by(
        *SORTS.get(sort, SORTS["name"])
    )


def asset_get(*, actor: Actor, asset_id: int) -> Asset:
    qs = (
        scoped(actor, Asset)
        .select_related("owner", "custodian")
        .prefetch_related("depends_on", "dependents")
    )
    return get_scoped_or_404(qs, pk=asset_id)


def asset_export_rows(*, actor: Actor) -> QuerySet[Asset]:
    return (
        scoped(actor, Asset)
        .select_related("owner", "custodian")
        .prefetch_related("depends_on")
        .order_by("name")
    )
