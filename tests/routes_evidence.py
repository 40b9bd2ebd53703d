"""Registry entries for the evidence library (see tests/routes.py for the fields)."""

from __future__ import annotations

from tests.routes import Route

EVIDENCE_API: list[Route] = []
EVIDENCE_UI: list[Route] = []
