"""Benchmark: the Statement of Applicability for a framework of 1,500 controls.

Why: SoA tools in the field give up on large frameworks (one cannot render its SoA PDF above
500 controls). Targets on SQLite: the SoA page, the SoA API list and the XLSX export each under
300 ms of server time; the PDF under 3 s and 200 MB peak memory; query counts that do not grow
with the number of rows.

It builds a throw-away SQLite database, writes a synthetic catalogue in the
``openisms-framework/1`` format (docs/catalog-format.md) to the temp dir, loads it, points
``OPENISMS_SOA_FRAMEWORK`` at it, builds an organisation whose SoA covers it (owners, dates,
texts, risks planning a third of the controls, an approved version) and times each request
through Django's test client (in-process: server time, no network). The PDF is timed in a
child process so its peak RSS is its own. Prints one JSON line per figure (seconds: median,
min, max over --rounds after a warm-up).

Run: ``PYTHONPATH=src python bench/bench_soa.py [--controls 1500] [--rounds 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

SLUG = "bench-soa"
FRAMEWORK = "bench-1500"
THEMES = ("organizational", "people", "physical", "technological")
WORDS = [
    *("access", "backup", "review", "supplier", "logging", "encryption", "incident"),
    *("training", "asset", "change", "network", "patch", "vendor", "monitoring"),
    *("retention", "policy", "evidence", "owner", "quarterly", "annual"),
]
PASSWORD = "bench password 1234"  # noqa: S105 - a throw-away database


def _text(n: int, words: int) -> str:
    return " ".join(WORDS[(n * 7 + i * 3) % len(WORDS)] for i in range(words)).capitalize()


def catalogue(controls: int) -> dict[str, Any]:
    """Clauses 4-10 with sub-clauses (about 30 rows) and ``controls`` controls in 4 themes."""
    requirements: list[dict[str, Any]] = []
    for clause in range(4, 11):
        requirements.append({"ref": str(clause), "kind": "clause", "title": f"Clause {clause}"})
        for sub in range(1, 4):
            requirements.append(
                {
                    "ref": f"{clause}.{sub}",
                    "kind": "clause",
                    "title": f"Clause {clause}.{sub} {_text(clause * sub, 3)}",
                    "parent": str(clause),
                }
            )
    per_theme = -(-controls // len(THEMES))
    for n in range(controls):
        theme = n // per_theme
        requirements.append(
            {
                "ref": f"B.{theme + 5}.{n % per_theme + 1}",
                "kind": "control",
                "title": f"Control {n + 1}: {_text(n, 5)}",
                "theme": THEMES[theme],
            }
        )
    return {
        "schema": "openisms-framework/1",
        "slug": FRAMEWORK,
        "name": f"Synthetic benchmark framework ({controls} controls)",
        "short_name": "Bench 1500",
        "version": "1",
        "publisher": "OpenISMS benchmark",
        "status": "current",
        "content_version": "bench.1",
        "description": "Generated at run time by bench/bench_soa.py.",
        "attribute_vocabulary": {},
        "requirements": requirements,
    }


def setup_django(tmp: Path) -> None:
    os.environ["OPENISMS_DATA_DIR"] = str(tmp)
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    os.environ["OPENISMS_SOA_FRAMEWORK"] = FRAMEWORK
    os.environ["DJANGO_SETTINGS_MODULE"] = "openisms.settings"
    os.environ["OPENISMS_PLAIN_STATIC"] = "1"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def build(tmp: Path, controls: int) -> None:
    """Database, catalogue and organisation (bulk-loaded where services would take minutes)."""
    import datetime as dt

    from django.core.management import call_command

    from openisms.accounts import services as account_services
    from openisms.catalog import loader
    from openisms.catalog.models import Requirement
    from openisms.orgs import services as org_services
    from openisms.orgs.access import actor_for
    from openisms.risks import services as risk_services
    from openisms.risks.models import Risk
    from openisms.soa import selectors, services
    from openisms.soa.models import SoaEntry

    call_command("migrate", verbosity=0)
    path = tmp / f"{FRAMEWORK}.json"
    path.write_text(json.dumps(catalogue(controls)))
    doc, digest = loader.read_file(path)
    loader.validate(doc, path.name)
    loader.load_document(doc, digest)

    owner = account_services.user_create(actor=None, email="owner@bench.example", password=PASSWORD)
    org = org_services.organization_create(actor=owner, name="Bench Org", slug=SLUG)
    members = [owner]
    for i in range(5):
        user = account_services.user_create(
            actor=None, email=f"m{i}@bench.example", password=PASSWORD
        )
        org_services.membership_add(actor=None, org=org, user=user, role="manager")
        members.append(user)
    actor = actor_for(owner, SLUG)
    services.soa_sync(actor=actor)

    entries = list(SoaEntry.objects.filter(org=org).select_related("requirement"))
    statuses = ("not_started", "planned", "partially_implemented", "implemented")
    for n, entry in enumerate(entries):
        excluded = entry.requirement.kind == "control" and n % 17 == 0
        entry.applicable = not excluded
        entry.status = "not_applicable" if excluded else statuses[n % 4]
        entry.justification = _text(n, 25 if excluded else 12)
        entry.implementation = _text(n + 3, 40)
        entry.owner = members[n % len(members)]
        entry.target_date = dt.date(2027, 1, 1) + dt.timedelta(days=n % 365)
        entry.legal_regulatory = n % 3 == 0
        entry.contractual = n % 5 == 0
        entry.business = n % 2 == 0
    SoaEntry.objects.bulk_update(
        entries,
        [
            "applicable",
            "status",
            "justification",
            "implementation",
            "owner",
            "target_date",
            "legal_regulatory",
            "contractual",
            "business",
        ],
        batch_size=500,
    )

    method = risk_services.risk_module_setup(actor=actor)
    Risk.objects.bulk_create(
        [
            Risk(
                org=org,
                ref=f"R-{n:04d}",
                title=f"Risk {n}: {_text(n, 6)}",
                description="Synthetic",
                method=method,
                owner=members[n % len(members)],
                inherent_likelihood=3,
                inherent_impact=3,
                inherent_score=9,
                inherent_level="Medium",
            )
            for n in range(300)
        ]
    )
    risks = list(Risk.objects.filter(org=org).values_list("pk", flat=True))
    control_ids = list(
        Requirement.objects.filter(framework__slug=FRAMEWORK, kind="control").values_list(
            "pk", flat=True
        )
    )
    through = Risk.planned_controls.through
    through.objects.bulk_create(
        [
            through(risk_id=risks[i % len(risks)], requirement_id=req)
            for i, req in enumerate(control_ids[::3])
        ]
        + [
            through(risk_id=risks[(i + 7) % len(risks)], requirement_id=req)
            for i, req in enumerate(control_ids[::9])
        ],
        ignore_conflicts=True,
    )
    version = services.soa_submit(actor=actor, comment="Benchmark")
    # Separation of duties (on by default): another member approves what the owner submitted.
    approver = account_services.user_create(
        actor=None, email="approver@bench.example", password=PASSWORD
    )
    org_services.membership_add(actor=None, org=org, user=approver, role="admin")
    approver_actor = actor_for(approver, SLUG)
    services.soa_approve(actor=approver_actor, version=version, comment="Approved")
    assert selectors.current_approved(actor=actor) is not None


def _time(client: Any, url: str, rounds: int) -> dict[str, Any]:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(sql, *args)

    # The test client's request signals reset connection.queries, so count at the cursor.
    with connection.execute_wrapper(count):
        response = client.get(url)  # warm-up, and the query count
    assert response.status_code == 200, (url, response.status_code)
    size = len(response.content)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(url)
        _ = response.content
        times.append(time.perf_counter() - started)
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "max_s": round(max(times), 4),
        "queries": len(queries),
        "bytes": size,
        "rounds": rounds,
    }


def peak_rss_mib() -> float:
    """This process's peak RSS. Linux: VmHWM (ru_maxrss survives exec, so a child started by a
    big parent would report the parent's peak)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / scale


def pdf_child(rounds: int) -> None:
    """In a fresh process: time the PDF of the approved version; report peak RSS."""
    from django.contrib.auth import get_user_model

    from openisms.orgs.access import actor_for
    from openisms.soa import exports, selectors

    actor = actor_for(get_user_model().objects.get(email="owner@bench.example"), SLUG)
    version = selectors.current_approved(actor=actor)
    assert version is not None
    version = selectors.version_get(actor=actor, version_id=version.pk)
    before = peak_rss_mib()
    times, pages = [], 0
    for _ in range(rounds):
        started = time.perf_counter()
        content, _, _ = exports.export_soa(actor=actor, fmt="pdf", version=version)
        times.append(time.perf_counter() - started)
        pages = content.count(b"/Type /Page\n") or content.count(b"/Type /Page ")
    peak = peak_rss_mib()
    print(
        json.dumps(
            {
                "median_s": round(statistics.median(times), 3),
                "min_s": round(min(times), 3),
                "max_s": round(max(times), 3),
                "peak_rss_mib": round(peak, 1),
                "rss_before_mib": round(before, 1),
                "bytes": len(content),
                "pages": pages,
                "rounds": rounds,
            }
        )
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--controls", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pdf-child", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.pdf_child:
        setup_django(Path(args.pdf_child))
        pdf_child(args.rounds)
        return 0

    with tempfile.TemporaryDirectory(prefix="openisms-bench-soa-") as name:
        tmp = Path(name)
        setup_django(tmp)
        started = time.perf_counter()
        build(tmp, args.controls)
        setup_s = time.perf_counter() - started

        from django.contrib.auth import get_user_model
        from django.db import connection
        from django.test import Client

        client = Client()
        client.force_login(get_user_model().objects.get(email="owner@bench.example"))
        common = {"controls": args.controls, "backend": connection.vendor}
        targets = {"soa_page": 0.3, "soa_api_list": 0.3, "soa_xlsx": 0.3, "soa_pdf": 3.0}
        results = {
            "soa_page": _time(client, f"/o/{SLUG}/soa/", args.rounds),
            "soa_page_all_filters": _time(
                client,
                f"/o/{SLUG}/soa/?applicable=yes&reason=risk_treatment&status=planned&q=backup",
                args.rounds,
            ),
            "soa_api_list": _time(client, f"/api/v1/orgs/{SLUG}/soa?limit=500", args.rounds),
            "soa_xlsx": _time(client, f"/o/{SLUG}/soa/export/?format=xlsx&version=1", args.rounds),
            "soa_xlsx_working": _time(client, f"/o/{SLUG}/soa/export/?format=xlsx", args.rounds),
            "soa_csv": _time(client, f"/o/{SLUG}/soa/export/?format=csv&version=1", args.rounds),
            "soa_docx": _time(client, f"/o/{SLUG}/soa/export/?format=docx&version=1", 1),
        }
        for name_, figures in results.items():
            line = {"bench": name_, **common, **figures, "setup_s": round(setup_s, 1)}
            if name_ in targets:
                line["target_s"] = targets[name_]
                line["met"] = figures["median_s"] < targets[name_]
            print(json.dumps(line), flush=True)
        connection.close()
        child = subprocess.run(
            [sys.executable, __file__, "--pdf-child", str(tmp), "--rounds", str(args.rounds)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ},
        )
        pdf = json.loads(child.stdout.strip().splitlines()[-1])
        line = {"bench": "soa_pdf", **common, **pdf, "target_s": 3.0, "target_peak_mib": 200}
        line["met"] = pdf["median_s"] < 3.0 and pdf["peak_rss_mib"] < 200
        print(json.dumps(line), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
