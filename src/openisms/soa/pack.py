"""The audit pack: one ZIP an auditor can take away and check.

Contents: the current approved SoA (XLSX and PDF), the risk register (XLSX and CSV), the
evidence index and every evidence file's current version, the parts other domains register
(``openisms.orgs.pack_parts``: documents, internal audits, nonconformities, reviews), then
``manifest.json`` (organisation, generation time, SoA version, every file with its SHA-256 and
size) and ``SHA256SUMS`` (so
``sha256sum -c SHA256SUMS`` verifies an unpacked copy).

Evidence files are streamed into the archive in chunks and hashed while they are written; a
file whose bytes do not match the hash recorded at upload aborts the whole pack, naming the
file, because silent storage corruption would hand an auditor a forged record. The archive is
built in a temporary file, never in memory, and only reaches its destination when complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone

from openisms.core.exports import PackFile
from openisms.evidence import selectors as evidence
from openisms.orgs import pack_parts
from openisms.orgs.access import Actor, Perm
from openisms.reports.tables import write_csv
from openisms.risks import exports as risk_exports
from openisms.soa import exports, selectors

CHUNK = 1024 * 1024
ZIP_TYPE = "application/zip"


@dataclass
class PackResult:
    version: int
    files: list[dict[str, Any]] = field(default_factory=list)
    filename: str = ""


class _Writer:
    """Adds members to the ZIP and remembers each one's hash and size for the manifest."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive
        self.files: list[dict[str, Any]] = []
        self.names: set[str] = set()

    def _claim(self, path: str) -> None:
        parts = path.split("/")
        if not path or path.startswith("/") or "\\" in path or ".." in parts or "" in parts:
            raise ValidationError(f"Refusing an unsafe path in the audit pack: {path!r}.")
        if path in self.names:
            raise ValidationError(f"Two files would have the same path in the pack: {path}.")
        self.names.add(path)

    def add_bytes(self, path: str, content: bytes) -> None:
        self._claim(path)
        self.archive.writestr(path, content)
        self.files.append(
            {"path": path, "sha256": hashlib.sha256(content).hexdigest(), "size": len(content)}
        )

    def add_stored(self, item: PackFile) -> None:
        """Copy a stored file in chunks, hashing as it goes, and check it against its record."""
        self._claim(item.path)
        digest = hashlib.sha256()
        size = 0
        with item.open() as source, self.archive.open(item.path, "w", force_zip64=True) as dest:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                dest.write(chunk)
        if digest.hexdigest() != item.sha256.lower() or size != item.size:
            raise ValidationError(
                f"The stored file for {item.path} does not match the SHA-256 recorded when it "
                "was uploaded (storage corruption or tampering); no audit pack was written."
            )
        self.files.append({"path": item.path, "sha256": item.sha256.lower(), "size": size})


def pack_filename(actor: Actor, version: int) -> str:
    return f"{actor.org.slug}-audit-pack-soa-v{version}-{timezone.now():%Y%m%d}.zip"


def build_audit_pack(*, actor: Actor, out: IO[bytes] | str | Path) -> PackResult:
    """Write the pack to ``out`` (a path, replaced only when the pack is complete, or a
    binary file object). Raises ValidationError when no SoA version is approved or a stored
    file fails its hash check; nothing is written then."""
    actor.require(Perm.VIEW)
    current = selectors.current_approved(actor=actor)
    if current is None:
        raise ValidationError(
            "No approved SoA version yet: submit the SoA and have it approved before building "
            "an audit pack."
        )
    version = selectors.version_get(actor=actor, version_id=current.pk)  # with its snapshot
    if isinstance(out, str | Path):
        target = Path(out)
        handle, tmp_name = tempfile.mkstemp(
            prefix=".audit-pack-", suffix=".zip", dir=target.parent or "."
        )
        try:
            with os.fdopen(handle, "w+b") as tmp:
                result = _write(actor, version, tmp)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
        return result
    with tempfile.TemporaryFile() as tmp:
        result = _write(actor, version, tmp)
        tmp.seek(0)
        shutil.copyfileobj(tmp, out, CHUNK)
    return result


def _write(actor: Actor, version: Any, tmp: IO[bytes]) -> PackResult:
    number = version.number
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        writer = _Writer(archive)
        for fmt in ("xlsx", "pdf"):
            content, _, ext = exports.export_soa(actor=actor, fmt=fmt, version=version)
            writer.add_bytes(f"soa/SoA-v{number}.{ext}", content)
        for fmt in ("xlsx", "csv"):
            content, _, ext = risk_exports.export_risks(actor=actor, fmt=fmt)
            writer.add_bytes(f"risks/risk-register.{ext}", content)
        header, rows = evidence.evidence_index(actor=actor)
        writer.add_bytes("evidence/index.csv", write_csv(header, rows))
        for item in evidence.pack_files(actor=actor):
            writer.add_stored(item)
        for folder, source in pack_parts.parts().items():
            for part in source(actor):
                writer.add_bytes(f"{folder}/{part.path}", part.content)
        manifest = {
            "format": "openisms-audit-pack/1",
            "organisation": actor.org.name,
            "organisation_slug": actor.org.slug,
            "generated_at": timezone.now().isoformat(timespec="seconds"),
            "soa_version": number,
            "soa_state": version.state,
            "soa_approved_at": (
                version.approved_at.isoformat(timespec="seconds") if version.approved_at else None
            ),
            "soa_approved_by": version.approved_by.email if version.approved_by else None,
            "files": writer.files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        sums = "".join(f"{f['sha256']}  {f['path']}\n" for f in writer.files)
        archive.writestr("SHA256SUMS", sums)
    tmp.flush()
    return PackResult(version=number, files=writer.files, filename=pack_filename(actor, number))


def pack_response(actor: Actor) -> FileResponse:
    """Build the pack into a temporary file and stream it as a download (synchronous for now).

    Any member with VIEW may download it, auditors included; see docs/security.md.
    """
    tmp = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it after streaming
    try:
        result = build_audit_pack(actor=actor, out=tmp)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=result.filename, content_type=ZIP_TYPE)
