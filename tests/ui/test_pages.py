"""The pages without a browser: who gets which page, signed-out callers, confidentiality,
and each user's language with its number formats (on SQLite and PostgreSQL)."""

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import Organisation
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.models import Agreement, Quotation
from lims.equipment.models import Equipment
from lims.jobs.models import Job, JobStatus
from lims.methods.models import Method
from tests.conftest import load_demo
from tests.contracts.factories import make_quotation
from tests.ui.conftest import password_of

STAFF = ("admin", "laatu", "mittaaja", "allekirjoittaja")
PAGES = (
    "/",
    "/jobs",
    "/jobs?status=approved&sort=-created_at&page=1",
    "/jobs/new",
    "/jobs/{job}",
    "/equipment",
    "/equipment/{equipment}",
    "/methods",
    "/methods/{method}",
    "/scope",
    "/staff",
    "/agreements",
    "/agreements/{agreement}",
    "/prices",
    "/price-lists/{price_list}",
    "/quotations",
    "/quotations/{quotation}",
    "/uncertainty",
    "/audit",
    "/audit?entity=job:{job}",
    "/account",
)
# The lab's own registers and its audit trail are not the customer's to read; the services
# refuse them.
NOT_FOR_CUSTOMERS = {"/equipment", "/equipment/{equipment}", "/methods", "/methods/{method}",
                     "/staff", "/uncertainty", "/audit", "/audit?entity=job:{job}"}  # fmt: skip
# Auditors read everything and change nothing: they have no job to submit.
NOT_FOR_AUDITORS = {"/jobs/new"}


@dataclass
class Demo:
    ids: dict[str, int]
    other_customer: str  # a customer of another organisation than the records'


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> Demo:
    """The demo data, and one quotation for the annual customer."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == "1234567-1")
        ).one()
        approved = db_session.exec(
            select(Job).where(Job.status == JobStatus.APPROVED, Job.organisation_id == konepaja.id)
        ).first()
        agreement = db_session.exec(
            select(Agreement).where(Agreement.organisation_id == konepaja.id)
        ).first()
        equipment = db_session.exec(select(Equipment).order_by(col(Equipment.id))).first()
        method = db_session.exec(select(Method).order_by(col(Method.id))).first()
    today = local_today(settings.timezone)
    quotation: Quotation = make_quotation(
        engine, settings, konepaja, issued_on=today, valid_until=today + timedelta(days=30)
    )
    assert approved and agreement and equipment and method
    return Demo(
        ids={
            "job": approved.id or 0,
            "agreement": agreement.id or 0,
            "equipment": equipment.id or 0,
            "method": method.id or 0,
            "price_list": 1,
            "quotation": quotation.id or 0,
        },
        other_customer="kund",
    )


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/api/v1/auth/login", json={"username": username, "password": password_of(username)}
    )
    assert answer.status_code == 200, answer.text


def test_every_page_answers_each_role_as_its_rights_say(client: TestClient, demo: Demo) -> None:
    expected: dict[str, dict[str, int]] = {
        **{user: dict.fromkeys(PAGES, 200) for user in STAFF},
        "arvioija": {page: 403 if page in NOT_FOR_AUDITORS else 200 for page in PAGES},
        "asiakas": {page: 403 if page in NOT_FOR_CUSTOMERS else 200 for page in PAGES},
    }
    wrong = []
    for user, pages in expected.items():
        sign_in(client, user)
        for page, status in pages.items():
            answer = client.get(page.format(**demo.ids))
            if answer.status_code != status or "text/html" not in answer.headers["content-type"]:
                wrong.append((user, page, answer.status_code, status))
    assert wrong == []


def test_signed_out_callers_are_sent_to_the_login_page(client: TestClient) -> None:
    ids = dict.fromkeys(("job", "equipment", "method", "agreement", "price_list", "quotation"), 1)
    for page in PAGES:
        answer = client.get(page.format(**ids), follow_redirects=False)
        assert answer.status_code == 303, page
        location = answer.headers["location"]
        assert location == "/login" if page == "/" else location.startswith("/login?next=/")
    assert client.get("/no-such-screen", follow_redirects=False).status_code == 404


def test_the_login_page_returns_to_where_the_caller_was_going(client: TestClient) -> None:
    answer = client.get("/jobs/3", follow_redirects=True)
    assert answer.url.path == "/login"
    assert 'data-next="/jobs/3"' in answer.text
    # Only a path on this site: never an address elsewhere.
    assert 'data-next="/"' in client.get("/login?next=//evil.example/").text


def test_a_page_number_past_any_board_is_not_found_like_any_bad_address(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    for listing in ("/jobs", "/documents"):
        answer = client.get(f"{listing}?page=99999999999999999999")
        # Beyond the bound it is an address that does not exist, as /jobs/not-a-number is.
        assert answer.status_code == 404, listing
        assert "text/html" in answer.headers["content-type"]


def test_a_customer_gets_404_for_another_customers_records(client: TestClient, demo: Demo) -> None:
    sign_in(client, demo.other_customer)
    for page in ("/jobs/{job}", "/agreements/{agreement}", "/quotations/{quotation}",
                 "/jobs/987654"):  # fmt: skip
        answer = client.get(page.format(**demo.ids))
        assert answer.status_code == 404, page
        assert 'id="not-found"' in answer.text
        assert "Konepaja" not in answer.text and "TY-" not in answer.text
    assert client.get("/jobs/not-a-number").status_code == 404
    board = client.get("/jobs").text
    assert "Konepaja" not in board and "TY-" not in board
    # The audit history of another customer's job shows none of its events.
    history = client.get("/audit?entity=job:{job}".format(**demo.ids)).text
    assert 'class="event"' not in history and "Konepaja" not in history


def test_pages_speak_the_users_language_with_its_number_formats(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "mittaaja")  # the demo users read Finnish
    job = "/jobs/{job}".format(**demo.ids)
    finnish = client.get(job).text
    assert '<html lang="fi">' in finnish and "Työ TY-" in finnish
    assert "0,43" in finnish  # decimal comma
    assert re.search(r"<dd>\d{1,2}\.\d{1,2}\.20\d\d", finnish)  # 11.12.2026
    me = client.get("/api/v1/auth/me").json()
    csrf = client.cookies.get("lims_csrf")
    changed = client.patch(
        f"/api/v1/users/{me['id']}", json={"language": "en"}, headers={"x-csrf-token": csrf}
    )
    assert changed.status_code == 200, changed.text
    english = client.get(job).text
    assert '<html lang="en">' in english and "Job TY-" in english
    assert "0.43" in english and "0,43" not in english
    assert re.search(r"<dd>\d{1,2} [A-Z][a-z]{2} 20\d\d", english)  # 11 Dec 2026
