"""A private person's erasure (#33): only once the retention of the records naming the person
has run out, by the admin or the quality manager, audited without the erased data."""

import json
from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session, col, select

from lims.accounts.models import Organisation, Role
from lims.audit.models import AuditEvent
from lims.config import Settings
from tests.conftest import row_counts
from tests.contracts.factories import ensure_clause, make_price_list, make_price_model
from tests.contracts.factories import make_quotation as quote
from tests.factories import bearer, make_contact, make_organisation, make_user

ORGANISATIONS = "/api/v1/organisations"
PERSON = {
    "name": "Pekka Yksityinen",
    "kind": "person",
    "country": "FI",
    "email": "pekka@yksityinen.example",
    "street_address": "Kotikatu 1",
    "postal_code": "20100",
    "city": "Turku",
}
REASON = {"reason": "Asiakkaan pyyntö 8.12.2026"}


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def register_person(client: TestClient, manager: dict[str, str]) -> int:
    answer = client.post(ORGANISATIONS, json=PERSON, headers=manager)
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def erasure_events(engine: Engine, organisation_id: int) -> list[AuditEvent]:
    with Session(engine) as db_session:
        return list(
            db_session.exec(
                select(AuditEvent)
                .where(AuditEvent.organisation_id == organisation_id)
                .where(AuditEvent.action == "update")
                .order_by(col(AuditEvent.id))
            )
        )


def test_a_person_without_kept_records_is_erased_and_the_event_holds_no_personal_data(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    person_id = register_person(client, manager)
    with Session(engine) as db_session:
        person = db_session.get_one(Organisation, person_id)
    make_contact(engine, person, name="Pekka Yksityinen", email="pekka@yksityinen.example")
    make_user(engine, Role.CUSTOMER, organisation=person, full_name="Pekka Yksityinen")
    answer = client.post(f"{ORGANISATIONS}/{person_id}/erasure", json=REASON, headers=manager)
    assert answer.status_code == 200, answer.text
    erased = answer.json()
    assert erased["id"] == person_id and erased["erased_at"] is not None
    assert (erased["name"], erased["email"], erased["street_address"]) == ("[erased]", None, None)
    contacts = client.get(f"{ORGANISATIONS}/{person_id}/contacts", headers=manager).json()
    assert [contact["name"] for contact in contacts] == ["[erased]"]
    events = erasure_events(engine, person_id)
    assert {event.reason for event in events} == {REASON["reason"]}
    written = json.dumps([event.changes for event in events], ensure_ascii=False)
    for personal in ("Pekka", "Yksityinen", "pekka@", "Kotikatu", "Turku", "20100"):
        assert personal not in written
    assert "[redacted]" in written and "[erased]" in written
    # Erased once: a second erasure, or a change, is refused.
    again = client.post(f"{ORGANISATIONS}/{person_id}/erasure", json=REASON, headers=manager)
    assert (again.status_code, again.json()["code"]) == (409, "accounts.customer_erased")
    changed = client.patch(f"{ORGANISATIONS}/{person_id}", json={"city": "X"}, headers=manager)
    assert changed.status_code == 409


def test_erasure_is_refused_while_a_record_is_kept_naming_the_day_it_becomes_possible(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    ensure_clause(engine)
    make_price_list(engine, make_price_model(engine, 2026))
    person_id = register_person(client, manager)
    with Session(engine) as db_session:
        person = db_session.get_one(Organisation, person_id)
    quotation = quote(engine, settings, person, issued_on=date(2026, 11, 27))
    before = row_counts(engine)
    refused = client.post(f"{ORGANISATIONS}/{person_id}/erasure", json=REASON, headers=manager)
    assert refused.status_code == 409
    problem = refused.json()
    # The quotation is kept ten years from its latest date: valid until 31.12.2026.
    assert problem["code"] == "accounts.erasure_records_kept"
    assert problem["params"]["possible_from"] == "2036-12-31"
    assert row_counts(engine) == before
    # Eleven years on, the quotation's retention has run out and the person may be erased.
    long_ago = datetime(2014, 1, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE quotation SET created_at = :at, issued_on = :day, valid_until = :day "
                "WHERE id = :id"
            ),
            {"at": long_ago, "day": long_ago.date(), "id": quotation.id},
        )
    allowed = client.post(f"{ORGANISATIONS}/{person_id}/erasure", json=REASON, headers=manager)
    assert allowed.status_code == 200, allowed.text
    # The quotation is still there, pointing at the same customer id.
    assert client.get(f"/api/v1/quotations/{quotation.id}", headers=manager).status_code == 200


def test_only_a_person_is_erased_and_only_by_the_admin_or_the_quality_manager(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    company = make_organisation(engine)
    refused = client.post(f"{ORGANISATIONS}/{company.id}/erasure", json=REASON, headers=manager)
    assert (refused.status_code, refused.json()["code"]) == (409, "accounts.erasure_not_person")
    person_id = register_person(client, manager)
    path = f"{ORGANISATIONS}/{person_id}/erasure"
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    assert client.post(path, json=REASON, headers=technician).status_code == 403
    with Session(engine) as db_session:
        person = db_session.get_one(Organisation, person_id)
    own = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=person))
    assert client.post(path, json=REASON, headers=own).status_code == 403
    stranger = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=company))
    assert client.post(path, json=REASON, headers=stranger).status_code == 404
    assert client.post(path, json={}, headers=manager).status_code == 422  # no reason
    assert client.post(path, json=REASON).status_code == 401
