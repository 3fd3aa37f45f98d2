"""A person's own interface language (PATCH /api/v1/auth/me): anyone's own choice, an
auditor's too, audited like any change to a user record, and never another person's."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import Role
from lims.audit.models import AuditEvent
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import bearer, make_user


def language_events(engine: Engine, user_id: int | None) -> list[AuditEvent]:
    with Session(engine) as db_session:
        return list(
            db_session.exec(
                select(AuditEvent)
                .where(AuditEvent.entity_type == "user_account")
                .where(AuditEvent.entity_id == str(user_id))
                .order_by(col(AuditEvent.id))
            )
        )


def test_a_person_chooses_their_own_language_and_the_change_is_audited(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    before = len(language_events(engine, technician.id))
    chosen = client.patch(
        "/api/v1/auth/me", json={"language": "sv"}, headers=bearer(settings, technician)
    )
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["language"] == "sv"
    me = client.get("/api/v1/auth/me", headers=bearer(settings, technician)).json()
    assert me["language"] == "sv"
    events = language_events(engine, technician.id)
    assert len(events) == before + 1
    assert events[-1].actor == technician.username
    assert events[-1].changes["language"] == ["fi", "sv"]


def test_choosing_the_same_language_again_writes_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    customer = make_user(engine, Role.TECHNICIAN)
    headers = bearer(settings, customer)
    client.patch("/api/v1/auth/me", json={"language": "en"}, headers=headers)
    counts = row_counts(engine)
    again = client.patch("/api/v1/auth/me", json={"language": "en"}, headers=headers)
    assert again.status_code == 200 and row_counts(engine) == counts


def test_an_auditor_chooses_a_language_though_it_changes_no_other_field(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    auditor = make_user(engine, Role.AUDITOR)
    headers = bearer(settings, auditor)
    chosen = client.patch("/api/v1/auth/me", json={"language": "sv"}, headers=headers)
    assert chosen.status_code == 200 and chosen.json()["language"] == "sv"
    # The general user change stays closed to an auditor, even for the auditor's own record.
    refused = client.patch(
        f"/api/v1/users/{auditor.id}", json={"full_name": "Someone Else"}, headers=headers
    )
    assert refused.status_code == 403


def test_no_one_chooses_another_persons_language(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    other = make_user(engine, Role.SIGNATORY)
    headers = bearer(settings, technician)
    refused = client.patch(f"/api/v1/users/{other.id}", json={"language": "sv"}, headers=headers)
    assert refused.status_code == 403
    # The own-language call names no user: a second person cannot be smuggled in.
    smuggled = client.patch(
        "/api/v1/auth/me", json={"language": "sv", "user_id": other.id}, headers=headers
    )
    assert smuggled.status_code == 422
    with Session(engine) as db_session:
        assert (
            db_session.exec(
                select(AuditEvent.id).where(
                    AuditEvent.entity_type == "user_account",
                    AuditEvent.entity_id == str(other.id),
                    AuditEvent.action == "update",
                )
            ).all()
            == []
        )


def test_a_language_that_is_not_one_is_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    headers = bearer(settings, technician)
    for language in ("xx", "", "../fi", "<b>sv</b>", "sv" * 1000, None, 1):
        answer = client.patch("/api/v1/auth/me", json={"language": language}, headers=headers)
        assert answer.status_code == 422, language
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert client.patch("/api/v1/auth/me", json={}, headers=headers).status_code == 422


def test_a_signed_out_caller_chooses_nothing(client: TestClient) -> None:
    answer = client.patch("/api/v1/auth/me", json={"language": "sv"})
    assert answer.status_code == 401
