from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from openisms.assets import io as asset_io
from openisms.assets import services
from openisms.assets.models import Asset
from openisms.cli import main
from openisms.core.models import AuditEvent
from openisms.core.tabular import read_table
from openisms.orgs.access import actor_for
from tests.conftest import World, login, token_client

HEADER = (
    "id,name,type,owner,classification,confidentiality,integrity,availability,tags,depends_on\n"
)


def _actor(world: World, role: str = "owner") -> Any:
    return actor_for(world.users_a[role], "org-a")


def _seed(world: World) -> None:
    a = _actor(world)
    db = services.asset_create(actor=a, name="Customer DB", type="software", tags=["phi"])
    services.asset_create(
        actor=a,
        name="Patient records",
        type="information",
        owner="manager-a@example.com",
        classification="restricted",
        confidentiality=5,
        depends_on=[db.pk],
    )


def test_import_is_all_or_nothing_and_names_row_and_column(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    _seed(world)
    events = AuditEvent.objects.count()
    path = tmp_path / "assets.csv"
    path.write_text(
        HEADER
        + ",Laptop fleet,hardware,,internal,3,3,3,,\n"
        + ",Payroll,service,nobody@example.com,internal,3,3,7,,\n"
        + ",CRM,service,,,3,3,3,,Unknown thing\n"
    )
    assert main(["import", "assets", "--org", "org-a", str(path)]) == 1
    err = capsys.readouterr().err
    assert "row 3, column 'owner'" in err and "row 3, column 'availability'" in err
    assert "row 4, column 'depends_on'" in err
    assert not Asset.objects.filter(name="Laptop fleet").exists()
    assert AuditEvent.objects.count() == events


def test_export_then_reimport_with_one_extra_row_adds_exactly_one(
    world: World, tmp_path: Path, capsys: Any
) -> None:
    _seed(world)
    for fmt in ("csv", "xlsx"):
        out = tmp_path / f"assets.{fmt}"
        assert main(["export", "assets", "--org", "org-a", "--format", fmt, "-o", str(out)]) == 0
        header, rows = read_table(out.read_bytes(), out.name)
        assert header[:3] == ["id", "name", "type"] and len(rows) == Asset.objects.count()
        before = Asset.objects.count()
        if fmt == "csv":
            with out.open("a") as fh:
                fh.write(f",New asset {fmt},site,,,,,,,,,,Customer DB\n")
        else:
            from openpyxl import load_workbook

            wb = load_workbook(out)
            wb.active.append(
                ["", f"New asset {fmt}", "site", "", "", "", "", "", "", "", "", "", "Customer DB"]
            )
            wb.save(out)
        assert main(["import", "assets", "--org", "org-a", str(out), "--dry-run"]) == 0
        assert Asset.objects.count() == before
        assert main(["import", "assets", "--org", "org-a", str(out)]) == 0
        assert "1 assets were created, 0 updated" in capsys.readouterr().out
        assert Asset.objects.count() == before + 1
        new = Asset.objects.get(name=f"New asset {fmt}")
        assert [d.name for d in new.depends_on.all()] == ["Customer DB"]
    patient = Asset.objects.get(name="Patient records")
    assert patient.owner == world.users_a["manager"] and patient.confidentiality == 5


def test_reimport_updates_by_id(world: World) -> None:
    _seed(world)
    asset = Asset.objects.get(name="Customer DB")
    data = (
        HEADER + f"{asset.pk},Customer database,software,,confidential,4,4,4,phi; prod,\n"
    ).encode()
    result = asset_io.import_assets(actor=_actor(world), data=data)
    assert (result.created, result.updated) == (0, 1)
    asset.refresh_from_db()
    assert asset.name == "Customer database" and asset.tag_list == ["phi", "prod"]
    event = AuditEvent.objects.filter(action="asset.update", object_id=str(asset.pk)).latest("seq")
    assert event.before["name"] == "Customer DB" and event.after["name"] == "Customer database"


def test_exports_neutralise_formulas(world: World) -> None:
    services.asset_create(actor=_actor(world), name="=cmd|' /C calc'!A0", type="software")
    content, _, _ = asset_io.export_assets(actor=_actor(world), fmt="csv")
    row = next(r for r in csv.reader(io.StringIO(content.decode())) if "calc" in "".join(r))
    assert row[1].startswith("'=")
    from openpyxl import load_workbook

    content, _, _ = asset_io.export_assets(actor=_actor(world), fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content)).active
    values = [c.value for c in sheet["B"]]
    assert "'=cmd|' /C calc'!A0" in values
    assert sheet.freeze_panes == "A2"
    # And the exported file re-imports to the original name.
    _header, rows = read_table(content, "x.xlsx")
    assert any(r["name"] == "=cmd|' /C calc'!A0" for _, r in rows)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"name\nX\n", "Required column"),
        (b"name,type,colour\nX,site,red\n", "Unknown column"),
        (b"PK\x03\x04garbage", "cannot be read"),
        (b"\xff\xfe\x00bad", "UTF-8"),
    ],
)
def test_unreadable_files_are_reported(world: World, data: bytes, message: str) -> None:
    result = asset_io.import_assets(actor=_actor(world), data=data)
    assert not result.ok and message in str(result.issues[0])


def test_duplicate_names_in_file_are_reported(world: World) -> None:
    data = (HEADER + ",A,site,,,,,,,\n,a,site,,,,,,,\n").encode()
    result = asset_io.import_assets(actor=_actor(world), data=data)
    assert [str(i) for i in result.issues] == ["row 3, column 'name': Same name as row 2."]


def test_contributor_edits_only_own_assets(world: World) -> None:
    _seed(world)
    contributor = _actor(world, "contributor")
    mine = services.asset_create(
        actor=_actor(world), name="Mine", type="site", owner="contributor-a@example.com"
    )
    services.asset_update(actor=contributor, asset=mine, location="Austin")
    other = Asset.objects.get(name="Customer DB")
    with pytest.raises(PermissionDenied):
        services.asset_update(actor=contributor, asset=other, location="x")
    with pytest.raises(PermissionDenied):
        services.asset_create(actor=contributor, name="New", type="site")
    with pytest.raises(PermissionDenied):
        services.asset_delete(actor=contributor, asset=mine)


def test_api_crud_and_validation(world: World) -> None:
    client = token_client(world.users_a["manager"])
    response = client.post(
        "/api/v1/orgs/org-a/assets",
        data={
            "name": "EHR bridge",
            "type": "software",
            "owner": "viewer-a@example.com",
            "tags": ["phi"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    asset_id = response.json()["id"]
    bad = client.patch(
        f"/api/v1/orgs/org-a/assets/{asset_id}",
        data={"confidentiality": 9},
        content_type="application/json",
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "confidentiality"
    bad = client.patch(
        f"/api/v1/orgs/org-a/assets/{asset_id}",
        data={"owner": "owner-b@example.com"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    listing = client.get("/api/v1/orgs/org-a/assets?tag=phi").json()
    assert [a["name"] for a in listing["items"]] == ["EHR bridge"]
    upload = client.post(
        "/api/v1/orgs/org-a/assets/import",
        data={"file": io.BytesIO(b"name,type\nNew,site\nBad,\n"), "dry_run": "false"},
    )
    assert upload.status_code == 422 and upload.json()["issues"][0]["row"] == 3
    assert client.get("/api/v1/orgs/org-a/assets/export?format=xlsx").status_code == 200


def test_ui_list_filters_and_import_errors(world: World) -> None:
    _seed(world)
    client = login(world.users_a["manager"])
    page = client.get("/o/org-a/assets/?type=information").content.decode()
    assert "Patient records" in page and "Customer DB" not in page
    response = client.post(
        "/o/org-a/assets/import/", {"file": io.BytesIO(b"name,type\nX,boat\n")}, format="multipart"
    )
    assert (
        response.status_code == 422 and b"row 2" in response.content.lower()
    ) or b"<td>2</td>" in response.content
