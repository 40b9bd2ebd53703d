"""Writes for the asset inventory. Each is atomic and records an audit event."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction

from openisms.accounts.models import User
from openisms.assets.fields import ASSET_RULE, FIELDS, AssetChanges
from openisms.assets.models import Asset, encode_tags
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.orgs.selectors import members_by_email, resolve_member
from openisms.orgs.updates import audited_update


def snapshot(asset: Asset) -> dict[str, Any]:
    data = audit.snapshot(asset)
    data["tags"] = asset.tag_list
    data["depends_on"] = sorted(a.pk for a in asset.depends_on.all()) if asset.pk else []
    return data


def can_edit(actor: Actor, asset: Asset | None = None) -> bool:
    return actor.may_edit(ASSET_RULE, asset)


def _apply(
    actor: Actor, asset: Asset, changes: Mapping[str, Any], members: dict[str, User]
) -> list[Asset] | None:
    unknown = set(changes) - set(FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "Unknown field."))
    depends: list[Asset] | None = None
    for name, value in changes.items():
        if name in ("owner", "custodian"):
            setattr(asset, name, resolve_member(value, name, members=members))
        elif name == "tags":
            asset.tags = encode_tags(value if isinstance(value, list) else str(value).split(";"))
        elif name == "depends_on":
            depends = _resolve_dependencies(actor, asset, value)
        else:
            setattr(asset, name, value.strip() if isinstance(value, str) else value)
    asset.org = actor.org
    asset.full_clean(exclude=["org"])
    if scoped(actor, Asset).filter(name=asset.name).exclude(pk=asset.pk).exists():
        raise ValidationError({"name": f"Another asset is already named '{asset.name}'."})
    return depends


def _resolve_dependencies(actor: Actor, asset: Asset, value: Iterable[Any]) -> list[Asset]:
    wanted = {int(v.pk if isinstance(v, Asset) else v) for v in value}
    if asset.pk and asset.pk in wanted:
        raise ValidationError({"depends_on": "An asset cannot depend on itself."})
    found = list(scoped(actor, Asset).filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise ValidationError({"depends_on": "Unknown asset in depends_on."})
    return found


@transaction.atomic
def asset_create(*, actor: Actor, **fields: Unpack[AssetChanges]) -> Asset:
    actor.require_edit(ASSET_RULE, None, adding=True)
    asset = Asset(org=actor.org)
    depends = _apply(actor, asset, fields, members_by_email(actor=actor))
    asset.save()
    if depends:
        asset.depends_on.set(depends)
    audit.record(
        actor=actor.user, org=actor.org, action="asset.create", obj=asset, after=snapshot(asset)
    )
    return asset


@transaction.atomic
def asset_update(
    *, actor: Actor, asset: Asset, version: int | None = None, **changes: Unpack[AssetChanges]
) -> Asset:
    def apply() -> Callable[[], None] | None:
        depends = _apply(actor, asset, changes, members_by_email(actor=actor))
        return None if depends is None else lambda: asset.depends_on.set(depends)

    audited_update(
        actor=actor,
        obj=asset,
        action="asset.update",
        apply=apply,
        snapshot=snapshot,
        rule=ASSET_RULE,
        version=version,
    )
    return asset


@transaction.atomic
def asset_delete(*, actor: Actor, asset: Asset) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=actor.user, org=actor.org, action="asset.delete", obj=asset, before=snapshot(asset)
    )
    asset.delete()
