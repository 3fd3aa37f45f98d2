"""Fingerprints of a database's content: the rows of every table and a digest of them.

A backup records them from the very snapshot it copies; a restore recomputes them from the
restored database, so "the same records" is checked, not assumed.  The digest is SHA-256
over the MD5 of each row's text, rows in primary-key order.  PostgreSQL computes it in the
server (a million-row table is not shipped to Python); SQLite's rows are hashed here.  The
row text is each backend's own, so fingerprints compare within one backend only.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Connection, inspect, text

# Row text depends on these session settings; fixing them makes the digest independent of
# the server's configuration (a restore may run on a differently configured server).
_POSTGRES_TEXT_SETTINGS = (
    "SET LOCAL TIME ZONE 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    sha256: str


def fingerprints(
    connection: Connection, *, on_table: Callable[[str], None] | None = None
) -> dict[str, TableFingerprint]:
    """Every table's fingerprint, read in the connection's current transaction."""
    inspector = inspect(connection)
    tables = sorted(inspector.get_table_names())
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        for statement in _POSTGRES_TEXT_SETTINGS:
            connection.execute(text(statement))
    found = {}
    for table in tables:
        key = inspector.get_pk_constraint(table)["constrained_columns"] or [
            column["name"] for column in inspector.get_columns(table)
        ]
        columns = [column["name"] for column in inspector.get_columns(table)]
        fingerprint = _postgres if postgres else _sqlite
        found[table] = fingerprint(connection, table, key, columns)
        if on_table is not None:
            on_table(table)
    return found


def _quoted(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _postgres(
    connection: Connection, table: str, key: list[str], _columns: list[str]
) -> TableFingerprint:
    order = ", ".join(f"t.{_quoted(connection, name)}" for name in key)
    rows, digest = connection.execute(
        text(
            "SELECT count(*), encode(sha256(convert_to(coalesce("
            f"string_agg(md5(t::text), '' ORDER BY {order}), ''), 'UTF8')), 'hex') "
            f"FROM {_quoted(connection, table)} AS t"
        )
    ).one()
    return TableFingerprint(rows=int(rows), sha256=str(digest))


def _sqlite(
    connection: Connection, table: str, key: list[str], columns: list[str]
) -> TableFingerprint:
    row_text = " || ',' || ".join(f"quote({_quoted(connection, name)})" for name in columns)
    order = ", ".join(_quoted(connection, name) for name in key)
    digest = hashlib.sha256()
    rows = 0
    result = connection.execute(
        text(f"SELECT {row_text} FROM {_quoted(connection, table)} ORDER BY {order}")
    )
    for (line,) in result:
        digest.update(hashlib.md5(line.encode(), usedforsecurity=False).hexdigest().encode())
        rows += 1
    return TableFingerprint(rows=rows, sha256=digest.hexdigest())
