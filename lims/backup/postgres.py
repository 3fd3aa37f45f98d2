"""PostgreSQL: ``pg_dump``/``pg_restore`` in custom format, with the server's own version.

The dump reads the snapshot exported by the backup's transaction, so the copy and the
fingerprints in the manifest describe the same instant while the lab keeps working.  The
password travels in the environment (``PGPASSWORD``), never on a command line.
"""

import os
import re
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import URL, Connection, make_url, text

from lims.backup.errors import BackupFailed, BackupInvalid

# Debian and Ubuntu keep each major version's client tools here, side by side.
_DEBIAN_BIN = "/usr/lib/postgresql/{major}/bin"
_VERSION = re.compile(r"\(PostgreSQL\) (\d+)")
# libpq reads these from the environment; the URL's query may name them too.
_LIBPQ_QUERY_ENVIRONMENT = {
    "host": "PGHOST",
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "application_name": "PGAPPNAME",
}


def server_version(connection: Connection) -> tuple[int, str]:
    """The server's major version and its full version string."""
    number = int(connection.execute(text("SHOW server_version_num")).scalar_one())
    full = str(connection.execute(text("SHOW server_version")).scalar_one())
    return number // 10000, full


def client_tool(name: str, major: int, bin_dir: Path | None) -> Path:
    """``pg_dump`` or ``pg_restore`` of the server's major version, or a clear refusal."""
    folders = [bin_dir] if bin_dir else [Path(_DEBIAN_BIN.format(major=major))]
    candidates = [folder / name for folder in folders]
    on_path = shutil.which(name)
    if on_path and not bin_dir:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and _major_of(candidate) == major:
            return candidate
    raise BackupFailed(
        "%(name)s of PostgreSQL %(major)s is needed (the server's version): "
        "install postgresql-client-%(major)s or set LIMS_POSTGRES_BIN_DIR to "
        "its bin folder",
        code="backup.postgresql_needed_server_version_install",
        name=name,
        major=major,
    )


def _major_of(tool: Path) -> int | None:
    completed = subprocess.run([str(tool), "--version"], capture_output=True, text=True)
    found = _VERSION.search(completed.stdout)
    return int(found.group(1)) if found else None


def libpq_environment(database_url: str) -> dict[str, str]:
    """The connection of a SQLAlchemy URL as libpq environment variables."""
    url: URL = make_url(database_url)
    environment = {
        "PGHOST": url.host or "",
        "PGPORT": str(url.port or ""),
        "PGUSER": url.username or "",
        "PGPASSWORD": url.password or "",
        "PGDATABASE": url.database or "",
    }
    for key, variable in _LIBPQ_QUERY_ENVIRONMENT.items():
        value = url.query.get(key)
        if isinstance(value, str):
            environment[variable] = value
    return {name: value for name, value in environment.items() if value}


def dump(database_url: str, *, tool: Path, snapshot: str, target: Path) -> None:
    _run(
        [
            str(tool),
            "--format=custom",
            f"--snapshot={snapshot}",
            "--no-password",
            f"--file={target}",
        ],
        database_url,
        doing="pg_dump",
    )


def require_empty(connection: Connection) -> None:
    """Restore only into a database without tables: nothing is overwritten or merged."""
    tables = connection.execute(
        text(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        )
    ).scalar_one()
    if tables:
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        raise BackupInvalid(
            "database %(database)s is not empty (%(tables)s tables): restore into "
            "a new, empty database and point LIMS_DATABASE_URL at it",
            code="backup.database_empty_tables_restore_into",
            database=database,
            tables=tables,
        )


def restore(database_url: str, *, tool: Path, source: Path) -> None:
    # One transaction: a restore that fails part-way leaves the database as empty as before.
    _run(
        [
            str(tool),
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            f"--dbname={make_url(database_url).database}",
            str(source),
        ],
        database_url,
        doing="pg_restore",
    )


def _run(command: list[str], database_url: str, *, doing: str) -> None:
    environment = {**os.environ, **libpq_environment(database_url)}
    completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    if completed.returncode != 0:
        first = next((line for line in completed.stderr.splitlines() if line.strip()), "")
        raise BackupFailed(
            "%(doing)s failed: %(value)s",
            code="backup.failed",
            doing=doing,
            value=first or f"exit status {completed.returncode}",
        )
