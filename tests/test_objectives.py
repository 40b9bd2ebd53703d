"""Objectives and measurement: computations, chart, reminders, inputs, exports, permissions."""

from __future__ import annotations

import datetime as dt
import io
import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from openisms.cli import main as cli_main
from openisms.controls import services as control_services
from openisms.core.models import AuditEvent
from openisms.objectives import compute, exports, inputs, selectors, services
from openisms.objectives.chart import svg_chart
from openisms.objectives.models import Objective
from openisms.objectives.reminders import measurement_events
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.pack_parts import parts
from openisms.orgs.reminders import sources as reminder_sources
from openisms.orgs.review_inputs import ReviewPeriod, sources
from tests.conftest import World, login, token_client

TODAY = dt.date(2026, 6, 10)


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _objective(world: World, **extra: Any) -> Objective:
    fields: dict[str, Any] = {
        "title": "Patch quickly",
        "measure": "Median days to patch",
        "unit": "days",
        "direction": "lower",
        "baseline": 20.0,
        "target": 5.0,
        "frequency": "monthly",
        "owner": world.users_a["contributor"].email,
    }
    fields.update(extra)
    return services.objective_create(actor=_actor(world), **fields)


def _points(*pairs: tuple[str, float]) -> list[Any]:
    return [SimpleNamespace(measured_on=dt.date.fromisoformat(d), value=v) for d, v in pairs]


def _fake(**fields: Any) -> Any:
    base = {
        "direction": "higher",
        "baseline": 0.0,
        "target": 100.0,
        "due_on": None,
        "frequency": "monthly",
        "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
    }
    base.update(fields)
    return SimpleNamespace(**base)


def test_progress_both_directions() -> None:
    higher = _fake(baseline=50.0, target=100.0)
    assert compute.progress(higher, _points(("2026-02-01", 75.0))) == 0.5
    assert compute.progress(higher, _points(("2026-02-01", 40.0))) == 0.0  # worse than start
    lower = _fake(direction="lower", baseline=20.0, target=5.0)
    assert compute.progress(lower, _points(("2026-02-01", 11.0))) == pytest.approx(0.6)
    assert compute.progress(lower, _points(("2026-02-01", 3.0))) == 1.0
    assert compute.progress(lower, []) is None
    no_baseline = _fake(direction="lower", baseline=None, target=0.0)
    points = _points(("2026-01-01", 10.0), ("2026-02-01", 5.0))
    assert compute.progress(no_baseline, points) == 0.5  # from the first measurement


def test_on_track_keeps_pace_with_the_due_date() -> None:
    lower = _fake(direction="lower", baseline=20.0, target=0.0, due_on=dt.date(2026, 12, 31))
    points = _points(("2026-01-01", 20.0), ("2026-06-01", 9.0))  # 55% done, ~44% of the time
    assert compute.standing(lower, points, TODAY).track == "on_track"
    stalled = _points(("2026-01-01", 20.0), ("2026-06-01", 18.0))
    assert compute.standing(lower, stalled, TODAY).track == "off_track"
    met = _points(("2026-01-01", 20.0), ("2026-06-01", 0.0))
    assert compute.standing(lower, met, dt.date(2027, 3, 1)).track == "on_track"
    assert compute.standing(lower, [], TODAY).track == "no_data"
    late = compute.standing(lower, stalled, dt.date(2027, 1, 15))
    assert late.track == "off_track" and late.overdue is True


def test_next_due_follows_the_frequency() -> None:
    points = _points(("2026-01-31", 1.0))
    assert compute.next_due(_fake(frequency="monthly"), points) == dt.date(2026, 2, 28)
    assert compute.next_due(_fake(frequency="quarterly"), points) == dt.date(2026, 4, 30)
    assert compute.next_due(_fake(frequency="half_yearly"), points) == dt.date(2026, 7, 31)
    assert compute.next_due(_fake(frequency="yearly"), points) == dt.date(2027, 1, 31)
    assert compute.next_due(_fake(), []) == dt.date(2026, 1, 1)


def test_the_chart_has_a_point_per_measurement_and_the_target(world: World) -> None:
    objective = _objective(world)
    for n, value in enumerate((20.0, 15.0, 12.0, 9.0)):
        services.measurement_record(
            actor=_actor(world),
            objective=objective,
            measured_on=dt.date(2026, 1 + n, 1),
            value=value,
        )
    obj = selectors.objective_get(actor=_actor(world), objective_id=objective.pk)
    svg = str(svg_chart(obj, selectors.points_of(obj)))
    assert svg.count('class="point"') == 4
    assert svg.count('class="target"') == 1 and "target 5 days" in svg
    assert "<title" in svg and "<desc" in svg and 'role="img"' in svg
    assert "2026-01-01" in svg and "2026-04-01" in svg  # axis labels
    small = str(svg_chart(obj, selectors.points_of(obj), small=True))
    assert small.count('class="point"') == 4 and 'class="target"' in small
    hostile = _objective(world, title="<script>alert(1)</script>")
    assert "<script>" not in str(svg_chart(hostile, []))


@pytest.mark.parametrize(
    ("role", "create", "record"),
    [
        ("owner", True, True),
        ("admin", True, True),
        ("manager", True, True),
        ("contributor", False, True),  # owns the objective
        ("auditor", False, False),
        ("viewer", False, False),
    ],
)
def test_permissions(world: World, role: str, create: bool, record: bool) -> None:
    objective = _objective(world)
    actor = _actor(world, role)
    if create:
        services.objective_create(actor=actor, title="T", measure="M", target=1.0)
    else:
        with pytest.raises(PermissionDenied):
            services.objective_create(actor=actor, title="T", measure="M", target=1.0)
    if record:
        services.measurement_record(actor=actor, objective=objective, measured_on=TODAY, value=3)
    else:
        with pytest.raises(PermissionDenied):
            services.measurement_record(
                actor=actor, objective=objective, measured_on=TODAY, value=3
            )


def test_the_owner_may_change_only_the_status_and_not_others_objectives(world: World) -> None:
    objective = _objective(world)
    contributor = _actor(world, "contributor")
    services.objective_update(actor=contributor, objective=objective, status="achieved")
    with pytest.raises(PermissionDenied):
        services.objective_update(actor=contributor, objective=objective, target=1.0)
    other = _objective(world, owner=world.users_a["manager"].email)
    with pytest.raises(PermissionDenied):
        services.measurement_record(actor=contributor, objective=other, measured_on=TODAY, value=1)


def test_validation_names_the_field(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        _objective(world, controls=["NOPE-1"])
    assert "controls" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _objective(world, direction="sideways")
    assert "direction" in exc.value.message_dict
    control = control_services.control_create(actor=_actor(world), ref="BK-01", name="Backups")
    objective = _objective(world, controls=[control.ref])
    assert [c.ref for c in objective.controls.all()] == ["BK-01"]
    assert AuditEvent.objects.get(action="objective.create", object_id=str(objective.pk)).after[
        "controls"
    ] == ["BK-01"]


def test_reminders_for_due_and_overdue_measurements(world: World) -> None:
    assert "objectives" in reminder_sources()
    objective = _objective(world)
    today = timezone.localdate()
    services.measurement_record(
        actor=_actor(world),
        objective=objective,
        measured_on=compute.add_months(today, -1) + dt.timedelta(days=3),
        value=10,
    )
    events = list(measurement_events(world.org_a, today))
    assert [e.kind for e in events] == ["objective_measurement_due"]
    assert events[0].recipient == world.users_a["contributor"]
    late = list(measurement_events(world.org_a, today + dt.timedelta(days=10)))
    assert [e.kind for e in late] == ["objective_measurement_overdue"]
    assert not list(measurement_events(world.org_a, today - dt.timedelta(days=20)))
    services.objective_update(actor=_actor(world), objective=objective, status="retired")
    assert not list(measurement_events(world.org_a, today + dt.timedelta(days=10)))


def test_review_inputs_use_the_period(world: World) -> None:
    actor = _actor(world)
    good = _objective(world, title="Good", direction="higher", baseline=0.0, target=10.0)
    bad = _objective(world, title="Bad", direction="lower", baseline=10.0, target=0.0)
    for obj, values in ((good, (5.0, 10.0)), (bad, (10.0, 12.0))):
        for month, value in zip((3, 5), values, strict=True):
            services.measurement_record(
                actor=actor, objective=obj, measured_on=dt.date(2026, month, 1), value=value
            )
    spring = ReviewPeriod(dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    result = inputs.measurements(actor, spring)
    assert result.clause == "9.3.2 d) 2)" and result.figures["Measurements"] == 2
    fulfilment = inputs.fulfilment(actor, spring)
    assert fulfilment.figures["On track"] == 1 and fulfilment.figures["Off track"] == 1
    winter = ReviewPeriod(dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    assert inputs.fulfilment(actor, winter).figures["No data"] == 2
    assert {"objective_measurements", "objective_fulfilment"} <= set(sources())


def test_exports_xlsx_csv_cli_and_pack(world: World, tmp_path: Any) -> None:
    objective = _objective(world, title="=HYPERLINK(1)")
    services.measurement_record(
        actor=_actor(world), objective=objective, measured_on=TODAY, value=12, note="ok"
    )
    content, _, ext = exports.export_objectives(actor=_actor(world), fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    assert ext == "xlsx" and book.sheetnames[:2] == ["Objectives", "Measurements"]
    assert book["Objectives"]["B2"].value != "=HYPERLINK(1)"  # neutralised
    assert book["Measurements"]["A2"].value == objective.ref
    assert book["Measurements"]["C2"].value == 12
    csv_text = exports.export_objectives(actor=_actor(world), fmt="csv")[0].decode()
    assert ("OBJ-01" in csv_text and "Off track" in csv_text) or "On track" in csv_text
    with pytest.raises(ValidationError):
        exports.export_objectives(actor=_actor(world), fmt="pdf")
    out = tmp_path / "o.csv"
    argv = ["export", "objectives", "--org", world.org_a.slug, "--format", "csv", "-o", str(out)]
    assert cli_main(argv) == 0
    assert out.read_text().startswith("Ref,Title")
    files = parts()["objectives"](_actor(world))
    assert files and files[0].path.endswith(".xlsx")


def test_api_and_pages(world: World) -> None:
    client = token_client(world.owner_a)
    base = f"/api/v1/orgs/{world.org_a.slug}/objectives"
    created = client.post(
        base,
        {"title": "Train", "measure": "Completion", "unit": "%", "target": 95, "baseline": 50},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["standing"] == "no_data"
    oid = created.json()["id"]
    m = client.post(
        f"{base}/{oid}/measurements",
        {"measured_on": "2026-05-01", "value": 80},
        content_type="application/json",
    )
    assert m.status_code == 201
    got = client.get(f"{base}/{oid}").json()
    assert got["latest_value"] == 80 and got["progress"] == pytest.approx(30 / 45)
    bad = client.post(
        f"{base}/{oid}/measurements",
        {"measured_on": "x", "value": 1},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422)
    assert token_client(world.owner_b).get(f"{base}/{oid}").status_code == 404
    viewer = login(world.users_a["viewer"])
    page = viewer.get(f"/o/{world.org_a.slug}/objectives/").content.decode()
    assert "<svg" in page and "OBJ-01" in page
    detail = viewer.get(f"/o/{world.org_a.slug}/objectives/{oid}/").content.decode()
    assert len(re.findall(r'class="point"', detail)) == 1 and "Record a measurement" not in detail
    owner_page = login(world.owner_a).get(f"/o/{world.org_a.slug}/objectives/{oid}/")
    assert "Record a measurement" in owner_page.content.decode()
