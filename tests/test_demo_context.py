"""The demo organisation's context, SoA citations and objectives."""

from __future__ import annotations

import zipfile
from typing import Any

from openisms.cli import main
from openisms.context import selectors as context_selectors
from openisms.context.models import ContextVersion
from openisms.objectives import selectors as objective_selectors
from openisms.orgs.access import system_actor
from openisms.orgs.models import Organization
from openisms.soa import selectors as soa_selectors
from tests.test_demo_soa import demo

__all__ = ["demo"]


def test_demo_context_objectives_and_pack(demo: Organization, tmp_path: Any) -> None:
    actor = system_actor(demo)
    snap = context_selectors.live_snapshot(actor=actor)
    assert snap["boundaries"] and snap["exclusions"]
    kinds = {i["kind"] for i in snap["issues"]}
    assert len(snap["issues"]) == 6 and kinds == {"internal", "external"}
    assert len(snap["parties"]) == 6 and len(snap["requirements"]) == 8
    assert any("164.308" in r["reference"] for r in snap["requirements"])
    version = ContextVersion.objects.get(org=demo)
    assert version.state == "approved" and version.submitted_by != version.approved_by
    cited = [r for r in soa_selectors.working_rows(actor=actor) if r.get("cited")]
    assert len(cited) == 3
    rows = objective_selectors.objective_rows(objective_selectors.objective_list(actor=actor))
    assert len(rows) == 4
    assert all(6 <= len(objective_selectors.points_of(r.objective)) <= 12 for r in rows)
    assert [r.standing.track for r in rows].count("off_track") == 1
    out = tmp_path / "pack.zip"
    assert main(["audit-pack", "--org", "demo", "-o", str(out)]) == 0
    names = zipfile.ZipFile(out).namelist()
    assert any(n.startswith("context/") and n.endswith(".pdf") for n in names)
    assert any(n.startswith("objectives/") and n.endswith(".xlsx") for n in names)
