"""Tracked actions: what corrective actions (10.2) and management-review actions (9.3) share.

Both are ``core.models.TrackedAction`` rows: a title, an owner who reports progress, a due
date, a status and notes. What may be set is declared once here (``ActionChanges``), for the
services, the API schemas and the forms of both apps; ``action_apply`` applies a change and
keeps the completion date in step with the status.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Schema

from openisms.accounts.models import User
from openisms.core.changes import changes_of
from openisms.core.models import ActionStatus, TrackedAction
from openisms.orgs.access import Actor
from openisms.orgs.selectors import resolve_member


class ActionChanges(TypedDict, total=False):
    title: str
    owner: str | User | None  # a member's e-mail (or the member)
    due_on: dt.date | None
    status: str
    notes: str


ACTION_FIELDS = tuple(ActionChanges.__annotations__)


def action_apply(
    actor: Actor, action: TrackedAction, changes: ActionChanges, *, exclude: Iterable[str]
) -> None:
    """Set the changed fields (``owner`` resolved among the members) and validate; ``exclude``
    names the subclass's own foreign keys, which the services set."""
    unknown = set(changes) - set(ACTION_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    for name, value in changes.items():
        if name == "owner":
            action.owner = resolve_member(value, "owner", actor=actor)
        elif isinstance(value, str):
            setattr(action, name, value.strip())
        else:
            setattr(action, name, value)
    if not action.title:
        raise ValidationError({"title": "Give the action a title."})
    if action.status not in ActionStatus.values:
        raise ValidationError({"status": f"Unknown status '{action.status}'."})
    if action.status == ActionStatus.DONE:
        action.completed_on = action.completed_on or timezone.localdate()
    else:
        action.completed_on = None
    action.full_clean(exclude=["org", "owner", *exclude])


class ActionIn(Schema):
    title: str
    owner: str | None = None
    due_on: dt.date | None = None
    status: ActionStatus = ActionStatus.PLANNED
    notes: str = ""

    def changes(self) -> ActionChanges:
        return changes_of(ActionChanges, self.dict())


class ActionPatch(Schema):
    title: str | None = None
    owner: str | None = None
    due_on: dt.date | None = None
    status: ActionStatus | None = None
    notes: str | None = None

    def changes(self) -> ActionChanges:
        return changes_of(ActionChanges, self.dict(exclude_unset=True))
