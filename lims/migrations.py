"""Alembic driven from code: the CLI, the readiness check and the tests share these."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "alembic"))
    # ConfigParser treats % as interpolation; URLs may carry %-escaped passwords.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head", *, app_role: str | None = None) -> None:
    """Migrate as the role of ``database_url``, then grant ``app_role`` the application's
    rights (default: LIMS_DATABASE_APP_ROLE; see ``lims.audit.roles``)."""
    command.upgrade(_with_app_role(alembic_config(database_url), app_role), revision)


def downgrade(database_url: str, revision: str = "base", *, app_role: str | None = None) -> None:
    command.downgrade(_with_app_role(alembic_config(database_url), app_role), revision)


def _with_app_role(config: Config, app_role: str | None) -> Config:
    if app_role is not None:
        config.attributes["app_role"] = app_role
    return config


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
