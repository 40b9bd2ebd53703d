"""SoA exports (CSV, XLSX, PDF, DOCX), the audit pack and their CLI commands.

The PDF is checked by inflating its page content streams (reportlab writes one per page, in
page order) and reading the drawn strings back, so a missing header or page number fails.
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
from django.core.exceptions import ValidationError
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from openisms.cli import main
from openisms.orgs.access import Actor, actor_for
from openisms.soa import exports, selectors, services
from openisms.soa.models import SoaEntry
from tests.conftest import World, login
from tests.routes import Ctx

EVIL = {
    "A.5.1": '=HYPERLINK("http://evil.example","x")',
    "A.5.2": "+cmd|' /C calc'!A0",
    "A.5.3": "@SUM(1+1)*cmd",
    "A.5.4": "-2+3",
}


@pytest.fixture
def ctx(world: World, catalog: None) -> Ctx:
    return Ctx(world)


def owner(world: World) -> Actor:
    return actor_for(world.owner_a, world.org_a.slug)


def entry(actor: Actor, ref: str) -> SoaEntry:
    services.soa_sync(actor=actor)
    pk = selectors.soa_list(actor=actor, q=ref).get().pk
    return selectors.soa_get(actor=actor, entry_id=pk)


def poison(actor: Actor) -> None:
    """Formula-like justifications and implementation texts on four controls."""
    for ref, text in EVIL.items():
        services.soa_entry_update(
            actor=actor, entry=entry(actor, ref), justification=text, implementation=text
        )


def approve(world: World, comment: str = "") -> Any:
    actor = owner(world)
    version = services.soa_submit(actor=actor, comment=comment)
    # Separation of duties: another member (the admin) approves what the owner submitted.
    admin = actor_for(world.users_a["admin"], world.org_a.slug)
    services.soa_approve(actor=admin, version=version, comment="Management review")
    return selectors.version_by_number(actor=actor, number=version.number)


# --- reading a PDF back ----------------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    """The text drawn on each page, as a PDF reader extracts it (fonts are embedded subsets,
    so the text is read through their character maps)."""
    assert content.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


# --- the four formats ------------------------------------------------------------------------


def test_csv_has_93_rows_and_neutralises_formulas(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    poison(actor)
    content, content_type, ext = exports.export_soa(actor=actor, fmt="csv")
    assert (content_type, ext) == (exports.CSV_TYPE, "csv")
    rows = list(csv.reader(io.StringIO(content.decode())))
    assert rows[0] == list(exports.HEADER) and len(rows) == 94
    by_ref = {r[0]: r for r in rows[1:]}
    for ref, text in EVIL.items():
        assert by_ref[ref][5] == "'" + text
        assert by_ref[ref][9] == "'" + text


def test_xlsx_has_93_rows_the_auditor_columns_and_no_formula(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    poison(actor)
    content, _, _ = exports.export_soa(actor=actor, fmt="xlsx")
    book = load_workbook(io.BytesIO(content))
    sheet = book["Statement of Applicability"]
    header = [c.value for c in sheet[1]]
    for column in ("Applicable", "Reasons", "Justification", "Implementation status"):
        assert column in header
    assert sheet.max_row == 94 and sheet.freeze_panes == "A2" and sheet.auto_filter.ref
    by_ref = {row[0].value: row for row in sheet.iter_rows(min_row=2)}
    for ref, text in EVIL.items():
        assert by_ref[ref][5].value == "'" + text and by_ref[ref][5].data_type == "s"
    about = {r[0].value: r[1].value for r in book["About"].iter_rows() if r[0].value}
    assert about["Framework"] == "ISO/IEC 27001:2022 and ISO/IEC 27002:2022"  # from the DB
    assert about["Version"] == "Working SoA (not submitted)"
    for ws in book.worksheets:
        for row in ws.iter_rows():
            assert all(c.data_type != "f" for c in row)


def test_pdf_every_page_has_the_header_and_page_n_of_m(ctx: Ctx) -> None:
    world = ctx.world
    actor = owner(world)
    poison(actor)
    services.soa_entry_update(
        actor=actor,
        entry=entry(actor, "A.8.13"),
        implementation="Backups (nightly) \\ <b>offline</b> & " + "x" * 400 + " tested " * 300,
    )
    version = approve(world)
    content, content_type, ext = exports.export_soa(actor=actor, fmt="pdf", version=version)
    assert (content_type, ext) == ("application/pdf", "pdf")
    pages = pdf_pages(content)
    assert len(pages) >= 3
    approved = (
        f"Version 1, Approved, approved by admin-a@example.com on {version.approved_at:%Y-%m-%d}"
    )
    for number, text in enumerate(pages, start=1):
        assert f"{world.org_a.name} - Statement of Applicability" in text
        assert approved in text
        assert f"Page {number} of {len(pages)}" in text
        assert "Generated " in text
    everything = "\n".join(pages)
    # Every control row is there, the header row repeats on every table page.
    for ref in ("A.5.1", "A.6.8", "A.8.34"):
        assert f"\n{ref}\n" in everything
    table_pages = [p for p in pages if "How we implement it" in p or "How we meet it" in p]
    assert len(table_pages) == len(pages)
    assert "Clauses 4 to 10" in everything
    # Formula-like text is neutralised; markup-like text is drawn as it is.
    for text in EVIL.values():
        assert "'" + text[:12] in everything
    assert "<b>offline</b> &" in everything


def test_pdf_of_the_working_rows_says_draft(ctx: Ctx) -> None:
    actor = owner(ctx.world)
    content, _, _ = exports.export_soa(actor=actor, fmt="pdf")
    pages = pdf_pages(content)
    assert all("Working draft, not approved" in p for p in pages)


def test_pdf_wrap_cuts_words_wider_than_the_column() -> None:
    from openisms.reports.pdf import PAD, text_width, wrap

    lines = wrap("short " + "W" * 300 + "\nnext", 80)
    assert len(lines) > 3 and lines[-1] == "next"
    assert all(text_width(line, False, 7.0) <= 80 - 2 * PAD for line in lines)
    assert "".join(lines[1:-1]).replace(" ", "") == "W" * 300


def test_docx_opens_with_93_control_rows_and_neutralised_text(ctx: Ctx) -> None:
    world = ctx.world
    actor = owner(world)
    poison(actor)
    services.soa_entry_update(
        actor=actor, entry=entry(actor, "A.8.13"), implementation="bell\x07 and <xml> & stuff"
    )
    version = approve(world, comment="=cmd")
    content, content_type, ext = exports.export_soa(actor=actor, fmt="docx", version=version)
    assert ext == "docx" and content_type == exports.DOCX_TYPE
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert (section.page_width or 0) > (section.page_height or 0)  # landscape
    meta, controls, clauses = document.tables
    facts = {r.cells[0].text: r.cells[1].text for r in meta.rows}
    assert facts["Organisation"] == world.org_a.name
    assert facts["State"] == "Approved" and facts["Approver"] == "admin-a@example.com"
    assert facts["Submitter's comment"] == "'=cmd"
    assert [c.text for c in controls.rows[0].cells] == list(exports.HEADER)
    assert len(controls.rows) == 94
    tr_pr = controls.rows[0]._tr.trPr
    assert tr_pr is not None and tr_pr.xml.count("tblHeader") == 1  # repeated on every page
    assert all(row._tr.trPr is None for row in controls.rows[1:])
    by_ref = {r.cells[0].text: [c.text for c in r.cells] for r in controls.rows[1:]}
    for ref, text in EVIL.items():
        assert by_ref[ref][5] == "'" + text and by_ref[ref][9] == "'" + text
    assert by_ref["A.8.13"][9] == "bell  and <xml> & stuff"
    assert len(clauses.rows) == 1 + sum(1 for r in version.rows if r["kind"] == "clause")
    assert "Version 1, Approved" in section.header.paragraphs[0].text


def test_unknown_format_is_refused(ctx: Ctx) -> None:
    with pytest.raises(ValidationError):
        exports.export_soa(actor=owner(ctx.world), fmt="odt")


def test_a_version_exports_its_snapshot_not_the_working_rows(ctx: Ctx) -> None:
    world = ctx.world
    actor = owner(world)
    services.soa_entry_update(actor=actor, entry=entry(actor, "A.5.1"), implementation="then")
    version = approve(world)
    services.soa_entry_update(actor=actor, entry=entry(actor, "A.5.1"), implementation="now")
    for fmt in ("csv", "docx"):
        old, _, _ = exports.export_soa(actor=actor, fmt=fmt, version=version)
        new, _, _ = exports.export_soa(actor=actor, fmt=fmt)
        if fmt == "csv":
            assert "then" in old.decode() and "now" in new.decode()
        else:
            texts = [c.text for c in Document(io.BytesIO(old)).tables[1].rows[1].cells]
            assert texts[9] == "then"


# --- HTTP ------------------------------------------------------------------------------------


def test_export_endpoints_serve_pdf_and_docx(ctx: Ctx) -> None:
    world = ctx.world
    approve(world)
    client = login(world.users_a["viewer"])
    pdf = client.get("/o/org-a/soa/export/?format=pdf&version=1")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert pdf["Content-Disposition"].endswith('-soa-v1.pdf"')
    api = client.get("/api/v1/orgs/org-a/soa/export?format=docx")
    assert api.status_code == 200 and api.content.startswith(b"PK")
    assert api["Content-Disposition"].endswith('-soa-working.docx"')
    assert client.get("/api/v1/orgs/org-a/soa/export?format=odt").status_code == 422
    assert client.get("/o/org-a/soa/export/?format=odt").status_code == 400


# --- CLI -------------------------------------------------------------------------------------


def test_cli_soa_export(ctx: Ctx, tmp_path: Path, capsys: Any) -> None:
    world = ctx.world
    services.soa_sync(actor=owner(world))
    approve(world)
    for fmt in ("csv", "xlsx", "pdf", "docx"):
        out = tmp_path / f"soa.{fmt}"
        assert main(["soa", "export", "--org", "org-a", "--format", fmt, "-o", str(out)]) == 0
        assert out.stat().st_size > 0
    rows = list(csv.reader(io.StringIO((tmp_path / "soa.csv").read_text())))
    assert len(rows) == 94
    out = tmp_path / "v1.pdf"
    args = ["soa", "export", "--org", "org-a", "--format", "pdf", "--version", "1"]
    assert main([*args, "-o", str(out)]) == 0
    assert "Version 1, Approved" in pdf_pages(out.read_bytes())[0]
    capsys.readouterr()
    bad = tmp_path / "bad.pdf"
    assert main(["soa", "export", "--org", "nope", "--format", "pdf", "-o", str(bad)]) == 1
    assert "nope" in capsys.readouterr().err
    args = ["soa", "export", "--org", "org-a", "--format", "pdf", "--version", "7"]
    assert main([*args, "-o", str(bad)]) == 1
    assert "version 7" in capsys.readouterr().err.lower()
    assert not bad.exists()


# --- the audit pack --------------------------------------------------------------------------


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as pack:
        return {name: pack.read(name) for name in pack.namelist()}


def test_audit_pack_manifest_matches_its_files(ctx: Ctx, tmp_path: Path) -> None:
    from openisms.soa.pack import build_audit_pack

    world = ctx.world
    ctx.risk()
    approve(world)
    out = tmp_path / "pack.zip"
    build_audit_pack(actor=owner(world), out=out)
    members = _members(out)
    for name in ("soa/SoA-v1.xlsx", "soa/SoA-v1.pdf", "risks/risk-register.xlsx"):
        assert name in members
    assert "risks/risk-register.csv" in members and "evidence/index.csv" in members
    manifest = json.loads(members["manifest.json"])
    assert manifest["organisation"] == world.org_a.name and manifest["soa_version"] == 1
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(listed) == set(members) - {"manifest.json", "SHA256SUMS"}
    for path, item in listed.items():
        assert hashlib.sha256(members[path]).hexdigest() == item["sha256"]
        assert len(members[path]) == item["size"]
    sums = members["SHA256SUMS"].decode().splitlines()
    assert sorted(sums) == sorted(f"{f['sha256']}  {p}" for p, f in listed.items())


def test_audit_pack_needs_an_approved_version(ctx: Ctx, tmp_path: Path, capsys: Any) -> None:
    from openisms.soa.pack import build_audit_pack

    out = tmp_path / "pack.zip"
    with pytest.raises(ValidationError, match="approved"):
        build_audit_pack(actor=owner(ctx.world), out=out)
    assert main(["audit-pack", "--org", "org-a", "-o", str(out)]) == 1
    assert "approved" in capsys.readouterr().err
    assert not out.exists()
    approve(ctx.world)
    assert main(["audit-pack", "--org", "org-a", "-o", str(out)]) == 0
    assert zipfile.ZipFile(out).testzip() is None
    assert main(["audit-pack", "--org", "nope", "-o", str(tmp_path / "x.zip")]) == 1


def _evidence(actor: Actor, name: str, content: bytes) -> Any:
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from openisms.evidence import services as evidence_services

    return evidence_services.evidence_create_file(
        actor=actor,
        upload=SimpleUploadedFile(name, content),
        title=f"Backup restore test {name}",
        collected_on=dt.date(2026, 10, 1),
        requirements=["A.8.13"],
    )


def test_audit_pack_carries_evidence_files_and_refuses_a_tampered_one(
    ctx: Ctx, tmp_path: Path, settings: Any
) -> None:
    from openisms.soa.pack import build_audit_pack

    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = ctx.world
    actor = owner(world)
    first = _evidence(actor, "restore.txt", b"Restored 12 files in 4 minutes.\n")
    _evidence(actor, "report.csv", b"host,result\nweb1,ok\n")
    approve(world)
    out = tmp_path / "pack.zip"
    build_audit_pack(actor=actor, out=out)
    members = _members(out)
    stored = [n for n in members if n.startswith("evidence/") and n != "evidence/index.csv"]
    assert len(stored) == 2
    restore = next(n for n in stored if n.endswith("/restore.txt"))
    assert members[restore] == b"Restored 12 files in 4 minutes.\n"
    manifest = {f["path"]: f["sha256"] for f in json.loads(members["manifest.json"])["files"]}
    assert manifest[restore] == hashlib.sha256(members[restore]).hexdigest()
    index = list(csv.reader(io.StringIO(members["evidence/index.csv"].decode())))
    assert len(index) == 3

    # The stored bytes change behind the application's back: no pack, the file is named.
    first.refresh_from_db()
    Path(first.current_version.file.path).write_bytes(b"Restored 0 files.\n")
    broken = tmp_path / "broken.zip"
    with pytest.raises(ValidationError, match=r"restore\.txt"):
        build_audit_pack(actor=actor, out=broken)
    assert not broken.exists()
    assert not list(tmp_path.glob(".audit-pack-*"))
    client = login(world.users_a["auditor"])
    response = client.get("/api/v1/orgs/org-a/audit-pack")
    assert response.status_code == 422 and "restore.txt" in response.content.decode()


def test_any_member_downloads_the_pack(ctx: Ctx, tmp_path: Path) -> None:
    world = ctx.world
    client = login(world.users_a["viewer"])
    none_yet = client.get("/o/org-a/soa/audit-pack/")
    assert none_yet.status_code == 302  # back to the versions page with the reason
    assert client.get("/api/v1/orgs/org-a/audit-pack").status_code == 422
    approve(world)
    for url in ("/o/org-a/soa/audit-pack/", "/api/v1/orgs/org-a/audit-pack"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/zip"
        assert "audit-pack-soa-v1" in response["Content-Disposition"]
        path = tmp_path / "download.zip"
        path.write_bytes(response.getvalue())
        assert "manifest.json" in _members(path)
    assert login(world.owner_b).get("/api/v1/orgs/org-a/audit-pack").status_code == 404


def test_working_rows_equal_the_model_rows(ctx: Ctx) -> None:
    """The fast path (plain values) gives exactly the rows built from model instances."""
    actor = owner(ctx.world)
    ctx.risk()
    ctx.risk()
    services.soa_entry_update(
        actor=actor,
        entry=entry(actor, "A.5.1"),
        owner=ctx.world.users_a["manager"].email,
        contractual=True,
        justification="Contract",
    )
    qs = selectors.with_risks(actor, selectors._base(actor)).order_by("requirement__position")
    expected = [selectors.entry_row(e) for e in qs]
    assert selectors.working_rows(actor=actor) == expected
    assert any(r["reasons"]["risks"] for r in expected) and any(r["owner"] for r in expected)
