"""What an export bundle (the audit pack) needs to know of a stored file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import IO


@dataclass(frozen=True)
class PackFile:
    """A stored file that goes into an export bundle (the audit pack).

    ``path`` is its name inside the bundle (forward slashes, no leading slash, unique within
    the bundle); ``sha256`` and ``size`` are what was recorded when the file was stored, so the
    bundle's manifest can be checked against the bytes actually written. ``open`` returns a
    binary file object for reading (the caller closes it).
    """

    path: str
    sha256: str
    size: int
    open: Callable[[], IO[bytes]]
