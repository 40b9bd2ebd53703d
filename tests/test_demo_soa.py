"""The demo organisation's SoA, evidence and tasks, and the four exports an auditor asks for.

These are the issue's "must show" checks, run the way a user would: `openisms demo`, then
`openisms soa export` in each format and `openisms audit-pack`, reading the files back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from openisms.cli import main
from openisms.evidence import selectors as evidence_selectors
from openisms.evidence.models import EvidenceItem
from openisms.orgs.access import actor_for, system_actor
from openisms.orgs.models import Organization
from openisms.soa import selectors as soa_selectors
from openisms.soa.models import SoaEntry, SoaVersion
from openisms.work.models import Task
from tests.test_soa_exports import pdf_pages


@pytest.fixture
def demo(db: None, catalog: None, capsys: Any) -> Organization:
    assert main(["demo"]) == 0
    capsys.readouterr()
    return Organization.objects.get(slug="demo")


def _export(tmp_path: Path, fmt: str, *extra: str) -> Path:
    out = tmp_path / f"soa.{fmt}"
    assert main(["soa", "export", "--org", "demo", "--format", fmt, *extra, "-o", str(out)]) == 0
    return out


def test_demo_soa_has_justified_exclusions_and_one_approved_version(demo: Organization) -> None:
    excluded = SoaEntry.objects.filter(org=demo, applicable=False)
    assert sorted(e.requirement.ref for e in excluded) == ["A.7.12", "A.7.6", "A.8.30"]
    assert all(len(e.justification) > 80 for e in excluded)
    version = SoaVersion.objects.get(org=demo)
    assert version.state == "approved" and version.number == 1
    assert version.approved_by is not None and version.submitted_by != version.approved_by
    # Work went on after the approval, so the working SoA differs from version 1.
    actor = system_actor(demo)
    diff = soa_selectors.diff_rows(version.rows, soa_selectors.working_rows(actor=actor))
    assert {d.ref for d in diff} == {"A.5.7", "A.8.16"}


def test_demo_evidence_is_reused_and_has_every_freshness(demo: Organization) -> None:
    actor = system_actor(demo)
    counts = evidence_selectors.freshness_counts(actor=actor)
    assert counts["current"] >= 3 and counts["due_soon"] >= 1 and counts["expired"] >= 1
    policy = EvidenceItem.objects.get(org=demo, title__startswith="Information security policy")
    refs = {link.requirement.ref for link in policy.links.select_related("requirement")}
    assert {"A.5.1", "A.5.10", "5.2"} <= refs
    assert Task.objects.filter(org=demo).count() >= 5
    assert Task.objects.filter(org=demo, status="done").exists()


def test_the_four_exports_of_the_demo_soa(demo: Organization, tmp_path: Path) -> None:
    rows = list(csv.reader(io.StringIO(_export(tmp_path, "csv").read_text(encoding="utf-8"))))
    assert len(rows) == 94  # header + 93 controls
    header = rows[0]
    for column in ("Applicable", "Justification", "Reasons", "Implementation status"):
        assert column in header

    sheet = load_workbook(_export(tmp_path, "xlsx", "--version", "1")).worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert len(values) == 94
    xlsx_header = list(values[0])
    for column in ("Applicable", "Justification", "Reasons", "Implementation status"):
        assert column in xlsx_header
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    by_ref = {row[0]: dict(zip(xlsx_header, row, strict=True)) for row in values[1:]}
    assert by_ref["A.8.30"]["Applicable"] == "No"
    assert by_ref["A.8.30"]["Justification"].startswith("All software is developed")

    pages = pdf_pages(_export(tmp_path, "pdf", "--version", "1").read_bytes())
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert "CareLoop Health (demo)" in text
        assert "Version 1" in text
        assert "admin@demo.openisms.example" in text
        assert f"Page {number} of {len(pages)}" in text

    document = Document(str(_export(tmp_path, "docx", "--version", "1")))
    control_rows = [
        row for table in document.tables for row in table.rows if row.cells[0].text.startswith("A.")
    ]
    assert len(control_rows) == 93


def test_the_demo_audit_pack_manifest_matches_its_files(demo: Organization, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    assert main(["audit-pack", "--org", "demo", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        names = set(archive.namelist())
        listed = manifest["files"]
        assert {f["path"] for f in listed} == names - {"manifest.json", "SHA256SUMS"}
        for entry in listed:
            data = archive.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["path"]
            assert len(data) == entry["size"]
    assert any(name.startswith("evidence/") and name.endswith(".pdf") for name in names)
    assert any(name.startswith("soa/") and name.endswith(".xlsx") for name in names)


def test_panels_show_evidence_and_tasks_on_soa_rows_risks_and_my_work(
    demo: Organization, client: Any
) -> None:
    from openisms.accounts.models import User
    from openisms.risks.models import Risk

    maria = User.objects.get(email="maria.lopez@demo.openisms.example")
    client.force_login(maria)
    actor = actor_for(maria, "demo")
    row = soa_selectors.soa_list(actor=actor).get(requirement__ref="A.5.30")
    page = client.get(f"/o/demo/soa/{row.pk}/").content.decode()
    assert "Database restore test" in page and "Run the first failover test" in page
    risk = Risk.objects.get(org=demo, title="Ransomware encrypts production and backups")
    page = client.get(f"/o/demo/risks/{risk.pk}/").content.decode()
    assert "Incident response tabletop exercise" in page
    mine = client.get("/o/demo/work/").content.decode()
    assert "Re-review the AWS SOC 2 report" in mine  # overdue task assigned to Maria
    assert "AWS SOC 2 Type II report review" in mine  # her expired evidence
