"""Audited records against their events: `lims audit verify --records` replays the trail and
names every row that was changed past the application (issue #21, item 3c)."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, Table, func, select, text
from sqlmodel import Session

from lims import models  # noqa: F401  (registers every audited table)
from lims.accounts.models import Organisation
from lims.audit import records_check
from lims.audit.records_check import (
    SHOWN_DIFFERENCES,
    RecordsCheck,
    audited_tables,
    check_records,
)
from lims.audit.trail import AuditContext, set_context
from lims.config import Settings
from lims.db import make_engine
from lims.documents.signing import create_demo_signing_key
from tests.conftest import load_demo
from tests.documents.factories import approved_calibration, approved_product_job, issue
from tests.factories import make_organisation
from tests.jobs.factories import PRODUCT, make_lab, submit
from tests.test_cli import run_cli


def redacted_fields(engine: Engine) -> int:
    with engine.connect() as connection:
        return sum(
            len(getattr(mapper.class_, "__audit_redacted__", ()))
            * connection.execute(select(func.count()).select_from(table)).scalar_one()
            for table, mapper in audited_tables()
        )


def records_of(engine: Engine) -> RecordsCheck:
    # A small batch, so the replay crosses many batch boundaries.
    with engine.connect() as connection:
        return check_records(connection, batch_size=7)


@pytest.fixture
def settings(
    make_settings: Callable[..., Settings], database_url: str, monkeypatch: pytest.MonkeyPatch
) -> Settings:
    """A lab with its signing key; the CLI (and anything reading the environment) sees the
    same database and data directory as the application."""
    lab_settings = make_settings(database_url=database_url)
    create_demo_signing_key(lab_settings)
    monkeypatch.setenv("LIMS_DATABASE_URL", database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(lab_settings.data_dir))
    return lab_settings


@pytest.fixture
def demo_engine(settings: Settings) -> Iterator[Engine]:
    """The demo data, loaded through the normal loader."""
    engine = make_engine(settings.resolved_database_url)
    load_demo(engine, settings)
    yield engine
    engine.dispose()


def test_the_demo_data_matches_its_trail_on_every_audited_table(demo_engine: Engine) -> None:
    checked = records_of(demo_engine)
    assert checked.differences == []
    assert checked.matching
    assert checked.rows > 100
    # Only the redacted fields (the demo users' password hashes) go uncompared.
    assert checked.uncompared_fields == redacted_fields(demo_engine)


def test_records_written_through_the_api_up_to_issued_documents_match_their_trail(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    calibration = approved_calibration(client, lab)
    product = approved_product_job(client, lab, kind="reference")
    issue(client, lab, job_id=calibration.job["id"])
    issue(client, lab, job_id=product.job["id"])
    # A result replaced with a reason, a job held and resumed, reported and closed.
    job = submit(client, lab, "product_qc", PRODUCT)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    length = job.plan(
        label="D20",
        nominal=20,
        lower_limit=19.95,
        upper_limit=20.05,
        unit="mm",
        method_id=lab.cmm_method.id,
    )
    job.step("in_measurement", lab.technician)
    entry = {"characteristic_id": length["id"], "equipment": {"cmm": lab.cmm.id}}
    first = job.record(**entry, observations={"x": [20.0011, 20.0013]})
    job.record(
        **entry,
        observations={"x": [20.0012, 20.0014]},
        version=first["version"],
        reason="re-measured after cleaning",
    )
    job.step("on_hold", lab.manager, reason="waiting for the customer's drawing")
    job.step("in_measurement", lab.manager)
    job.step("measured", lab.technician)
    job.review_approve_report_close()
    checked = records_of(engine)
    assert checked.differences == []
    assert checked.rows > 30


def test_a_result_value_changed_in_the_database_is_named(
    demo_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    # The issue's attack: on PostgreSQL too the edit is allowed, as result is not the trail.
    with demo_engine.begin() as connection:
        result_id, value = connection.execute(
            text("SELECT id, value FROM result ORDER BY id LIMIT 1")
        ).one()
        connection.execute(text("UPDATE result SET value = 9.99 WHERE id = :id"), {"id": result_id})
    assert run_cli("audit", "verify", "--records") == 2
    captured = capsys.readouterr()
    assert f"result {result_id}: value is {value} per the trail" in captured.out
    assert "9.99 in the database" in captured.out
    assert "1 differences between records and their events" in captured.err


def test_a_clean_database_passes_with_a_summary(
    demo_engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli("audit", "verify", "--records") == 0
    assert "audited records match their events" in capsys.readouterr().out


def test_rows_added_or_removed_past_the_application_are_named(engine: Engine) -> None:
    # The removed row is the older one: SQLite gives the newest id again to the next row.
    removed, kept = make_organisation(engine), make_organisation(engine)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM organisation WHERE id = :id"), {"id": removed.id})
        connection.execute(
            text(
                "INSERT INTO organisation (name, kind, country, language, business_id, created_at) "
                "SELECT 'Varjo Oy', kind, country, language, 'varjo', created_at FROM organisation "
                "WHERE id = :id"
            ),
            {"id": kept.id},
        )
        smuggled = connection.execute(text("SELECT max(id) FROM organisation")).scalar_one()
    problems = {(d.table, d.entity_id): d.problem for d in records_of(engine).differences}
    assert problems == {
        ("organisation", str(smuggled)): "in the database, but the trail has no event for it",
        ("organisation", str(removed.id)): problems[("organisation", str(removed.id))],
    }
    assert problems[("organisation", str(removed.id))].startswith(
        "gone from the database, but the trail has it"
    )


def test_a_deleted_row_put_back_is_named(engine: Engine) -> None:
    organisation = make_organisation(engine)
    with engine.connect() as connection:
        row = dict(
            connection.execute(
                text("SELECT * FROM organisation WHERE id = :id"), {"id": organisation.id}
            )
            .one()
            ._mapping
        )
    with Session(engine) as db_session:
        set_context(db_session, AuditContext(actor="tests"))
        db_session.delete(db_session.get_one(Organisation, organisation.id))
        db_session.commit()
    with engine.begin() as connection:
        columns = ", ".join(row)
        connection.execute(
            text(
                f"INSERT INTO organisation ({columns}) VALUES ({', '.join(':' + c for c in row)})"
            ),
            row,
        )
    (difference,) = records_of(engine).differences
    assert difference.entity_id == str(organisation.id)
    assert "the trail deleted it" in difference.problem


def test_many_differences_are_counted_and_the_first_ones_shown(engine: Engine) -> None:
    for _ in range(SHOWN_DIFFERENCES + 3):
        make_organisation(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE organisation SET name = name || ' (muutettu)'"))
    checked = records_of(engine)
    assert checked.difference_count == SHOWN_DIFFERENCES + 3
    assert len(checked.differences) == SHOWN_DIFFERENCES


def test_a_change_committed_while_the_check_reads_is_not_a_difference(
    demo_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The check reads one snapshot: a running service may change records meanwhile.
    compare_table = records_check._compare_table

    def compare_after_a_change(connection: Connection, table: Table, *rest: Any) -> None:
        if table.name == "result":
            with demo_engine.begin() as writer:
                writer.execute(text("UPDATE result SET value = value + 1"))
        compare_table(connection, table, *rest)

    with monkeypatch.context() as patched:
        patched.setattr(records_check, "_compare_table", compare_after_a_change)
        assert records_of(demo_engine).differences == []
    assert not records_of(demo_engine).matching
