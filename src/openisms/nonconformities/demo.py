"""Nonconformities for the demo organisation: three from the internal audit, one from an
incident, one from a management review and one other; root causes, open corrective actions
(one overdue) and one closed after an effective check. Dates are relative to the day the demo
is created."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.utils import timezone

from openisms.nonconformities import services
from openisms.nonconformities.models import Nonconformity
from openisms.orgs.access import Actor

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"


def load_demo_nonconformities(*, actor: Actor, from_audit: Sequence[Nonconformity] = ()) -> None:
    """``actor`` must be able to edit the ISMS (the demo's administrator); ``from_audit`` are
    the entries the internal audit's demo raised from its findings, in finding order."""
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    # The internal audit's major and minor findings, raised into the register by the audit's
    # demo: restore tests (major), leavers' access (minor), obsolete documents (minor).
    def later(days: int) -> dt.date:
        return today + dt.timedelta(days=days)

    follow_up = [
        (
            "The restore test was a step of the old platform's runbook and was not carried "
            "over when backups moved; nothing reminds anyone of a quarterly test.",
            "five_whys",
            [
                (
                    "Run and record a full restore test on the new platform",
                    D,
                    ago(5),
                    "in_progress",
                ),
                (
                    "Schedule quarterly restore tests as recurring tasks",
                    M,
                    today + dt.timedelta(25),
                    "planned",
                ),
            ],
        ),
        (
            "HR's leaver ticket does not reach the platform team; access removal depended on "
            "someone remembering.",
            "five_whys",
            [
                (
                    "Trigger deprovisioning from the HR system's leaver event",
                    D,
                    today + dt.timedelta(20),
                    "planned",
                )
            ],
        ),
        (
            "Runbooks live in a shared drive outside the document register, so superseded "
            "versions are never withdrawn.",
            "fishbone",
            [
                (
                    "Move the runbooks into the document register and archive old versions",
                    M,
                    today + dt.timedelta(30),
                    "planned",
                )
            ],
        ),
    ]
    for nc, (root_cause, method, actions) in zip(from_audit, follow_up, strict=False):
        services.nonconformity_update(
            actor=actor, nc=nc, root_cause=root_cause, root_cause_method=method
        )
        for title, owner, due_on, status in actions:
            services.action_create(
                actor=actor, nc=nc, title=title, owner=owner, due_on=due_on, status=status
            )

    backup = services.nonconformity_create(
        actor=actor,
        title="Nightly database backup failed for four days unnoticed",
        description="Incident INC-2026-014: the backup job's credentials expired; alerts went "
        "to a retired mailbox.",
        source="incident",
        source_ref="INC-2026-014",
        severity="major",
        owner=D,
        requirements=["A.8.13"],
        raised_on=ago(120),
        correction="Credentials renewed and a manual backup taken the same day.",
        correction_on=ago(120),
    )
    services.nonconformity_update(
        actor=actor,
        nc=backup,
        root_cause="Backup alerts were routed to a personal mailbox that was retired.",
        root_cause_method="five_whys",
    )
    fix = services.action_create(
        actor=actor,
        nc=backup,
        title="Route backup alerts to the on-call rotation",
        owner=D,
        due_on=ago(100),
    )
    services.action_update(actor=actor, action=fix, status="done", notes="Alerts go to PagerDuty.")
    services.nonconformity_start_verification(actor=actor, nc=backup)
    services.nonconformity_check(
        actor=actor,
        nc=backup,
        result="effective",
        notes="Eight weeks of backup reports reviewed; two test failures were paged within "
        "minutes.",
        checked_on=ago(40),
    )
    services.nonconformity_close(actor=actor, nc=backup, closed_on=ago(40))

    services.nonconformity_create(
        actor=actor,
        title="Quality objectives for the ISMS not measured",
        description="The last management review found no measurement for two of the five "
        "information security objectives.",
        source="review",
        source_ref="Management review 2025",
        severity="minor",
        owner=M,
        requirements=["6.2"],
        raised_on=ago(200),
    )

    services.nonconformity_create(
        actor=actor,
        title="Supplier security review overdue for the SMS provider",
        description="The annual review of the SMS provider's security was not done.",
        source="other",
        source_ref="Supplier register check",
        severity="minor",
        owner=M,
        requirements=["A.5.22"],
        raised_on=ago(20),
    )
