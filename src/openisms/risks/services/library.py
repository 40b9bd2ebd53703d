"""The threat and vulnerability library: the shipped starter set and the organisation's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Unpack

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from openisms.catalog.models import Requirement
from openisms.core import audit
from openisms.orgs.access import Actor, Perm, scoped
from openisms.risks.fields import LIBRARY_FIELDS, LibraryItemChanges
from openisms.risks.models import Threat, Vulnerability
from openisms.risks.services.common import CONTROL_FRAMEWORK, _controls, _user

LIBRARY = Path(__file__).resolve().parent.parent / "data" / "library.json"


def library_load(*, actor: Actor) -> int:
    """Copy the shipped threats and vulnerabilities the organisation does not have yet."""
    data = json.loads(LIBRARY.read_text())
    controls = {
        r.ref: r
        for r in Requirement.objects.filter(framework__slug=CONTROL_FRAMEWORK, kind="control")
    }
    groups = {
        "threats": {g["key"]: g["name"] for g in data["threat_groups"]},
        "vulnerabilities": {g["key"]: g["name"] for g in data["vulnerability_groups"]},
    }
    added = 0
    with transaction.atomic():
        sections: list[tuple[str, Any]] = [("threats", Threat), ("vulnerabilities", Vulnerability)]
        for section, model in sections:
            have = set(scoped(actor, model).values_list("key", flat=True))
            new = [item for item in data[section] if item["key"] not in have]
            objs = []
            for item in new:
                obj = model(
                    org=actor.org,
                    key=item["key"],
                    group=groups[section][item["group"]],
                    name=item["name"],
                    description=item["description"],
                    asset_types=item.get("asset_types", []),
                    from_library=data["version"],
                )
                if model is Threat:
                    obj.affects = item.get("affects", [])
                objs.append(obj)
            model.objects.bulk_create(objs)
            through = model.suggested_controls.through
            saved = {o.key: o for o in scoped(actor, model).filter(key__in=[i["key"] for i in new])}
            fk = f"{model._meta.model_name}_id"
            through.objects.bulk_create(
                [
                    through(**{fk: saved[item["key"]].pk, "requirement_id": controls[ref].pk})
                    for item in new
                    for ref in item.get("suggested_controls", [])
                    if ref in controls
                ]
            )
            audit.record_many(
                actor=_user(actor),
                org=actor.org,
                events=[
                    (
                        f"{model._meta.model_name}.create",
                        saved[i["key"]],
                        None,
                        {"key": i["key"], "name": i["name"]},
                    )
                    for i in new
                ],
            )
            added += len(new)
    return added


def _library_fields(
    actor: Actor, obj: Threat | Vulnerability, fields: LibraryItemChanges
) -> list[Requirement] | None:
    controls = None
    for name, value in fields.items():
        if name == "suggested_controls":
            controls = _controls(value)
        elif name in LIBRARY_FIELDS:
            setattr(obj, name, value.strip() if isinstance(value, str) else value)
        else:
            raise ValidationError({name: "Unknown field."})
    obj.org = actor.org
    obj.full_clean(exclude=["org"])
    return controls


@transaction.atomic
def library_item_save(
    *,
    actor: Actor,
    model: type[Threat] | type[Vulnerability],
    item: Threat | Vulnerability | None,
    **fields: Unpack[LibraryItemChanges],
) -> Threat | Vulnerability:
    actor.require(Perm.EDIT_ISMS)
    obj = item or model(org=actor.org)
    before = audit.snapshot(obj) if item else None
    if item is None and not fields.get("key"):
        fields["key"] = slugify(fields.get("name", ""))[:80] or "custom"
    controls = _library_fields(actor, obj, fields)
    if scoped(actor, model).filter(key=obj.key).exclude(pk=obj.pk).exists():
        raise ValidationError({"key": f"'{obj.key}' is already used."})
    obj.save()
    if controls is not None:
        obj.suggested_controls.set(controls)
    name = model._meta.model_name
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action=f"{name}.{'update' if item else 'create'}",
        obj=obj,
        before=before,
        after=audit.snapshot(obj),
    )
    return obj


@transaction.atomic
def library_item_delete(*, actor: Actor, item: Threat | Vulnerability) -> None:
    actor.require(Perm.EDIT_ISMS)
    audit.record(
        actor=_user(actor),
        org=actor.org,
        action=f"{item._meta.model_name}.delete",
        obj=item,
        before=audit.snapshot(item),
    )
    item.delete()
