"""My work: what one member has to do, across tasks, SoA rows, risks and evidence.

It belongs to the composition layer because it reads four domains; each domain's selectors
stay ignorant of the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q
from django.utils import timezone

from openisms.evidence import selectors as evidence_selectors
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import Actor, scoped
from openisms.risks.models import Risk
from openisms.soa.models import SoaEntry, SoaStatus
from openisms.work import selectors as work_selectors
from openisms.work.models import ACTIVE, Task

REVIEW_SOON_DAYS = 14  # a risk review due within two weeks is worth showing


@dataclass
class MyWork:
    today: dt.date
    tasks: list[Task] = field(default_factory=list)
    soa_rows: list[SoaEntry] = field(default_factory=list)
    risks: list[Risk] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def overdue_tasks(self) -> list[Task]:
        return [t for t in self.tasks if t.is_overdue(self.today)]

    @property
    def total(self) -> int:
        return len(self.tasks) + len(self.soa_rows) + len(self.risks) + len(self.evidence)

    def counts(self) -> dict[str, Any]:
        return {
            "tasks": len(self.tasks),
            "overdue": len(self.overdue_tasks),
            "soa_rows": len(self.soa_rows),
            "risks": len(self.risks),
            "evidence": len(self.evidence),
        }


def my_work(*, actor: Actor, today: dt.date | None = None) -> MyWork:
    """What the actor has to do: their open tasks (overdue first, then by due date), the SoA
    rows they own that are applicable but not implemented yet, and the risks they own whose
    review date has passed or comes within two weeks, and the evidence they own that has
    expired or is due soon. A fixed number of queries whatever the data."""
    day = today or timezone.localdate()
    work = MyWork(today=day)
    user = actor.user
    if user is None:
        return work
    tasks = work_selectors.task_base(actor).filter(assignee=user, status__in=ACTIVE)
    work.tasks = list(work_selectors.urgency_order(tasks, day))
    work.soa_rows = list(
        scoped(actor, SoaEntry)
        .filter(owner=user, applicable=True)
        .exclude(status__in=[SoaStatus.IMPLEMENTED, SoaStatus.NOT_APPLICABLE])
        .select_related("requirement")
        .order_by(F("target_date").asc(nulls_last=True), "requirement__position")
    )
    work.risks = list(
        scoped(actor, Risk)
        .filter(owner=user, review_date__lte=day + dt.timedelta(REVIEW_SOON_DAYS))
        .order_by("review_date", "ref")
    )
    work.evidence = list(
        evidence_selectors.with_freshness(scoped(actor, EvidenceItem).filter(owner=user), today=day)
        .exclude(Q(freshness="current"))  # an annotation, which the type plugin cannot see
        .order_by(F("valid_until").asc(nulls_last=True), "number")
    )
    return work
