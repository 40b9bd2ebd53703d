from __future__ import annotations

import datetime as dt
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from docx import Document as Docx
from pypdf import PdfReader

from openisms.documents import exports, library, selectors, services
from openisms.documents.markdown import render_html
from openisms.documents.reminders import document_events
from openisms.orgs.access import actor_for
from tests.conftest import World, login

CATALOG = Path(__file__).parent.parent / "src/openisms/catalog/data/iso27001-2022.json"


def _a(world: World, role: str):
    return actor_for(world.users_a[role], world.org_a.slug)


def _published(world: World, key: str = "backup"):
    owner = _a(world, "owner")
    doc = services.document_create_from_template(
        actor=owner, key=key, owner=world.users_a["manager"].email
    )
    version = services.document_submit(actor=_a(world, "manager"), document=doc)
    version = services.document_approve(actor=owner, version=version)
    return selectors.document_get(actor=owner, document_id=doc.pk), version


def test_templates_fill_placeholders_and_name_real_controls() -> None:
    controls = {
        r["ref"] for r in json.loads(CATALOG.read_text())["requirements"] if r["kind"] == "control"
    }
    found = library.templates()
    assert len(found) >= 12
    for t in found.values():
        assert library.placeholders_in(t.body) <= library.PLACEHOLDERS, t.key
        assert t.controls and set(t.controls) <= controls, t.key
        assert 400 <= t.words <= 900, (t.key, t.words)
    with pytest.raises(ValueError, match="nope"):
        library.fill("Hello {{ nope }}", {})


def test_create_from_template_fills_organisation_values(world: World) -> None:
    world.org_a.scope = "The payments platform"
    world.org_a.save()
    owner = actor_for(world.owner_a, world.org_a.slug)
    doc = services.document_create_from_template(actor=owner, key="information-security")
    assert doc.ref == "DOC-001"
    assert world.org_a.name in doc.draft_text
    assert "The payments platform" in doc.draft_text
    assert "{{" not in doc.draft_text
    assert "A.5.1" in {r.ref for r in doc.requirements.all()}
    with pytest.raises(ValidationError):
        services.document_create_from_template(actor=owner, key="no-such-template")


def test_acknowledgement_is_per_version(world: World) -> None:
    doc, v1 = _published(world)
    viewer, auditor = _a(world, "viewer"), _a(world, "auditor")
    services.version_acknowledge(actor=viewer, version=v1)
    services.version_acknowledge(actor=auditor, version=v1)
    owner = _a(world, "owner")
    readers = selectors.readership(actor=owner, document=doc)
    assert {r.user.email for r in readers.done} == {"viewer-a@example.com", "auditor-a@example.com"}
    assert "contributor-a@example.com" in {r.user.email for r in readers.missing}
    services.document_update(actor=owner, document=doc, draft_text=doc.draft_text + "\nMore.")
    v2 = services.document_submit(actor=_a(world, "manager"), document=doc)
    services.document_approve(actor=owner, version=v2)
    doc = selectors.document_get(actor=owner, document_id=doc.pk)
    readers = selectors.readership(actor=owner, document=doc)
    assert readers.current == 2
    assert not readers.done
    viewer_row = next(r for r in readers.readers if r.role == "viewer")
    assert viewer_row.acknowledged == [1] and not viewer_row.current
    assert [d.pk for d in selectors.awaiting_acknowledgement(actor=viewer)] == [doc.pk]
    services.version_acknowledge(actor=viewer, version=v2)
    assert selectors.awaiting_acknowledgement(actor=viewer) == []


def test_separation_of_duties(world: World) -> None:
    owner = _a(world, "owner")
    doc = services.document_create(actor=owner, title="Policy", draft_text="# Hi")
    version = services.document_submit(actor=owner, document=doc)
    with pytest.raises(PermissionDenied):
        services.document_approve(actor=owner, version=version)
    world.org_a.separate_approval = False
    world.org_a.save()
    owner = _a(world, "owner")
    assert services.document_approve(actor=owner, version=version).is_approved
    doc.refresh_from_db()
    assert doc.next_review_on is not None


def test_owner_contributor_edits_own_draft_only(world: World) -> None:
    owner = _a(world, "owner")
    contributor = _a(world, "contributor")
    mine = services.document_create(
        actor=owner, title="Mine", owner=world.users_a["contributor"].email
    )
    other = services.document_create(actor=owner, title="Other")
    services.document_update(actor=contributor, document=mine, draft_text="# Draft")
    services.document_submit(actor=contributor, document=mine)
    with pytest.raises(PermissionDenied):
        services.document_update(actor=contributor, document=mine, title="Renamed")
    with pytest.raises(PermissionDenied):
        services.document_update(actor=contributor, document=other, draft_text="x")


@pytest.mark.parametrize("role", ["viewer", "auditor"])
def test_viewer_and_auditor_acknowledge_but_cannot_edit(world: World, role: str) -> None:
    doc, v1 = _published(world)
    actor = _a(world, role)
    assert services.version_acknowledge(actor=actor, version=v1).user == world.users_a[role]
    with pytest.raises(PermissionDenied):
        services.document_update(actor=actor, document=doc, draft_text="x")
    with pytest.raises(PermissionDenied):
        services.document_submit(actor=actor, document=doc)


def test_audience_limits_acknowledgement(world: World) -> None:
    doc, v1 = _published(world)
    services.document_update(actor=_a(world, "owner"), document=doc, audience_roles=["manager"])
    with pytest.raises(PermissionDenied):
        services.version_acknowledge(actor=_a(world, "viewer"), version=v1)


def test_markdown_is_sanitised() -> None:
    html = render_html("<script>alert(1)</script>\n\n[x](javascript:alert(1))\n\n# Title")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<h1>Title</h1>" in html


def test_pdf_and_docx_contain_title_and_text(world: World) -> None:
    doc, _ = _published(world)
    owner = _a(world, "owner")
    pdf, _, _ = exports.export_document(actor=owner, document=doc, fmt="pdf")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "Backup policy" in text and "Restore tests" in text and "DOC-001" in text
    data, _, _ = exports.export_document(actor=owner, document=doc, fmt="docx")
    body = "\n".join(p.text for p in Docx(io.BytesIO(data)).paragraphs)
    assert "Backup policy" in body and "Restore tests" in body
    csv, _, _ = exports.export_register(actor=owner, fmt="csv")
    assert b"DOC-001" in csv


def test_reminders_for_non_readers_and_overdue_reviews(world: World) -> None:
    doc, v1 = _published(world)
    services.version_acknowledge(actor=_a(world, "viewer"), version=v1)
    later = dt.date.today() + dt.timedelta(days=8)
    events = list(document_events(world.org_a, later))
    unread = {e.recipient.email for e in events if e.kind == "document_unread"}
    assert "contributor-a@example.com" in unread
    assert "viewer-a@example.com" not in unread
    services.document_update(
        actor=_a(world, "owner"), document=doc, next_review_on=dt.date.today() - dt.timedelta(1)
    )
    overdue = [e for e in document_events(world.org_a, dt.date.today()) if "review" in e.kind]
    assert [e.recipient for e in overdue] == [world.users_a["manager"]]
    assert overdue[0].kind == "document_review_overdue"


def test_pages_and_api(world: World) -> None:
    doc, _ = _published(world)
    client = login(world.users_a["viewer"])
    page = client.get(f"/o/{world.org_a.slug}/documents/{doc.pk}/")
    assert page.status_code == 200 and b"I have read version 1" in page.content
    r = client.post(f"/api/v1/orgs/{world.org_a.slug}/documents/{doc.pk}/versions/1/acknowledge")
    assert r.status_code == 201
    r = client.patch(
        f"/api/v1/orgs/{world.org_a.slug}/documents/{doc.pk}",
        data={"title": "x"},
        content_type="application/json",
    )
    assert r.status_code == 403
    r = login(world.owner_b).get(f"/api/v1/orgs/{world.org_a.slug}/documents/{doc.pk}")
    assert r.status_code == 404


@pytest.mark.django_db(transaction=True)
def test_cli_writes_zip_of_demo_documents(tmp_path: Path, catalog: None) -> None:
    call_command("demo")
    out = tmp_path / "docs.zip"
    call_command("export", "documents", org="demo", format="pdf", output=str(out))
    names = zipfile.ZipFile(out).namelist()
    assert len(names) == 12
    assert "DOC-001 Acceptable use policy v1.pdf" in names
    assert all(re.match(r"DOC-\d{3} .+ v1\.pdf$", n) for n in names)
    csv = tmp_path / "register.csv"
    call_command("export", "documents", org="demo", format="csv", output=str(csv))
    rows = [line.split(",") for line in csv.read_text().splitlines()[1:]]
    assert len(rows) == 12 and all(row[9] for row in rows)  # every one has a next review
    assert sum(1 for row in rows if row[5] == "In review") == 1


def test_uploaded_file_is_checked_hashed_and_frozen_with_the_version(world: World) -> None:
    import hashlib

    from django.core.files.uploadedfile import SimpleUploadedFile

    owner = _a(world, "owner")
    doc = services.document_create(
        actor=owner, title="Signed policy", owner=world.users_a["contributor"].email
    )
    contributor = _a(world, "contributor")
    with pytest.raises(ValidationError):
        services.document_upload_file(
            actor=contributor,
            document=doc,
            upload=SimpleUploadedFile("policy.pdf", b"not a pdf at all"),
        )
    with pytest.raises(ValidationError):
        services.document_upload_file(
            actor=contributor, document=doc, upload=SimpleUploadedFile("run.exe", b"MZ")
        )
    first = b"%PDF-1.4\n first"
    services.document_upload_file(
        actor=contributor, document=doc, upload=SimpleUploadedFile("policy.pdf", first)
    )
    assert doc.draft_file_sha256 == hashlib.sha256(first).hexdigest()
    v1 = services.document_submit(actor=contributor, document=doc)
    services.document_upload_file(
        actor=contributor,
        document=doc,
        upload=SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n second"),
    )
    client = login(world.users_a["viewer"])
    base = f"/api/v1/orgs/{world.org_a.slug}/documents/{doc.pk}/file"
    assert b"".join(client.get(base + "?version=1").streaming_content) == first
    assert b"second" in b"".join(client.get(base).streaming_content)
    assert v1.file["sha256"] == hashlib.sha256(first).hexdigest()
    with pytest.raises(PermissionDenied):
        services.document_upload_file(
            actor=_a(world, "viewer"),
            document=doc,
            upload=SimpleUploadedFile("policy.pdf", first),
        )


def test_version_page_shows_the_diff(world: World) -> None:
    doc, _ = _published(world)
    owner = _a(world, "owner")
    services.document_update(actor=owner, document=doc, draft_text="# Backup\n\nBrand new line.\n")
    services.document_submit(actor=_a(world, "manager"), document=doc)
    page = login(world.owner_a).get(f"/o/{world.org_a.slug}/documents/{doc.pk}/versions/2/")
    assert page.status_code == 200
    assert b"<ins>+ Brand new line.</ins>" in page.content
    assert b"Approve and publish" in page.content
    draft_pdf, _, _ = exports.export_document(actor=owner, document=doc, fmt="pdf")
    assert "Version 1" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(draft_pdf)).pages)


def test_audit_pack_part_holds_register_and_current_versions(world: World) -> None:
    from openisms.orgs import pack_parts

    _published(world, "backup")
    services.document_create(actor=_a(world, "owner"), title="Unpublished draft", draft_text="x")
    files = {p.path: p.content for p in pack_parts.parts()["documents"](_a(world, "auditor"))}
    assert set(files) == {"register.csv", "DOC-001 Backup policy v1.pdf"}
    assert b"Unpublished draft" in files["register.csv"]
    assert files["DOC-001 Backup policy v1.pdf"].startswith(b"%PDF")


def test_bad_input_is_a_422_and_changes_nothing(world: World) -> None:
    doc, _ = _published(world)
    client = login(world.owner_a)
    url = f"/api/v1/orgs/{world.org_a.slug}/documents/{doc.pk}"
    for body in (
        {"review_interval_months": 0},
        {"kind": "poem"},
        {"audience_roles": ["king"]},
        {"requirements": ["A.99.1"]},
        {"owner": "stranger@example.com"},
    ):
        r = client.patch(url, data=body, content_type="application/json")
        assert r.status_code == 422, body
    doc.refresh_from_db()
    assert doc.review_interval_months == 12 and doc.kind == "policy" and doc.audience_roles == []


def test_owner_contributor_edits_the_draft_in_the_browser(world: World) -> None:
    doc = services.document_create(
        actor=_a(world, "owner"), title="Mine", owner=world.users_a["contributor"].email
    )
    other = services.document_create(actor=_a(world, "owner"), title="Not mine")
    client = login(world.users_a["contributor"])
    base = f"/o/{world.org_a.slug}/documents"
    page = client.get(f"{base}/{doc.pk}/edit/")
    assert page.status_code == 200 and b'name="title"' not in page.content
    assert client.post(f"{base}/{doc.pk}/edit/", {"draft_text": "# Mine"}).status_code == 302
    doc.refresh_from_db()
    assert doc.draft_text == "# Mine"
    assert client.get(f"{base}/{other.pk}/edit/").status_code == 403
