"""Serving a document's uploaded file: only through permission-checked views, always as an
attachment with the content type recorded at upload."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse

from openisms.documents.selectors import StoredFile


def file_response(stored: StoredFile) -> FileResponse:
    response = FileResponse(
        default_storage.open(stored.path, "rb"),
        as_attachment=True,
        filename=stored.name,
        content_type=stored.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response
