"""The start page's first-steps hint, without a browser (on SQLite and PostgreSQL): each role's
hint and where its link leads, and putting it away for good with the CSRF token."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import User
from lims.audit.models import AuditEvent
from lims.config import Settings
from lims.jobs.models import Job, JobStatus
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

HINT = 'class="first-steps"'
LINK = re.compile(r'<a class="button" id="first-step" href="([^"]+)">')
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> dict[JobStatus, int]:
    """The demo data; the id of its job in each status (it holds one of each)."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        return {
            JobStatus(job.status): job.id or 0
            for job in db_session.exec(select(Job).order_by(col(Job.id).desc()))
        }


def hint_link(client: TestClient) -> str | None:
    found = LINK.search(client.get("/").text)
    return found.group(1) if found else None


def dismiss(client: TestClient, token: str | None) -> int:
    form = {"csrf_token": token} if token is not None else {}
    return client.post("/first-steps/dismiss", data=form, follow_redirects=False).status_code


@pytest.mark.parametrize(
    ("username", "status", "section"),
    [
        ("mittaaja", JobStatus.IN_MEASUREMENT, ""),
        # A signatory who also measures is asked to approve; a quality manager who also
        # signs, to review.
        ("allekirjoittaja", JobStatus.REVIEWED, ""),
        ("laatu", JobStatus.MEASURED, ""),
        ("arvioija", JobStatus.REPORTED, "#documents"),
    ],
    ids=["technician", "signatory", "quality-manager", "auditor"],
)
def test_a_staff_members_hint_leads_straight_to_the_job_of_their_first_step(
    client: TestClient,
    demo: dict[JobStatus, int],
    username: str,
    status: JobStatus,
    section: str,
) -> None:
    sign_in(client, username)
    link = hint_link(client)
    assert link == f"/jobs/{demo[status]}{section}"
    job_page = client.get(link).text
    assert f"badge-{status.value}" in job_page
    if username == "arvioija":
        assert 'id="export-records"' in job_page  # the bundle download is right there
    if username == "mittaaja":
        assert "result-form" in job_page  # the readings are entered on that page


@pytest.mark.parametrize(
    ("username", "link"),
    [("asiakas", "/jobs/new"), ("admin", "/staff")],
    ids=["customer", "admin"],
)
def test_a_customers_and_an_admins_hint_lead_to_their_screens(
    client: TestClient, demo: dict[JobStatus, int], username: str, link: str
) -> None:
    sign_in(client, username)
    assert hint_link(client) == link
    assert client.get(link).status_code == 200


def test_the_hint_is_a_region_with_a_heading_in_the_users_language(
    client: TestClient, demo: dict[JobStatus, int]
) -> None:
    sign_in(client, "mittaaja")  # reads Finnish
    page = client.get("/").text
    assert '<section class="first-steps" aria-labelledby="first-steps-heading"' in page
    assert '<h2 id="first-steps-heading">Aloita tästä</h2>' in page
    assert "Avaa mittausta odottava työ" in page and ">Selvä</button>" in page


def test_dismissing_needs_the_sessions_csrf_token(
    client: TestClient, demo: dict[JobStatus, int]
) -> None:
    sign_in(client, "mittaaja")
    assert dismiss(client, None) == 403
    assert dismiss(client, "not-the-token") == 403
    assert HINT in client.get("/").text
    # Another session's token is no better than a made-up one.
    other = client.cookies.get("lims_csrf")
    sign_in(client, "mittaaja")
    assert dismiss(client, other) == 403
    assert HINT in client.get("/").text


def test_dismissing_hides_it_for_that_user_only_and_for_good(
    client: TestClient, engine: Engine, demo: dict[JobStatus, int]
) -> None:
    sign_in(client, "mittaaja")
    # The token the page itself carries: the form works without any script.
    token = TOKEN.search(client.get("/").text)
    assert token is not None
    answer = client.post(
        "/first-steps/dismiss", data={"csrf_token": token.group(1)}, follow_redirects=False
    )
    assert (answer.status_code, answer.headers["location"]) == (303, "/")
    assert HINT not in client.get("/").text
    sign_in(client, "mittaaja")  # a new session, as from another browser
    assert HINT not in client.get("/").text
    assert dismiss(client, client.cookies.get("lims_csrf")) == 303  # again: no harm done
    sign_in(client, "allekirjoittaja")
    assert HINT in client.get("/").text
    with Session(engine) as db_session:
        mittaaja = db_session.exec(select(User).where(User.username == "mittaaja")).one()
        events = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "user_account",
                AuditEvent.entity_id == str(mittaaja.id),
                AuditEvent.actor == "mittaaja",
            )
        ).all()
    assert mittaaja.first_steps_dismissed_at is not None
    assert len(events) == 1  # one audited change, by the person, however often dismissed


def test_an_auditor_puts_away_their_own_hint(
    client: TestClient, demo: dict[JobStatus, int]
) -> None:
    sign_in(client, "arvioija")
    assert dismiss(client, client.cookies.get("lims_csrf")) == 303
    assert HINT not in client.get("/").text


def test_a_signed_out_caller_is_sent_to_the_login_page(client: TestClient) -> None:
    answer = client.post("/first-steps/dismiss", data={"csrf_token": "x"}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")
