"""Backup and restore of a whole instance (``openisms backup`` / ``openisms restore``).

A backup is one ZIP archive: every table as JSON Lines in dependency order (portable between
SQLite and PostgreSQL), every file of the evidence and document storage, and a manifest with
the format version, the app version, the migrations applied per app, row counts and the
SHA-256 of every member. See docs/deployment.md.
"""

from openisms.core.backup.archive import ArchiveError
from openisms.core.backup.dump import BackupRefused, BackupSummary, backup_write, snapshot
from openisms.core.backup.hooks import register_after_restore
from openisms.core.backup.load import RestoreRefused, RestoreSummary, restore

__all__ = [
    "ArchiveError",
    "BackupRefused",
    "BackupSummary",
    "RestoreRefused",
    "RestoreSummary",
    "backup_write",
    "register_after_restore",
    "restore",
    "snapshot",
]
