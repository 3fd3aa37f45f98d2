"""The audit trail: complete, in the same transaction, hash-chained and verifiable."""

import json
import sqlite3
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import ContactCreate, Organisation, OrganisationUpdate, Role
from lims.audit.trail import AuditContext, because, set_context, verify_chain
from lims.cli import main
from lims.errors import InvalidInput
from tests.conftest import migrated_sqlite_url
from tests.factories import FACTORY_ACTOR, bearer, make_organisation, make_user


def audit_events(engine: Engine) -> list[dict]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM audit_event ORDER BY id"))
        return [dict(row._mapping) for row in rows]


def history(client: TestClient, headers: dict, entity_type: str, entity_id: object) -> list[dict]:
    response = client.get(
        "/api/v1/audit",
        params={"entity": f"{entity_type}:{entity_id}"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_insert_and_update_are_recorded_with_who_when_what_and_request_id(
    client: TestClient, engine: Engine, settings
) -> None:
    manager = make_user(engine, Role.QUALITY_MANAGER, username="laura")
    headers = {**bearer(settings, manager), "X-Request-ID": "req-create-0001"}
    created = client.post(
        "/api/v1/organisations",
        json={"name": "Vanha Nimi Oy", "country": "FI", "business_id": "0112038-9"},
        headers=headers,
    ).json()
    renamed = client.patch(
        f"/api/v1/organisations/{created['id']}",
        json={"name": "Uusi Nimi Oy"},
        headers={**bearer(settings, manager), "X-Request-ID": "req-rename-0002"},
    )
    assert renamed.status_code == 200, renamed.text
    insert, update = history(client, bearer(settings, manager), "organisation", created["id"])
    assert (insert["action"], insert["actor"], insert["request_id"]) == (
        "insert",
        "laura",
        "req-create-0001",
    )
    assert insert["changes"]["name"] == [None, "Vanha Nimi Oy"]
    assert update["action"] == "update"
    assert update["changes"] == {"name": ["Vanha Nimi Oy", "Uusi Nimi Oy"]}
    assert update["request_id"] == "req-rename-0002"
    assert update["occurred_at"].endswith("Z") or update["occurred_at"].endswith("+00:00")


def test_secrets_are_never_written_into_the_trail(engine: Engine) -> None:
    make_user(engine, Role.TECHNICIAN, password="very-secret-password-1")
    (event,) = [e for e in audit_events(engine) if e["entity_type"] == "user_account"]
    assert "very-secret-password-1" not in str(event["changes"])
    assert "argon2" not in str(event["changes"])
    assert "[redacted]" in str(event["changes"])


def test_a_change_rolled_back_leaves_no_event(engine: Engine) -> None:
    before = len(audit_events(engine))
    with Session(engine) as db_session:
        set_context(db_session, AuditContext(actor="tests"))
        db_session.add(Organisation(name="Kesken Oy", country="FI", business_id="0112038-9"))
        db_session.flush()
        db_session.rollback()
    assert len(audit_events(engine)) == before


def test_a_change_without_an_actor_is_refused(engine: Engine) -> None:
    with Session(engine) as db_session, pytest.raises(RuntimeError, match="who is acting"):
        db_session.add(Organisation(name="Anonyymi Oy", country="FI", business_id="0112038-9"))
        db_session.commit()


def test_a_record_that_requires_a_reason_cannot_change_without_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    organisation = make_organisation(engine)
    monkeypatch.setattr(Organisation, "audit_requires_reason", lambda self: True, raising=False)
    rename = OrganisationUpdate(name="Korjattu Oy")
    with Session(engine) as db_session, pytest.raises(InvalidInput, match="give a reason"):
        accounts.update_organisation(
            db_session, actor=FACTORY_ACTOR, organisation_id=organisation.id, data=rename
        )
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        with because(db_session, "typo in the name on the agreement"):
            stored = db_session.get(Organisation, organisation.id)
            stored.name = "Korjattu Oy"
            db_session.commit()
    assert audit_events(engine)[-1]["reason"] == "typo in the name on the agreement"


def test_intact_chain_verifies_over_the_api(client: TestClient, engine: Engine, settings) -> None:
    auditor = make_user(engine, Role.AUDITOR)
    make_organisation(engine)
    result = client.get("/api/v1/audit/verify", headers=bearer(settings, auditor)).json()
    events = audit_events(engine)
    checkpoints = result.pop("checkpoints")  # tests/audit/test_checkpoints.py checks them
    assert result == {
        "intact": True,
        "events": len(events),
        "head": events[-1]["hash"],
        "first_break": None,
    }
    assert checkpoints["intact"] is True and checkpoints["checkpoints"] == 0


def test_a_customer_reads_no_history_not_even_of_its_own_records(
    client: TestClient, engine: Engine, settings
) -> None:
    own = make_organisation(engine)
    customer = make_user(engine, Role.CUSTOMER, organisation=own)
    headers = bearer(settings, customer)
    own_history = client.get(
        "/api/v1/audit", params={"entity": f"organisation:{own.id}"}, headers=headers
    )
    assert own_history.status_code == 403
    assert client.get("/api/v1/audit/verify", headers=headers).status_code == 403


def run_cli(*argv: str) -> int:
    try:
        main(list(argv))
    except SystemExit as exit_:
        return int(exit_.code or 0)
    return 0


@pytest.fixture
def sqlite_trail(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Callable[[], str]:
    """A migrated SQLite database with a few audited changes; returns its file path."""
    from lims.db import make_engine

    path = tmp_path / "trail.sqlite3"
    url = migrated_sqlite_url(path)
    engine = make_engine(url)
    for _ in range(3):
        make_organisation(engine)
    engine.dispose()
    monkeypatch.setenv("LIMS_DATABASE_URL", url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path))
    return lambda: str(path)


def test_cli_verifies_an_intact_chain(
    sqlite_trail: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    sqlite_trail()
    assert run_cli("audit", "verify") == 0
    assert "audit chain intact: 3 events" in capsys.readouterr().out


def test_editing_an_event_behind_the_applications_back_is_caught(
    sqlite_trail: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(sqlite_trail()) as connection:
        connection.execute("UPDATE audit_event SET actor = 'mallory' WHERE id = 2")
    assert run_cli("audit", "verify") == 2
    err = capsys.readouterr().err
    assert "event 2 was altered" in err
    assert len(err.strip().splitlines()) == 1


def test_removing_an_event_is_caught_at_the_next_one(
    sqlite_trail: Callable[[], str], capsys: pytest.CaptureFixture[str]
) -> None:
    with sqlite3.connect(sqlite_trail()) as connection:
        connection.execute("DELETE FROM audit_event WHERE id = 2")
    assert run_cli("audit", "verify") == 2
    assert "event 3 does not follow" in capsys.readouterr().err


def test_postgresql_refuses_to_update_or_delete_audit_events(migrated_postgres_url: str) -> None:
    from lims.db import make_engine

    engine = make_engine(migrated_postgres_url)
    make_organisation(engine)
    for statement in ("UPDATE audit_event SET actor = 'mallory'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
    with Session(engine) as db_session:
        assert verify_chain(db_session).intact
    engine.dispose()


def test_delete_is_recorded_with_the_old_values(engine: Engine) -> None:
    organisation = make_organisation(engine)
    with Session(engine) as db_session:
        contact = accounts.add_contact(
            db_session,
            actor=FACTORY_ACTOR,
            organisation_id=organisation.id,
            data=ContactCreate(name="Poistuva Yhteyshenkilö"),
        )
        set_context(db_session, FACTORY_ACTOR.audit_context())
        db_session.delete(contact)
        db_session.commit()
    deleted = audit_events(engine)[-1]
    assert (deleted["action"], deleted["entity_type"]) == ("delete", "contact")
    changes = deleted["changes"]
    changes = json.loads(changes) if isinstance(changes, str) else changes
    assert changes["name"] == ["Poistuva Yhteyshenkilö", None]
    assert deleted["organisation_id"] == organisation.id


@pytest.mark.parametrize("entity", ["organisation", "organisation:", ":1", "Org anisation:1"])
def test_history_needs_the_record_as_type_and_id(
    entity: str, client: TestClient, engine: Engine, settings
) -> None:
    auditor = make_user(engine, Role.AUDITOR)
    response = client.get(
        "/api/v1/audit", params={"entity": entity}, headers=bearer(settings, auditor)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "query.entity"
