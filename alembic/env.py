"""Alembic environment: the URL comes from the LIMS settings unless the caller set one.

After the migrations, in the same transaction, the application role (when one is named) is
given its rights again, so a table added by any migration is covered at once.
"""

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection, engine_from_config, pool

from lims.audit.roles import grant_application_role
from lims.config import get_settings
from lims.models import metadata

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

url = config.get_main_option("sqlalchemy.url") or get_settings().resolved_database_owner_url
app_role = config.attributes.get("app_role", get_settings().database_app_role)


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our UTCDateTime is a DateTime(timezone=True) in the database; render it as such so
    # migrations do not import application code.
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        engine = engine_from_config(
            {"sqlalchemy.url": url}, prefix="sqlalchemy.", poolclass=pool.NullPool
        )
        with engine.connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if app_role:
            grant_application_role(connection, app_role)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
