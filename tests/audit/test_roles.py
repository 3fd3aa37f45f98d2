"""PostgreSQL roles: the application may add audit events, never change, hide or unguard
them (issue #21, item 3d). Roles are cluster-wide: each test makes its own and drops them."""

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import make_url, text
from sqlalchemy.exc import DBAPIError

from lims import migrations
from lims.audit.roles import grant_application_role
from lims.db import make_engine
from lims.errors import ConfigurationError
from tests.conftest import POSTGRES_URL_VARIABLE, throwaway_postgres_database
from tests.factories import make_organisation
from tests.test_cli import run_cli

pytestmark = pytest.mark.postgres


@dataclass(frozen=True)
class Roles:
    owner: str
    owner_url: str
    app: str
    app_url: str


def _as_role(url: str, role: str, password: str) -> str:
    return make_url(url).set(username=role, password=password).render_as_string(False)


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def two_roles() -> Iterator[tuple[str, Roles]]:
    """A fresh empty database, an owner role that may build its schema and an application
    role (both may log in); the database and both roles are dropped afterwards."""
    suffix = uuid.uuid4().hex[:10]
    owner, app, password = f"lims_owner_{suffix}", f"lims_app_{suffix}", uuid.uuid4().hex
    with throwaway_postgres_database() as url:
        admin = _libpq(url)
        try:
            with psycopg.connect(admin, autocommit=True) as connection:
                for role in (owner, app):
                    connection.execute(
                        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                            sql.Identifier(role), sql.Literal(password)
                        )
                    )
                # The database belongs to the test role; the owner role builds the schema.
                connection.execute(
                    sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(owner))
                )
            yield (
                password,
                Roles(owner, _as_role(url, owner, password), app, _as_role(url, app, password)),
            )
        finally:
            with psycopg.connect(
                _libpq(os.environ[POSTGRES_URL_VARIABLE]), autocommit=True
            ) as connection:
                # Ends both roles' sessions and drops what the owner built, so they can go.
                connection.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(make_url(url).database or "")
                    )
                )
                for role in (app, owner):
                    connection.execute(
                        sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role))
                    )


@pytest.fixture
def roles(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Roles]:
    """Migrated by the owner role, the application role granted its rights; the CLI
    connects as the application role."""
    with two_roles() as (_, found):
        migrations.upgrade(found.owner_url, app_role=found.app)
        monkeypatch.setenv("LIMS_DATABASE_URL", found.app_url)
        monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "data"))
        yield found


def _refused(url: str, statement: str) -> str:
    engine = make_engine(url)
    try:
        with pytest.raises(DBAPIError) as refused, engine.begin() as connection:
            connection.execute(text(statement))
        return str(refused.value.orig)
    finally:
        engine.dispose()


def test_the_application_role_adds_audit_events_but_cannot_change_hide_or_unguard_them(
    roles: Roles,
) -> None:
    engine = make_engine(roles.app_url)
    organisation = make_organisation(engine)  # the change and its event, as the application
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE organisation SET name = 'Uusi Oy' WHERE id = :id"), {"id": organisation.id}
        )
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar_one() == 1
    engine.dispose()
    for statement in (
        "UPDATE audit_event SET actor = 'mallory'",
        "DELETE FROM audit_event",
        "TRUNCATE audit_event",
    ):
        assert "permission denied for table audit_event" in _refused(roles.app_url, statement)
    for statement in (
        "ALTER TABLE audit_event DISABLE TRIGGER USER",
        "ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only",
        "DROP TRIGGER audit_event_append_only ON audit_event",
    ):
        assert "must be owner of" in _refused(roles.app_url, statement)
    # Nor can it make the refusing trigger's function refuse nothing (PostgreSQL 15 already
    # refuses it CREATE in the schema; older ones let PUBLIC create there).
    assert re.search(
        "must be owner of function|permission denied for schema",
        _refused(
            roles.app_url,
            "CREATE OR REPLACE FUNCTION public.refuse_audit_change() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END; $$",
        ),
    )
    assert "permission denied" in _refused(
        roles.app_url, "UPDATE alembic_version SET version_num = '0001'"
    )


def test_check_roles_passes_for_the_application_role(
    roles: Roles, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("db", "check-roles") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert all(line.startswith("ok ") for line in lines)


def test_check_roles_fails_naming_ownership_when_the_application_connects_as_the_owner(
    roles: Roles, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("LIMS_DATABASE_URL", roles.owner_url)
    assert run_cli("db", "check-roles") == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert any(f"role {roles.owner} owns no table" in line for line in failed)
    assert any("(owns " in line for line in failed)
    assert any(f"role {roles.owner} may not UPDATE audit_event" in line for line in failed)


def test_a_disabled_audit_trigger_is_named_by_check_roles_and_audit_verify(
    roles: Roles, capsys: pytest.CaptureFixture[str]
) -> None:
    owner = make_engine(roles.owner_url)
    with owner.begin() as connection:
        connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER audit_event_append_only"))
    owner.dispose()
    named = "trigger audit_event_append_only on audit_event is disabled"
    assert run_cli("db", "check-roles") == 1
    assert f"FAIL {named}" in capsys.readouterr().out
    assert run_cli("audit", "verify") == 2
    assert f"PROBLEM {named}" in capsys.readouterr().out


def test_every_migration_run_takes_back_rights_given_by_hand(roles: Roles) -> None:
    owner = make_engine(roles.owner_url)
    with owner.begin() as connection:
        connection.execute(text(f"GRANT ALL ON audit_event TO {roles.app}"))
    owner.dispose()
    migrations.upgrade(roles.owner_url, app_role=roles.app)  # at head already: grants only
    assert "permission denied" in _refused(roles.app_url, "DELETE FROM audit_event")


def test_lims_db_upgrade_migrates_as_the_owner_and_grants_the_application_role(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with two_roles() as (password, roles):
        monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "data"))
        monkeypatch.setenv("LIMS_DATABASE_URL", roles.app_url)
        monkeypatch.setenv("LIMS_DATABASE_OWNER_URL", roles.owner_url)
        monkeypatch.setenv("LIMS_DATABASE_APP_ROLE", roles.app)
        assert run_cli("db", "upgrade") == 0
        assert password not in capsys.readouterr().out
        assert run_cli("db", "check-roles") == 0


def test_granting_the_migrating_role_itself_is_refused(roles: Roles) -> None:
    engine = make_engine(roles.owner_url)
    with pytest.raises(ConfigurationError, match="must be another one"), engine.begin() as c:
        grant_application_role(c, roles.owner)
    engine.dispose()


def test_check_roles_fails_for_an_application_role_that_may_create_roles_or_owns_the_database(
    roles: Roles, capsys: pytest.CaptureFixture[str]
) -> None:
    # Either would let it become the owner, or drop the schema or put a copy in its place.
    database = make_url(roles.app_url).database or ""
    app = sql.Identifier(roles.app)
    with psycopg.connect(_libpq(os.environ[POSTGRES_URL_VARIABLE]), autocommit=True) as admin:
        admin.execute(sql.SQL("ALTER ROLE {} CREATEROLE").format(app))
        admin.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(app))  # to hand it the database
        admin.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database), app)
        )
    assert run_cli("db", "check-roles") == 1
    failed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("FAIL")]
    assert failed == [
        f"FAIL role {roles.app} may not create roles",
        f"FAIL role {roles.app} owns neither the database nor its schema",
    ]


def test_a_restore_builds_the_schema_as_the_owner_and_grants_the_application_role(
    roles: Roles, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    make_organisation(make_engine(roles.app_url))  # a record and its event, as the service
    assert run_cli("backup", str(tmp_path / "backup")) == 0  # the service's role backs up
    with two_roles() as (_, target):
        monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "restored"))
        monkeypatch.setenv("LIMS_DATABASE_URL", target.app_url)
        monkeypatch.setenv("LIMS_DATABASE_OWNER_URL", target.owner_url)
        monkeypatch.setenv("LIMS_DATABASE_APP_ROLE", target.app)
        assert run_cli("restore", str(tmp_path / "backup")) == 0
        assert run_cli("db", "check-roles") == 0
        assert "permission denied" in _refused(target.app_url, "DELETE FROM audit_event")
        make_organisation(make_engine(target.app_url))  # the restored service works on
