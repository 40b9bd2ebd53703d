"""Checks on uploaded evidence files, done before anything is written.

The file name's extension must be on an allowlist and the bytes must look like that type
(magic bytes; text must be UTF-8 without NUL; office documents must be ZIP packages with the
parts their format requires). The content type we record and serve comes from this check, never
from the browser. The SHA-256 is computed in the same single pass over the chunks.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# extension -> (content type, family)
TYPES: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", "pdf"),
    "png": ("image/png", "png"),
    "jpg": ("image/jpeg", "jpeg"),
    "jpeg": ("image/jpeg", "jpeg"),
    "gif": ("image/gif", "gif"),
    "webp": ("image/webp", "webp"),
    "txt": ("text/plain; charset=utf-8", "text"),
    "log": ("text/plain; charset=utf-8", "text"),
    "md": ("text/markdown; charset=utf-8", "text"),
    "csv": ("text/csv; charset=utf-8", "text"),
    "json": ("application/json", "text"),
    "eml": ("message/rfc822", "text"),
    "msg": ("application/vnd.ms-outlook", "ole"),
    "zip": ("application/zip", "zip"),
    "docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "ooxml",
    ),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml"),
    "pptx": (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "ooxml",
    ),
    "odt": ("application/vnd.oasis.opendocument.text", "odf"),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf"),
}
ALLOWED = tuple(sorted(TYPES))


def max_bytes() -> int:
    return int(getattr(settings, "OPENISMS_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024))


def _human(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


@dataclass(frozen=True)
class CheckedUpload:
    file: Any  # the uploaded file, rewound
    original_name: str
    content_type: str
    sha256: str
    size: int


def clean_name(name: str) -> str:
    """The base name without directories or control characters, at most 200 characters."""
    base = os.path.basename((name or "").replace("\\", "/"))
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    base = base.lstrip(".") or "file"
    if len(base) > 200:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 200 - len(ext) - 1] + dot + ext) if dot and len(ext) < 10 else base[:200]
    return base


def _sniff(family: str, head: bytes) -> bool:
    if family == "pdf":
        return b"%PDF-" in head[:1024]
    if family == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if family == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if family == "gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if family == "webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if family in ("zip", "ooxml", "odf"):
        return head.startswith(ZIP_MAGIC)
    if family == "ole":
        return head.startswith(OLE_MAGIC)
    return True  # text: checked over the whole stream


def _package_ok(family: str, upload: Any) -> bool:
    """An office document is a ZIP package with the part that names its format."""
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            if family == "ooxml":
                return "[Content_Types].xml" in names
            if family == "odf":
                return "mimetype" in names
            return True
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def check_upload(upload: Any) -> CheckedUpload:
    """Validate an uploaded file and hash it; raises ValidationError({"file": ...})."""
    if upload is None:
        raise ValidationError({"file": "Choose a file to upload."})
    if not hasattr(upload, "chunks"):  # a plain binary file object (CLI, scripts)
        upload = File(upload, name=getattr(upload, "name", None))
    name = clean_name(getattr(upload, "name", "") or "")
    limit = max_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise ValidationError(
            {"file": f"The file is {_human(declared)}; the limit is {_human(limit)}."}
        )
    ext = name.rpartition(".")[2].lower() if "." in name else ""
    if ext not in TYPES:
        raise ValidationError(
            {
                "file": f"Files of type '.{ext or '?'}' are not accepted. Allowed: "
                + ", ".join(ALLOWED)
                + "."
            }
        )
    content_type, family = TYPES[ext]
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")() if family == "text" else None
    size = 0
    head = b""
    mismatch = ValidationError(
        {"file": f"The content of {name} is not a valid .{ext} file (the bytes do not match)."}
    )
    for chunk in upload.chunks():
        size += len(chunk)
        if size > limit:
            raise ValidationError({"file": f"The file is larger than {_human(limit)}."})
        if len(head) < 2048:
            head += chunk[: 2048 - len(head)]
        digest.update(chunk)
        if decoder is not None:
            if b"\x00" in chunk:
                raise mismatch
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                raise mismatch from None
    if decoder is not None:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise mismatch from None
    if size == 0:
        raise ValidationError({"file": "The file is empty."})
    if not _sniff(family, head):
        raise mismatch
    if family in ("ooxml", "odf") and not _package_ok(family, upload):
        raise mismatch
    upload.seek(0)
    return CheckedUpload(upload, name, content_type, digest.hexdigest(), size)
