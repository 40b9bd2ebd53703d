"""Writes for tasks and comments. Each is atomic and records its audit event."""

from __future__ import annotations

from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.controls.models import Control
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import resolve_member
from openisms.orgs.updates import audited_update
from openisms.risks.models import Risk
from openisms.soa.models import soa_framework
from openisms.work.fields import TASK_FIELDS, TASK_RULE, TaskChanges
from openisms.work.models import Task, TaskComment, TaskPriority, TaskStatus

MAX_COMMENT = 10_000


def task_snapshot(task: Task) -> dict[str, Any]:
    data = audit.snapshot(task)
    data["ref"] = task.ref
    return data


def can_edit_task(actor: Actor, task: Task) -> bool:
    """Editors change everything; the assignee may change the status."""
    return actor.may_edit(TASK_RULE, task)


def can_comment(actor: Actor, task: Task) -> bool:
    """Editors comment on any task; others on the tasks assigned to them."""
    return actor.may_edit(TASK_RULE, task)


def resolve_requirement(value: object) -> Requirement | None:
    """A control or clause of the SoA's framework, by ref ("A.5.15", "5.15", "9.2") or object.

    A bare number is tried as a clause first, then as an Annex A control: "5.1" is clause 5.1,
    write "A.5.1" for the control.
    """
    if value in (None, ""):
        return None
    if isinstance(value, Requirement):
        return value
    text = str(value).strip()
    if text.lower().startswith("a.") and len(text) > 2:
        candidates = [f"A.{text[2:]}"]
    else:
        candidates = [text, f"A.{text}"]
    found = {
        r.ref: r
        for r in Requirement.objects.filter(
            framework__slug=soa_framework(),
            ref__in=candidates,
            kind__in=("control", "clause"),
            retired=False,
        )
    }
    for ref in candidates:
        if ref in found:
            return found[ref]
    raise ValidationError({"requirement": f"No control or clause {text} in the catalogue."})


def resolve_control(actor: Actor, value: object) -> Control | None:
    """A control of the organisation's register, by ref ("AC-01") or object."""
    if value in (None, ""):
        return None
    qs = scoped(actor, Control)
    if isinstance(value, Control):
        control = qs.filter(pk=value.pk).first()
    else:
        control = qs.filter(ref=str(value).strip()).first()
    if control is None:
        raise ValidationError({"control": f"No control {value} in this organisation."})
    return control


def resolve_risk(actor: Actor, value: object) -> Risk | None:
    """A risk of the organisation, by ref ("R-003"), id or object."""
    if value in (None, ""):
        return None
    qs = scoped(actor, Risk)
    if isinstance(value, Risk):
        risk = qs.filter(pk=value.pk).first()
    elif isinstance(value, int) or str(value).strip().isdigit():
        risk = qs.filter(pk=int(str(value).strip())).first()
    else:
        risk = qs.filter(ref__iexact=str(value).strip()).first()
    if risk is None:
        raise ValidationError({"risk": f"No risk {value} in this organisation."})
    return risk


def _apply(actor: Actor, task: Task, changes: TaskChanges) -> None:
    unknown = set(changes) - set(TASK_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    # Choosing one target replaces the others: a task is on one requirement, control or risk.
    targets = ("requirement", "risk", "control")
    for chosen in targets:
        if changes.get(chosen) not in (None, ""):
            for other in targets:
                if other != chosen and other not in changes:
                    setattr(task, other, None)
    for name, value in changes.items():
        if name == "assignee":
            task.assignee = resolve_member(value, "assignee", actor=actor)
        elif name == "requirement":
            task.requirement = resolve_requirement(value)
        elif name == "risk":
            task.risk = resolve_risk(actor, value)
        elif name == "control":
            task.control = resolve_control(actor, value)
        elif isinstance(value, str):
            setattr(task, name, value.strip())
        else:
            setattr(task, name, value)
    errors: dict[str, str] = {}
    if not task.title:
        errors["title"] = "Give the task a title."
    if task.status not in TaskStatus.values:
        errors["status"] = f"Unknown status '{task.status}'."
    if task.priority not in TaskPriority.values:
        errors["priority"] = f"Unknown priority '{task.priority}'."
    if sum(1 for t in (task.requirement_id, task.risk_id, task.control_id) if t) > 1:
        errors["risk"] = "A task is on one requirement, control or risk, not several."
    if errors:
        raise ValidationError(errors)
    if task.status == TaskStatus.DONE:
        task.completed_at = task.completed_at or timezone.now()
    else:
        task.completed_at = None
    task.full_clean(
        exclude=["org", "number", "assignee", "requirement", "risk", "control", "created_by"]
    )


@transaction.atomic
def task_create(*, actor: Actor, **fields: Unpack[TaskChanges]) -> Task:
    actor.require(Perm.EDIT_ISMS)
    task = Task(org=actor.org, created_by=actor.user)
    _apply(actor, task, fields)
    last = scoped(actor, Task).aggregate(n=Max("number"))["n"] or 0
    task.number = last + 1
    task.save()
    audit.record(
        actor=actor.user, org=actor.org, action="task.create", obj=task, after=task_snapshot(task)
    )
    return task


@transaction.atomic
def task_update(*, actor: Actor, task: Task, **changes: Unpack[TaskChanges]) -> Task:
    """Change a task; the audit event holds only the fields that changed."""
    audited_update(
        actor=actor,
        obj=task,
        action="task.update",
        apply=lambda: _apply(actor, task, changes),
        snapshot=task_snapshot,
        rule=TASK_RULE,
        only_changed=("ref",),
    )
    return task


@transaction.atomic
def task_delete(*, actor: Actor, task: Task) -> None:
    """Remove a task created by mistake (with its comments); the event keeps what it was."""
    actor.require(Perm.EDIT_ISMS)
    before = task_snapshot(task)
    before["comments"] = scoped(actor, TaskComment).filter(task=task).count()
    audit.record(actor=actor.user, org=actor.org, action="task.delete", obj=task, before=before)
    task.delete()


@transaction.atomic
def task_comment_add(*, actor: Actor, task: Task, body: str) -> TaskComment:
    actor.require_edit(
        TASK_RULE,
        TASK_RULE.assignee_of(task),
        message="You can comment only on the tasks assigned to you.",
    )
    text = (body or "").strip()
    if not text:
        raise ValidationError({"body": "Write something."})
    if len(text) > MAX_COMMENT:
        raise ValidationError({"body": f"Keep a comment under {MAX_COMMENT:,} characters."})
    comment = TaskComment(org=actor.org, task=task, author=actor.user, body=text)
    comment.save()
    after = audit.snapshot(comment)
    after["task_ref"] = task.ref
    audit.record(
        actor=actor.user, org=actor.org, action="task_comment.create", obj=comment, after=after
    )
    return comment
