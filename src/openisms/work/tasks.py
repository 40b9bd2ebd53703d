"""The daily reminder job, run by ``openisms worker``.

``send_reminders`` e-mails the new reminders of every active organisation and then queues its
own next run for the next day at ``OPENISMS_REMINDER_HOUR`` (UTC). The worker command calls
:func:`ensure_scheduled` when it starts, so exactly one future run is always waiting; a
duplicate run would do no harm anyway, because every reminder key is e-mailed only once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone

from openisms.orgs.models import Organization
from openisms.work.reminders import reminders_send

logger = logging.getLogger(__name__)


def next_run(now: dt.datetime | None = None) -> dt.datetime:
    """The next OPENISMS_REMINDER_HOUR:00 UTC strictly after ``now``."""
    now = (now or timezone.now()).astimezone(dt.UTC)
    hour = int(getattr(settings, "OPENISMS_REMINDER_HOUR", 7))
    candidate = now.replace(hour=hour, minute=0, second=0, microsecond=0)
    if candidate <= now:
        candidate += dt.timedelta(days=1)
    return candidate


def _pending_run_exists() -> bool:
    """Whether a run of the job is already waiting in the database queue."""
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(
        task_path=send_reminders.module_path, status="READY"
    ).exists()


def ensure_scheduled(now: dt.datetime | None = None) -> dt.datetime | None:
    """Queue the next run unless one is waiting; returns when the queued run will start.

    Only backends that can defer work (the database backend) get a scheduled run; with the
    immediate backend (tests) nothing is queued, because it would run at once, forever.
    """
    backend = send_reminders.get_backend()
    if not backend.supports_defer or not getattr(settings, "OPENISMS_REMINDERS_ENABLED", True):
        return None
    with transaction.atomic():
        if _pending_run_exists():
            return None
        when = next_run(now)
        send_reminders.using(run_after=when).enqueue()
    logger.info("Next reminder run queued for %s", when.isoformat())
    return when


@task()
def send_reminders() -> dict[str, int]:
    """Send the reminders of every active organisation, then queue tomorrow's run."""
    totals = {"organisations": 0, "emails": 0, "reminders": 0, "failed": 0}
    today = timezone.localdate()
    for org in Organization.objects.filter(is_active=True).order_by("slug"):
        try:
            summary = reminders_send(org=org, today=today)
        except Exception:  # one organisation's failure must not stop the others
            logger.exception("Reminders failed for %s", org.slug)
            totals["failed"] += 1
            continue
        totals["organisations"] += 1
        totals["emails"] += summary.emails
        totals["reminders"] += summary.new
        totals["failed"] += summary.failed
        if summary.emails or summary.failed:
            logger.info(summary.line())
    ensure_scheduled()
    return totals
