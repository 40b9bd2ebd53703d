"""Tasks for the demo organisation: upcoming, overdue, blocked and done, with comments.

Due dates are relative to the day the demo is created, so "My work" and the reminders always
have something to show.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from openisms.orgs.access import Actor, scoped
from openisms.risks.models import Risk
from openisms.work import services

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"
ADMIN = "admin@demo.openisms.example"


def load_demo_tasks(*, actor: Actor) -> None:
    """``actor`` must be able to edit the ISMS (the demo's administrator)."""
    today = timezone.localdate()
    risks = {r.title: r.pk for r in scoped(actor, Risk)}
    tasks: list[tuple[dict[str, Any], list[str]]] = [
        (
            {
                "title": "Run the first failover test to us-west-2",
                "assignee": D,
                "due_on": today + dt.timedelta(days=60),
                "status": "in_progress",
                "priority": "high",
                "requirement": "A.5.30",
            },
            ["Runbook drafted; the test window is agreed with customer success."],
        ),
        (
            {
                "title": "Re-review the AWS SOC 2 report",
                "description": "The yearly review of our main supplier's report is overdue.",
                "assignee": M,
                "due_on": today - dt.timedelta(days=5),
                "priority": "high",
                "requirement": "A.5.22",
            },
            [],
        ),
        (
            {
                "title": "Write SIEM detection rules for admin actions",
                "assignee": D,
                "due_on": today + dt.timedelta(days=14),
                "status": "in_progress",
                "risk": risks["Attack goes unnoticed for months"],
            },
            [],
        ),
        (
            {
                "title": "Plan the 2027 internal audit programme",
                "assignee": M,
                "due_on": today + dt.timedelta(days=30),
                "requirement": "9.2",
            },
            [],
        ),
        (
            {
                "title": "Hold the first management review",
                "assignee": ADMIN,
                "due_on": today + dt.timedelta(days=45),
                "requirement": "9.3",
            },
            [],
        ),
        (
            {
                "title": "Report vulnerability remediation against the SLAs",
                "assignee": D,
                "due_on": today + dt.timedelta(days=21),
                "status": "blocked",
                "requirement": "A.8.8",
            },
            ["Blocked until the scanner's API export is enabled by the vendor."],
        ),
        (
            {
                "title": "Choose a DLP tool for e-mail and SaaS storage",
                "assignee": M,
                "due_on": today - dt.timedelta(days=30),
                "status": "done",
                "requirement": "A.8.12",
            },
            ["Selected after a two-week trial; rollout planned in 2027."],
        ),
    ]
    for fields, comments in tasks:
        task = services.task_create(actor=actor, **fields)
        for body in comments:
            services.task_comment_add(actor=actor, task=task, body=body)
