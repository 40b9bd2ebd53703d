"""Migration state: what the database has applied, and the historical models of that state."""

from __future__ import annotations

from django.apps.registry import Apps
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


def applied(using: str) -> dict[str, list[str]]:
    """Applied migrations per app, in the order the graph applies them."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    done = set(MigrationRecorder(connections[using]).applied_migrations())
    result: dict[str, list[str]] = {}
    for app, name in _plan(loader):
        if (app, name) in done:
            result.setdefault(app, []).append(name)
    return dict(sorted(result.items()))


def _plan(loader: MigrationLoader) -> list[tuple[str, str]]:
    plan: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for node in loader.graph.forwards_plan(leaf):
            if node not in seen:
                seen.add(node)
                plan.append(node)
    return plan


def leaves(migrations: dict[str, list[str]]) -> list[tuple[str, str]]:
    """One target per app: the last migration it has applied."""
    return [(app, names[-1]) for app, names in sorted(migrations.items()) if names]


def unknown(migrations: dict[str, list[str]], using: str) -> list[str]:
    """Migrations named in ``migrations`` that this version of the code does not have."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    nodes = set(loader.graph.nodes)
    return [f"{a}.{n}" for a, names in migrations.items() for n in names if (a, n) not in nodes]


def models_at(migrations: dict[str, list[str]], using: str) -> Apps:
    """The historical models as they are after ``migrations``."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    return loader.project_state(leaves(migrations), at_end=True).apps
