"""Retention: a record inside its period cannot be deleted, through a service, a bulk ORM
delete or, on PostgreSQL, plain SQL; once the period is over it can."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import Engine, delete, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from lims.audit.trail import set_context
from lims.db import make_engine
from lims.errors import Conflict
from lims.jobs.models import Job, Result
from lims.methods.models import Method
from lims.records.retention import keep_records
from tests.conftest import row_counts
from tests.equipment.factories import make_method
from tests.factories import FACTORY_ACTOR
from tests.jobs.factories import Lab
from tests.records.factories import reported_job


@pytest.fixture
def engine_keeping(database_url: str) -> Iterator[Engine]:
    """An engine whose connections keep records for three years, as LIMS_RETENTION_YEARS=3."""
    kept = make_engine(database_url)
    keep_records(kept, 3)
    yield kept
    kept.dispose()


def backdate(engine: Engine, method: Method, years: int) -> None:
    """Make a method look as if it was last used ``years`` ago (behind the services' back)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE method SET created_at = :at, accredited_from = NULL, "
                "accredited_until = NULL, validated_on = NULL WHERE id = :id"
            ),
            {"at": f"{2026 - years}-01-01 00:00:00", "id": method.id},
        )


def test_a_reported_jobs_result_cannot_be_deleted_through_the_orm(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    before = row_counts(engine)
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        result = db_session.exec(select(Result).where(Result.job_id == job.job["id"])).first()
        db_session.delete(result)
        with pytest.raises(Conflict, match=r"result \d+ is a record kept until 20\d\d-"):
            db_session.commit()
    assert row_counts(engine) == before


def test_a_bulk_delete_of_kept_records_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, _ = reported_job(client, lab, "inspection")
    with Session(engine) as db_session, pytest.raises(Conflict, match="one by one"):
        db_session.exec(delete(Job).where(Job.id == job.job["id"]))  # type: ignore[call-overload]


def test_plain_sql_cannot_delete_or_truncate_kept_records_on_postgresql(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL has the retention trigger; a SQLite file can be edited")
    job, _ = reported_job(client, lab, "product_qc")
    before = row_counts(engine)
    for statement in (
        f"DELETE FROM result WHERE job_id = {int(job.job['id'])}",
        "DELETE FROM document",
        "TRUNCATE job_transition",
    ):
        with pytest.raises(DBAPIError, match="retention period"), engine.begin() as connection:
            connection.execute(text(statement))
    assert row_counts(engine) == before


def test_a_record_past_its_retention_period_may_be_deleted(
    engine: Engine, engine_keeping: Engine
) -> None:
    old, recent = make_method(engine), make_method(engine)
    backdate(engine, old, years=5)
    backdate(engine, recent, years=1)
    with Session(engine_keeping) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        db_session.delete(db_session.get(Method, recent.id))
        with pytest.raises(Conflict, match="retention 3 years"):
            db_session.commit()
        db_session.rollback()
        db_session.delete(db_session.get(Method, old.id))
        db_session.commit()
    with Session(engine) as db_session:
        assert db_session.get(Method, old.id) is None
        assert db_session.get(Method, recent.id) is not None


def test_outside_the_application_the_default_ten_years_hold_on_postgresql(
    engine: Engine,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("only PostgreSQL has the retention trigger")
    method = make_method(engine)
    backdate(engine, method, years=5)
    with pytest.raises(DBAPIError, match=r"\(10 years\)"), engine.begin() as connection:
        connection.execute(text("DELETE FROM method WHERE id = :id"), {"id": method.id})


def test_the_retention_period_is_at_least_a_year(make_settings) -> None:  # type: ignore[no-untyped-def]
    assert make_settings().retention_years == 10
    with pytest.raises(ValidationError):
        make_settings(retention_years=0)
