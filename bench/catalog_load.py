"""Benchmark: load every shipped catalogue into an empty database, and re-run the load.

Usage: python bench/catalog_load.py [--rounds 5]. Uses a throw-away SQLite database unless
DATABASE_URL is set. Prints one JSON line per measurement (seconds: min, median, max).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("OPENISMS_DATA_DIR", tempfile.mkdtemp(prefix="openisms-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openisms.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from openisms.catalog import loader
    from openisms.catalog.models import Framework, Requirement

    call_command("migrate", verbosity=0)
    empty, rerun = [], []
    for _ in range(args.rounds):
        Framework.objects.all().delete()
        started = time.perf_counter()
        loader.load_all()
        empty.append(time.perf_counter() - started)
        started = time.perf_counter()
        loader.load_all()
        rerun.append(time.perf_counter() - started)
    requirements = Requirement.objects.count()
    for name, values in (("load_all_empty_db", empty), ("load_all_unchanged", rerun)):
        print(
            json.dumps(
                {
                    "bench": name,
                    "backend": connection.vendor,
                    "requirements": requirements,
                    "rounds": args.rounds,
                    "min_s": round(min(values), 4),
                    "median_s": round(statistics.median(values), 4),
                    "max_s": round(max(values), 4),
                }
            )
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
