"""Query budgets hold at scale: 20,000 risks and 10,000 assets in one organisation.

Rows are bulk-inserted (not through services) to keep the test fast; the pages and endpoints
under test then read them through the normal selectors. Query counts must equal the counts
measured on a nearly empty organisation.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openisms.assets.models import Asset
from openisms.orgs.access import actor_for
from openisms.risks import services
from openisms.risks.models import Risk
from tests.conftest import World, login, token_client

PAGES = [
    ("ui", "/o/org-a/risks/"),
    ("ui", "/o/org-a/risks/?sort=residual&level=High"),
    ("ui", "/o/org-a/risks/dashboard/"),
    ("ui", "/o/org-a/assets/"),
    ("ui", "/o/org-a/assets/?sort=owner&type=software"),
    ("api", "/api/v1/orgs/org-a/risks?limit=100"),
    ("api", "/api/v1/orgs/org-a/risks?acceptance=needed&sort=residual"),
    ("api", "/api/v1/orgs/org-a/risks/heatmap"),
    ("api", "/api/v1/orgs/org-a/assets?limit=100"),
]


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _bulk(world: World, assets: int, risks: int) -> None:
    actor = actor_for(world.owner_a, "org-a")
    method = services.risk_module_setup(actor=actor)
    start = Asset.objects.count()
    Asset.objects.bulk_create(
        [
            Asset(
                org=world.org_a,
                name=f"Bulk asset {start + n}",
                type="software",
                owner=world.users_a["manager"],
                tags=",bulk,",
            )
            for n in range(assets)
        ],
        batch_size=2000,
    )
    first = Risk.objects.count()
    last_pk = Risk.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    Risk.objects.bulk_create(
        [
            Risk(
                org=world.org_a,
                ref=f"B-{first + n:06d}",
                title=f"Bulk risk {n}",
                description="x",
                method=method,
                owner=world.users_a["manager"],
                inherent_likelihood=1 + n % 5,
                inherent_impact=1 + (n // 5) % 5,
                inherent_score=(1 + n % 5) * (1 + (n // 5) % 5),
                inherent_level="High",
                residual_likelihood=1,
                residual_impact=1,
                residual_score=1,
                residual_level="Low",
            )
            for n in range(risks)
        ],
        batch_size=2000,
    )
    through = Risk.assets.through
    risk_ids = list(Risk.objects.filter(pk__gt=last_pk).values_list("pk", flat=True))
    asset_ids = list(Asset.objects.filter(org=world.org_a).values_list("pk", flat=True)[:200])
    through.objects.bulk_create(
        [
            through(risk_id=r, asset_id=asset_ids[i % len(asset_ids)])
            for i, r in enumerate(risk_ids)
        ],
        batch_size=5000,
    )


@pytest.mark.usefixtures("catalog")
def test_budgets_hold_with_20000_risks_and_10000_assets(world: World) -> None:
    _bulk(world, assets=5, risks=5)
    clients = {"ui": login(world.owner_a), "api": token_client(world.owner_a)}
    clients["api"].get("/api/v1/me")
    small = {url: _count(clients[kind], url) for kind, url in PAGES}
    _bulk(world, assets=10_000, risks=20_000)
    assert Risk.objects.filter(org=world.org_a).count() >= 20_000
    assert Asset.objects.filter(org=world.org_a).count() >= 10_000
    large = {url: _count(clients[kind], url) for kind, url in PAGES}
    assert large == small
