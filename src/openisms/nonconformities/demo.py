"""Nonconformities for the demo organisation: two from the internal audit, one from an
incident, one from a management review and one other; root causes, open corrective actions
(one overdue) and one closed after an effective check. Dates are relative to the day the demo
is created."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from openisms.nonconformities import services
from openisms.orgs.access import Actor

M = "maria.lopez@demo.openisms.example"
D = "dev.patel@demo.openisms.example"


def load_demo_nonconformities(*, actor: Actor) -> None:
    """``actor`` must be able to edit the ISMS (the demo's administrator)."""
    today = timezone.localdate()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    access = services.nonconformity_create(
        actor=actor,
        title="Leavers kept production access for up to three weeks",
        description="Two of five sampled leavers still had AWS console access 12 and 19 days "
        "after their last day.",
        source="audit",
        source_ref="IA-2026-01 finding 1",
        severity="major",
        owner=M,
        requirements=["A.5.18", "A.8.2"],
        raised_on=ago(70),
        correction="Both accounts were disabled the day the audit found them.",
        correction_on=ago(70),
    )
    services.nonconformity_update(
        actor=actor,
        nc=access,
        root_cause="HR's leaver ticket does not reach the platform team; access removal "
        "depended on someone remembering.",
        root_cause_method="five_whys",
    )
    services.action_create(
        actor=actor,
        nc=access,
        title="Trigger deprovisioning from the HR system's leaver event",
        owner=D,
        due_on=ago(5),
        status="in_progress",
    )
    services.action_create(
        actor=actor,
        nc=access,
        title="Monthly reconciliation of AWS accounts against the HR roster",
        owner=M,
        due_on=today + dt.timedelta(days=25),
    )

    training = services.nonconformity_create(
        actor=actor,
        title="Security awareness training records incomplete",
        description="Completion records were missing for 9 of 40 staff hired last year.",
        source="audit",
        source_ref="IA-2026-01 finding 2",
        severity="minor",
        owner=M,
        requirements=["7.2", "A.6.3"],
        raised_on=ago(68),
    )
    services.nonconformity_update(
        actor=actor,
        nc=training,
        root_cause="Onboarding checklist lists the training but nobody checks completion.",
        root_cause_method="fishbone",
    )
    services.action_create(
        actor=actor,
        nc=training,
        title="Add a training completion check to the 30-day onboarding review",
        owner=M,
        due_on=today + dt.timedelta(days=14),
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
