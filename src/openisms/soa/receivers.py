"""The SoA's answers to what lower layers announce (connected in ``SoaConfig.ready``)."""

from __future__ import annotations

from typing import Any

from openisms.catalog.models import Framework
from openisms.orgs.access import Actor
from openisms.orgs.models import Organization
from openisms.soa import tracking
from openisms.soa.models import TrackedFramework, soa_framework


def soa_start(*, actor: Actor) -> int:
    """The organisation starter: every organisation tracks the SoA's framework and has its rows
    from its first moment (once the catalogue is loaded; loading it catches up)."""
    if not Framework.objects.filter(slug=soa_framework()).exists():
        return 0
    return tracking.framework_ensure(org=actor.org, framework_slug=soa_framework())


def on_framework_loaded(*, framework: Framework, created: int = 0, **_: Any) -> None:
    """New requirements of a tracked framework get their rows in every tracking organisation
    (and every organisation tracks the SoA's framework, also one created before it loaded)."""
    if framework.slug == soa_framework():
        untracked = Organization.objects.exclude(
            pk__in=TrackedFramework.objects.filter(framework=framework).values("org_id")
        )
        for org in untracked:
            tracking.framework_ensure(org=org, framework_slug=framework.slug)
    if not created:
        return
    orgs = Organization.objects.filter(
        pk__in=TrackedFramework.objects.filter(framework=framework).values("org_id")
    )
    for org in orgs:
        tracking.rows_create(org=org, framework_slug=framework.slug)


def on_controls_changed(*, actor: Actor, requirement_ids: list[int], **_: Any) -> None:
    tracking.entries_refresh(actor=actor, requirement_ids=requirement_ids)


def on_pii_role_changed(*, org: Organization, actor: Actor, **_: Any) -> None:
    """The privacy frameworks the organisation tracks apply their controls for the new role."""
    actor = Actor(user=actor.user, org=org, role=actor.role)  # the organisation as saved
    for framework in tracking.tracked_frameworks(actor=actor):
        tracking.role_applicability(actor=actor, framework_slug=framework.slug)
