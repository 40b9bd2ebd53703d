"""Benchmark: OSCAL on the real NIST files.

Why: importing SP 800-53 and resolving a FedRAMP baseline are what an organisation heading for
FedRAMP does first, and the 800-53 pages are where peers are slowest (CISO Assistant needs 2.4
to 4.2 s and over 2,400 queries for its 800-53 tree on this kind of machine). Targets on SQLite:
importing the 5.0.1 catalog (1,189 controls and enhancements) under 5 s; resolving FedRAMP HIGH
under 3 s; the 800-53 framework page and the organisation's 800-53 coverage (assessment) page
under 100 ms with a fixed number of queries.

It builds a throw-away SQLite database with the shipped catalogues and one organisation that
tracks the imported SP 800-53 (its coverage judged through the shipped SP 800-53 to ISO/IEC
27001 set, with a few hundred ISO controls in the register), then times (seconds: median, min,
max over --rounds after a warm-up):
- ``import``: parse, validate and write the catalog (a fresh slug each round);
- ``resolve``: read the catalog and the FedRAMP HIGH profile and resolve it;
- ``import_baseline``: FedRAMP HIGH resolved and written as a baseline framework;
- ``framework_page`` and ``coverage_page``: the two pages through the test client.

Run: ``PYTHONPATH=src python bench/bench_oscal.py [--rounds 5]``; it prints one JSON line per
figure, and skips with a message when ../shared/data/oscal is absent.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OSCAL = ROOT.parent / "shared" / "data" / "oscal"
CATALOG = OSCAL / "catalogs" / "NIST_SP-800-53_rev5.0.1_catalog.json"
HIGH = OSCAL / "fedramp-rev5" / "FedRAMP_rev5_HIGH-baseline_profile.json"


def setup_django(tmp: Path) -> None:
    os.environ["OPENISMS_DATA_DIR"] = str(tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openisms.settings"
    import django

    django.setup()


def timed(fn: Callable[[], Any], rounds: int) -> dict[str, float]:
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not CATALOG.exists():
        print(json.dumps({"bench": "oscal", "skipped": f"{OSCAL} is absent"}))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        return run(args.rounds)


def run(rounds: int) -> int:
    import itertools

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from openisms.accounts import services as account_services
    from openisms.catalog import loader
    from openisms.catalog.models import Framework, Requirement
    from openisms.controls.models import Control, ControlRequirement
    from openisms.orgs import services as org_services
    from openisms.orgs.access import actor_for
    from openisms.oscal.documents import load_document
    from openisms.oscal.resolve import resolve_profile
    from openisms.oscal.services import oscal_import
    from openisms.soa import tracking

    settings.ALLOWED_HOSTS = ["*"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    call_command("migrate", verbosity=0)
    loader.load_all()
    password = "bench password 1234"  # noqa: S105 - a throw-away database
    user = account_services.user_create(actor=None, email="bench@example.org", password=password)
    org = org_services.organization_create(actor=user, name="Bench", slug="bench")
    actor = actor_for(user, org.slug)
    data, profile = CATALOG.read_bytes(), HIGH.read_bytes()
    out: list[dict[str, Any]] = []
    counter = itertools.count()

    def import_catalog() -> None:
        oscal_import(actor=None, organization=None, data=data, slug=f"sp800-53-{next(counter)}")

    out.append({"figure": "import", **timed(import_catalog, rounds)})

    def resolve() -> None:
        catalog = load_document(data)
        resolve_profile(load_document(profile), load=lambda href: catalog)

    out.append({"figure": "resolve", **timed(resolve, rounds)})
    catalog_fw = Framework.objects.get(slug="sp800-53-0")

    def import_baseline() -> None:
        oscal_import(
            actor=actor,
            organization=org,
            data=profile,
            slug=f"fedramp-high-{next(counter)}",
            catalog_framework=catalog_fw,
        )

    out.append({"figure": "import_baseline", **timed(import_baseline, rounds)})

    # The organisation's ISO work: 300 controls meeting Annex A controls, a third implemented.
    iso = list(Requirement.objects.filter(framework__slug="iso27001-2022", kind="control"))
    controls = Control.objects.bulk_create(
        [
            Control(
                org=org,
                ref=f"C-{n:04d}",
                name=f"Control {n}",
                status=("implemented", "partially_implemented", "planned")[n % 3],
            )
            for n in range(300)
        ]
    )
    ControlRequirement.objects.bulk_create(
        [
            ControlRequirement(org=org, control=c, requirement=iso[n % len(iso)])
            for n, c in enumerate(controls)
        ]
    )
    tracking.framework_track(actor=actor, framework_slug="sp800-53-0")
    client = Client()
    client.force_login(user)
    for figure, url in (
        ("framework_page", "/o/bench/catalog/sp800-53-0/"),
        ("coverage_page", "/o/bench/coverage/sp800-53-0/"),
    ):

        def get(url: str = url) -> None:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)

        with CaptureQueriesContext(connection) as captured:
            get()
        out.append({"figure": figure, "queries": len(captured), **timed(get, rounds)})
    for line in out:
        print(json.dumps({"bench": "oscal", **line}), flush=True)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "src"))
    raise SystemExit(main())
