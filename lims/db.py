"""Engine and sessions: a SQLite file by default, PostgreSQL by URL.

There is no module-level engine or session: the application factory and the CLI each make
an engine from their settings, and every request gets its own session.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from sqlalchemy import DateTime, Engine, Table, TypeDecorator, event, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlmodel import Session, SQLModel, create_engine, select

# Named constraints let SQLite's batch migrations drop and recreate them by name.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend.

    SQLite has no time zone type and hands back naive values; storing UTC and re-attaching
    the zone on the way out keeps "times are UTC in storage" true on both backends.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("timestamps must be timezone-aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _Record(Protocol):
    @property
    def id(self) -> int | None: ...


def persisted_id(record: _Record) -> int:
    """The primary key of a record that has been inserted (flushed, committed or read back).

    SQLModel types ``id`` as ``int | None`` because a new record has none until its INSERT;
    a record used before that is a programming error, not bad input.
    """
    if record.id is None:
        raise RuntimeError(
            f"{type(record).__name__} has no id yet: flush the session before using its id"
        )
    return record.id


def table_of(model: type[SQLModel]) -> Table:
    """The table of a ``table=True`` model, for Core statements (SQLModel sets ``__table__``
    on such a class without declaring it)."""
    table = getattr(model, "__table__", None)
    if not isinstance(table, Table):
        raise TypeError(f"{model.__name__} is not a table model")
    return table


Row = TypeVar("Row", bound=SQLModel)


def lock_row(db_session: Session, model: type[Row], row_id: int) -> Row | None:
    """Take the row's lock until the transaction ends, and read the row afresh under it.

    Whatever changes a row after checking it (a job's state, a user's password) takes this
    lock before it checks: of two requests the second waits for the first to commit and
    then finds what the first left, so a step is taken once, not twice.

    PostgreSQL locks the row (``SELECT … FOR UPDATE``); a waiting reader of read committed
    then gets the committed row.  SQLite has no row locks, so the transaction takes the
    database's write lock as its first statement.  pysqlite (its legacy transaction control,
    the one SQLAlchemy uses) sends a deferred ``BEGIN`` only before the first INSERT, UPDATE
    or DELETE: the reads before it belong to no transaction, and a deferred transaction that
    reads first fails with SQLITE_BUSY at once when it then writes after another writer.  A
    no-op ``UPDATE … SET id = id`` begins the transaction and takes the write (RESERVED) lock
    in one step, waiting up to ``busy_timeout`` for another writer to commit.  It is chosen
    over ``BEGIN IMMEDIATE`` through SQLAlchemy's pysqlite recipe, which would turn off the
    driver's transaction handling and hook the start of every transaction on the engine, not
    only these.  Taking the lock again in the same transaction does not wait.  The no-op
    goes past the ORM, so it writes no audit event.

    ``populate_existing`` replaces a copy of the row read earlier in the session.
    """
    table = table_of(model)
    if db_session.get_bind().dialect.name == "sqlite":
        db_session.execute(update(table).where(table.c.id == row_id).values(id=table.c.id))
    return db_session.exec(
        select(model)
        .where(table.c.id == row_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers work while one writer commits; SQLite leaves foreign keys off by default.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # A request waiting for the job lock (lims.jobs.service.lock_job) waits while the holder
    # renders and signs a PDF, seconds on a busy machine: wait long rather than answer 503.
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the settings each backend needs."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})
        event.listen(engine, "connect", _enable_sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def upsert(db_session: Session, table: Table) -> Any:
    """An ``INSERT … ON CONFLICT`` statement for ``table`` in the session's dialect.

    Both backends support the upsert with ``RETURNING``; only the statement class differs.
    """
    is_postgresql = db_session.get_bind().dialect.name == "postgresql"
    return (postgresql_insert if is_postgresql else sqlite_insert)(table)


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with Session(engine) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
