"""Reminder sources: what is due, overdue or about to expire, per organisation.

Why a registry: reminders are sent by one background job (``openisms.work``), but what is
worth a reminder is owned by each domain (tasks by ``work``, evidence by ``evidence``). Each
domain registers a source in its ``AppConfig.ready``; the job asks every source for the events
of one organisation on one day, sends each event once (its ``key`` is recorded) and groups
them per recipient into a digest.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from openisms.accounts.models import User
from openisms.orgs.models import Organization


@dataclass(frozen=True)
class ReminderEvent:
    """One thing a person should be told about.

    ``key`` identifies the event, not the object: it must change when the situation changes
    (for example ``"task:42:overdue:2026-12-01"`` includes the due date, so moving the due date
    produces a new event and a new reminder, while running the job twice does not).
    """

    key: str
    recipient: User
    kind: str  # "task_due", "task_overdue", "evidence_expiring", "evidence_expired", ...
    subject: str  # one line, used in the digest and as the subject of a single reminder
    url: str  # path inside OpenISMS, e.g. /o/demo/work/tasks/42/
    due: dt.date | None = None


ReminderSource = Callable[[Organization, dt.date], Iterable[ReminderEvent]]

_SOURCES: dict[str, ReminderSource] = {}


def register(name: str, source: ReminderSource) -> None:
    """Register (or replace) a source; idempotent so ``ready()`` may run more than once."""
    _SOURCES[name] = source


def sources() -> dict[str, ReminderSource]:
    return dict(_SOURCES)
