"""Benchmark: coverage of a whole framework for a large organisation.

Why: coverage is computed on every visit of the coverage page and API, from the organisation's
controls, their evidence and the mapping sets, never stored. Target on SQLite: the whole NIST CSF
2.0 (106 subcategories, judged through 341 pairs to ISO/IEC 27001:2022) under 100 ms at the
"large" size, and a fixed number of queries.

It builds a throw-away SQLite database with the shipped catalogues and one organisation that
tracks ISO/IEC 27001:2022, NIST CSF 2.0 and the HIPAA Security Rule, then bulk-inserts the
large size's register: ``--controls`` controls (default 2,000) each linked to one to three
requirements of those frameworks, and ``--evidence`` evidence items (default 50,000) each
linked to a requirement or a control, a fifth of them expired. Times ``coverage()`` for each
framework and the JSON export of CSF (seconds: median, min, max over --rounds after a warm-up).

Run: ``PYTHONPATH=src python bench/bench_coverage.py [--controls 2000] [--evidence 50000]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

FRAMEWORKS = ("iso27001-2022", "nist-csf-2.0", "hipaa-security-rule")


def setup_django(tmp: Path) -> None:
    os.environ["OPENISMS_DATA_DIR"] = str(tmp)
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp / 'bench.sqlite3'}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "openisms.settings"
    import django

    django.setup()


def build(controls: int, evidence: int) -> Any:
    from django.core.management import call_command

    from openisms.accounts import services as account_services
    from openisms.catalog import loader
    from openisms.catalog.models import Requirement
    from openisms.controls.models import Control, ControlRequirement
    from openisms.evidence.models import EvidenceItem, EvidenceLink
    from openisms.orgs import services as org_services
    from openisms.orgs.access import actor_for
    from openisms.soa import tracking

    call_command("migrate", verbosity=0)
    loader.load_all()
    user = account_services.user_create(
        actor=None,
        email="bench@example.org",
        password="bench password 1234",  # noqa: S106 - a throw-away database
    )
    org = org_services.organization_create(actor=user, name="Bench", slug="bench")
    actor = actor_for(user, "bench")
    for slug in FRAMEWORKS[1:]:
        tracking.framework_track(actor=actor, framework_slug=slug)
    reqs = list(
        Requirement.objects.filter(framework__slug__in=FRAMEWORKS, retired=False).values_list(
            "pk", flat=True
        )
    )
    statuses = ("not_started", "planned", "partially_implemented", "implemented", "implemented")
    Control.objects.bulk_create(
        [
            Control(
                org=org,
                ref=f"C-{n:05d}",
                name=f"Control {n}",
                status=statuses[n % len(statuses)],
                implementation="Runbook, owner and review cadence recorded.",
            )
            for n in range(controls)
        ],
        batch_size=1000,
    )
    control_ids = list(Control.objects.filter(org=org).values_list("pk", flat=True))
    links = {
        (cid, reqs[(i * 37 + k * 101) % len(reqs)])
        for i, cid in enumerate(control_ids)
        for k in range(1 + i % 3)
    }
    ControlRequirement.objects.bulk_create(
        [ControlRequirement(org=org, control_id=c, requirement_id=r) for c, r in links],
        batch_size=2000,
    )
    today = dt.date.today()
    EvidenceItem.objects.bulk_create(
        [
            EvidenceItem(
                org=org,
                number=n + 1,
                kind="link",
                title=f"Evidence {n}",
                url=f"https://evidence.example.org/{n}",
                collected_on=today - dt.timedelta(days=400 if n % 5 == 0 else 10),
                valid_until=today - dt.timedelta(days=30) if n % 5 == 0 else None,
            )
            for n in range(evidence)
        ],
        batch_size=2000,
    )
    item_ids = list(EvidenceItem.objects.filter(org=org).values_list("pk", flat=True))
    EvidenceLink.objects.bulk_create(
        [
            EvidenceLink(org=org, item_id=item, control_id=control_ids[n % len(control_ids)])
            if n % 2
            else EvidenceLink(org=org, item_id=item, requirement_id=reqs[n % len(reqs)])
            for n, item in enumerate(item_ids)
        ],
        batch_size=2000,
    )
    return actor


def timed(fn: Any, rounds: int) -> dict[str, float]:
    fn()  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--controls", type=int, default=2000)
    parser.add_argument("--evidence", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from openisms.soa.coverage import coverage
        from openisms.soa.coverage_exports import export_coverage

        actor = build(args.controls, args.evidence)
        for slug in FRAMEWORKS:
            with CaptureQueriesContext(connection) as captured:
                result = coverage(actor=actor, framework_slug=slug)
            figure = {
                "bench": "coverage",
                "framework": slug,
                "requirements": len(result.requirements),
                "controls": args.controls,
                "evidence": args.evidence,
                "queries": len(captured),
                **timed(lambda slug=slug: coverage(actor=actor, framework_slug=slug), args.rounds),
            }
            print(json.dumps(figure), flush=True)
        figure = {
            "bench": "coverage-export-json",
            "framework": "nist-csf-2.0",
            **timed(
                lambda: export_coverage(actor=actor, framework_slug="nist-csf-2.0", fmt="json"),
                args.rounds,
            ),
        }
        print(json.dumps(figure), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
