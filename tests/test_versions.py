"""Optimistic locking: every change raises a row's version, and a write naming an older
version is refused (409 in the API, a message on the edit form) instead of undoing someone
else's change. Without a version the last write wins, as before."""

from __future__ import annotations

import io
import threading
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client

from openisms.assets import selectors as asset_selectors
from openisms.assets import services as asset_services
from openisms.assets.models import Asset
from openisms.controls.models import Control
from openisms.core.models import AuditEvent
from openisms.core.versions import VersionConflict
from openisms.orgs.access import actor_for
from tests.conftest import World, login, token_client
from tests.factories import add_member, make_org, make_user

API = "/api/v1/orgs/org-a"


@dataclass(frozen=True)
class Entity:
    name: str
    api: str  # the collection under /api/v1/orgs/org-a
    ui: str  # the edit page, with {id}
    field: str  # a text field both the API and the edit form change
    create: dict[str, Any] | None  # None: the row exists from the organisation's creation


ENTITIES = [
    Entity(
        "asset",
        "assets",
        "/o/org-a/assets/{id}/edit/",
        "location",
        {"name": "Mail", "type": "software"},
    ),
    Entity(
        "risk",
        "risks",
        "/o/org-a/risks/{id}/edit/",
        "existing_controls",
        {
            "title": "Ransomware",
            "description": "Files encrypted",
            "inherent_likelihood": 2,
            "inherent_impact": 2,
        },
    ),
    Entity("soa", "soa", "/o/org-a/soa/{id}/edit/", "implementation", None),
    Entity(
        "control",
        "controls",
        "/o/org-a/controls/{id}/edit/",
        "implementation",
        {"ref": "C-1", "name": "Backups"},
    ),
    Entity(
        "evidence",
        "evidence",
        "/o/org-a/evidence/{id}/edit/",
        "description",
        {"title": "Backup log", "url": "https://example.com/log"},
    ),
    Entity(
        "document",
        "documents",
        "/o/org-a/documents/{id}/edit/",
        "title",
        {"title": "Access policy"},
    ),
]


def _row(client: Client, entity: Entity) -> int:
    if entity.create is None:
        listing = client.get(f"{API}/{entity.api}?limit=1")
        assert listing.status_code == 200, listing.content
        return int(listing.json()["items"][0]["id"])
    created = client.post(
        f"{API}/{entity.api}", data=entity.create, content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    return int(created.json()["id"])


def _patch(client: Client, url: str, data: dict[str, Any]) -> Any:
    return client.patch(url, data=data, content_type="application/json")


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_the_api_refuses_a_stale_version_with_what_changed(world: World, entity: Entity) -> None:
    client = token_client(world.users_a["manager"])
    url = f"{API}/{entity.api}/{_row(client, entity)}"
    version = client.get(url).json()["version"]

    first = _patch(client, url, {entity.field: "Changed by Ann", "version": version})
    assert first.status_code == 200, first.content
    assert first.json()["version"] == version + 1 and first.json()[entity.field] == "Changed by Ann"

    stale = _patch(client, url, {entity.field: "Changed by Bob", "version": version})
    assert stale.status_code == 409, stale.content
    body = stale.json()
    assert body["version"] == version + 1
    assert body["changed"] == {entity.field: "Changed by Ann"}
    assert f"version {version}" in body["detail"]
    after = client.get(url).json()
    assert after[entity.field] == "Changed by Ann" and after["version"] == version + 1

    # sending the current version, or none at all, writes (the last write wins)
    again = _patch(client, url, {entity.field: "Bob, on purpose", "version": body["version"]})
    assert again.status_code == 200 and again.json()["version"] == version + 2
    blind = _patch(client, url, {entity.field: "No version"})
    assert blind.status_code == 200 and blind.json()["version"] == version + 3
    # an unchanged save is no change: the version stays
    same = _patch(client, url, {entity.field: "No version", "version": version + 3})
    assert same.status_code == 200 and same.json()["version"] == version + 3


def test_the_version_must_be_a_positive_integer_and_the_event_records_it(world: World) -> None:
    client = token_client(world.users_a["manager"])
    url = f"{API}/assets/{_row(client, ENTITIES[0])}"
    for bad in (0, -1, 2**31, "two"):
        response = _patch(client, url, {"location": "x", "version": bad})
        assert response.status_code == 422, (bad, response.content)
    assert client.get(url).json()["location"] == ""
    assert _patch(client, url, {"location": "Rack 4", "version": 1}).status_code == 200
    event = AuditEvent.objects.filter(action="asset.update").get()
    assert (event.before["version"], event.after["version"]) == (1, 2)
    assert event.before["location"] == "" and event.after["location"] == "Rack 4"


def test_a_stale_version_from_a_relation_change_is_refused_too(world: World) -> None:
    """A change of only a relation (an asset's dependencies) is a change: it raises the
    version and shows up in what changed."""
    client = token_client(world.users_a["manager"])
    first = _row(client, ENTITIES[0])
    second = _row(client, Entity("asset", "assets", "", "", {"name": "DB", "type": "software"}))
    url = f"{API}/assets/{first}"
    assert _patch(client, url, {"depends_on": [second], "version": 1}).json()["version"] == 2
    stale = _patch(client, url, {"location": "Rack 1", "version": 1})
    assert stale.status_code == 409 and stale.json()["changed"] == {"depends_on": [second]}


def test_bulk_changes_raise_the_version(world: World) -> None:
    client = token_client(world.users_a["manager"])
    ids = [
        _row(client, e)
        for e in (
            ENTITIES[3],
            Entity("control", "controls", "", "", {"ref": "C-2", "name": "Logs"}),
        )
    ]
    response = client.post(
        f"{API}/controls/bulk",
        data={"ids": ids, "status": "implemented"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert sorted(Control.objects.filter(pk__in=ids).values_list("version", flat=True)) == [2, 2]
    stale = _patch(client, f"{API}/controls/{ids[0]}", {"name": "Old", "version": 1})
    assert stale.status_code == 409 and stale.json()["changed"] == {"status": "implemented"}


def test_an_import_raises_the_version_and_a_stale_edit_names_what_it_changed(
    world: World,
) -> None:
    client = token_client(world.users_a["manager"])
    row = _row(client, ENTITIES[0])
    url = f"{API}/assets/{row}"
    csv = f"id,name,type,location\n{row},Mail,software,Basement\n".encode()
    upload = client.post(f"{API}/assets/import", data={"file": io.BytesIO(csv)})
    assert upload.status_code == 200 and upload.json()["updated"] == 1, upload.content
    assert client.get(url).json()["version"] == 2
    stale = _patch(client, url, {"description": "Outlook", "version": 1})
    assert stale.status_code == 409 and stale.json()["changed"] == {"location": "Basement"}


# --- the edit forms ---------------------------------------------------------------------------


class _FormValues(HTMLParser):
    """The values a browser would post from the page's form with a submit button that saves."""

    def __init__(self) -> None:
        super().__init__()
        self.values: list[tuple[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""
        self._in_form = False
        self._done = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("method") == "post" and not self._done and "action" not in a:
            self._in_form = True
        if not self._in_form:
            return
        name = a.get("name", "")
        if tag == "input" and name and name != "csrfmiddlewaretoken":
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.values.append((name, a.get("value", "on" if a.get("type") == "checkbox" else "")))
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in a:
            self.values.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = name, ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.values.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self._text += data


def _form(client: Client, url: str) -> dict[str, Any]:
    page = client.get(url)
    assert page.status_code == 200, url
    parser = _FormValues()
    parser.feed(page.content.decode())
    data: dict[str, Any] = {}
    for name, value in parser.values:
        data.setdefault(name, []).append(value)
    return {k: v if len(v) > 1 else v[0] for k, v in data.items()}


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_the_edit_form_keeps_the_input_and_shows_what_changed(world: World, entity: Entity) -> None:
    manager = world.users_a["manager"]
    api = token_client(manager)
    row = _row(api, entity)
    browser = login(manager)
    edit = entity.ui.format(id=row)
    opened = _form(browser, edit)
    assert int(opened["version"]) >= 1

    # someone else saves first
    other = _patch(api, f"{API}/{entity.api}/{row}", {entity.field: "Saved by Ann"})
    assert other.status_code == 200
    mine = {**opened, entity.field: "Typed by Bob"}
    refused = browser.post(edit, data=mine)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "changed by someone else" in page
    assert "Saved by Ann" in page  # what changed, with its value now
    assert "Typed by Bob" in page  # the user's input is kept
    assert api.get(f"{API}/{entity.api}/{row}").json()[entity.field] == "Saved by Ann"

    # the re-rendered form carries the current version: saving again keeps Bob's text
    retry = _form_from(page)
    assert int(retry["version"]) == other.json()["version"]
    saved = browser.post(edit, data={**mine, "version": retry["version"]})
    assert saved.status_code == 302, saved.content.decode()[:2000]
    assert api.get(f"{API}/{entity.api}/{row}").json()[entity.field] == "Typed by Bob"


def _form_from(page: str) -> dict[str, Any]:
    parser = _FormValues()
    parser.feed(page)
    return dict(parser.values)


def test_a_form_without_a_version_still_saves(world: World) -> None:
    """Forms posted by older pages (no hidden version) keep the last-write-wins behaviour."""
    manager = world.users_a["manager"]
    row = _row(token_client(manager), ENTITIES[0])
    browser = login(manager)
    data = _form(browser, f"/o/org-a/assets/{row}/edit/")
    data.pop("version")
    response = browser.post(f"/o/org-a/assets/{row}/edit/", data={**data, "location": "Cellar"})
    assert response.status_code == 302
    assert Asset.objects.get(pk=row).location == "Cellar"


# --- concurrent writers (PostgreSQL) ---------------------------------------------------------

WRITERS = 6


def _in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 (re-raised by the test thread)
            errors.append(exc)
        finally:
            connections.close_all()

    return threading.Thread(target=run)


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_lose_nothing() -> None:
    """Each writer reads the same version and writes; exactly one wins each round and the
    others get a conflict. Retrying on a fresh read, every writer's change lands."""
    if connection.vendor != "postgresql":
        pytest.skip("threads with their own connections need a server database")
    owner = make_user("owner-c@example.com")
    org = make_org("org-c", owner)
    add_member(org, "manager-c@example.com", "manager")
    asset = asset_services.asset_create(
        actor=actor_for(owner, "org-c"), name="Counter", type="software", location=""
    )
    start = threading.Barrier(WRITERS)
    lock = threading.Lock()
    outcomes: dict[int, list[str]] = {}  # version each writer tried -> "won" / "conflict"
    errors: list[BaseException] = []

    def writer(n: int) -> Callable[[], None]:
        def work() -> None:
            actor = actor_for(owner, "org-c")
            first = True
            while True:
                row = asset_selectors.asset_get(actor=actor, asset_id=asset.pk)
                if first:
                    start.wait(timeout=30)  # every writer holds the same version
                    first = False
                read = row.version
                try:
                    asset_services.asset_update(
                        actor=actor, asset=row, version=read, location=f"{row.location}[{n}]"
                    )
                except VersionConflict:
                    with lock:
                        outcomes.setdefault(read, []).append("conflict")
                    continue
                with lock:
                    outcomes.setdefault(read, []).append("won")
                return

        return work

    threads = [_in_thread(writer(n), errors) for n in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    final = Asset.objects.get(pk=asset.pk)
    assert final.version == 1 + WRITERS
    assert sorted(final.location.replace("[", " ").replace("]", " ").split()) == [
        str(n) for n in range(WRITERS)
    ]
    assert outcomes[1].count("won") == 1 and outcomes[1].count("conflict") == WRITERS - 1
    assert all(results.count("won") == 1 for results in outcomes.values())
    assert (
        AuditEvent.objects.filter(action="asset.update", object_id=str(asset.pk)).count() == WRITERS
    )


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_without_a_version_both_land() -> None:
    """Two writers that send no version are serialised on the row: both changes land and the
    version counts both (the second reloads the row instead of writing a stale copy)."""
    if connection.vendor != "postgresql":
        pytest.skip("threads with their own connections need a server database")
    owner = make_user("owner-d@example.com")
    make_org("org-d", owner)
    asset = asset_services.asset_create(
        actor=actor_for(owner, "org-d"), name="Two", type="software"
    )
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def writer(field: str) -> Callable[[], None]:
        def work() -> None:
            actor = actor_for(owner, "org-d")
            row = asset_selectors.asset_get(actor=actor, asset_id=asset.pk)
            start.wait(timeout=30)
            asset_services.asset_update(actor=actor, asset=row, **{field: f"set {field}"})  # type: ignore[misc]

        return work

    threads = [_in_thread(writer(f), errors) for f in ("location", "description")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    final = Asset.objects.get(pk=asset.pk)
    assert (final.location, final.description, final.version) == (
        "set location",
        "set description",
        3,
    )
