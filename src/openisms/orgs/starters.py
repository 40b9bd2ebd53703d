"""What each domain creates when an organisation starts.

Why a registry: reads never write, so the rows every organisation needs from its first day
(the risk module's current method and starter library) are created with the organisation,
not by whoever happens to open a page first. ``orgs`` sits below the domains and may not
import them, so each domain registers a starter in its ``AppConfig.ready``, and
``organization_create`` runs every starter inside its own transaction. Starters act as the
system: what they create is the product's default, not a choice of the organisation's creator.
"""

from __future__ import annotations

from typing import Protocol

from openisms.orgs.access import Actor
from openisms.orgs.models import Organization, Role


class Starter(Protocol):
    """A service of the form ``<entity>_<action>(*, actor)``; its result is ignored."""

    def __call__(self, *, actor: Actor) -> object: ...


_STARTERS: dict[str, Starter] = {}


def register(name: str, starter: Starter) -> None:
    """Register (or replace) a starter; idempotent so ``ready()`` may run more than once."""
    _STARTERS[name] = starter


def starters() -> dict[str, Starter]:
    return dict(_STARTERS)


def organization_start(org: Organization) -> None:
    """Run every registered starter for a new organisation (inside the caller's transaction)."""
    actor = Actor(user=None, org=org, role=Role.OWNER)
    for starter in _STARTERS.values():
        starter(actor=actor)
