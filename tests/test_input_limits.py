"""Bad input answers a clear 4xx naming the field and changes nothing (issue #14).

Duplicates, integers beyond 64 bits, ``null`` for lists, over-long text, and exports with
long and awkward values that must re-import as they are.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from openisms.assets import services as asset_services
from openisms.assets.models import Asset
from openisms.cli import main
from openisms.core.api import install_error_handlers
from openisms.core.limits import MAX_TEXT
from openisms.core.models import AuditEvent
from openisms.core.tabular import TableError, read_table
from openisms.orgs.access import actor_for
from openisms.orgs.models import Organization
from openisms.risks import services as risk_services
from openisms.risks.models import Risk, RiskMethod, Threat, Vulnerability
from tests.conftest import World, login, token_client

BEYOND = 2**63  # one more than a signed 64-bit integer holds
IMPORTERS = importlib.import_module("openisms.web.management.commands.import").IMPORTERS


def _actor(world: World) -> Any:
    return actor_for(world.owner_a, "org-a")


def _fields(response: Any) -> set[str]:
    """The fields a 422 names (``loc`` ends with the field)."""
    detail = response.json()["detail"]
    assert isinstance(detail, list), detail
    return {str(d["loc"][-1]) for d in detail if d["loc"]}


def _unchanged(world: World) -> Any:
    """Counts of what a refused request must not change."""
    return (AuditEvent.objects.count(), Asset.objects.count(), Risk.objects.count())


@pytest.fixture
def api(world: World) -> Client:
    return token_client(world.owner_a)


# Duplicates: a field error, never a 500 --------------------------------------------------


def test_a_duplicate_asset_name_is_a_field_error_on_create_and_patch(
    world: World, api: Client
) -> None:
    a = _actor(world)
    asset_services.asset_create(actor=a, name="CRM", type="software")
    other = asset_services.asset_create(actor=a, name="ERP", type="software")
    before = _unchanged(world)
    url = "/api/v1/orgs/org-a/assets"
    r = api.post(url, {"name": "CRM", "type": "software"}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"name"}
    assert "already named 'CRM'" in r.json()["detail"][0]["msg"]
    r = api.patch(f"{url}/{other.pk}", {"name": "CRM"}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"name"}
    assert _unchanged(world) == before
    # Renaming an asset to its own name is no clash.
    r = api.patch(f"{url}/{other.pk}", {"name": "ERP"}, content_type="application/json")
    assert r.status_code == 200


def test_a_duplicate_asset_name_in_the_form_is_shown_on_the_field(world: World) -> None:
    asset_services.asset_create(actor=_actor(world), name="CRM", type="software")
    before = _unchanged(world)
    page = login(world.owner_a).post(
        "/o/org-a/assets/new/",
        {"name": "CRM", "type": "software", "classification": "internal"}
        | {"confidentiality": 3, "integrity": 3, "availability": 3},
    )
    assert page.status_code == 200
    assert "already named" in page.content.decode()
    assert page.context["form"].errors["name"]
    assert _unchanged(world) == before


@pytest.mark.parametrize("path", ["threats", "vulnerabilities"])
def test_a_duplicate_library_key_is_a_field_error(world: World, api: Client, path: str) -> None:
    model = Threat if path == "threats" else Vulnerability
    key = model.objects.filter(org=world.org_a).values_list("key", flat=True).first()
    body = {"key": key, "group": "G", "name": "Again"}
    r = api.post(f"/api/v1/orgs/org-a/{path}", body, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"key"}


# The last resort for a race: a duplicate that got past the services' check ---------------


def _insert_duplicate() -> None:
    """What a concurrent request does between our check and our insert: the same name again,
    straight into the database (in a savepoint, as every service write is atomic)."""
    with transaction.atomic():
        Asset.objects.create(
            org=Organization.objects.get(slug="org-a"), name="CRM", type="software"
        )


race_api = NinjaAPI(urls_namespace="input-limits-race")
install_error_handlers(race_api)


@race_api.post("/race")
def _race_route(request: HttpRequest) -> None:
    _insert_duplicate()


def _race_page(request: HttpRequest) -> HttpResponse:
    _insert_duplicate()
    return HttpResponse("not reached")


urlpatterns = [path("api/", race_api.urls), path("page/", _race_page)]


@pytest.mark.urls("tests.test_input_limits")
def test_a_database_conflict_past_the_checks_is_a_409_not_a_500(world: World) -> None:
    asset_services.asset_create(actor=_actor(world), name="CRM", type="software")
    before = _unchanged(world)
    r = Client().post("/api/race")
    assert r.status_code == 409 and "conflicts with existing data" in r.json()["detail"]
    page = Client().post("/page/")
    assert page.status_code == 409 and b"Reload the page" in page.content
    assert _unchanged(world) == before


# Integers beyond 64 bits ----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/orgs/org-a/assets",
        "/api/v1/orgs/org-a/risks",
        "/api/v1/orgs/org-a/threats",
        "/api/v1/frameworks",
        "/api/v1/mapping-sets/iso27001-2013-to-iso27001-2022",
    ],
)
def test_an_offset_beyond_64_bits_is_a_422_naming_offset(
    world: World, api: Client, catalog: None, url: str
) -> None:
    r = api.get(f"{url}?offset={BEYOND}")
    assert r.status_code == 422 and _fields(r) == {"offset"}
    r = api.get(f"{url}?limit={BEYOND}")
    assert r.status_code == 422 and _fields(r) == {"limit"}


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/orgs/org-a/assets/{BEYOND}",
        f"/api/v1/orgs/org-a/risks/{BEYOND}",
        f"/api/v1/orgs/org-a/threats/{BEYOND}",
        f"/api/v1/orgs/org-a/evidence/{BEYOND}/versions/1/download",
        f"/api/v1/orgs/org-a/evidence/1/versions/{BEYOND}/download",
    ],
)
def test_an_id_beyond_64_bits_in_a_path_is_a_4xx(world: World, api: Client, url: str) -> None:
    r = api.get(url)
    assert r.status_code in (404, 422), r.content


def test_ids_beyond_64_bits_in_a_body_name_the_field(world: World, api: Client) -> None:
    before = _unchanged(world)
    r = api.post(
        "/api/v1/orgs/org-a/assets",
        {"name": "CRM", "type": "software", "depends_on": [BEYOND]},
        content_type="application/json",
    )
    assert r.status_code == 422 and "depends_on" in {
        str(x) for d in r.json()["detail"] for x in d["loc"]
    }
    r = api.post(
        "/api/v1/orgs/org-a/risks",
        {"title": "T", "description": "D", "inherent_likelihood": 2, "inherent_impact": 2}
        | {"assets": [BEYOND]},
        content_type="application/json",
    )
    assert r.status_code == 422 and "assets" in {
        str(x) for d in r.json()["detail"] for x in d["loc"]
    }
    r = api.post(
        "/api/v1/orgs/org-a/assets",
        {"name": "CRM", "type": "software", "confidentiality": BEYOND},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert _unchanged(world) == before


# null for lists and numbers -------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("threats", "asset_types"),
        ("threats", "affects"),
        ("threats", "suggested_controls"),
        ("vulnerabilities", "asset_types"),
    ],
)
def test_null_for_a_list_is_a_422_naming_it(
    world: World, api: Client, path: str, field: str
) -> None:
    model = Threat if path == "threats" else Vulnerability
    item = model.objects.filter(org=world.org_a).first()
    assert item is not None
    before = _unchanged(world)
    url = f"/api/v1/orgs/org-a/{path}"
    r = api.patch(f"{url}/{item.pk}", {field: None}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {field}, r.content
    body = {"key": "new-item", "group": "G", "name": "N", field: None}
    r = api.post(url, body, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {field}
    assert _unchanged(world) == before


def test_null_for_the_acceptance_threshold_is_a_422(world: World, api: Client) -> None:
    methods = RiskMethod.objects.count()
    r = api.post(
        "/api/v1/orgs/org-a/risk-methods",
        {"acceptance_threshold": None},
        content_type="application/json",
    )
    assert r.status_code == 422 and _fields(r) == {"acceptance_threshold"}, r.content
    assert RiskMethod.objects.count() == methods


# Over-long text -------------------------------------------------------------------------


def test_text_over_the_limit_is_refused_in_the_api_and_the_form(world: World, api: Client) -> None:
    before = _unchanged(world)
    long = "x" * (MAX_TEXT + 1)
    r = api.post(
        "/api/v1/orgs/org-a/assets",
        {"name": "CRM", "type": "software", "description": long},
        content_type="application/json",
    )
    assert r.status_code == 422 and _fields(r) == {"description"}
    r = api.post(
        "/api/v1/orgs/org-a/risks",
        {"title": "T", "description": long, "inherent_likelihood": 2, "inherent_impact": 2},
        content_type="application/json",
    )
    assert r.status_code == 422 and _fields(r) == {"description"}
    page = login(world.owner_a).post(
        "/o/org-a/assets/new/",
        {"name": "CRM", "type": "software", "classification": "internal", "description": long}
        | {"confidentiality": 3, "integrity": 3, "availability": 3},
    )
    assert page.status_code == 200 and page.context["form"].errors["description"]
    assert _unchanged(world) == before
    # Exactly at the limit is fine, and a service called directly refuses the same way.
    asset_services.asset_create(
        actor=_actor(world), name="At limit", type="software", description="y" * MAX_TEXT
    )
    with pytest.raises(Exception, match="description"):
        asset_services.asset_create(
            actor=_actor(world), name="Over", type="software", description=long
        )


# Exports re-import ----------------------------------------------------------------------

AWKWARD = [
    '=HYPERLINK("http://example.com")',
    "+1 -2 @sum",
    'Quotes "inside", commas, and; semicolons',
    "Line one\nline two\r\nline three",
    "Unicode: Zürich, 東京, emoji \N{SHIELD}",
]


def _seed_assets(world: World) -> None:
    a = _actor(world)
    first = None
    for i, text in enumerate(AWKWARD):
        asset = asset_services.asset_create(
            actor=a,
            name=f"{text[:150]} {i}",
            type="software",
            description=(text + " ") * 10 + "z" * (MAX_TEXT - 10 * (len(text) + 1)),
            location=text[:200],
            tags=[f"tag-{i}", "=cmd"],
            depends_on=[first.pk] if first else [],
        )
        first = first or asset


def _seed_risks(world: World) -> None:
    a = _actor(world)
    asset = asset_services.asset_create(actor=a, name='=Server, "main"', type="hardware")
    for i, text in enumerate(AWKWARD):
        risk_services.risk_create(
            actor=a,
            title=f"{text[:200]} {i}",
            description=text + "d" * (MAX_TEXT - len(text)),
            existing_controls=text * 3,
            inherent_likelihood=3,
            inherent_impact=3,
            assets=[asset.pk],
            planned_controls=["A.8.13"],
        )


SEEDS = {"assets": _seed_assets, "risks": _seed_risks}


def test_every_importable_register_has_a_round_trip_test() -> None:
    assert set(SEEDS) == set(IMPORTERS)


@pytest.mark.parametrize("entity", sorted(SEEDS))
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_export_reimports_with_long_and_awkward_values(
    world: World, catalog: None, tmp_path: Path, capsys: Any, entity: str, fmt: str
) -> None:
    SEEDS[entity](world)
    model = Asset if entity == "assets" else Risk
    before = {row["id"]: row for row in model.objects.filter(org=world.org_a).values()}
    out = tmp_path / f"{entity}.{fmt}"
    assert main(["export", entity, "--org", "org-a", "--format", fmt, "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["import", entity, "--org", "org-a", str(out)]) == 0, capsys.readouterr().err
    assert f"0 {entity} were created, 0 updated" in capsys.readouterr().out
    after = {row["id"]: row for row in model.objects.filter(org=world.org_a).values()}
    assert after == before


def test_a_csv_cell_larger_than_any_field_is_a_problem_not_a_crash(
    world: World, api: Client, tmp_path: Path, capsys: Any
) -> None:
    big = "x" * (2 * 1024 * 1024)
    data = f'name,type,description\nCRM,software,"{big}"\n'.encode()
    with pytest.raises(TableError, match="Line 2"):
        read_table(data, "assets.csv")
    r = api.post(
        "/api/v1/orgs/org-a/assets/import",
        {"file": _upload("assets.csv", data)},
    )
    assert r.status_code == 422 and "Line 2" in r.json()["issues"][0]["message"]
    path = tmp_path / "assets.csv"
    path.write_bytes(data)
    assert main(["import", "assets", "--org", "org-a", str(path)]) == 1
    assert "Line 2" in capsys.readouterr().err
    # A cell of a few hundred KiB is read, and the importer names the field that is too long.
    path.write_bytes(f'name,type,description\nCRM,software,"{"y" * 300_000}"\n'.encode())
    assert main(["import", "assets", "--org", "org-a", str(path)]) == 1
    assert "row 2, column 'description'" in capsys.readouterr().err
    assert not Asset.objects.filter(name="CRM").exists()


def _upload(name: str, data: bytes) -> Any:
    return SimpleUploadedFile(name, data, content_type="text/csv")


@pytest.mark.parametrize(
    "url",
    [f"/o/org-a/assets/{BEYOND}/", f"/o/org-a/risks/{BEYOND}/", f"/o/org-a/assets/{BEYOND}/edit/"],
)
def test_a_page_with_an_id_beyond_64_bits_is_a_404(world: World, url: str) -> None:
    assert login(world.owner_a).get(url).status_code == 404


def test_other_registers_refuse_long_text_and_nulls_through_the_model(
    world: World, api: Client
) -> None:
    """Schemas without their own limits still refuse: the model checks every text column and
    ``changes_of`` every null, so the rule holds for each register, not only assets and risks."""
    url = "/api/v1/orgs/org-a/controls"
    r = api.post(url, {"ref": "BK-01", "name": "Backups"}, content_type="application/json")
    assert r.status_code == 201, r.content
    control = f"{url}/{r.json()['id']}"
    events = AuditEvent.objects.count()
    long = "x" * (MAX_TEXT + 1)
    for field in ("description", "implementation"):
        r = api.patch(control, {field: long}, content_type="application/json")
        assert r.status_code == 422 and _fields(r) == {field}
        r = api.patch(control, {field: None}, content_type="application/json")
        assert r.status_code == 422 and _fields(r) == {field}
    r = api.post(url, {"ref": "BK-01", "name": "Again"}, content_type="application/json")
    assert r.status_code == 422 and _fields(r) == {"ref"}
    assert AuditEvent.objects.count() == events


def test_a_policy_draft_may_be_longer_than_other_text(world: World, api: Client) -> None:
    """Documents keep their own, larger limit for the Markdown draft."""
    body = {"title": "ISMS manual", "draft_text": "# Manual\n\n" + "word " * (MAX_TEXT // 4)}
    r = api.post("/api/v1/orgs/org-a/documents", body, content_type="application/json")
    assert r.status_code == 201, r.content
