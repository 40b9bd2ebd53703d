"""The committed OpenAPI document matches the code, and every operation follows the conventions."""

from __future__ import annotations

import json
from pathlib import Path

from django.test import Client

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
