"""Serving stored evidence: only through permission-checked views, always as an attachment."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from openisms.evidence.models import EvidenceVersion


def version_response(version: EvidenceVersion) -> FileResponse:
    """Stream the stored bytes with the content type recorded at upload (never guessed from
    the name), as an attachment that the browser must not sniff or render inline."""
    response = FileResponse(
        default_storage.open(str(version.file.name), "rb"),
        as_attachment=True,
        filename=version.original_name,
        content_type=version.content_type,
    )
    response["Content-Length"] = str(version.size)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["X-Evidence-SHA256"] = version.sha256
    return response
