"""The backup archive: a ZIP of JSON Lines tables, stored files and a SHA-256 manifest.

ZIP members are written as streams (no size known in advance) and read back one at a time,
so neither writing nor checking an archive holds more than one chunk in memory.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import IO, Any

FORMAT = "openisms-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class ArchiveError(Exception):
    """The archive is unreadable, incomplete, altered or from an unknown format."""


class Writer:
    """Adds members to a new archive and remembers each member's SHA-256."""

    def __init__(self, path: Path) -> None:
        self.zip = zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self.hashes: dict[str, str] = {}

    def write_lines(self, member: str, rows: Iterator[dict[str, Any]]) -> int:
        digest = hashlib.sha256()
        count = 0
        with self.zip.open(member, "w", force_zip64=True) as out:
            for row in rows:
                line = (json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                digest.update(line)
                out.write(line)
                count += 1
        self.hashes[member] = digest.hexdigest()
        return count

    def write_stream(self, member: str, source: IO[bytes]) -> int:
        digest = hashlib.sha256()
        size = 0
        with self.zip.open(member, "w", force_zip64=True) as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
                size += len(chunk)
        self.hashes[member] = digest.hexdigest()
        return size

    def finish(self, manifest: dict[str, Any]) -> None:
        manifest["sha256"] = dict(sorted(self.hashes.items()))
        self.zip.writestr(MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False))
        self.zip.close()

    def abort(self) -> None:
        self.zip.close()


class Reader:
    """Opens an archive and checks it completely before anything reads its contents."""

    def __init__(self, path: Path) -> None:
        try:
            self.zip = zipfile.ZipFile(path)
            self.manifest = json.loads(self.zip.read(MANIFEST))
        except FileNotFoundError as exc:
            raise ArchiveError(f"{path}: no such file") from exc
        except KeyError as exc:
            raise ArchiveError(f"{path}: not an OpenISMS backup (no {MANIFEST})") from exc
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ArchiveError(f"{path}: not a readable backup archive ({exc})") from exc
        if not isinstance(self.manifest, dict) or self.manifest.get("format") != FORMAT:
            raise ArchiveError(f"{path}: not an OpenISMS backup (unknown manifest)")
        if self.manifest.get("format_version") != FORMAT_VERSION:
            raise ArchiveError(
                f"{path}: backup format {self.manifest.get('format_version')!r} is not supported"
                f" (this version reads format {FORMAT_VERSION})"
            )
        self._check_shape(path)

    def _check_shape(self, path: Path) -> None:
        """The manifest has what a restore reads, and file names stay inside the storage."""
        m = self.manifest
        shapes = {"migrations": dict, "tables": list, "files": list, "sha256": dict}
        for key, kind in shapes.items():
            if not isinstance(m.get(key), kind):
                raise ArchiveError(f"{path}: the manifest's {key!r} is missing or malformed")
        listed = set(m["sha256"])
        for table in m["tables"]:
            if not isinstance(table, dict) or not {"model", "table", "member", "rows"} <= set(
                table
            ):
                raise ArchiveError(f"{path}: a table entry of the manifest is malformed")
            if table["member"] not in listed:
                raise ArchiveError(f"{path}: {table['member']} has no SHA-256 in the manifest")
        for item in m["files"]:
            name = item.get("name") if isinstance(item, dict) else None
            if not isinstance(name, str):
                raise ArchiveError(f"{path}: a file entry of the manifest is malformed")
            parts = PurePosixPath(name).parts
            if not parts or name.startswith("/") or ".." in parts or "\\" in name:
                raise ArchiveError(f"{path}: the file name {name!r} is not a storage name")
            if item.get("member") != f"files/{name}" or item["member"] not in listed:
                raise ArchiveError(f"{path}: the file {name} is not listed with its SHA-256")

    def verify(self) -> None:
        """Every member is listed with the SHA-256 it has, and nothing else is in the archive."""
        expected: dict[str, str] = self.manifest.get("sha256") or {}
        present = {name for name in self.zip.namelist() if name != MANIFEST}
        if missing := sorted(set(expected) - present):
            raise ArchiveError(f"archive is incomplete: {missing[0]} is missing")
        if extra := sorted(present - set(expected)):
            raise ArchiveError(f"archive holds {extra[0]}, which its manifest does not list")
        for member, want in sorted(expected.items()):
            digest = hashlib.sha256()
            try:
                with self.zip.open(member) as src:
                    while chunk := src.read(CHUNK):
                        digest.update(chunk)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                raise ArchiveError(f"{member} cannot be read: {exc}") from exc
            if digest.hexdigest() != want:
                raise ArchiveError(f"{member} does not match its SHA-256 in the manifest")

    def lines(self, member: str) -> Iterator[dict[str, Any]]:
        with self.zip.open(member) as src:
            for line in src:
                yield json.loads(line)

    def open(self, member: str) -> IO[bytes]:
        return self.zip.open(member)

    def close(self) -> None:
        self.zip.close()
