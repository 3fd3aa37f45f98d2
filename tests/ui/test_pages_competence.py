"""The competence, training and RR-test pages without a browser: who gets which page,
signed-out callers, a customer of another organisation, and hostile names shown as text."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import User
from lims.competence.models import Authorisation
from lims.config import Settings
from lims.db import persisted_id
from lims.training.models import Enrolment, RRTest, TrainingProgramme
from lims.ui.competence import cell_of
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


def test_markup_in_names_is_shown_as_text_on_the_training_and_rr_pages(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    csrf = {"x-csrf-token": client.cookies.get("lims_csrf") or ""}
    hostile = "<script>alert(1)</script>"
    programme = client.post(
        "/api/v1/training/programmes",
        json={"code": "KOUL-X", "name_fi": hostile, "name_en": hostile, "kind": "adult"},
        headers=csrf,
    )
    assert programme.status_code == 201, programme.text
    enrolment = client.post(
        "/api/v1/training/enrolments",
        json={"programme_id": programme.json()["id"], "participant_name": hostile,
              "enrolled_on": "2026-03-01"},
        headers=csrf,
    )  # fmt: skip
    assert enrolment.status_code == 201, enrolment.text
    for page in ("/training", f"/training/programmes/{programme.json()['id']}",
                 f"/training/enrolments/{enrolment.json()['id']}"):  # fmt: skip
        html = client.get(page).text
        assert hostile not in html, page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, page


def test_a_grant_with_evidence_too_long_or_without_a_basis_is_refused_by_the_api(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    csrf = {"x-csrf-token": client.cookies.get("lims_csrf") or ""}
    staff = {user["username"]: user["id"] for user in client.get("/api/v1/users").json()}
    grant = {"method_id": 1, "activity": "review", "basis": "training",
             "basis_reference": "x" * 501, "granted_on": "2026-03-01"}  # fmt: skip
    url = f"/api/v1/staff/{staff['mittaaja']}/authorisations"
    assert client.post(url, json=grant, headers=csrf).status_code == 422
    del grant["basis"]
    grant["basis_reference"] = "kurssi"
    assert client.post(url, json=grant, headers=csrf).status_code == 422


@pytest.mark.parametrize(
    ("granted", "expected"),
    [
        ({"granted_on": date(2026, 1, 1)}, "valid"),
        ({"granted_on": date(2026, 1, 1), "valid_until": date(2026, 5, 31)}, "expired"),
        ({"granted_on": date(2026, 1, 1), "withdrawn_on": date(2026, 6, 1)}, "withdrawn"),
        ({"granted_on": date(2026, 7, 1)}, "future"),
    ],
)
def test_a_matrix_cell_says_whether_the_authorisation_holds_on_the_day(
    granted: dict[str, date], expected: str
) -> None:
    authorisation = Authorisation(
        user_id=1, method_id=1, activity="review", basis="training", basis_reference="kurssi",
        granted_by="laatu", **granted,
    )  # fmt: skip
    cell = cell_of([authorisation], date(2026, 6, 15))
    assert cell is not None and cell.state == expected
    assert cell_of([], date(2026, 6, 15)) is None


def test_an_auditor_may_evaluate_a_study_but_is_offered_no_way_to_record_it(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "arvioija")
    page = client.get("/rr-tests/new").text
    assert 'id="rr-evaluate"' in page and 'id="rr-save"' not in page
    sign_in(client, "laatu")
    assert 'id="rr-save"' in client.get("/rr-tests/new").text
