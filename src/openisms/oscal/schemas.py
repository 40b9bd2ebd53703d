"""Validate an OSCAL JSON document against NIST's JSON schema for its model.

The schemas are not shipped with OpenISMS: ``OPENISMS_OSCAL_SCHEMAS`` (a setting or an
environment variable) names the folder holding ``oscal_<model>_schema.json``, else the shared
data folder beside the repository is used when it exists. NIST's schemas write their patterns
with Unicode classes (``\\p{L}``) that Python's ``re`` cannot compile, so the ``pattern`` keyword
is checked with the ``regex`` module. One validator is built per schema file and kept.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex
from django.conf import settings
from jsonschema import ValidationError, validators
from jsonschema.protocols import Validator

SETTING = "OPENISMS_OSCAL_SCHEMAS"
SCHEMA_VERSION = "v1.2.3"
REPO = Path(__file__).resolve().parents[3]
MAX_ERRORS = 200


def schema_dir() -> Path | None:
    """The folder of OSCAL JSON schemas: the setting or environment variable
    ``OPENISMS_OSCAL_SCHEMAS``, else ``<repo>/../shared/data/oscal/schemas/v1.2.3`` when it
    exists, else None (validation is then skipped by the caller)."""
    configured = getattr(settings, SETTING, None) or os.environ.get(SETTING)
    if configured:
        return Path(configured)
    default = REPO.parent / "shared" / "data" / "oscal" / "schemas" / SCHEMA_VERSION
    return default if default.is_dir() else None


@functools.cache
def _pattern(expression: str) -> Any:
    return regex.compile(expression)


def _regex_pattern(
    validator: Validator, pattern: str, instance: Any, schema: dict[str, Any]
) -> Iterator[ValidationError]:
    if isinstance(instance, str) and not _pattern(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


@functools.cache
def _validator(path: Path) -> Validator:
    """A validator for one schema file, of the schema's own draft, with ``pattern`` checked by
    the ``regex`` module (built once per file)."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    base = validators.validator_for(schema)
    cls = validators.extend(base, {"pattern": _regex_pattern})
    return cls(schema)


def _path(error: ValidationError) -> str:
    out = "$"
    for part in error.absolute_path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def schema_errors(document: dict[str, Any], model: str, directory: Path) -> list[str]:
    """Every way ``document`` breaks ``oscal_<model>_schema.json`` in ``directory`` (model
    "catalog", "ssp", "assessment-results", "mapping", ...), each message naming the JSON path
    of the offending value. An empty list means the document is valid."""
    path = directory / f"oscal_{model}_schema.json"
    if not path.is_file():
        raise FileNotFoundError(f"No OSCAL schema for '{model}' at {path}")
    validator = _validator(path.resolve())
    errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.path)))
    messages = []
    for error in errors[:MAX_ERRORS]:
        # anyOf/oneOf failures say little themselves; their deepest cause names the field.
        best = error
        while best.context:
            best = max(best.context, key=lambda e: len(list(e.absolute_path)))
        messages.append(f"{_path(best)}: {best.message}")
    if len(errors) > MAX_ERRORS:
        messages.append(f"... and {len(errors) - MAX_ERRORS} more")
    return messages
