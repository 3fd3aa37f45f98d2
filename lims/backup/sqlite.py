"""SQLite: copies made with SQLite's online backup API, safe while the lab keeps writing.

The copy is a single self-contained file (journal mode DELETE, no ``-wal`` beside it), so
its SHA-256 in the manifest covers the whole database.
"""

import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import make_url

from lims.backup.errors import BackupInvalid

PAGES_PER_STEP = 1024


def database_path(database_url: str) -> Path:
    database = make_url(database_url).database
    if not database or database == ":memory:":
        raise BackupInvalid(
            "an in-memory SQLite database cannot be backed up or restored",
            code="backup.memory_sqlite_database_cannot_backed",
        )
    return Path(database).resolve()


def copy(
    source: Path,
    target: Path,
    *,
    progress: Callable[[int, int], None],
    source_is_live: bool = True,
) -> None:
    """Copy ``source`` into ``target`` page by page; ``progress(done, total)`` in pages.

    A live database (WAL mode) is opened as usual; a backup file only for reading.
    """
    with (
        _connect(source, read_only=not source_is_live) as source_db,
        _connect(target, read_only=False) as target_db,
    ):

        def report(_status: int, remaining: int, total: int) -> None:
            progress(total - remaining, total)

        source_db.backup(target_db, pages=PAGES_PER_STEP, progress=report)
        target_db.execute("PRAGMA journal_mode=DELETE")
    # sqlite3's context manager commits but does not close; the handles end here.
    source_db.close()
    target_db.close()


def require_empty(path: Path) -> None:
    """Restore only into a missing or empty database file: nothing is overwritten."""
    if not path.exists() or path.stat().st_size == 0:
        return
    with _connect(path, read_only=True) as database:
        tables = database.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'")
        count = tables.fetchone()[0]
    database.close()
    if count:
        raise BackupInvalid(
            "database %(path)s is not empty (%(count)s tables): restore into a new "
            "database file and point LIMS_DATABASE_URL (or LIMS_DATA_DIR) at it",
            code="backup.database_empty_tables_restore_into_2",
            path=path,
            count=count,
        )


def read_only_url(path: Path) -> str:
    """A SQLAlchemy URL that reads ``path`` without changing a byte of it."""
    return f"sqlite:///{path.as_uri()}?mode=ro&uri=true"


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    if read_only:
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    return sqlite3.connect(path)
