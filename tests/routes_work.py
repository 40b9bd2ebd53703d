"""Registry entries for the tasks and reminders (see tests/routes.py for the fields)."""

from __future__ import annotations

from tests.routes import Route

WORK_API: list[Route] = []
WORK_UI: list[Route] = []
