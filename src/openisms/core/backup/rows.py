"""Model rows as portable JSON values and back, exactly enough for the audit chain's hashes.

Values are read through the ORM (so each database's converters apply) and written in one
text form per field type: datetimes as full ISO 8601 with microseconds and offset, decimals as
strings, binary as base64, JSON as JSON. Django's own serializer rounds datetimes to
milliseconds, which would break the audit trail's hashes after a restore, hence this module.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.apps.registry import Apps
from django.db import models
from django.utils.duration import duration_string


def concrete_models(apps: Apps) -> list[type[models.Model]]:
    """Every table-backed model of ``apps``, parents before the rows that point at them."""
    found = [
        m
        for m in apps.get_models(include_auto_created=True)
        if m._meta.managed and not m._meta.proxy and not m._meta.swapped
    ]
    found.sort(key=lambda m: m._meta.label_lower)
    by_label = {m._meta.label_lower: m for m in found}
    deps: dict[str, set[str]] = {}
    for model in found:
        label = model._meta.label_lower
        deps[label] = set()
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if isinstance(target, type) and target._meta.label_lower in by_label.keys() - {label}:
                deps[label].add(target._meta.label_lower)
    ordered: list[type[models.Model]] = []
    done: set[str] = set()
    while len(done) < len(found):
        ready = [lbl for lbl in by_label if lbl not in done and deps[lbl] <= done]
        if not ready:  # a cycle (nullable keys both ways): take the first left, keys are deferred
            ready = [next(lbl for lbl in by_label if lbl not in done)]
        for lbl in ready:
            done.add(lbl)
            ordered.append(by_label[lbl])
    return ordered


def columns(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def encode(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    return value


def decode(field: models.Field[Any, Any], value: Any) -> Any:
    if value is None or isinstance(field, models.JSONField):
        return value
    return field.to_python(value)


def dump_rows(model: type[models.Model], using: str) -> Iterable[dict[str, Any]]:
    """Every row of ``model`` in primary-key order, read in chunks (memory stays flat)."""
    fields = columns(model)
    names = [f.attname for f in fields]
    qs = model._base_manager.using(using).order_by("pk").values_list(*names)
    for values in qs.iterator(chunk_size=2000):
        yield {f.attname: encode(f, v) for f, v in zip(fields, values, strict=True)}


def build(model: type[models.Model], row: dict[str, Any]) -> models.Model:
    """An unsaved instance of ``model`` from one dumped row (unknown keys are an error)."""
    by_name = {f.attname: f for f in columns(model)}
    unknown = set(row) - set(by_name)
    if unknown:
        raise ValueError(f"{model._meta.label_lower}: unknown columns {sorted(unknown)}")
    return model(**{name: decode(by_name[name], value) for name, value in row.items()})
