"""Parts of the audit pack that domains contribute.

Why a registry: the audit pack (``openisms.soa.pack``) is built by the SoA's app, but documents,
internal audits, nonconformities and management reviews belong to apps that sit beside or above
it. Each registers a part in its ``AppConfig.ready``; the pack calls every part and adds the
files it returns under the part's folder (``documents/``, ``audits/``, ...).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from openisms.orgs.access import Actor


@dataclass(frozen=True)
class PackPart:
    """One file of a part: its path inside the part's folder and its bytes."""

    path: str  # "register.xlsx", "DOC-001 Information security policy v2.pdf"
    content: bytes


PackPartSource = Callable[[Actor], Iterable[PackPart]]

_PARTS: dict[str, PackPartSource] = {}


def register(folder: str, source: PackPartSource) -> None:
    """Register (or replace) the part written under ``folder/``."""
    _PARTS[folder] = source


def parts() -> dict[str, PackPartSource]:
    return dict(sorted(_PARTS.items()))
