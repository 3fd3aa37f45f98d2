"""Shared fixtures: settings, databases on both backends, and an application client.

Tests that need a database take ``database_url``, which runs them on SQLite and, when
``LIMS_TEST_POSTGRES_URL`` is set, on PostgreSQL too, each in a fresh throw-away database.
Under CI (``CI=true``) a PostgreSQL test may not be skipped: it fails instead, so CI proves
both backends.
"""

import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Engine, inspect, make_url, text

from lims import migrations
from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine

POSTGRES_URL_VARIABLE = "LIMS_TEST_POSTGRES_URL"
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPOSITORY_ROOT.parent / "shared"


def shared_path(*parts: str) -> Path:
    """A file from ``../shared`` beside the clone; skip clearly when it is absent."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"reference data {path} is not present (../shared beside the clone)")
    return path


def _postgres_server_url() -> str:
    url = os.environ.get(POSTGRES_URL_VARIABLE)
    if url:
        return url
    reason = f"{POSTGRES_URL_VARIABLE} is not set"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the PostgreSQL tests")
    pytest.skip(reason)


@contextmanager
def throwaway_postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards (skipped without a server)."""
    server = make_url(_postgres_server_url())
    name = f"lims_test_{uuid.uuid4().hex[:12]}"
    admin_dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        _drop_database(admin_dsn, name)


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    with throwaway_postgres_database() as url:
        yield url


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


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lims.sqlite3'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def database_url(empty_database_url: str) -> str:
    """A database on each backend, migrated to head."""
    migrations.upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def make_settings(tmp_path: Path) -> Callable[..., Settings]:
    def factory(**overrides: object) -> Settings:
        values: dict[str, object] = {"data_dir": tmp_path / "data", "environment": "test"}
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return factory


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(database_url=database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


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
