"""Checks on a document's uploaded file, done before anything is written.

The same rules as the evidence library's uploads, for the few formats a policy comes in: the
extension must be on the allowlist and the bytes must look like that type (PDF magic; Word and
OpenDocument files must be ZIP packages with the part their format requires; text must be
UTF-8 without NUL). The content type recorded comes from this check, never from the browser,
and the SHA-256 is computed in the same pass.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "odf"),
    "md": ("text/markdown; charset=utf-8", "text"),
    "txt": ("text/plain; charset=utf-8", "text"),
}


def max_bytes() -> int:
    return int(getattr(settings, "OPENISMS_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024))


@dataclass(frozen=True)
class CheckedFile:
    file: Any
    name: str
    content_type: str
    sha256: str
    size: int


def clean_name(name: str) -> str:
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return (base.lstrip(".") or "file")[-200:]


def _package_ok(family: str, upload: Any) -> bool:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
        return ("[Content_Types].xml" if family == "ooxml" else "mimetype") in names
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_file(upload: Any) -> CheckedFile:
    """Validate and hash an uploaded file; raises ValidationError({"file": ...})."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if not hasattr(upload, "chunks"):
        upload = File(upload, name=getattr(upload, "name", None))
    name = clean_name(getattr(upload, "name", "") or "")
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in TYPES:
        raise ValidationError(
            {
                "file": f"Files of type '.{ext or '?'}' are not accepted. Allowed: "
                + ", ".join(sorted(TYPES))
                + "."
            }
        )
    content_type, family = TYPES[ext]
    mismatch = ValidationError({"file": f"The content of {name} is not a valid .{ext} file."})
    digest, size, head, body = hashlib.sha256(), 0, b"", bytearray()
    for chunk in upload.chunks():
        size += len(chunk)
        if size > max_bytes():
            raise ValidationError({"file": "The file is too large."})
        head += chunk[: max(0, 2048 - len(head))]
        digest.update(chunk)
        if family == "text":
            body.extend(chunk)
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if family == "text":
        if b"\x00" in body:
            raise mismatch
        try:
            bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            raise mismatch from None
    elif (family == "pdf" and b"%PDF-" not in head[:1024]) or (
        family in ("ooxml", "odf")
        and (not head.startswith(b"PK\x03\x04") or not _package_ok(family, upload))
    ):
        raise mismatch
    upload.seek(0)
    return CheckedFile(upload, name, content_type, digest.hexdigest(), size)
