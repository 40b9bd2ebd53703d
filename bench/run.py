"""Run every benchmark in bench/ (``make bench``). Timings live here, never in tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHES = [
    "catalog_load.py",
    "bench_quant.py",
    "bench_soa.py",
    "bench_coverage.py",
    "bench_oscal.py",
]


def main() -> int:
    status = 0
    for name in BENCHES:
        print(f"# {name}", flush=True)
        status |= subprocess.call([sys.executable, str(HERE / name)])
    return status


if __name__ == "__main__":
    raise SystemExit(main())
