"""The background worker (`openisms worker`) with the real database-backed task backend."""

from __future__ import annotations

from typing import Any

from django.core import mail
from django.core.management import call_command

from openisms.cli import ALIASES
from openisms.orgs import services
from openisms.orgs.access import actor_for
from tests.conftest import World


def test_worker_delivers_the_queued_invitation_email(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any, monkeypatch: Any
) -> None:
    # The worker closes stale connections between tasks, which would end the test's
    # transaction; keep the connection for the duration of the test.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_create(
            actor=actor_for(world.owner_a, "org-a"), email="queued@example.com", role="viewer"
        )
    assert mail.outbox == []  # queued, not sent inline
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    # `openisms worker` is Django's db_worker over every queue; run it until the queue is empty.
    assert ALIASES["worker"][0] == "db_worker"
    call_command(*ALIASES["worker"], "--batch", "--no-startup-delay", verbosity=0)
    assert [m.to for m in mail.outbox] == [["queued@example.com"]]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
