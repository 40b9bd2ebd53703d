"""The evidence library: collect once, link to many controls, clauses and risks; upload checks;
versions; freshness; permissions; reminders; API upload and download."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from openisms.catalog.models import Requirement
from openisms.core.models import AuditEvent
from openisms.evidence import selectors, services
from openisms.evidence.models import EvidenceItem, EvidenceLink, EvidenceVersion
from openisms.orgs.access import Actor, actor_for
from openisms.orgs.reminders import sources
from openisms.risks import services as risk_services
from tests.conftest import World, login, token_client

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _actor(world: World, role: str = "owner") -> Actor:
    return actor_for(world.users_a[role], world.org_a.slug)


def _upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _any(obj: Any) -> Any:
    """Annotated and prefetched attributes, which the type checker does not know."""
    return obj


def _streamed(response: Any) -> bytes:
    return b"".join(response.streaming_content)


def _stored_files() -> list[str]:
    root = default_storage.location  # type: ignore[attr-defined]
    found: list[str] = []
    for dirpath, _, files in os.walk(root):
        found.extend(os.path.join(dirpath, f) for f in files)
    return found


def _file_item(world: World, data: bytes = PDF, name: str = "policy.pdf", **kw: Any) -> Any:
    return services.evidence_create_file(
        actor=_actor(world),
        upload=_upload(name, data),
        title=kw.pop("title", "Backup report"),
        **kw,
    )


def _risk(world: World) -> Any:
    return risk_services.risk_create(
        actor=_actor(world),
        title="Ransomware",
        description="Backups encrypted by an attacker",
        inherent_likelihood=3,
        inherent_impact=3,
    )


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- reuse: one item, many controls, clauses and risks ------------------------------------


def test_one_item_supports_two_controls_a_clause_and_a_risk(world: World, catalog: None) -> None:
    owner = _actor(world)
    risk = _risk(world)
    item = _file_item(world, requirements="A.8.13, a.5.30 9.2", risks=[risk.pk])
    other = _file_item(world, data=PDF + b"other", requirements=["A.8.13"])

    detail = selectors.evidence_get(actor=owner, item_id=item.pk)
    groups = selectors.grouped_links(detail)
    assert [str(link) for link in groups["controls"]] == [
        f"{item.ref} -> A.5.30",
        f"{item.ref} -> A.8.13",
    ]
    assert [str(link) for link in groups["clauses"]] == [f"{item.ref} -> 9.2"]
    assert [str(link) for link in groups["risks"]] == [f"{item.ref} -> {risk.ref}"]

    # Visible from each side.
    a813 = Requirement.objects.get(framework__slug="iso27001-2022", ref="A.8.13")
    a530 = Requirement.objects.get(framework__slug="iso27001-2022", ref="A.5.30")
    clause = Requirement.objects.get(framework__slug="iso27001-2022", ref="9.2")
    assert [i.pk for i in selectors.evidence_for_requirement(actor=owner, requirement=a813)] == [
        other.pk,
        item.pk,
    ]
    assert [i.pk for i in selectors.evidence_for_requirement(actor=owner, requirement=a530)] == [
        item.pk
    ]
    assert [i.pk for i in selectors.evidence_for_requirement(actor=owner, requirement=clause)] == [
        item.pk
    ]
    assert [i.pk for i in selectors.evidence_for_risk(actor=owner, risk=risk)] == [item.pk]
    assert [i.pk for i in selectors.evidence_list(actor=owner, requirement="A.5.30")] == [item.pk]
    assert [i.pk for i in selectors.evidence_list(actor=owner, risk=risk.pk)] == [item.pk]
    status = selectors.requirement_evidence_status(actor=owner)
    assert status == {a813.pk: "current", a530.pk: "current", clause.pk: "current"}

    # Linking again is idempotent; an unknown ref changes nothing and names the ref.
    assert services.evidence_link(actor=owner, item=item, requirements="A.8.13") == []
    with pytest.raises(ValidationError) as exc:
        services.evidence_link(actor=owner, item=item, requirements="A.5.16, A.99.1")
    assert "A.99.1" in str(exc.value)
    assert EvidenceLink.objects.filter(item=item).count() == 4

    # Another organisation sees none of it.
    b = actor_for(world.owner_b, world.org_b.slug)
    assert selectors.evidence_for_requirement(actor=b, requirement=a813) == []
    assert selectors.requirement_evidence_status(actor=b) == {}

    # Unlinking is audited on the item.
    assert services.evidence_unlink(actor=owner, item=item, requirements="A.5.30") == 1
    actions = list(
        AuditEvent.objects.filter(object_id=str(item.pk), action__startswith="evidence_link")
        .order_by("seq")
        .values_list("action", "after__requirement", "before__requirement")
    )
    assert ("evidence_link.delete", None, "A.5.30") in actions
    assert sum(1 for a in actions if a[0] == "evidence_link.create") == 4


def test_ui_detail_groups_links_and_list_filters(world: World, catalog: None) -> None:
    risk = _risk(world)
    item = _file_item(world, requirements="A.8.13 A.5.30 9.2", risks=[risk.pk])
    client = login(world.owner_a)
    page = client.get(
        reverse("evidence:detail", kwargs={"org": world.org_a.slug, "item_id": item.pk})
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert "Controls (2)" in html and "Clauses (1)" in html and "Risks (1)" in html
    assert item.current_version.sha256 in html
    listing = client.get(
        reverse("evidence:list", kwargs={"org": world.org_a.slug}) + "?requirement=9.2"
    )
    assert item.ref in listing.content.decode()
    assert "Evidence for 9.2 " in listing.content.decode()
    none = client.get(
        reverse("evidence:list", kwargs={"org": world.org_a.slug}) + "?requirement=A.5.1"
    )
    assert f">{item.ref}<" not in none.content.decode()
    response = client.post(
        reverse("evidence:link", kwargs={"org": world.org_a.slug, "item_id": item.pk}),
        {"refs": "A.5.15, 6.1.2"},
    )
    assert response.status_code == 302
    assert EvidenceLink.objects.filter(item=item).count() == 6


# --- uploads --------------------------------------------------------------------------------


def test_sha256_size_and_storage_path(world: World, catalog: None) -> None:
    item = _file_item(world, name="../../etc/Backup report.pdf")
    version = item.current_version
    assert version.sha256 == hashlib.sha256(PDF).hexdigest()
    assert version.size == len(PDF)
    assert version.original_name == "Backup report.pdf"
    assert version.content_type == "application/pdf"
    assert version.file.name == (f"evidence/{world.org_a.pk}/{item.pk}/1-{version.sha256[:16]}")
    with default_storage.open(version.file.name, "rb") as stored:
        assert stored.read() == PDF
    assert item.ref == "EV-1"
    assert _file_item(world, data=PNG, name="shot.png").ref == "EV-2"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", b"MZ\x90\x00 not a pdf", "not a valid .pdf"),
        ("photo.png", PDF, "not a valid .png"),
        ("notes.txt", b"caf\xe9 latin-1", "not a valid .txt"),
        ("notes.csv", b"a,b\x00,c", "not a valid .csv"),
        ("tool.exe", b"MZ\x90\x00", "not accepted"),
        ("report.docx", b"PK\x03\x04garbage", "not a valid .docx"),
        ("empty.txt", b"", "empty"),
    ],
)
def test_bad_uploads_leave_nothing(
    world: World, catalog: None, name: str, data: bytes, message: str
) -> None:
    with pytest.raises(ValidationError) as exc:
        _file_item(world, data=data, name=name)
    assert message in str(exc.value)
    assert not EvidenceItem.objects.exists()
    assert not EvidenceVersion.objects.exists()
    assert _stored_files() == []


def test_size_limit_leaves_nothing(world: World, catalog: None, settings: Any) -> None:
    settings.OPENISMS_EVIDENCE_MAX_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        _file_item(world, data=b"x" * 101, name="big.txt")
    assert "limit" in str(exc.value)
    assert not EvidenceItem.objects.exists() and _stored_files() == []
    assert _file_item(world, data=b"x" * 100, name="ok.txt").current_version.size == 100


def test_failure_after_storing_removes_the_file(world: World, catalog: None) -> None:
    """A bad owner is found after the file was written: row and file both disappear."""
    with pytest.raises(ValidationError):
        _file_item(world, requirements="A.42")
    assert not EvidenceItem.objects.exists() and _stored_files() == []


def test_accepted_types(world: World, catalog: None) -> None:
    for name, data in [
        ("a.docx", _docx()),
        ("b.json", b'{"ok": true}'),
        ("c.md", "# Sauvegarde v\u00e9rifi\u00e9e".encode()),
        ("d.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 16),
        ("e.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 "),
    ]:
        assert _file_item(world, data=data, name=name).current_version.original_name == name


def test_duplicate_bytes_name_the_item_that_holds_them(world: World, catalog: None) -> None:
    first = _file_item(world)
    with pytest.raises(services.DuplicateEvidence) as exc:
        _file_item(world, name="copy.pdf", title="Copy")
    assert exc.value.existing.item == first
    assert "EV-1" in str(exc.value)
    assert EvidenceItem.objects.count() == 1
    with pytest.raises(services.DuplicateEvidence):
        services.evidence_version_upload(
            actor=_actor(world), item=first, upload=_upload("again.pdf", PDF)
        )
    # The same bytes in another organisation are that organisation's business.
    b = actor_for(world.owner_b, world.org_b.slug)
    services.evidence_create_file(actor=b, upload=_upload("policy.pdf", PDF), title="B's copy")


def test_versions_keep_history(world: World, catalog: None) -> None:
    owner = _actor(world)
    item = _file_item(world)
    v2 = services.evidence_version_upload(
        actor=owner,
        item=item,
        upload=_upload("policy-2026.pdf", PDF + b"v2"),
        note="Annual refresh",
        collected_on=dt.date(2026, 1, 1),
        validity_days=365,
    )
    detail = selectors.evidence_get(actor=owner, item_id=item.pk)
    assert [v.number for v in _any(detail).all_versions] == [2, 1]
    assert detail.current_version_id == v2.pk
    assert detail.valid_until == dt.date(2027, 1, 1)
    assert detail.validity_days == 365
    old = selectors.version_get(actor=owner, item_id=item.pk, number=1)
    with default_storage.open(str(old.file.name), "rb") as stored:
        assert stored.read() == PDF
    assert len(_stored_files()) == 2
    link = services.evidence_create_link(
        actor=owner, title="Ticket", url="https://tickets.example.com/42"
    )
    with pytest.raises(ValidationError):
        services.evidence_version_upload(
            actor=owner, item=link, upload=_upload("x.pdf", PDF + b"3")
        )


def test_link_items_need_http_urls(world: World, catalog: None) -> None:
    owner = _actor(world)
    for url in ("javascript:alert(1)", "ftp://example.com/x", ""):
        with pytest.raises(ValidationError):
            services.evidence_create_link(actor=owner, title="Bad", url=url)
    assert not EvidenceItem.objects.exists()


# --- freshness ------------------------------------------------------------------------------


def test_freshness_boundaries(world: World, catalog: None) -> None:
    owner = _actor(world)
    today = timezone.localdate()
    cases = {
        "valid today": (today, None, "due_soon"),
        "valid 30 days": (today + dt.timedelta(days=30), None, "due_soon"),
        "valid 31 days": (today + dt.timedelta(days=31), None, "current"),
        "expired yesterday": (today - dt.timedelta(days=1), None, "expired"),
        "review in 30 days": (None, today + dt.timedelta(days=30), "due_soon"),
        "review overdue": (None, today - dt.timedelta(days=3), "due_soon"),
        "no dates": (None, None, "current"),
    }
    for title, (valid_until, review, _) in cases.items():
        services.evidence_create_link(
            actor=owner,
            title=title,
            url="https://example.com/" + title.replace(" ", "-"),
            collected_on=today - dt.timedelta(days=400),
            valid_until=valid_until,
            next_review_on=review,
        )
    got = {i.title: _any(i).freshness for i in selectors.evidence_list(actor=owner)}
    assert got == {title: expected for title, (_, _, expected) in cases.items()}
    assert selectors.freshness_counts(actor=owner) == {"current": 2, "due_soon": 4, "expired": 1}
    assert [i.title for i in selectors.evidence_list(actor=owner, freshness="expired")] == [
        "expired yesterday"
    ]


def test_requirement_status_is_the_best_linked_freshness(world: World, catalog: None) -> None:
    owner = _actor(world)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    for title, valid in (("old", yesterday), ("soon", today + dt.timedelta(days=5))):
        services.evidence_create_link(
            actor=owner,
            title=title,
            url=f"https://example.com/{title}",
            collected_on=today - dt.timedelta(days=400),
            valid_until=valid,
            requirements=["A.5.1"] if title == "old" else ["A.5.1", "A.5.2"],
        )
    services.evidence_create_link(
        actor=owner,
        title="gone",
        url="https://example.com/gone",
        collected_on=today - dt.timedelta(days=400),
        valid_until=yesterday,
        requirements=["A.5.3"],
    )
    refs = dict(
        Requirement.objects.filter(
            framework__slug="iso27001-2022", ref__in=["A.5.1", "A.5.2", "A.5.3"]
        ).values_list("ref", "pk")
    )
    assert selectors.requirement_evidence_status(actor=owner) == {
        refs["A.5.1"]: "due_soon",
        refs["A.5.2"]: "due_soon",
        refs["A.5.3"]: "expired",
    }


# --- permissions ----------------------------------------------------------------------------


def test_permissions(world: World, catalog: None) -> None:
    item = _file_item(world, owner=world.users_a["contributor"].email)
    others = _file_item(world, data=PDF + b"b", title="Not theirs")
    contributor = _actor(world, "contributor")
    # The owner (a contributor) renews their item and changes its dates ...
    services.evidence_version_upload(
        actor=contributor, item=item, upload=_upload("new.pdf", PDF + b"c")
    )
    services.evidence_update(actor=contributor, item=item, next_review_on=dt.date(2027, 1, 1))
    # ... but not its title or links, and nothing of items they do not own.
    with pytest.raises(PermissionDenied):
        services.evidence_update(actor=contributor, item=item, title="Renamed")
    with pytest.raises(PermissionDenied):
        services.evidence_link(actor=contributor, item=item, requirements="A.5.1")
    with pytest.raises(PermissionDenied):
        services.evidence_version_upload(
            actor=contributor, item=others, upload=_upload("x.pdf", PDF + b"d")
        )
    with pytest.raises(PermissionDenied):
        services.evidence_create_link(actor=contributor, title="x", url="https://example.com")
    for role in ("auditor", "viewer"):
        with pytest.raises(PermissionDenied):
            services.evidence_update(
                actor=_actor(world, role), item=item, next_review_on=dt.date(2027, 2, 2)
            )
    manager = _actor(world, "manager")
    services.evidence_link(actor=manager, item=others, requirements="A.5.1")
    assert EvidenceVersion.objects.filter(item=item).count() == 2


def test_download_is_scoped_and_safe(world: World, catalog: None) -> None:
    item = _file_item(world)
    url = reverse(
        "evidence:download", kwargs={"org": world.org_a.slug, "item_id": item.pk, "number": 1}
    )
    response = login(world.users_a["viewer"]).get(url)
    assert response.status_code == 200
    assert _streamed(response) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment")
    assert login(world.owner_b).get(url).status_code == 404
    b_url = reverse(
        "evidence:download", kwargs={"org": world.org_b.slug, "item_id": item.pk, "number": 1}
    )
    assert login(world.owner_b).get(b_url).status_code == 404


# --- reminders ------------------------------------------------------------------------------


def test_reminder_source(world: World, catalog: None) -> None:
    owner = _actor(world)
    today = dt.date(2026, 6, 1)
    contributor = world.users_a["contributor"].email

    def make(title: str, **dates: Any) -> EvidenceItem:
        return services.evidence_create_link(
            actor=owner,
            title=title,
            url=f"https://example.com/{title}",
            owner=dates.pop("owner", contributor),
            collected_on=dt.date(2025, 1, 1),
            **dates,
        )

    expiring = make("expiring", valid_until=today + dt.timedelta(days=14))
    expired = make("expired", valid_until=today - dt.timedelta(days=1))
    review = make("review", next_review_on=today + dt.timedelta(days=3))
    make("later", valid_until=today + dt.timedelta(days=15))
    make("nobody", valid_until=today - dt.timedelta(days=1), owner="")
    events = list(sources()["evidence"](world.org_a, today))
    got = {(e.kind, e.key) for e in events}
    assert got == {
        ("evidence_expiring", f"evidence:{expiring.pk}:expiring:{today + dt.timedelta(days=14)}"),
        ("evidence_expired", f"evidence:{expired.pk}:expired:{today - dt.timedelta(days=1)}"),
        ("evidence_review_due", f"evidence:{review.pk}:review:{today + dt.timedelta(days=3)}"),
    }
    assert {e.recipient.email for e in events} == {contributor}
    assert all(e.url == f"/o/{world.org_a.slug}/evidence/{e.key.split(':')[1]}/" for e in events)
    assert list(sources()["evidence"](world.org_b, today)) == []


# --- audit pack -----------------------------------------------------------------------------


def test_pack_files_and_index(world: World, catalog: None) -> None:
    owner = _actor(world)
    item = _file_item(world, title="=Backup report", requirements="A.8.13 9.2")
    services.evidence_create_link(actor=owner, title="Ticket", url="https://example.com/t/1")
    files = selectors.pack_files(actor=owner)
    assert [f.path for f in files] == [f"evidence/{item.ref}-backup-report/policy.pdf"]
    with files[0].open() as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == files[0].sha256
    header, rows = selectors.evidence_index(actor=owner)
    assert header[0] == "Ref" and len(rows) == 2
    assert rows[0][1] == "'=Backup report"
    assert rows[0][8:10] == ["A.8.13", "9.2"]
    assert rows[0][-1] == files[0].path


# --- API ------------------------------------------------------------------------------------


def test_api_upload_download_and_links(world: World, catalog: None) -> None:
    client = token_client(world.owner_a)
    base = f"/api/v1/orgs/{world.org_a.slug}/evidence"
    data = PDF + b"api"
    response = client.post(
        base + "/files",
        {
            "file": _upload("Access review.pdf", data),
            "title": "Access review Q1",
            "requirements": "A.5.15, A.5.18",
            "validity_days": "90",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["ref"] == "EV-1"
    assert body["current_version"]["sha256"] == hashlib.sha256(data).hexdigest()
    assert [c["ref"] for c in body["controls"]] == ["A.5.15", "A.5.18"]
    assert body["validity_days"] == 90
    item_id = body["id"]

    download = client.get(f"{base}/{item_id}/versions/1/download")
    assert download.status_code == 200
    assert _streamed(download) == data

    again = client.post(base + "/files", {"file": _upload("dup.pdf", data)})
    assert again.status_code == 422 and "EV-1" in again.content.decode()

    version = client.post(
        f"{base}/{item_id}/versions", {"file": _upload("Access review v2.pdf", data + b"2")}
    )
    assert version.status_code == 201 and version.json()["number"] == 2

    linked = client.post(
        f"{base}/{item_id}/links",
        {"requirements": ["9.3"], "risks": []},
        content_type="application/json",
    )
    assert [c["ref"] for c in linked.json()["clauses"]] == ["9.3"]
    unlinked = client.delete(f"{base}/{item_id}/links?requirement=A.5.18")
    assert [c["ref"] for c in unlinked.json()["controls"]] == ["A.5.15"]
    listed = client.get(base + "?requirement=A.5.15").json()
    assert [i["ref"] for i in listed["items"]] == ["EV-1"]

    viewer = token_client(world.users_a["viewer"])
    assert viewer.post(base + "/files", {"file": _upload("v.pdf", PDF + b"v")}).status_code == 403
    assert viewer.get(f"{base}/{item_id}/versions/2/download").status_code == 200
