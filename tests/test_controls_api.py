"""The REST API of the control register, tracked frameworks and coverage: shapes, filters,
errors that name their field, and who may write what."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from openisms.controls.models import Control
from tests.conftest import World, token_client

BASE = "/api/v1/orgs/org-a"
CONTRIBUTOR = "contributor-a@example.com"


def _call(client: Client, method: str, url: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, BASE + url, data=data, content_type="application/json")


def _fields(response: Any) -> set[str]:
    return {d["loc"][-1] for d in response.json()["detail"]}


@pytest.fixture
def owner(world: World) -> Client:
    return token_client(world.owner_a)


@pytest.fixture
def backups(owner: Client) -> dict[str, Any]:
    response = _call(
        owner,
        "POST",
        "/controls",
        {
            "ref": "BK-01",
            "name": "Nightly backups",
            "owner": CONTRIBUTOR,
            "status": "implemented",
            "requirements": ["iso27001-2022:A.8.13", "nist-csf-2.0:PR.DS-11"],
        },
    )
    assert response.status_code == 201, response.content
    data: dict[str, Any] = response.json()
    return data


def test_create_read_list_and_filter(owner: Client, backups: dict[str, Any]) -> None:
    assert backups["requirements"] == [
        {"framework": "iso27001-2022", "ref": "A.8.13", "title": "Information backup"},
        {"framework": "nist-csf-2.0", "ref": "PR.DS-11", "title": "Protected and tested backups"},
    ]
    assert backups["owner"] == CONTRIBUTOR and backups["status"] == "implemented"
    _call(owner, "POST", "/controls", {"ref": "POL-01", "name": "Clean desk"})
    page = _call(owner, "GET", "/controls").json()
    assert page["count"] == 2 and [c["ref"] for c in page["items"]] == ["BK-01", "POL-01"]
    for query, refs in [
        ("framework=nist-csf-2.0", ["BK-01"]),
        ("unlinked=true", ["POL-01"]),
        ("status=implemented", ["BK-01"]),
        ("owner=none", ["POL-01"]),
        ("q=desk", ["POL-01"]),
        ("limit=1&offset=1", ["POL-01"]),
    ]:
        items = _call(owner, "GET", f"/controls?{query}").json()["items"]
        assert [c["ref"] for c in items] == refs, query
    assert _call(owner, "GET", f"/controls/{backups['id']}").json() == backups


def test_errors_are_4xx_naming_the_field(owner: Client, backups: dict[str, Any]) -> None:
    cases: list[tuple[str, str, Any, str]] = [
        ("POST", "/controls", {"ref": "BK-01", "name": "Again"}, "ref"),
        ("POST", "/controls", {"ref": "X" * 41, "name": "Long"}, "ref"),
        ("POST", "/controls", {"ref": "X-1"}, "name"),
        ("POST", "/controls", {"ref": "X-1", "name": "x", "status": "done"}, "status"),
        ("POST", "/controls", {"ref": "X-1", "name": "x", "owner": "who@x.org"}, "owner"),
        ("POST", "/controls", {"ref": "X-1", "name": "x", "target_date": "soon"}, "target_date"),
        (
            "POST",
            "/controls",
            {"ref": "X-1", "name": "x", "requirements": ["iso27001-2022:A.99", "A.5.1"]},
            "requirements",
        ),
        ("PATCH", f"/controls/{backups['id']}", {"name": None}, "name"),
        ("PATCH", f"/controls/{backups['id']}", {"requirements": ["nope:1"]}, "requirements"),
        ("POST", "/controls/bulk", {"ids": [backups["id"]], "status": None}, "status"),
        ("POST", "/controls/bulk", {"status": "planned"}, "ids"),
        ("GET", "/controls?status=done", None, "status"),
        ("POST", "/frameworks", {"framework": "nope"}, "framework"),
        ("POST", "/frameworks", {"framework": "iso27001-2022"}, "framework"),
        ("DELETE", "/frameworks/iso27001-2022", None, "framework"),
        ("DELETE", "/frameworks/hipaa-security-rule", None, "framework"),
        ("GET", "/coverage/iso27001-2022/export?format=doc", None, "format"),
    ]
    for method, url, body, field in cases:
        response = _call(owner, method, url, body)
        assert response.status_code == 422, (method, url, response.content)
        assert field in _fields(response), (method, url, response.content)
    assert Control.objects.count() == 1
    assert _call(owner, "GET", "/controls/999999").status_code == 404
    assert _call(owner, "GET", "/coverage/no-such-framework").status_code == 404


def test_patch_bulk_and_delete(owner: Client, backups: dict[str, Any]) -> None:
    patched = _call(
        owner,
        "PATCH",
        f"/controls/{backups['id']}",
        {"implementation": "Restic", "requirements": ["hipaa-security-rule:164.312(d)"]},
    ).json()
    assert patched["implementation"] == "Restic" and patched["name"] == "Nightly backups"
    assert [r["ref"] for r in patched["requirements"]] == ["164.312(d)"]
    other = _call(owner, "POST", "/controls", {"ref": "AC-01", "name": "Reviews"}).json()
    result = _call(
        owner,
        "POST",
        "/controls/bulk",
        {"ids": [backups["id"], other["id"]], "status": "planned", "target_date": "2027-06-30"},
    ).json()
    assert result == {"selected": 2, "changed": 2}
    cleared = _call(owner, "POST", "/controls/bulk", {"ids": [backups["id"]], "owner": None})
    assert cleared.json() == {"selected": 1, "changed": 1}
    got = _call(owner, "GET", f"/controls/{backups['id']}").json()
    assert (got["status"], got["owner"], got["target_date"]) == ("planned", None, "2027-06-30")
    assert _call(owner, "DELETE", f"/controls/{other['id']}").status_code == 204
    assert _call(owner, "GET", f"/controls/{other['id']}").status_code == 404


def test_roles(world: World, backups: dict[str, Any]) -> None:
    url = f"/controls/{backups['id']}"
    contributor = token_client(world.users_a["contributor"])
    ok = _call(contributor, "PATCH", url, {"status": "planned", "implementation": "Weekly"})
    assert ok.status_code == 200 and ok.json()["status"] == "planned"
    for body in ({"name": "Renamed"}, {"requirements": []}, {"owner": None}):
        response = _call(contributor, "PATCH", url, body)
        assert response.status_code == 403, body
        assert "may change only implementation and status" in response.json()["detail"]
    assert _call(contributor, "DELETE", url).status_code == 403
    assert _call(contributor, "POST", "/controls", {"ref": "X", "name": "x"}).status_code == 403
    bulk = {"ids": [backups["id"]], "status": "implemented"}
    assert _call(contributor, "POST", "/controls/bulk", bulk).status_code == 403
    for role in ("viewer", "auditor"):
        client = token_client(world.users_a[role])
        assert _call(client, "GET", url).status_code == 200
        assert _call(client, "PATCH", url, {"status": "implemented"}).status_code == 403
        track = {"framework": "hipaa-security-rule"}
        assert _call(client, "POST", "/frameworks", track).status_code == 403
    manager = token_client(world.users_a["manager"])
    assert _call(manager, "PATCH", url, {"name": "Backups"}).json()["name"] == "Backups"
    # Another organisation's control is not found, whatever the organisation in the URL.
    outsider = token_client(world.owner_b)
    assert _call(outsider, "GET", url).status_code == 404
    response = outsider.get(f"/api/v1/orgs/org-b/controls/{backups['id']}")
    assert response.status_code == 404
    foreign = outsider.generic(
        "POST",
        "/api/v1/orgs/org-b/controls/bulk",
        data=json.dumps({"ids": [backups["id"]], "status": "not_started"}),
        content_type="application/json",
    )
    assert foreign.status_code == 422  # none of B's controls selected
    assert Control.objects.get(pk=backups["id"]).status == "planned"


def test_tracking_and_coverage(owner: Client, backups: dict[str, Any]) -> None:
    tracked = _call(owner, "GET", "/frameworks").json()
    assert [f["slug"] for f in tracked["items"]] == ["iso27001-2022"]
    created = _call(owner, "POST", "/frameworks", {"framework": "nist-csf-2.0"})
    assert created.status_code == 201
    assert created.json()["started_by"] == "owner-a@example.com"
    coverage = _call(owner, "GET", "/coverage/nist-csf-2.0").json()
    assert coverage["tracked"] is True and coverage["framework"] == "nist-csf-2.0"
    assert coverage["totals"]["total"] == 106 and len(coverage["rollups"]) == 28
    row = next(r for r in coverage["requirements"] if r["ref"] == "PR.DS-11")
    assert row["status"] == "partial" and row["source"] == "controls"
    assert row["controls"][0]["ref"] == "BK-01" and "id" in row["controls"][0]
    assert row["because"][-1] == "Implemented, but no evidence."
    export = owner.get(BASE + "/coverage/nist-csf-2.0/export?format=xlsx")
    assert export["Content-Disposition"].endswith('coverage-nist-csf-2.0.xlsx"')
    assert _call(owner, "DELETE", "/frameworks/nist-csf-2.0").status_code == 204
    preview = _call(owner, "GET", "/coverage/nist-csf-2.0").json()
    assert preview["tracked"] is False


def test_routes_are_registered_for_isolation_and_budgets() -> None:
    from pathlib import Path

    from tests.routes import API, UI
    from tests.routes_controls import CONTROLS_API, CONTROLS_UI

    keys = {r.key for r in API} | {r.key for r in UI}
    assert {r.key for r in CONTROLS_API + CONTROLS_UI} <= keys
    budgets = json.loads((Path(__file__).parent / "query_budgets_controls.json").read_text())
    expected = {f"api {r.key}" for r in CONTROLS_API} | {f"ui {r.key}" for r in CONTROLS_UI}
    assert expected == set(budgets)
