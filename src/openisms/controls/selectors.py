"""Reads for the control register. Each takes the actor and owns its joins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from openisms.catalog.models import Framework, Requirement
from openisms.controls.models import Control, ControlRequirement, ControlStatus, ParameterValue
from openisms.orgs.access import Actor, get_scoped_or_404, scoped


def _requirements() -> Prefetch:
    return Prefetch(
        "requirements",
        queryset=Requirement.objects.select_related("framework").order_by(
            "framework__slug", "position"
        ),
    )


def control_list(
    *,
    actor: Actor,
    status: str | None = None,
    owner: str | None = None,
    framework: str | None = None,
    q: str = "",
    unlinked: bool = False,
) -> QuerySet[Control]:
    """The register in ref order, with owners and requirements (two queries per page)."""
    qs = scoped(actor, Control).select_related("owner").prefetch_related(_requirements())
    if status:
        qs = qs.filter(status=status)
    if owner:
        if owner == "none":
            qs = qs.filter(owner__isnull=True)
        else:
            qs = qs.filter(owner__email=owner.strip().lower())
    if framework:
        qs = qs.filter(
            pk__in=ControlRequirement.objects.filter(
                org=actor.org, requirement__framework__slug=framework
            ).values("control_id")
        )
    if unlinked:
        qs = qs.exclude(pk__in=ControlRequirement.objects.filter(org=actor.org).values("control"))
    text = q.strip()
    if text:
        qs = qs.filter(
            Q(ref__icontains=text)
            | Q(name__icontains=text)
            | Q(description__icontains=text)
            | Q(implementation__icontains=text)
        )
    return qs.order_by("ref")


def control_get(*, actor: Actor, control_id: int) -> Control:
    qs = scoped(actor, Control).select_related("owner").prefetch_related(_requirements())
    return get_scoped_or_404(qs, pk=control_id)


def controls_by_ids(*, actor: Actor, ids: list[int]) -> list[Control]:
    return list(scoped(actor, Control).filter(pk__in=ids).order_by("ref"))


def control_counts(*, actor: Actor) -> dict[str, int]:
    """How many controls in all, per status and linked to no requirement (one query)."""
    aggregates: dict[str, Any] = {"n_total": Count("id")}
    for value, _ in ControlStatus.choices:
        aggregates[f"n_{value}"] = Count("id", filter=Q(status=value))
    linked = ControlRequirement.objects.filter(control_id=OuterRef("pk"))
    aggregates["n_unlinked"] = Count("id", filter=~Q(Exists(linked)))
    result = scoped(actor, Control).aggregate(**aggregates)
    return {k[2:]: v for k, v in result.items()}


@dataclass(frozen=True)
class LinkedControl:
    id: int
    ref: str
    name: str
    status: str
    owner_id: int | None
    owner_email: str | None
    target_date: Any
    implementation: str


def controls_of_requirements(
    *, actor: Actor, requirement_ids: Iterable[int] | QuerySet[Any] | None = None
) -> dict[int, list[LinkedControl]]:
    """The organisation's controls of each requirement (all requirements when ids is None;
    ids may be a subquery), in ref order: one query."""
    links = ControlRequirement.objects.filter(org=actor.org)
    if isinstance(requirement_ids, QuerySet):
        links = links.filter(requirement_id__in=requirement_ids)
    elif requirement_ids is not None:
        links = links.filter(requirement_id__in=list(requirement_ids))
    out: dict[int, list[LinkedControl]] = {}
    rows = links.order_by("control__ref").values_list(
        "requirement_id",
        "control_id",
        "control__ref",
        "control__name",
        "control__status",
        "control__owner_id",
        "control__owner__email",
        "control__target_date",
        "control__implementation",
    )
    for req_id, *fields in rows:
        out.setdefault(req_id, []).append(LinkedControl(*fields))  # type: ignore[arg-type]
    return out


def requirements_by_name(
    names: Iterable[tuple[str, str]], *, actor: Actor
) -> dict[tuple[str, str], Requirement]:
    """Catalogue requirements named (framework slug, ref) among the frameworks the actor's
    organisation sees, retired ones included so that a form can say so (one query)."""
    wanted = set(names)
    if not wanted:
        return {}
    rows = Requirement.objects.filter(
        framework__in=Framework.objects.visible_to(actor.org.pk),
        framework__slug__in={slug for slug, _ in wanted},
        ref__in={ref for _, ref in wanted},
    ).select_related("framework")
    return {(r.framework.slug, r.ref): r for r in rows if (r.framework.slug, r.ref) in wanted}


def controls_per_framework(*, actor: Actor) -> dict[int, int]:
    """How many of the organisation's controls meet a requirement of each framework (by
    framework id; one query)."""
    rows = (
        ControlRequirement.objects.filter(org=actor.org)
        .values("requirement__framework_id")
        .annotate(n=Count("control_id", distinct=True))
        .order_by()
    )
    return {row["requirement__framework_id"]: row["n"] for row in rows}


def parameter_values(*, actor: Actor, requirement_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """The organisation's parameter values, by requirement id and parameter id (one query)."""
    out: dict[int, dict[str, str]] = {}
    rows = scoped(actor, ParameterValue).filter(requirement_id__in=list(requirement_ids))
    for req_id, param_id, value in rows.values_list("requirement_id", "param_id", "value"):
        out.setdefault(req_id, {})[param_id] = value
    return out


@dataclass(frozen=True)
class Parameter:
    id: str
    label: str
    catalog: str
    value: str | None


def requirement_for_parameters(*, actor: Actor, framework: str, ref: str) -> Requirement:
    """A requirement of a framework the organisation sees (404 otherwise)."""
    requirement = (
        Requirement.objects.filter(
            framework__in=Framework.objects.visible_to(actor.org.pk),
            framework__slug=framework,
            ref=ref,
        )
        .select_related("framework")
        .first()
    )
    if requirement is None:
        raise Http404("No such requirement.")
    return requirement


def parameters_of(*, actor: Actor, requirement: Requirement) -> list[Parameter]:
    """A requirement's parameters (what the catalog says of each, as imported) with the
    organisation's values (one query)."""
    values = parameter_values(actor=actor, requirement_ids=[requirement.pk]).get(requirement.pk, {})
    return [
        Parameter(
            id=str(p["id"]),
            label=str(p.get("label") or ""),
            catalog=str(p.get("text") or ""),
            value=values.get(str(p["id"])),
        )
        for p in requirement.params or []
        if p.get("id")
    ]
