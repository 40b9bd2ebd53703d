from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from openisms.core.api import Error, Pagination, PathId
from openisms.core.changes import changes_of
from openisms.orgs.access import request_actor as actor
from openisms.work import selectors, services
from openisms.work.fields import TaskChanges
from openisms.work.models import TaskPriority, TaskStatus

router = Router(tags=["tasks"])


class TaskOut(Schema):
    id: int
    ref: str
    title: str
    description: str
    status: str
    priority: str
    assignee: str | None
    due_on: date | None
    overdue: bool
    requirement: str | None
    risk: str | None
    control: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None

    @staticmethod
    def resolve_assignee(obj: Any) -> str | None:
        return obj.assignee.email if obj.assignee_id else None

    @staticmethod
    def resolve_requirement(obj: Any) -> str | None:
        return obj.requirement.ref if obj.requirement_id else None

    @staticmethod
    def resolve_risk(obj: Any) -> str | None:
        return obj.risk.ref if obj.risk_id else None

    @staticmethod
    def resolve_control(obj: Any) -> str | None:
        return obj.control.ref if obj.control_id else None

    @staticmethod
    def resolve_created_by(obj: Any) -> str | None:
        return obj.created_by.email if obj.created_by_id else None


class TaskFilters(Schema):
    status: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    due_before: date | None = None
    target: str | None = None
    priority: str | None = None
    q: str = ""


class TaskIn(Schema):
    title: str
    description: str = ""
    assignee: str | None = None
    due_on: date | None = None
    status: TaskStatus = TaskStatus.OPEN
    priority: TaskPriority = TaskPriority.NORMAL
    requirement: str | None = None
    risk: str | None = None
    control: str | None = None

    def changes(self) -> TaskChanges:
        return changes_of(TaskChanges, self.dict())


class TaskPatch(Schema):
    title: str | None = None
    description: str | None = None
    assignee: str | None = None
    due_on: date | None = None
    status: TaskStatus | None = None
    priority: TaskPriority | None = None
    requirement: str | None = None
    risk: str | None = None
    control: str | None = None

    def changes(self) -> TaskChanges:
        return changes_of(TaskChanges, self.dict(exclude_unset=True))


class TaskCountsOut(Schema):
    open: int
    overdue: int
    due_soon: int


class CommentOut(Schema):
    id: int
    author: str | None
    body: str
    created_at: datetime

    @staticmethod
    def resolve_author(obj: Any) -> str | None:
        return obj.author.email if obj.author_id else None


class CommentIn(Schema):
    body: str


@router.get("/orgs/{org}/tasks", response={200: list[TaskOut], 404: Error})
@paginate(Pagination)
def task_list(request: HttpRequest, org: str, filters: Query[TaskFilters]) -> Any:
    """Most urgent first. ``status``: a status or 'active'; ``assignee``: an e-mail, 'me' or
    'none'; ``target``: a control or clause ref (A.5.15, 9.2) or a risk ref (R-003)."""
    return selectors.task_list(actor=actor(request, org), **filters.dict())


@router.post("/orgs/{org}/tasks", response={201: TaskOut, 403: Error, 404: Error, 422: Error})
def task_create(request: HttpRequest, org: str, payload: TaskIn) -> Any:
    """``requirement``: a control or clause ref ("A.5.15"; "5.1" is clause 5.1); ``risk``: a risk
    ref; at most one of them. ``assignee`` must be a member (e-mail)."""
    a = actor(request, org)
    task = services.task_create(actor=a, **payload.changes())
    return Status(201, selectors.task_get(actor=a, task_id=task.pk))


@router.get("/orgs/{org}/tasks/counts", response={200: TaskCountsOut, 404: Error})
def task_counts(request: HttpRequest, org: str) -> Any:
    """Open tasks, overdue tasks and tasks due within seven days."""
    return selectors.task_counts(actor=actor(request, org))


@router.get("/orgs/{org}/tasks/{task_id}", response={200: TaskOut, 404: Error})
def task_get(request: HttpRequest, org: str, task_id: PathId) -> Any:
    return selectors.task_get(actor=actor(request, org), task_id=task_id)


@router.patch(
    "/orgs/{org}/tasks/{task_id}", response={200: TaskOut, 403: Error, 404: Error, 422: Error}
)
def task_update(request: HttpRequest, org: str, task_id: PathId, payload: TaskPatch) -> Any:
    """The assignee (with the contributor role) may change only ``status``."""
    a = actor(request, org)
    task = selectors.task_get(actor=a, task_id=task_id)
    services.task_update(actor=a, task=task, **payload.changes())
    return selectors.task_get(actor=a, task_id=task_id)


@router.delete("/orgs/{org}/tasks/{task_id}", response={204: None, 403: Error, 404: Error})
def task_delete(request: HttpRequest, org: str, task_id: PathId) -> Any:
    a = actor(request, org)
    services.task_delete(actor=a, task=selectors.task_get(actor=a, task_id=task_id))
    return Status(204, None)


@router.get("/orgs/{org}/tasks/{task_id}/comments", response={200: list[CommentOut], 404: Error})
@paginate(Pagination)
def comment_list(request: HttpRequest, org: str, task_id: PathId) -> Any:
    a = actor(request, org)
    return selectors.task_comments(actor=a, task=selectors.task_get(actor=a, task_id=task_id))


@router.post(
    "/orgs/{org}/tasks/{task_id}/comments",
    response={201: CommentOut, 403: Error, 404: Error, 422: Error},
)
def comment_add(request: HttpRequest, org: str, task_id: PathId, payload: CommentIn) -> Any:
    """The assignee and editors may comment; comments cannot be edited afterwards."""
    a = actor(request, org)
    task = selectors.task_get(actor=a, task_id=task_id)
    return Status(201, services.task_comment_add(actor=a, task=task, body=payload.body))
