"""Reminder e-mails: the "tasks" source and the sender that serves every source.

``reminders_send`` asks every registered source (``openisms.orgs.reminders``) for the events of
one organisation on one day, drops those whose key was already e-mailed, and sends each
recipient ONE plain-text digest with all their new events. Keys are claimed (written to
``ReminderSent``) before the e-mail goes out and released again if sending fails, so an event
is e-mailed once even when two workers run the job at the same moment.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from openisms.core import audit
from openisms.orgs.access import scoped, system_actor
from openisms.orgs.models import Membership, Organization
from openisms.orgs.reminders import ReminderEvent, sources
from openisms.work.models import ACTIVE, ReminderSent, Task

logger = logging.getLogger(__name__)

TASK_DUE_DAYS = 3  # a task is "due" (worth a reminder) from three days before its due date

KIND_HEADINGS = {
    "task_overdue": "Overdue tasks",
    "task_due": "Tasks due soon",
    "evidence_expired": "Expired evidence",
    "evidence_expiring": "Evidence about to expire",
    "evidence_review_due": "Evidence due for review",
    "corrective_action_overdue": "Overdue corrective actions",
    "corrective_action_due": "Corrective actions due soon",
    "nonconformity_no_action": "Nonconformities still without a corrective action",
    "review_action_overdue": "Overdue management review actions",
    "review_action_due": "Management review actions due soon",
}


def task_events(org: Organization, today: dt.date) -> Iterable[ReminderEvent]:
    """Open tasks with an assignee that are due within three days or overdue."""
    tasks = (
        scoped(system_actor(org), Task)
        .filter(
            status__in=ACTIVE,
            assignee__isnull=False,
            due_on__lte=today + dt.timedelta(TASK_DUE_DAYS),
        )
        .select_related("assignee")
        .order_by("due_on", "number")
    )
    for task in tasks:
        assert task.assignee is not None and task.due_on is not None
        url = reverse("work:task_detail", kwargs={"org": org.slug, "task_id": task.pk})
        if task.due_on < today:
            days = (today - task.due_on).days
            yield ReminderEvent(
                key=f"task:{task.pk}:overdue:{task.due_on.isoformat()}",
                recipient=task.assignee,
                kind="task_overdue",
                subject=f"{task.ref} {task.title} is overdue "
                f"({days} day{'s' if days != 1 else ''}, due {task.due_on.isoformat()})",
                url=url,
                due=task.due_on,
            )
        else:
            when = "today" if task.due_on == today else f"on {task.due_on.isoformat()}"
            yield ReminderEvent(
                key=f"task:{task.pk}:due:{task.due_on.isoformat()}",
                recipient=task.assignee,
                kind="task_due",
                subject=f"{task.ref} {task.title} is due {when}",
                url=url,
                due=task.due_on,
            )


@dataclass
class ReminderSummary:
    org: str
    day: dt.date
    dry_run: bool
    events: int = 0  # every event the sources reported
    already_sent: int = 0
    skipped: int = 0  # recipients who are inactive or no longer members
    new: int = 0  # events e-mailed in this run (or that would be, in a dry run)
    emails: int = 0
    failed: int = 0  # digests that could not be sent (retried on the next run)
    recipients: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def line(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        return (
            f"{self.org} {self.day.isoformat()}: {verb} {self.emails} e-mail(s) with "
            f"{self.new} reminder(s); {self.already_sent} already sent, {self.skipped} skipped"
            + (f", {self.failed} failed" if self.failed else "")
        )


def digest_text(org: Organization, events: list[ReminderEvent]) -> tuple[str, str]:
    """Subject and plain-text body of one recipient's digest."""
    base = str(settings.OPENISMS_BASE_URL).rstrip("/")
    if len(events) == 1:
        subject = f"[{org.name}] {events[0].subject}"
    else:
        subject = f"[{org.name}] {len(events)} reminders from OpenISMS"
    groups: dict[str, list[ReminderEvent]] = defaultdict(list)
    for event in events:
        groups[event.kind].append(event)
    order = [k for k in KIND_HEADINGS if k in groups] + sorted(set(groups) - set(KIND_HEADINGS))
    lines = [f"Reminders for {org.name}:", ""]
    for kind in order:
        lines.append(KIND_HEADINGS.get(kind, kind.replace("_", " ").capitalize()))
        for event in sorted(groups[kind], key=lambda e: (e.due or dt.date.max, e.subject)):
            lines.append(f"- {event.subject}")
            lines.append(f"  {base}{event.url}")
        lines.append("")
    lines += [
        f"Everything on your plate: {base}" + reverse("web:my_work", kwargs={"org": org.slug}),
        "",
        "OpenISMS sends each reminder once; you will hear again only when something changes "
        "(for example a new due date).",
    ]
    return subject, "\n".join(lines)


def _eligible(org: Organization) -> set[int]:
    """Ids of active users who are members of the organisation."""
    return set(
        scoped(system_actor(org), Membership)
        .filter(user__is_active=True)
        .values_list("user_id", flat=True)
    )


def collect(org: Organization, today: dt.date) -> list[ReminderEvent]:
    events: list[ReminderEvent] = []
    for name, source in sorted(sources().items()):
        try:
            events.extend(source(org, today))
        except Exception:  # one broken source must not stop the others' reminders
            logger.exception("Reminder source %s failed for %s", name, org.slug)
    return events


def _claim(org: Organization, events: list[ReminderEvent]) -> bool:
    """Record the keys before sending; False when another run claimed any of them first."""
    now = timezone.now()
    try:
        with transaction.atomic():
            ReminderSent.objects.bulk_create(
                [
                    ReminderSent(
                        org=org, key=e.key, recipient=e.recipient, kind=e.kind, sent_at=now
                    )
                    for e in events
                ]
            )
    except IntegrityError:
        return False
    return True


def _release(org: Organization, events: list[ReminderEvent]) -> None:
    scoped(system_actor(org), ReminderSent).filter(key__in=[e.key for e in events]).delete()


def reminders_send(
    *, org: Organization, today: dt.date | None = None, dry_run: bool = False
) -> ReminderSummary:
    """E-mail every new reminder event of one organisation, one digest per recipient."""
    day = today or timezone.localdate()
    summary = ReminderSummary(org=org.slug, day=day, dry_run=dry_run)
    events = collect(org, day)
    summary.events = len(events)
    unique: dict[str, ReminderEvent] = {}
    for event in events:
        unique.setdefault(event.key, event)
    sent = set(
        scoped(system_actor(org), ReminderSent)
        .filter(key__in=list(unique))
        .values_list("key", flat=True)
    )
    summary.already_sent = len(sent)
    eligible = _eligible(org)
    per_recipient: dict[int, list[ReminderEvent]] = defaultdict(list)
    for key, event in unique.items():
        if key in sent:
            continue
        if event.recipient.pk not in eligible:
            summary.skipped += 1
            continue
        per_recipient[event.recipient.pk].append(event)
    for batch in per_recipient.values():
        recipient = batch[0].recipient
        if dry_run:
            summary.new += len(batch)
            summary.emails += 1
            summary.recipients.append(recipient.email)
            summary.keys += [e.key for e in batch]
            continue
        if not _claim(org, batch):
            continue  # another run is sending these right now
        subject, body = digest_text(org, batch)
        try:
            send_mail(
                subject=subject, message=body, from_email=None, recipient_list=[recipient.email]
            )
        except Exception:  # the mail server refused: release the keys so the next run retries
            logger.exception("Reminder digest to %s failed", recipient.email)
            _release(org, batch)
            summary.failed += 1
            continue
        summary.new += len(batch)
        summary.emails += 1
        summary.recipients.append(recipient.email)
        summary.keys += [e.key for e in batch]
    if summary.emails and not dry_run:
        with transaction.atomic():
            audit.record(
                actor=None,
                org=org,
                action="reminders.send",
                object_type="work.remindersent",
                object_id=day.isoformat(),
                object_repr=f"Reminders of {day.isoformat()}",
                after={
                    "day": day.isoformat(),
                    "emails": summary.emails,
                    "recipients": sorted(summary.recipients),
                    "keys": sorted(summary.keys),
                },
            )
    return summary
