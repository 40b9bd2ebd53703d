"""Where NIST's OSCAL JSON schemas are, for checking the documents we write.

The schemas are not shipped with OpenISMS: ``OPENISMS_OSCAL_SCHEMAS`` (a setting or an
environment variable) names the folder holding ``oscal_<model>_schema.json``, else the shared
data folder beside the repository is used when it exists. The checking itself is
``validate.schema_validate`` (one validator per schema file, ``pattern`` through the ``regex``
module, as NIST writes its patterns with Unicode classes that ``re`` cannot compile).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings

from openisms.oscal.validate import schema_validate

SETTING = "OPENISMS_OSCAL_SCHEMAS"
SCHEMA_VERSION = "v1.2.3"
REPO = Path(__file__).resolve().parents[3]


def schema_dir() -> Path | None:
    """The folder of OSCAL JSON schemas: the setting or environment variable
    ``OPENISMS_OSCAL_SCHEMAS``, else ``<repo>/../shared/data/oscal/schemas/v1.2.3`` when it
    exists, else None (validation is then skipped by the caller)."""
    configured = getattr(settings, SETTING, None) or os.environ.get(SETTING)
    if configured:
        return Path(configured)
    default = REPO.parent / "shared" / "data" / "oscal" / "schemas" / SCHEMA_VERSION
    return default if default.is_dir() else None


def schema_errors(document: dict[str, Any], model: str, directory: Path) -> list[str]:
    """Every way ``document`` breaks ``oscal_<model>_schema.json`` in ``directory`` (model
    "catalog", "ssp", "assessment-results", "mapping", ...), each message starting with the
    path of the offending value. An empty list means the document is valid."""
    return [f"{i.path or '$'}: {i.message}" for i in schema_validate(document, model, directory)]
