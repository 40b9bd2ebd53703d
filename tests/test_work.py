"""Tasks, "My work" and the reminder e-mails."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from openisms.cli import main as cli_main
from openisms.core.models import AuditEvent
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.reminders import ReminderEvent, register, sources
from openisms.risks import services as risk_services
from openisms.soa import selectors as soa_selectors
from openisms.soa import services as soa_services
from openisms.web import mywork
from openisms.work import selectors, services
from openisms.work.models import ReminderSent, Task
from openisms.work.reminders import reminders_send
from openisms.work.tasks import ensure_scheduled, next_run, send_reminders
from tests.conftest import World, add_member, login, token_client

TODAY = dt.date(2026, 6, 10)
pytestmark = pytest.mark.usefixtures("catalog")


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _task(world: World, **fields: Any) -> Task:
    data: dict[str, Any] = {"title": "Write the backup policy"}
    data.update(fields)
    return services.task_create(actor=_actor(world), **data)


def _contributor(world: World) -> str:
    return world.users_a["contributor"].email


# --- reminders --------------------------------------------------------------------------------


def test_reminders_are_sent_once(world: World) -> None:
    task = _task(world, assignee=_contributor(world), due_on=TODAY + dt.timedelta(days=2))
    first = reminders_send(org=world.org_a, today=TODAY)
    second = reminders_send(org=world.org_a, today=TODAY)
    assert (first.emails, first.new) == (1, 1)
    assert (second.emails, second.new, second.already_sent) == (0, 0, 1)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [_contributor(world)]
    assert task.ref in message.subject and "due on 2026-06-12" in message.subject
    assert f"/o/org-a/work/tasks/{task.pk}/" in message.body
    assert ReminderSent.objects.filter(org=world.org_a).count() == 1
    # The run is on the organisation's audit trail.
    assert AuditEvent.objects.filter(org=world.org_a, action="reminders.send").count() == 1


def test_a_task_becoming_overdue_is_a_new_reminder_and_sent_once(world: World) -> None:
    _task(world, assignee=_contributor(world), due_on=TODAY)
    reminders_send(org=world.org_a, today=TODAY)
    reminders_send(org=world.org_a, today=TODAY + dt.timedelta(days=1))
    reminders_send(org=world.org_a, today=TODAY + dt.timedelta(days=5))
    assert len(mail.outbox) == 2
    assert "is due today" in mail.outbox[0].subject
    assert "is overdue (1 day," in mail.outbox[1].subject


def test_digest_groups_every_new_event_of_one_recipient(world: World, settings: Any) -> None:
    settings.OPENISMS_BASE_URL = "https://isms.example.com"
    late = _task(
        world, title="Late one", assignee=_contributor(world), due_on=TODAY - dt.timedelta(3)
    )
    soon = _task(
        world, title="Soon one", assignee=_contributor(world), due_on=TODAY + dt.timedelta(1)
    )
    _task(world, title="Far away", assignee=_contributor(world), due_on=TODAY + dt.timedelta(20))
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert (summary.emails, summary.new) == (1, 2)
    [message] = mail.outbox
    assert message.subject == "[Org-A] 2 reminders from OpenISMS"
    body = message.body
    assert "Overdue tasks" in body and "Tasks due soon" in body
    assert body.index("Overdue tasks") < body.index("Late one") < body.index("Tasks due soon")
    assert body.index("Tasks due soon") < body.index("Soon one")
    assert "Far away" not in body
    assert f"https://isms.example.com/o/org-a/work/tasks/{late.pk}/" in body
    assert f"https://isms.example.com/o/org-a/work/tasks/{soon.pk}/" in body
    assert "https://isms.example.com/o/org-a/work/" in body


def test_a_changed_due_date_yields_a_new_reminder(world: World) -> None:
    task = _task(world, assignee=_contributor(world), due_on=TODAY + dt.timedelta(days=1))
    reminders_send(org=world.org_a, today=TODAY)
    services.task_update(actor=_actor(world), task=task, due_on=TODAY + dt.timedelta(days=2))
    reminders_send(org=world.org_a, today=TODAY)
    reminders_send(org=world.org_a, today=TODAY)
    assert len(mail.outbox) == 2
    assert "2026-06-12" in mail.outbox[1].subject


def test_done_cancelled_and_unassigned_tasks_produce_no_reminder(world: World) -> None:
    due = TODAY - dt.timedelta(days=1)
    _task(world, assignee=_contributor(world), due_on=due, status="done")
    _task(world, assignee=_contributor(world), due_on=due, status="cancelled")
    _task(world, due_on=due)
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert summary.events == 0 and mail.outbox == []


def test_each_recipient_gets_their_own_digest(world: World) -> None:
    manager = world.users_a["manager"].email
    _task(world, title="Mine", assignee=_contributor(world), due_on=TODAY)
    _task(world, title="Theirs", assignee=manager, due_on=TODAY)
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert summary.emails == 2
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {_contributor(world), manager}
    assert "Mine" in by_recipient[_contributor(world)].body
    assert "Theirs" not in by_recipient[_contributor(world)].body
    assert "Theirs" in by_recipient[manager].body


def test_dry_run_sends_and_records_nothing(world: World) -> None:
    _task(world, assignee=_contributor(world), due_on=TODAY)
    summary = reminders_send(org=world.org_a, today=TODAY, dry_run=True)
    assert (summary.emails, summary.new) == (1, 1)
    assert mail.outbox == [] and not ReminderSent.objects.exists()
    reminders_send(org=world.org_a, today=TODAY)
    assert len(mail.outbox) == 1


def test_inactive_users_and_former_members_get_nothing(world: World) -> None:
    contributor = world.users_a["contributor"]
    _task(world, assignee=contributor.email, due_on=TODAY)
    contributor.is_active = False
    contributor.save()
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert (summary.emails, summary.skipped) == (0, 1)
    assert mail.outbox == [] and not ReminderSent.objects.exists()


def test_every_registered_source_is_served_and_a_failing_one_does_not_stop_others(
    world: World,
) -> None:
    saved = sources()
    manager = world.users_a["manager"]

    def evidence(org: Any, today: dt.date) -> list[ReminderEvent]:
        return [
            ReminderEvent(
                key="evidence:1:expires:2026-06-12",
                recipient=manager,
                kind="evidence_expiring",
                subject="EV-1 Backup log expires on 2026-06-12",
                url="/o/org-a/evidence/1/",
            )
        ]

    def broken(org: Any, today: dt.date) -> list[ReminderEvent]:
        raise RuntimeError("boom")

    try:
        register("test-evidence", evidence)
        register("test-broken", broken)
        _task(world, assignee=manager.email, due_on=TODAY)
        summary = reminders_send(org=world.org_a, today=TODAY)
    finally:
        from openisms.orgs import reminders as registry

        registry._SOURCES.clear()
        registry._SOURCES.update(saved)
    assert (summary.emails, summary.new) == (1, 2)
    assert "Evidence about to expire" in mail.outbox[0].body
    assert "EV-1 Backup log" in mail.outbox[0].body


def test_a_failed_send_is_retried_next_run(world: World, monkeypatch: Any) -> None:
    from openisms.work import reminders

    _task(world, assignee=_contributor(world), due_on=TODAY)

    def refuse(**kwargs: Any) -> None:
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_mail", refuse)
    summary = reminders_send(org=world.org_a, today=TODAY)
    assert summary.failed == 1 and not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders_send(org=world.org_a, today=TODAY).emails == 1
    assert len(mail.outbox) == 1


def test_cli_reminders_send(world: World, capsys: Any) -> None:
    _task(world, assignee=_contributor(world), due_on=TODAY)
    assert (
        cli_main(["reminders", "send", "--org", "org-a", "--date", "2026-06-10", "--dry-run"]) == 0
    )
    out = capsys.readouterr().out
    assert "would send 1 e-mail(s) with 1 reminder(s)" in out and "task:" in out
    assert mail.outbox == []
    call_command("reminders", "send", "--date", "2026-06-10")
    call_command("reminders", "send", "--date", "2026-06-10")
    assert len(mail.outbox) == 1
    assert cli_main(["reminders", "send", "--org", "nope"]) == 1
    assert cli_main(["reminders", "send", "--date", "10/06/2026"]) == 1


def test_the_job_sends_for_every_active_org(world: World) -> None:
    _task(world, assignee=_contributor(world), due_on=dt.date.today())
    b_actor = actor_for(world.owner_b, world.org_b.slug)
    services.task_create(
        actor=b_actor, title="B's task", assignee=world.owner_b.email, due_on=dt.date.today()
    )
    result = send_reminders.enqueue()  # the immediate backend in tests; nothing is re-queued
    assert result.return_value["emails"] == 2
    assert sorted(m.to[0] for m in mail.outbox) == [_contributor(world), world.owner_b.email]


def test_worker_start_queues_exactly_one_future_run(world: World, settings: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }
    settings.OPENISMS_REMINDER_HOUR = 6
    now = dt.datetime(2026, 6, 10, 8, 30, tzinfo=dt.UTC)
    assert next_run(now) == dt.datetime(2026, 6, 11, 6, 0, tzinfo=dt.UTC)
    assert next_run(now.replace(hour=5)) == dt.datetime(2026, 6, 10, 6, 0, tzinfo=dt.UTC)
    first = ensure_scheduled(now)
    second = ensure_scheduled(now)
    assert first == dt.datetime(2026, 6, 11, 6, 0, tzinfo=dt.UTC) and second is None
    [queued] = DBTaskResult.objects.filter(status="READY")
    assert queued.task_path == "openisms.work.tasks.send_reminders"
    assert queued.run_after == first
    assert mail.outbox == []


# --- tasks: rules, overdue, permissions ----------------------------------------------------------


def test_targets_are_resolved_by_ref(world: World) -> None:
    control = _task(world, requirement="5.15")
    assert control.requirement is not None and control.requirement.ref == "A.5.15"
    clause = _task(world, requirement="9.2")
    assert clause.requirement is not None and clause.requirement.kind == "clause"
    assert _task(world, requirement="5.1").requirement.ref == "5.1"  # type: ignore[union-attr]
    assert _task(world, requirement="A.5.1").requirement.ref == "A.5.1"  # type: ignore[union-attr]
    risk = risk_services.risk_create(
        actor=_actor(world),
        title="Ransomware",
        description="x",
        inherent_likelihood=3,
        inherent_impact=3,
    )
    on_risk = _task(world, risk=risk.ref)
    assert on_risk.risk == risk and on_risk.ref.startswith("T-")
    # Choosing a control moves the task off its risk.
    services.task_update(actor=_actor(world), task=on_risk, requirement="A.8.13")
    assert on_risk.risk is None and on_risk.requirement.ref == "A.8.13"
    with pytest.raises(ValidationError) as exc:
        _task(world, requirement="A.99.1")
    assert "requirement" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _task(world, requirement="A.5.15", risk=risk.ref)
    assert "risk" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _task(world, assignee="stranger@example.com")
    assert "assignee" in exc.value.message_dict
    with pytest.raises(ValidationError):
        _task(world, title="  ")
    assert [t.ref for t in selectors.task_list(actor=_actor(world), target="5.15")] == [control.ref]


def test_numbers_are_per_organisation_and_completion_is_stamped(world: World) -> None:
    first, second = _task(world), _task(world)
    assert (first.ref, second.ref) == ("T-1", "T-2")
    other = services.task_create(actor=actor_for(world.owner_b, "org-b"), title="B")
    assert other.ref == "T-1"
    services.task_update(actor=_actor(world), task=first, status="done")
    assert first.completed_at is not None
    services.task_update(actor=_actor(world), task=first, status="open")
    assert first.completed_at is None


def test_update_audits_only_the_fields_that_changed(world: World) -> None:
    task = _task(world, priority="low")
    services.task_update(actor=_actor(world), task=task, priority="high", title=task.title)
    event = AuditEvent.objects.filter(action="task.update").get()
    assert event.before == {"ref": task.ref, "priority": "low"}
    assert event.after == {"ref": task.ref, "priority": "high"}
    services.task_update(actor=_actor(world), task=task, priority="high")  # no change, no event
    assert AuditEvent.objects.filter(action="task.update").count() == 1


def test_overdue_and_counts(world: World) -> None:
    today = dt.date.today()
    late = _task(world, due_on=today - dt.timedelta(days=1))
    _task(world, due_on=today - dt.timedelta(days=1), status="done")
    _task(world, due_on=today - dt.timedelta(days=1), status="cancelled")
    _task(world, due_on=today)  # due today is not overdue
    _task(world, due_on=today + dt.timedelta(days=7))
    _task(world, due_on=today + dt.timedelta(days=8))
    _task(world)
    assert late.is_overdue() and not late.is_overdue(today - dt.timedelta(days=1))
    assert selectors.task_counts(actor=_actor(world)) == {"open": 5, "overdue": 1, "due_soon": 2}
    actor = _actor(world)
    assert [t.pk for t in selectors.task_list(actor=actor, overdue=True)] == [late.pk]
    active = list(selectors.task_list(actor=actor, status="active"))
    assert len(active) == 5 and active[0] == late  # overdue first
    assert [t.due_on for t in active][-1] is None  # undated last


def test_contributor_may_change_status_of_and_comment_on_own_tasks_only(world: World) -> None:
    mine = _task(world, assignee=_contributor(world))
    theirs = _task(world, assignee=world.users_a["manager"].email)
    client = token_client(world.users_a["contributor"])
    base = "/api/v1/orgs/org-a/tasks"
    ok = client.patch(
        f"{base}/{mine.pk}", {"status": "in_progress"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "in_progress"
    title = client.patch(f"{base}/{mine.pk}", {"title": "Other"}, content_type="application/json")
    assert title.status_code == 403
    other = client.patch(f"{base}/{theirs.pk}", {"status": "done"}, content_type="application/json")
    assert other.status_code == 403
    assert (
        client.post(
            f"{base}/{mine.pk}/comments", {"body": "On it"}, content_type="application/json"
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"{base}/{theirs.pk}/comments", {"body": "Hi"}, content_type="application/json"
        ).status_code
        == 403
    )
    assert client.post(base, {"title": "New"}, content_type="application/json").status_code == 403
    assert client.delete(f"{base}/{mine.pk}").status_code == 403
    mine.refresh_from_db()
    assert (mine.status, mine.title) == ("in_progress", "Write the backup policy")
    # The UI's quick status change obeys the same rule.
    ui = login(world.users_a["contributor"])
    assert ui.post(f"/o/org-a/work/tasks/{mine.pk}/status/", {"status": "done"}).status_code == 302
    assert (
        ui.post(f"/o/org-a/work/tasks/{theirs.pk}/status/", {"status": "done"}).status_code == 403
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("done", "open")


def test_viewers_and_auditors_read_but_do_not_write(world: World) -> None:
    task = _task(world, assignee=world.users_a["auditor"].email)
    for role in ("viewer", "auditor"):
        client = token_client(world.users_a[role])
        url = f"/api/v1/orgs/org-a/tasks/{task.pk}"
        assert client.get(url).status_code == 200
        assert (
            client.patch(url, {"status": "done"}, content_type="application/json").status_code
            == 403
        )
        assert (
            client.post(
                url + "/comments", {"body": "x"}, content_type="application/json"
            ).status_code
            == 403
        )
    with pytest.raises(PermissionDenied):
        services.task_comment_add(actor=_actor(world, "auditor"), task=task, body="x")


def test_outsiders_get_404(world: World) -> None:
    task = _task(world)
    client = token_client(world.owner_b)
    assert client.get(f"/api/v1/orgs/org-a/tasks/{task.pk}").status_code == 404
    assert client.get(f"/api/v1/orgs/org-b/tasks/{task.pk}").status_code == 404


# --- comments and pages -----------------------------------------------------------------------


def test_comments_via_htmx_and_without_js(world: World) -> None:
    task = _task(world)
    client = login(world.owner_a)
    url = f"/o/org-a/work/tasks/{task.pk}/comments/"
    partial = client.post(url, {"body": "First <b>note</b>"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    html = partial.content.decode()
    assert 'id="comments"' in html and "First &lt;b&gt;note&lt;/b&gt;" in html
    assert "<html" not in html
    plain = client.post(url, {"body": "Second note"})
    assert plain.status_code == 302 and plain["Location"] == f"/o/org-a/work/tasks/{task.pk}/"
    empty = client.post(url, {"body": "   "}, headers={"HX-Request": "true"})
    assert empty.status_code == 200 and "This field is required" in empty.content.decode()
    api = token_client(world.owner_a).get(f"/api/v1/orgs/org-a/tasks/{task.pk}/comments")
    assert [c["body"] for c in api.json()["items"]] == ["First <b>note</b>", "Second note"]
    page = client.get(f"/o/org-a/work/tasks/{task.pk}/").content.decode()
    assert page.index("First") < page.index("Second note")


def test_task_pages_create_edit_and_delete(world: World) -> None:
    client = login(world.owner_a)
    form = client.get("/o/org-a/work/tasks/new/?requirement=A.5.15")
    assert form.status_code == 200 and 'value="A.5.15"' in form.content.decode()
    bad = client.post(
        "/o/org-a/work/tasks/new/",
        {"title": "Policy", "status": "open", "priority": "normal", "requirement": "A.77"},
    )
    assert bad.status_code == 200 and "No control or clause A.77" in bad.content.decode()
    created = client.post(
        "/o/org-a/work/tasks/new/",
        {
            "title": "Access policy",
            "status": "open",
            "priority": "high",
            "requirement": "A.5.15",
            "assignee": _contributor(world),
            "due_on": "2027-01-31",
        },
    )
    assert created.status_code == 302
    task = Task.objects.get(title="Access policy")
    edited = client.post(
        f"/o/org-a/work/tasks/{task.pk}/edit/",
        {"title": "Access control policy", "status": "in_progress", "priority": "high", "risk": ""},
    )
    assert edited.status_code == 302
    task.refresh_from_db()
    assert (task.title, task.assignee, task.requirement) == ("Access control policy", None, None)
    listing = client.get("/o/org-a/work/tasks/?status=all").content.decode()
    assert "Access control policy" in listing
    assert client.post(f"/o/org-a/work/tasks/{task.pk}/delete/").status_code == 302
    assert not Task.objects.filter(pk=task.pk).exists()
    assert AuditEvent.objects.filter(action="task.delete", object_id=str(task.pk)).exists()


def test_my_work_lists_my_tasks_soa_rows_and_risk_reviews(world: World) -> None:
    actor = _actor(world, "manager")
    manager = world.users_a["manager"]
    today = dt.date.today()
    later = _task(world, title="Later", assignee=manager.email, due_on=today + dt.timedelta(9))
    late = _task(world, title="Late", assignee=manager.email, due_on=today - dt.timedelta(2))
    undated = _task(world, title="Someday", assignee=manager.email)
    _task(world, title="Finished", assignee=manager.email, status="done")
    _task(world, title="Not mine", assignee=_contributor(world))
    soa_services.soa_sync(actor=actor)
    rows = soa_selectors.soa_entries(
        actor=actor,
        ids=list(soa_selectors.soa_list(actor=actor).values_list("pk", flat=True)[:3]),
    )
    soa_services.soa_bulk_update(actor=actor, entries=rows, owner=manager.email)
    soa_services.soa_entry_update(actor=actor, entry=rows[0], status="implemented")
    review_due = risk_services.risk_create(
        actor=actor,
        title="Due review",
        description="x",
        inherent_likelihood=2,
        inherent_impact=2,
        owner=manager.email,
        review_date=today + dt.timedelta(days=3),
    )
    risk_services.risk_create(
        actor=actor,
        title="Far review",
        description="x",
        inherent_likelihood=2,
        inherent_impact=2,
        owner=manager.email,
        review_date=today + dt.timedelta(days=60),
    )
    work = mywork.my_work(actor=actor)
    assert [t.pk for t in work.tasks] == [late.pk, later.pk, undated.pk]
    assert [e.pk for e in work.soa_rows] == [r.pk for r in rows[1:]]
    assert work.risks == [review_due]
    assert work.counts() == {"tasks": 3, "overdue": 1, "soa_rows": 2, "risks": 1, "evidence": 0}
    page = login(manager).get("/o/org-a/work/")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.index("Late") < html.index("Later") < html.index("Someday")
    assert "Not mine" not in html and "Finished" not in html
    assert rows[1].requirement.ref in html and "Due review" in html and "Far review" not in html
    api = token_client(manager).get("/api/v1/orgs/org-a/tasks/mine").json()
    assert [t["title"] for t in api["tasks"]] == ["Late", "Later", "Someday"]
    assert api["tasks"][0]["overdue"] is True
    assert len(api["soa_rows"]) == 2 and api["risks"][0]["title"] == "Due review"


def test_my_work_empty_state(world: World) -> None:
    user = add_member(world.org_a, "new@example.com", "contributor")
    html = login(user).get("/o/org-a/work/").content.decode()
    assert "Nothing is waiting for you." in html
    assert "No open tasks are assigned to you." in html


def test_tasks_for_target(world: World) -> None:
    task = _task(world, requirement="A.5.15")
    _task(world, requirement="A.8.13")
    actor = _actor(world)
    assert selectors.tasks_for_target(actor=actor, requirement=task.requirement) == [task]
    assert selectors.tasks_for_target(actor=actor) == []
