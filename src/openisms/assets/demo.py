"""The demo organisation's asset inventory: a 120-person US healthcare SaaS company.

The inventory itself is data, in ``data/demo_assets.json``; this module reads it into the
rows the ``demo`` command imports.
"""

from __future__ import annotations

import json
from pathlib import Path

DEMO_ASSETS_FILE = Path(__file__).resolve().parent / "data" / "demo_assets.json"


def _load() -> list[tuple[str, str, str, int, int, int, str, str, str]]:
    """name, type, classification, C, I, A, location, tags, depends on - in file order."""
    return [
        (
            a["name"],
            a["type"],
            a["classification"],
            a["confidentiality"],
            a["integrity"],
            a["availability"],
            a["location"],
            a["tags"],
            a["depends_on"],
        )
        for a in json.loads(DEMO_ASSETS_FILE.read_text(encoding="utf-8"))["assets"]
    ]


DEMO_ASSETS: list[tuple[str, str, str, int, int, int, str, str, str]] = _load()
