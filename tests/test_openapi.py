"""The committed OpenAPI document matches the code, and every operation follows the conventions."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client
from ninja import Schema

from openisms.api import api

COMMITTED = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def _generated() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), sort_keys=True))


def test_committed_openapi_matches_the_code() -> None:
    committed = json.loads(COMMITTED.read_text())
    assert committed == _generated(), "docs/openapi.json is stale: run `make openapi` and commit it"


def test_openapi_is_served_and_lists_every_route(db: None) -> None:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert set(response.json()["paths"]) == set(_generated()["paths"])
    docs = Client().get("/api/v1/docs")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


def test_every_list_is_paginated_and_errors_are_documented() -> None:
    schema = _generated()
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            ok = (
                op["responses"].get("200")
                or op["responses"].get("201")
                or op["responses"].get("202")  # accepted: a background job (OSCAL imports)
                or op["responses"].get("204")
            )
            assert ok is not None, (method, path)
            content = ok.get("content", {}).get("application/json", {}).get("schema", {})
            ref = content.get("$ref", "")
            if content.get("type") == "array":
                raise AssertionError(f"{method.upper()} {path} returns an unpaginated list")
            if ref.startswith("#/components/schemas/Paged"):
                params = {p["name"] for p in op.get("parameters", [])}
                assert {"limit", "offset"} <= params, (method, path)
            if "{org}" in path:
                assert "404" in op["responses"], (method, path)
            assert op.get("security"), f"{method.upper()} {path} is not authenticated"


def _subclasses(cls: type) -> list[type]:
    return [sub for direct in cls.__subclasses__() for sub in (direct, *_subclasses(direct))]


def test_schema_names_are_unique() -> None:
    """django-ninja names each schema in components/schemas after its class, so two schemas
    with the same class name would silently share one entry and one of them would be documented
    wrong (it happened: two CoverageOut and three IssueOut)."""
    by_name: dict[str, set[str]] = {}
    for schema in _subclasses(Schema):
        if schema.__module__.startswith("openisms."):
            by_name.setdefault(schema.__name__, set()).add(schema.__module__)
    assert {name: mods for name, mods in by_name.items() if len(mods) > 1} == {}
