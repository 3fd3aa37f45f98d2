"""Back up and restore one installation: its database and its file store.

A backup is a new folder: ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or
``database.sqlite3`` (SQLite's online backup), ``files/`` (the file store, every file
re-hashed as it is copied) and ``manifest.json`` (written last).  A restore refuses, with
one sentence and before it changes anything, a backup that is incomplete or altered, of the
other backend, or a target database that is not empty; afterwards it recomputes every
table's fingerprint, the audit chain and the files on the restored copy and compares them
with the manifest.  On PostgreSQL the restore runs as the schema's owner
(``LIMS_DATABASE_OWNER_URL``) and grants the application role its rights, as a migration does.
Keys (``LIMS_SECRET_KEY``, the document signing key, the audit key ring) are not part of a
backup: they belong in the installation's secret store.
"""

import hashlib
import sqlite3 as sqlite3_module
from collections.abc import Callable
from pathlib import Path

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, create_engine, make_url, text
from sqlmodel import Session

from lims import __version__
from lims.audit.roles import grant_application_role
from lims.audit.trail import verify_chain
from lims.backup import postgres, sqlite
from lims.backup.errors import BackupInvalid
from lims.backup.fingerprint import TableFingerprint, fingerprints
from lims.backup.manifest import AuditHead, DatabaseCopy, Manifest, read_manifest, write_manifest
from lims.config import Settings
from lims.db import make_engine, utcnow
from lims.storage import CHUNK_BYTES, FILES_FOLDER, FileStore, StoredFile, store_in

#: ``progress(phase, done, total)``: the CLI draws one bar per phase.
Progress = Callable[[str, int, int], None]
POSTGRES_FILE = "database.dump"
SQLITE_FILE = "database.sqlite3"


def _quiet(_phase: str, _done: int, _total: int) -> None:
    """The default progress: say nothing."""


# -- backup -------------------------------------------------------------------------------


def create_backup(
    settings: Settings, destination: Path, *, progress: Progress = _quiet
) -> Manifest:
    """Write a backup of the installation into ``destination`` (a new or empty folder)."""
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BackupInvalid(
            "%(destination)s is not empty: back up into a new folder",
            code="backup.empty_back_up_into_new",
            destination=destination,
        )
    destination.mkdir(parents=True, exist_ok=True)
    url = settings.resolved_database_url
    if make_url(url).get_backend_name() == "postgresql":
        database, snapshot = _dump_postgres(settings, destination, progress)
    else:
        database, snapshot = _copy_sqlite(url, destination, progress)
    tables, audit, migration = snapshot
    files = _copy_files(store_in(settings.data_dir), _backup_store(destination), progress)
    manifest = Manifest(
        created_at=utcnow().isoformat(),
        lims_version=__version__,
        backend=make_url(url).get_backend_name(),
        migration=migration,
        database=database,
        tables=tables,
        audit=audit,
        files=files,
    )
    write_manifest(manifest, destination)
    return manifest


Snapshot = tuple[dict[str, TableFingerprint], AuditHead, str | None]


def _dump_postgres(
    settings: Settings, destination: Path, progress: Progress
) -> tuple[DatabaseCopy, Snapshot]:
    url = settings.resolved_database_url
    engine = make_engine(url)
    target = destination / POSTGRES_FILE
    try:
        with engine.connect() as connection:
            # One snapshot for the dump and the fingerprints: they describe the same instant.
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                major, version = postgres.server_version(connection)
                tool = postgres.client_tool("pg_dump", major, settings.postgres_bin_dir)
                exported = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                progress("Dumping the database", 0, 1)
                postgres.dump(url, tool=tool, snapshot=str(exported), target=target)
                progress("Dumping the database", 1, 1)
                snapshot = _inspect(connection, progress, "Fingerprinting tables")
    finally:
        engine.dispose()
    return _described(target, f"PostgreSQL {version}"), snapshot


def _copy_sqlite(url: str, destination: Path, progress: Progress) -> tuple[DatabaseCopy, Snapshot]:
    source = sqlite.database_path(url)
    if not source.is_file():
        raise BackupInvalid(
            "there is no database at %(source)s to back up",
            code="backup.there_database_back_up",
            source=source,
        )
    target = destination / SQLITE_FILE
    sqlite.copy(
        source, target, progress=lambda done, total: progress("Copying the database", done, total)
    )
    # Fingerprint the copy itself: it is exactly what a restore will bring back.
    snapshot = _inspect_sqlite_file(target, progress, "Fingerprinting tables")
    return _described(target, f"SQLite {sqlite3_module.sqlite_version}"), snapshot


def _inspect_sqlite_file(path: Path, progress: Progress, phase: str) -> Snapshot:
    engine = create_engine(sqlite.read_only_url(path))
    try:
        with engine.connect() as connection:
            return _inspect(connection, progress, phase)
    finally:
        engine.dispose()


def _inspect(connection: Connection, progress: Progress, phase: str) -> Snapshot:
    """Fingerprints, audit head and migration of the database as ``connection`` sees it."""
    total = len(connection.dialect.get_table_names(connection))
    done = 0

    def tick(_table: str) -> None:
        nonlocal done
        done += 1
        progress(phase, done, total)

    tables = fingerprints(connection, on_table=tick)
    with Session(bind=connection) as db_session:
        chain = verify_chain(db_session)
    audit = AuditHead(events=chain.events, head=chain.head, intact=chain.first_break is None)
    migration = MigrationContext.configure(connection).get_current_revision()
    return tables, audit, migration


def _described(path: Path, server_version: str) -> DatabaseCopy:
    sha256, size = _hash_file(path)
    return DatabaseCopy(file=path.name, sha256=sha256, size=size, server_version=server_version)


def _hash_file(path: Path, progress: Callable[[int], None] | None = None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            digest.update(chunk)
            size += len(chunk)
            if progress is not None:
                progress(len(chunk))
    return digest.hexdigest(), size


def _backup_store(folder: Path) -> FileStore:
    return FileStore(folder / FILES_FOLDER)


def _copy_files(
    source: FileStore, target: FileStore, progress: Progress, phase: str = "Copying files"
) -> list[StoredFile]:
    """Copy every file; reading verifies each against its hash, so corruption is not copied."""
    objects = list(source.objects())
    total = sum(stored.size for stored in objects)
    done = 0
    progress(phase, done, total)
    for stored in objects:
        target.put(source.open(stored.sha256), max_bytes=stored.size)
        done += stored.size
        progress(phase, done, total)
    return objects


# -- restore ------------------------------------------------------------------------------


def restore_backup(settings: Settings, source: Path, *, progress: Progress = _quiet) -> Manifest:
    """Restore the backup in ``source`` into the configured (empty) database and file store."""
    manifest = read_manifest(source)
    url = settings.resolved_database_url
    backend = make_url(url).get_backend_name()
    if backend != manifest.backend:
        raise BackupInvalid(
            "%(source)s is a %(backend)s backup and LIMS_DATABASE_URL names a "
            "%(backend2)s database: restore into the backend the backup came from",
            code="backup.backup_lims_database_url_names",
            source=source,
            backend=manifest.backend,
            backend2=backend,
        )
    _require_empty_target(settings)
    _check_backup(source, manifest, progress)
    if backend == "postgresql":
        engine = make_engine(url)
        try:
            with engine.connect() as connection:
                major, _ = postgres.server_version(connection)
        finally:
            engine.dispose()
        tool = postgres.client_tool("pg_restore", major, settings.postgres_bin_dir)
        progress("Restoring the database", 0, 1)
        # The schema is built as its owner, as by a migration, and the application role then
        # gets back exactly its rights: it may never own audit_event (README, database roles).
        owner_url = settings.resolved_database_owner_url
        postgres.restore(owner_url, tool=tool, source=source / manifest.database.file)
        if settings.database_app_role:
            _grant_application_role(owner_url, settings.database_app_role)
        progress("Restoring the database", 1, 1)
    else:
        sqlite.copy(
            source / manifest.database.file,
            sqlite.database_path(url),
            progress=lambda done, total: progress("Restoring the database", done, total),
            source_is_live=False,
        )
    _copy_files(_backup_store(source), store_in(settings.data_dir), progress, "Restoring files")
    _check_restored(settings, manifest, progress)
    return manifest


def _grant_application_role(owner_url: str, role: str) -> None:
    engine = make_engine(owner_url)
    try:
        with engine.begin() as connection:
            grant_application_role(connection, role)
    finally:
        engine.dispose()


def _require_empty_target(settings: Settings) -> None:
    url = settings.resolved_database_url
    if make_url(url).get_backend_name() != "postgresql":
        sqlite.require_empty(sqlite.database_path(url))
        return
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            postgres.require_empty(connection)
    finally:
        engine.dispose()


def _check_backup(source: Path, manifest: Manifest, progress: Progress) -> None:
    """Every byte of the backup against the manifest, before anything is restored."""
    phase = "Checking the backup"
    total = manifest.database.size + manifest.file_bytes
    done = 0

    def advance(size: int) -> None:
        nonlocal done
        done += size
        progress(phase, done, total)

    database = source / manifest.database.file
    if not database.is_file():
        raise BackupInvalid(
            "%(source)s is incomplete: %(file)s is missing",
            code="backup.incomplete_missing",
            source=source,
            file=manifest.database.file,
        )
    if _hash_file(database, advance) != (manifest.database.sha256, manifest.database.size):
        raise BackupInvalid(
            "%(database)s has been altered or cut short: it does not match the manifest's hash",
            code="backup.has_been_altered_cut_short",
            database=database,
        )
    store = _backup_store(source)
    for stored in manifest.files:
        if not store.exists(stored.sha256):
            raise BackupInvalid(
                "%(source)s is incomplete: stored file %(sha256)s is missing",
                code="backup.incomplete_stored_file_missing",
                source=source,
                sha256=stored.sha256,
            )
        path = store.root / "objects" / stored.sha256[:2] / stored.sha256[2:]
        if _hash_file(path, advance) != (stored.sha256, stored.size):
            raise BackupInvalid(
                "stored file %(sha256)s in %(source)s has been altered: its content "
                "does not match its name",
                code="backup.stored_file_has_been_altered",
                sha256=stored.sha256,
                source=source,
            )


def _check_restored(settings: Settings, manifest: Manifest, progress: Progress) -> None:
    """The restored copy, compared with what the backup recorded."""
    engine = make_engine(settings.resolved_database_url)
    try:
        with engine.connect() as connection, connection.begin():
            tables, audit, _ = _inspect(connection, progress, "Checking the restored tables")
    finally:
        engine.dispose()
    for name in sorted(set(tables) | set(manifest.tables)):
        found, recorded = tables.get(name), manifest.tables.get(name)
        if found != recorded:
            raise BackupInvalid(
                "the restored table %(name)s differs from the backup (%(rows)s "
                "restored, %(rows2)s recorded, or other content): do not use this "
                "database",
                code="backup.restored_table_differs_from_backup",
                name=name,
                rows=_rows(found),
                rows2=_rows(recorded),
            )
    if audit != manifest.audit:
        raise BackupInvalid(
            "the restored audit chain (%(events)s events, head %(head)s…) differs "
            "from the backup's (%(events2)s events, head %(head2)s…)",
            code="backup.restored_audit_chain_events_head",
            events=audit.events,
            head=audit.head[:12],
            events2=manifest.audit.events,
            head2=manifest.audit.head[:12],
        )
    store = store_in(settings.data_dir)
    missing = [stored.sha256 for stored in manifest.files if not store.exists(stored.sha256)]
    if missing:
        raise BackupInvalid(
            "%(missing_count)s files were not restored, e.g. %(missing)s",
            code="backup.files_were_restored_e_g",
            missing_count=len(missing),
            missing=missing[0],
        )


def _rows(fingerprint: TableFingerprint | None) -> str:
    return "no table" if fingerprint is None else f"{fingerprint.rows} rows"
