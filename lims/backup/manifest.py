"""The manifest of a backup: what it holds, and the hashes that prove it whole.

The manifest carries a SHA-256 over its own content, so an edited or truncated manifest is
refused before anything is restored.  It is written last: a folder without one is an
unfinished backup.
"""

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lims.backup.errors import BackupInvalid
from lims.backup.fingerprint import TableFingerprint
from lims.storage import StoredFile

FORMAT = "lims-backup/1"
MANIFEST_NAME = "manifest.json"


@dataclass(frozen=True)
class DatabaseCopy:
    """The database file in the backup folder, and what made it."""

    file: str
    sha256: str
    size: int
    server_version: str


@dataclass(frozen=True)
class AuditHead:
    """The audit chain as verified in the backed-up snapshot."""

    events: int
    head: str
    intact: bool


@dataclass(frozen=True)
class Manifest:
    created_at: str
    lims_version: str
    backend: str
    migration: str | None
    database: DatabaseCopy
    tables: dict[str, TableFingerprint]
    audit: AuditHead
    files: list[StoredFile] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(table.rows for table in self.tables.values())

    @property
    def file_bytes(self) -> int:
        return sum(stored.size for stored in self.files)


def _canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def write_manifest(manifest: Manifest, folder: Path) -> Path:
    """Write ``manifest.json`` atomically (temporary file, fsync, rename)."""
    content = asdict(manifest)
    content["format"] = FORMAT
    content["sha256"] = hashlib.sha256(_canonical(content)).hexdigest()
    path = folder / MANIFEST_NAME
    temporary = path.with_suffix(".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump(content, out, indent=1, sort_keys=True)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    return path


def read_manifest(folder: Path) -> Manifest:
    """The manifest of the backup in ``folder``; refused when missing, unreadable or edited."""
    path = folder / MANIFEST_NAME
    if not path.is_file():
        raise BackupInvalid(
            "%(folder)s is not a complete backup: it has no %(manifest_name)s",
            code="backup.complete_backup_has",
            folder=folder,
            manifest_name=MANIFEST_NAME,
        )
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
        recorded = content.pop("sha256")
    except (ValueError, KeyError, AttributeError, TypeError):
        raise BackupInvalid(
            "%(path)s is not a backup manifest (unreadable or cut short)",
            code="backup.backup_manifest_unreadable_cut_short",
            path=path,
        ) from None
    if hashlib.sha256(_canonical(content)).hexdigest() != recorded:
        raise BackupInvalid(
            "%(path)s has been altered: its content does not match its hash",
            code="backup.has_been_altered_content_does",
            path=path,
        )
    if content.get("format") != FORMAT:
        raise BackupInvalid(
            "%(path)s is of format '%(get)s', not %(format)s",
            code="backup.format",
            path=path,
            get=content.get("format"),
            format=FORMAT,
        )
    try:
        return Manifest(
            created_at=content["created_at"],
            lims_version=content["lims_version"],
            backend=content["backend"],
            migration=content["migration"],
            database=DatabaseCopy(**content["database"]),
            tables={name: TableFingerprint(**table) for name, table in content["tables"].items()},
            audit=AuditHead(**content["audit"]),
            files=[StoredFile(**stored) for stored in content["files"]],
        )
    except (KeyError, TypeError) as error:
        raise BackupInvalid(
            "%(path)s lacks part of a manifest (%(error)s)",
            code="backup.lacks_part_manifest",
            path=path,
            error=error,
        ) from None
