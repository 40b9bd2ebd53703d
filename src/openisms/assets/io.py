"""Asset import and export (CSV and XLSX).

Imports are all-or-nothing: every row is validated first, each problem is reported with its
row number and column, and nothing is written unless every row is valid. A row whose ``id``
names an existing asset updates it, so an exported file re-imports without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.accounts.models import User
from openisms.assets import selectors
from openisms.assets.fields import ASSET_RULE, FIELDS
from openisms.assets.models import Asset, AssetType, Classification, encode_tags
from openisms.assets.services import can_edit, snapshot
from openisms.core import audit
from openisms.core.limits import MAX_TEXT
from openisms.core.tabular import ImportResult, Issue, TableError, read_table
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import members_by_email
from openisms.reports.tables import write_csv, write_xlsx

# The file has the asset's own fields, plus its id so that a re-import updates in place.
COLUMNS = ("id", *FIELDS)
REQUIRED = ("name", "type")
HELP = (
    "One row per asset. Leave 'id' empty for new assets; keep it to update an existing one.",
    "type: " + ", ".join(AssetType.values),
    "classification: " + ", ".join(Classification.values) + " (default internal)",
    "confidentiality, integrity, availability: 1 (low) to 5 (critical), default 3",
    "owner, custodian: e-mail address of a member of the organisation",
    "tags and depends_on: several values separated by '; ' (depends_on names other assets)",
)
MAX_LEN = {"name": 200, "location": 200, "description": MAX_TEXT}


def _choice(value: str, choices: type[AssetType] | type[Classification]) -> str | None:
    lowered = value.strip().lower()
    for choice in choices:
        if lowered in (choice.value, str(choice.label).lower()):
            return choice.value
    return None


@dataclass
class _Row:
    number: int
    values: dict[str, Any]
    asset: Asset | None
    depends: list[str]


def _validate(actor: Actor, data: bytes, filename: str) -> tuple[list[_Row], list[Issue]]:
    issues: list[Issue] = []
    try:
        header, rows = read_table(data, filename)
    except TableError as exc:
        return [], [Issue(1, "", str(exc))]
    unknown = [h for h in header if h and h not in COLUMNS]
    for name in unknown:
        issues.append(Issue(1, name, f"Unknown column. Allowed: {', '.join(COLUMNS)}."))
    for name in REQUIRED:
        if name not in header:
            issues.append(Issue(1, name, "Required column is missing."))
    if issues:
        return [], issues
    members = members_by_email(actor=actor)
    existing = {a.pk: a for a in scoped(actor, Asset).prefetch_related("depends_on")}
    by_name = {a.name.lower(): a for a in existing.values()}
    parsed: list[_Row] = []
    seen_names: dict[str, int] = {}
    for number, cells in rows:
        row_issues = len(issues)
        values: dict[str, Any] = {}
        asset = None
        if cells.get("id"):
            try:
                asset = existing.get(int(cells["id"]))
            except ValueError:
                asset = None
            if asset is None:
                issues.append(Issue(number, "id", f"No asset with id {cells['id']} here."))
        name = cells.get("name", "")
        if not name:
            issues.append(Issue(number, "name", "A name is required."))
        elif len(name) > MAX_LEN["name"]:
            issues.append(Issue(number, "name", f"Longer than {MAX_LEN['name']:,} characters."))
        else:
            key = name.lower()
            if key in seen_names:
                issues.append(Issue(number, "name", f"Same name as row {seen_names[key]}."))
            clash = by_name.get(key)
            if clash is not None and (asset is None or clash.pk != asset.pk):
                issues.append(Issue(number, "name", f"An asset named '{name}' already exists."))
            seen_names[key] = number
        values["name"] = name
        kind = _choice(cells.get("type", ""), AssetType)
        if kind is None:
            issues.append(Issue(number, "type", f"Use one of: {', '.join(AssetType.values)}."))
        values["type"] = kind
        if "classification" in header:
            classification = _choice(cells["classification"] or "internal", Classification)
            if classification is None:
                issues.append(
                    Issue(
                        number, "classification", f"Use one of: {', '.join(Classification.values)}."
                    )
                )
            values["classification"] = classification
        for column in ("confidentiality", "integrity", "availability"):
            if column not in header:
                continue
            raw = cells[column] or "3"
            if not raw.isdigit() or not 1 <= int(raw) <= 5:
                issues.append(Issue(number, column, "Use a whole number from 1 to 5."))
            else:
                values[column] = int(raw)
        for column in ("owner", "custodian"):
            if column not in header:
                continue
            email = cells[column].lower()
            if email and email not in members:
                issues.append(
                    Issue(number, column, f"{email} is not a member of this organisation.")
                )
            values[column] = members.get(email) if email else None
        for column in ("description", "location"):
            if column in header:
                if column in MAX_LEN and len(cells[column]) > MAX_LEN[column]:
                    issues.append(
                        Issue(number, column, f"Longer than {MAX_LEN[column]:,} characters.")
                    )
                values[column] = cells[column]
        if "tags" in header:
            values["tags"] = encode_tags(cells["tags"].split(";"))
        depends = [d.strip() for d in cells.get("depends_on", "").split(";") if d.strip()]
        if len(issues) == row_issues and asset is not None and not can_edit(actor, asset):
            issues.append(Issue(number, "id", "You can edit only the assets you own."))
        parsed.append(_Row(number, values, asset, depends))
    known = set(by_name) | set(seen_names)
    for row in parsed:
        for dep in row.depends:
            if dep.lower() not in known:
                issues.append(Issue(row.number, "depends_on", f"No asset named '{dep}'."))
            elif dep.lower() == row.values["name"].lower():
                issues.append(Issue(row.number, "depends_on", "An asset cannot depend on itself."))
    return parsed, issues


def import_assets(
    *, actor: Actor, data: bytes, filename: str = "", dry_run: bool = False
) -> ImportResult:
    """Validate every row, then (unless ``dry_run`` or any row is wrong) apply them all."""
    if not can_edit(actor):
        actor.require(Perm.EDIT_ASSIGNED, "Your role does not allow importing assets.")
    rows, issues = _validate(actor, data, filename)
    result = ImportResult("assets", issues=issues, dry_run=dry_run)
    if issues:
        return result
    for row in rows:
        if row.asset is None:
            result.created += 1
        elif _changes(row):
            result.updated += 1
        else:
            result.unchanged += 1
    if dry_run:
        return result
    if result.created:
        actor.require_edit(ASSET_RULE, None, adding=True)
    _apply(actor, rows)
    return result


def _changes(row: _Row) -> bool:
    assert row.asset is not None
    for key, value in row.values.items():
        current = getattr(row.asset, key)
        if isinstance(value, User) or (value is None and key in ("owner", "custodian")):
            if getattr(row.asset, f"{key}_id") != (value.pk if value else None):
                return True
        elif current != value:
            return True
    current_deps = sorted(a.name.lower() for a in row.asset.depends_on.all())
    return current_deps != sorted(d.lower() for d in row.depends)


@transaction.atomic
def _apply(actor: Actor, rows: list[_Row]) -> None:
    entries: list[tuple[str, Asset, dict[str, Any] | None]] = []
    created: list[Asset] = []
    for row in rows:
        if row.asset is None:
            asset = Asset(org=actor.org, **row.values)
            asset.full_clean(exclude=["org"])
            created.append(asset)
            continue
        if not _changes(row):
            continue
        before = snapshot(row.asset)
        for key, value in row.values.items():
            setattr(row.asset, key, value)
        row.asset.full_clean(exclude=["org"])
        row.asset.save_as_next_version()
        entries.append(("asset.update", row.asset, before))
    Asset.objects.bulk_create(created, batch_size=500)
    entries.extend(("asset.create", asset, None) for asset in created)
    by_name = {a.name.lower(): a for a in scoped(actor, Asset)}
    through = Asset.depends_on.through
    touched = [by_name[r.values["name"].lower()] for r in rows]
    through.objects.filter(from_asset__in=[a.pk for a in touched]).delete()
    through.objects.bulk_create(
        [
            through(
                from_asset_id=by_name[r.values["name"].lower()].pk,
                to_asset_id=by_name[d.lower()].pk,
            )
            for r in rows
            for d in dict.fromkeys(r.depends)
        ],
        batch_size=1000,
    )
    audit.record_many(
        actor=actor.user,
        org=actor.org,
        events=[(action, asset, before, _after(asset)) for action, asset, before in entries],
    )


def _after(asset: Asset) -> dict[str, Any]:
    """Field values after the import (dependencies are in the import's own events)."""
    data = audit.snapshot(asset)
    data["tags"] = asset.tag_list
    return data


def export_assets(*, actor: Actor, fmt: str) -> tuple[bytes, str, str]:
    """The inventory as CSV or XLSX: (content, content type, file extension)."""
    rows = [
        [
            a.pk,
            a.name,
            a.type,
            a.description,
            a.owner.email if a.owner else "",
            a.custodian.email if a.custodian else "",
            a.location,
            a.classification,
            a.confidentiality,
            a.integrity,
            a.availability,
            "; ".join(a.tag_list),
            "; ".join(d.name for d in a.depends_on.all()),
        ]
        for a in selectors.asset_export_rows(actor=actor)
    ]
    return _write(rows, fmt)


def template(fmt: str) -> tuple[bytes, str, str]:
    return _write([], fmt)


def _write(rows: list[list[Any]], fmt: str) -> tuple[bytes, str, str]:
    if fmt == "csv":
        return write_csv(COLUMNS, rows), "text/csv; charset=utf-8", "csv"
    if fmt == "xlsx":
        content = write_xlsx(COLUMNS, rows, title="Assets", notes=HELP)
        return (
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )
    raise ValidationError({"format": "Use csv or xlsx."})
