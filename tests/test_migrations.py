"""Migrations and models agree, on SQLite and PostgreSQL."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from lims import migrations
from lims.db import make_engine
from lims.models import metadata


def schema_differences(database_url: str) -> list[object]:
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return compare_metadata(context, metadata)
    finally:
        engine.dispose()


def test_upgrade_from_empty_reaches_head_and_matches_the_models(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    assert migrations.current_revision(engine) == migrations.head_revision(empty_database_url)
    engine.dispose()
    assert schema_differences(empty_database_url) == []


def test_downgrade_to_base_and_upgrade_again(empty_database_url: str) -> None:
    migrations.upgrade(empty_database_url)
    migrations.downgrade(empty_database_url, "base")
    engine = make_engine(empty_database_url)
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()
    migrations.upgrade(empty_database_url)
    assert schema_differences(empty_database_url) == []
