"""The competence, training and RR-test pages without a browser: who gets which page,
signed-out callers, a customer of another organisation, and hostile names shown as text."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import User
from lims.config import Settings
from lims.db import persisted_id
from lims.training.models import Enrolment, RRTest, TrainingProgramme
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")
PAGES = (
    "/staff",
    "/training",
    "/training/programmes/{programme}",
    "/training/enrolments/{enrolment}",
    "/training/enrolments/{customer_enrolment}",
    "/rr-tests",
    "/rr-tests/new",
    "/rr-tests/{rr_test}",
)
# The lab's registers of staff, programmes and methods are not a customer's to read; a
# customer reads its own staff's enrolments and RR tests (the demo's RR test is the lab's).
FOR_CUSTOMERS = {"/training/enrolments/{customer_enrolment}": 200, "/rr-tests": 200,
                 "/training/enrolments/{enrolment}": 404, "/rr-tests/{rr_test}": 404}  # fmt: skip


@pytest.fixture
def ids(engine: Engine, settings: Settings) -> dict[str, int]:
    load_demo(engine, settings)
    with Session(engine) as db_session:
        customer = db_session.exec(select(User).where(User.username == "asiakas")).one()
        enrolments = list(db_session.exec(select(Enrolment)))
        return {
            "programme": persisted_id(db_session.exec(select(TrainingProgramme)).one()),
            "enrolment": next(persisted_id(e) for e in enrolments if e.user_id != customer.id),
            "customer_enrolment": next(
                persisted_id(e) for e in enrolments if e.user_id == customer.id
            ),
            "rr_test": persisted_id(db_session.exec(select(RRTest)).one()),
        }


def test_each_role_gets_the_competence_and_training_pages_its_rights_allow(
    client: TestClient, ids: dict[str, int]
) -> None:
    expected = {
        **{user: dict.fromkeys(PAGES, 200) for user in STAFF},
        "arvioija": dict.fromkeys(PAGES, 200),
        "asiakas": {page: FOR_CUSTOMERS.get(page, 403) for page in PAGES},
        # Another customer's enrolment is as absent as one never made.
        "kund": {page: 403 if page not in FOR_CUSTOMERS else 404 for page in PAGES}
        | {"/rr-tests": 200},
    }
    wrong = []
    for user, pages in expected.items():
        sign_in(client, user)
        for page, status in pages.items():
            answer = client.get(page.format(**ids))
            if answer.status_code != status or "text/html" not in answer.headers["content-type"]:
                wrong.append((user, page, answer.status_code, status))
    assert wrong == []


def test_signed_out_callers_are_sent_to_log_in_first(client: TestClient) -> None:
    ids = dict.fromkeys(("programme", "enrolment", "customer_enrolment", "rr_test"), 1)
    for page in PAGES:
        answer = client.get(page.format(**ids), follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=/"), page


def test_unknown_and_malformed_addresses_are_not_found(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    for page in ("/training/programmes/987654", "/training/enrolments/987654",
                 "/rr-tests/987654", "/rr-tests/abc"):  # fmt: skip
        answer = client.get(page)
        assert answer.status_code == 404, page
        assert "text/html" in answer.headers["content-type"]
    # A path that climbs out leads to no page at all, and reads no file.
    climbing = client.get("/training/programmes/..%2F..%2Fetc%2Fpasswd")
    assert climbing.status_code == 404
    assert "root:" not in climbing.text
