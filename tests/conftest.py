"""Shared fixtures: settings, databases on both backends, and an application client.

Tests that need a database take ``database_url``, which runs them on SQLite and, when
``LIMS_TEST_POSTGRES_URL`` is set, on PostgreSQL too, each in a fresh throw-away database.
Under CI (``CI=true``) a PostgreSQL test may not be skipped: it fails instead, so CI proves
both backends.

Migrating a database takes seconds and copying one milliseconds, so each test process
(each pytest-xdist worker) migrates one template per backend once and every test gets a
copy: a file copy on SQLite, ``CREATE DATABASE … TEMPLATE`` on PostgreSQL. SQLite test
databases live on tmpfs (``/dev/shm``) where the machine has it: they are thrown away, and
commits there cost no disk flush. Tests that prove the migrations themselves take
``empty_database_url``.
"""

import os
import shutil
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Engine, inspect, make_url, text
from sqlmodel import Session

from lims import migrations
from lims.app import bind_settings, create_app
from lims.clock import local_today
from lims.config import Settings
from lims.db import make_engine
from lims.demo import load_demo_data

# Users made by the tests' factories are hashed with the cheapest Argon2id parameters instead
# of production's 0.25 s per password (a setting the production environment refuses); the
# hasher is chosen at the first hash, after this. Served test processes inherit it.
os.environ.setdefault("LIMS_PASSWORD_HASHING", "test")
# One audit key ring per test process, wherever a test puts its data: factories writing on a
# bare engine and the application reading through its settings must key the chain alike.
os.environ.setdefault(
    "LIMS_AUDIT_KEY_DIR", tempfile.mkdtemp(prefix="lims-test-audit-keys-", dir="/dev/shm")
)

POSTGRES_URL_VARIABLE = "LIMS_TEST_POSTGRES_URL"
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
# The public reference data beside the clone; another place for trying a run without it.
SHARED_DIR = Path(os.environ.get("LIMS_TEST_SHARED_DIR", REPOSITORY_ROOT.parent / "shared"))
_TMPFS = Path("/dev/shm")


def shared_path(*parts: str) -> Path:
    """A file from ``../shared`` beside the clone; skip clearly when it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is not present (../shared beside the clone)")
    return path


def shared_cases(load: Callable[[Path], list[Any]], *parts: str) -> list[Any]:
    """Parameters read from a file of ``../shared`` when a module is collected; when the file
    is absent, one parameter that skips with the reason (a skip raised during collection
    would stop the whole run instead)."""
    path = SHARED_DIR.joinpath(*parts)
    if path.exists():
        return load(path)
    reason = f"reference data {path} is not present (../shared beside the clone)"
    return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="shared-absent")]


# -- SQLite ---------------------------------------------------------------------------------


class _SQLiteFiles:
    """This process's folder of throw-away SQLite databases and its migrated template."""

    def __init__(self) -> None:
        self._folder: Path | None = None
        self._template: Path | None = None

    @property
    def folder(self) -> Path:
        if self._folder is None:
            root = _TMPFS if _TMPFS.is_dir() and os.access(_TMPFS, os.W_OK) else None
            self._folder = Path(tempfile.mkdtemp(prefix="lims-tests-", dir=root))
        return self._folder

    def new_path(self) -> Path:
        return self.folder / f"{uuid.uuid4().hex}.sqlite3"

    def migrated_copy(self, target: Path) -> str:
        """A copy of the migrated template at ``target``; returns its URL."""
        if self._template is None:
            template = self.folder / "template.sqlite3"
            migrations.upgrade(f"sqlite:///{template}")
            # Fold the write-ahead log into the file, so the file alone is the database.
            with sqlite3.connect(template) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
            self._template = template
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(self._template, target)
        return f"sqlite:///{target}"

    def remove(self) -> None:
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)


_sqlite = _SQLiteFiles()


def migrated_sqlite_url(target: Path | None = None) -> str:
    """A migrated SQLite database at ``target`` (default: a new file on tmpfs)."""
    return _sqlite.migrated_copy(target or _sqlite.new_path())


def _remove_sqlite_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)


# -- PostgreSQL -----------------------------------------------------------------------------


def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    reason = f"{POSTGRES_URL_VARIABLE} is not set"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the PostgreSQL tests")
    pytest.skip(reason)


def _admin_dsn() -> str:
    return (
        make_url(_postgres_server_url())
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


def _create_database(name: str, template: str | None = None) -> str:
    statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template is not None:
        statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(_admin_dsn(), autocommit=True) as connection:
        connection.execute(statement)
    return make_url(_postgres_server_url()).set(database=name).render_as_string(hide_password=False)


def _drop_database(admin_dsn: str, name: str, attempts: int = 20) -> None:
    """Drop a test database; an autovacuum worker visiting the new database (a process
    our role may not end) holds it for a moment, so try again briefly before failing."""
    statement = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
    for attempt in range(attempts):
        try:
            with psycopg.connect(admin_dsn, autocommit=True) as connection:
                connection.execute(statement)
            return
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ObjectInUse):
            if attempt == attempts - 1:
                raise
            time.sleep(0.25)


class _PostgresTemplate:
    """This process's migrated template database, made on first use, dropped at the end."""

    def __init__(self) -> None:
        self.name: str | None = None

    def ensure(self) -> str:
        if self.name is None:
            name = f"lims_template_{uuid.uuid4().hex[:12]}"
            migrations.upgrade(_create_database(name))
            self.name = name
        return self.name

    def remove(self) -> None:
        if self.name is not None and os.environ.get(POSTGRES_URL_VARIABLE):
            _drop_database(_admin_dsn(), self.name)
            self.name = None


_postgres_template = _PostgresTemplate()


@contextmanager
def throwaway_postgres_database(*, migrated: bool = False) -> Iterator[str]:
    """A fresh PostgreSQL database, empty or (``migrated``) a copy of the migrated
    template, dropped afterwards (skipped without a server)."""
    template = _postgres_template.ensure() if migrated else None
    name = f"lims_test_{uuid.uuid4().hex[:12]}"
    url = _create_database(name, template)
    try:
        yield url
    finally:
        _drop_database(_admin_dsn(), name)


POSTGRES_FIXTURES = frozenset({"postgres_url", "migrated_postgres_url", "pg_database_url"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A test that takes a PostgreSQL database is a PostgreSQL test, marked or not, so
    # `-m "not postgres"` (make test-fast) leaves it out.
    for item in items:
        if POSTGRES_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


def pytest_sessionfinish(session: pytest.Session) -> None:
    snapshots.remove()
    _postgres_template.remove()
    _sqlite.remove()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    with throwaway_postgres_database() as url:
        yield url


@pytest.fixture
def migrated_postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database migrated to head, dropped afterwards."""
    with throwaway_postgres_database(migrated=True) as url:
        yield url


# -- both backends --------------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database on each backend."""
    if backend == "postgres":
        yield request.getfixturevalue("postgres_url")
        return
    path = _sqlite.new_path()
    yield f"sqlite:///{path}"
    _remove_sqlite_database(path)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest) -> Iterator[str]:
    """A database on each backend, migrated to head (a copy of this process's template)."""
    if backend == "postgres":
        yield request.getfixturevalue("migrated_postgres_url")
        return
    path = _sqlite.new_path()
    yield migrated_sqlite_url(path)
    _remove_sqlite_database(path)


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "environment": "test"}
        values.update(overrides)
        if values["environment"] == "production":
            # Production refuses the suite's cheap password hashing (see the top).
            values.setdefault("password_hashing", "production")
        return Settings(**values)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url)


@pytest.fixture(scope="session")
def built_apps() -> dict[str, FastAPI]:
    """Applications already built in this process, by their settings apart from where
    the data is: building one takes a fifth of a second, pointing one elsewhere nothing."""
    return {}


@contextmanager
def application_on(settings: Settings, built_apps: dict[str, FastAPI]) -> Iterator[FastAPI]:
    """The application on ``settings`` and its database: an application built earlier for
    the same settings is pointed at this database instead of built anew."""
    shape = settings.model_dump_json(exclude={"database_url", "data_dir"})
    application = built_apps.get(shape)
    if application is None:
        application = built_apps[shape] = create_app(settings)
    else:
        bind_settings(application, settings)
    built = _build_of(application)
    yield application
    application.state.engine.dispose()
    if _build_of(application) != built:
        # The test changed the application itself (a probe route, an override): no other
        # test may meet that.
        del built_apps[shape]


@pytest.fixture
def app(settings: Settings, built_apps: dict[str, FastAPI]) -> Iterator[FastAPI]:
    """The application on this test's settings and database."""
    with application_on(settings, built_apps) as application:
        yield application


def _build_of(application: FastAPI) -> tuple[object, ...]:
    return (
        tuple(application.routes),
        tuple(application.user_middleware),
        tuple(application.dependency_overrides.items()),
    )


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    database_engine = make_engine(database_url)
    yield database_engine
    database_engine.dispose()


def row_counts(engine: Engine) -> dict[str, int]:
    """Rows per table: the fingerprint a refused request must leave unchanged."""
    with engine.connect() as connection:
        return {
            table: connection.execute(text(f'SELECT COUNT(*) FROM "{table}"')).scalar_one()
            for table in inspect(connection).get_table_names()
        }


# -- data loaded once per process, then copied ---------------------------------------------


class _Snapshots:
    """Databases and data folders as some set-up left them, one per name, backend, day and
    settings, with what the set-up returned.

    Loading the demo takes seconds (it issues and signs documents), a lab's records a tenth of
    one; copying a database and its files takes a fraction of that.  The first test of a process
    runs the set-up itself; later ones get a copy of its result.
    """

    def __init__(self) -> None:
        self._taken: dict[tuple[str, ...], tuple[str, Path, Any]] = {}
        self._postgres: list[str] = []

    @staticmethod
    def _key(name: str, engine: Engine, settings: Settings) -> tuple[str, ...]:
        return (
            name,
            engine.dialect.name,
            local_today(settings.timezone).isoformat(),
            settings.model_dump_json(exclude={"database_url", "data_dir"}),
        )

    def restore(self, name: str, engine: Engine, settings: Settings) -> tuple[bool, Any]:
        """(True, what the set-up returned) after copying its result over this test's database
        and data folder; (False, None) when this process has not taken it yet."""
        taken = self._taken.get(self._key(name, engine, settings))
        if taken is None:
            return False, None
        database, files, returned = taken
        shutil.copytree(files, settings.data_dir, dirs_exist_ok=True)
        engine.dispose()
        if engine.dialect.name == "sqlite":
            _sqlite_backup(database, str(engine.url.database))
            return True, returned
        target = str(engine.url.database)
        _drop_database(_admin_dsn(), target)
        _copy_postgres_database(database, target)
        return True, returned

    def take(
        self,
        name: str,
        engine: Engine,
        settings: Settings,
        returned: Any = None,
        *,
        with_files: bool = True,
    ) -> None:
        """Keep this test's database and (``with_files``) data folder as ``name``'s result.

        Leave the files out where the set-up writes none: a served process of the test may
        already hold the folder's keys, which a copy would replace under it.
        """
        files = Path(tempfile.mkdtemp(prefix=f"lims-{name}-", dir=_sqlite.folder))
        # A database kept in the data folder is copied through SQLite below, never as a file.
        if with_files and settings.data_dir.exists():
            shutil.copytree(settings.data_dir, files / "data", ignore=_DATABASE_FILES)
        else:
            (files / "data").mkdir()
        engine.dispose()
        key = self._key(name, engine, settings)
        if engine.dialect.name == "sqlite":
            database = str(files / f"{name}.sqlite3")
            _sqlite_backup(str(engine.url.database), database)
            self._taken[key] = (database, files / "data", returned)
            return
        copy = f"lims_{name}_{uuid.uuid4().hex[:12]}"
        _copy_postgres_database(str(engine.url.database), copy)
        self._postgres.append(copy)
        self._taken[key] = (copy, files / "data", returned)

    def remove(self) -> None:
        for name in self._postgres:
            _drop_database(_admin_dsn(), name)
        self._postgres.clear()
        self._taken.clear()


def _sqlite_backup(source: str, target: str) -> None:
    """Copy a SQLite database page by page through SQLite itself, so connections the
    application still holds on ``target`` see the copy, not a replaced file."""
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy)
    origin.close()
    copy.close()


def _copy_postgres_database(source: str, copy: str, attempts: int = 20) -> None:
    """``CREATE DATABASE copy TEMPLATE source``: a template may have no other sessions, so end
    the application's pooled ones (its engine pings before use and reconnects) and wait out an
    autovacuum worker's visit, as dropping does."""
    statement = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
        sql.Identifier(copy), sql.Identifier(source)
    )
    for attempt in range(attempts):
        with psycopg.connect(_admin_dsn(), autocommit=True) as connection:
            connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                "AND pid <> pg_backend_pid() AND usename = current_user",
                (source,),
            )
            try:
                connection.execute(statement)
                return
            except psycopg.errors.ObjectInUse:
                if attempt == attempts - 1:
                    raise
        time.sleep(0.25)


_DATABASE_FILES = shutil.ignore_patterns("*.sqlite3", "*.sqlite3-*")
snapshots = _Snapshots()


def is_fresh(engine: Engine) -> bool:
    """Nothing recorded yet: a copy of a set-up's result may replace this database."""
    with engine.connect() as connection:
        return all(
            connection.execute(text(f'SELECT 1 FROM "{table}" LIMIT 1')).first() is None
            for table in ("audit_event", "user_account", "organisation")
        )


def load_demo(engine: Engine, settings: Settings) -> None:
    """The demo data in this test's database and data folder, as ``lims demo`` loads it."""
    fresh = is_fresh(engine)
    if fresh and snapshots.restore("demo", engine, settings)[0]:
        return
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
    if fresh:
        snapshots.take("demo", engine, settings)
