"""Production readiness: an application on a throw-away PostgreSQL database, and handles
to do it harm (end its sessions, refuse connections)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from sqlalchemy import Engine, make_url

from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine
from lims.documents.signing import create_demo_signing_key


@dataclass
class PostgresServer:
    """Administrative actions on the test database, from a connection of its own."""

    database_url: str

    @property
    def name(self) -> str:
        return str(make_url(self.database_url).database)

    def admin(self) -> psycopg.Connection:
        dsn = make_url(self.database_url).set(drivername="postgresql", database="postgres")
        return psycopg.connect(dsn.render_as_string(hide_password=False), autocommit=True)

    def terminate_sessions(self) -> int:
        """End every session of the test database, as a restarting server would."""
        with self.admin() as connection:
            ended = connection.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            ).fetchone()
        return int(ended[0]) if ended else 0

    def allow_connections(self, allowed: bool) -> None:
        with self.admin() as connection:
            connection.execute(
                sql.SQL("ALTER DATABASE {} ALLOW_CONNECTIONS {}").format(
                    sql.Identifier(self.name), sql.Literal(allowed)
                )
            )


@pytest.fixture
def pg_database_url(migrated_postgres_url: str) -> str:
    return migrated_postgres_url


@pytest.fixture
def server(pg_database_url: str) -> Iterator[PostgresServer]:
    harmed = PostgresServer(pg_database_url)
    yield harmed
    harmed.allow_connections(True)


@pytest.fixture
def pg_settings(make_settings: Callable[..., Settings], pg_database_url: str) -> Settings:
    lab_settings = make_settings(database_url=pg_database_url)
    create_demo_signing_key(lab_settings)
    return lab_settings


@pytest.fixture
def pg_engine(pg_database_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_client(pg_settings: Settings) -> Iterator[TestClient]:
    application = create_app(pg_settings)
    with TestClient(application, raise_server_exceptions=False) as client:
        yield client
    application.state.engine.dispose()


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    """Settings with a lab signing key, so documents can be issued."""
    lab_settings = make_settings(database_url=database_url)
    create_demo_signing_key(lab_settings)
    return lab_settings


def point_cli_at(monkeypatch: pytest.MonkeyPatch, database_url: str, data_dir: Path) -> None:
    """Point the ``lims`` command (run in-process) at a database and data directory."""
    monkeypatch.setenv("LIMS_DATABASE_URL", database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(data_dir))
    monkeypatch.setenv("LIMS_ENVIRONMENT", "test")
