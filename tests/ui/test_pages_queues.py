"""The start page's work queues, the job page's buttons and "waiting for" line, and the
assignment form, without a browser: per role, on the demo data (both backends)."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import User
from lims.config import Settings
from lims.jobs.models import Job, JobStatus
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in


@pytest.fixture
def jobs(engine: Engine, settings: Settings) -> dict[JobStatus, Job]:
    """The demo's jobs, one in each state, by their state."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        found = {JobStatus(job.status): job for job in db_session.exec(select(Job))}
        db_session.expunge_all()
    return found


def _csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


def _queue_ids(html: str) -> set[str]:
    return set(re.findall(r'id="queue-([a-z_]+)"', html))


def test_each_role_starts_on_the_queues_of_its_work(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    expected = {
        # The demo's measurer holds no authorisation to review, the quality manager none to
        # sign: a queue of work the service would refuse them is not theirs.
        "mittaaja": {"assigned", "unassigned"},
        "allekirjoittaja": {"assigned", "unassigned", "approval", "issue"},
        "laatu": {"requested", "review", "due_soon", "overdue"},
        "asiakas": {"in_progress", "documents"},
        "arvioija": set(),
    }
    for username, queues in expected.items():
        sign_in(client, username)
        page = client.get("/")
        assert page.status_code == 200
        assert _queue_ids(page.text) == queues, username
    sign_in(client, "laatu")
    requested = jobs[JobStatus.REQUESTED]
    home = client.get("/").text
    section = home[home.index('id="queue-requested"') : home.index('id="queue-review"')]
    assert f'href="/jobs/{requested.id}">{requested.number}</a>' in section
    assert "Ulkomikrometri 0-25 mm · SN 1001" in section


def test_the_measurer_finds_no_review_of_their_own_work(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    measured = jobs[JobStatus.MEASURED]
    sign_in(client, "mittaaja")
    assert 'id="queue-review"' not in client.get("/").text
    page = client.get(f"/jobs/{measured.id}").text
    assert 'data-step="reviewed"' not in page
    assert 'id="four-eyes"' in page
    sign_in(client, "laatu")
    page = client.get(f"/jobs/{measured.id}").text
    assert 'data-step="reviewed"' in page
    assert 'data-waiting="review"' in page
    assert "Matti Mittaaja" in page.split('id="waiting-for"')[1].split("</p>")[0]


def test_the_customer_sees_only_its_own_jobs_and_no_staff_names_in_waiting(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    sign_in(client, "kund")
    home = client.get("/").text
    assert "TY-" not in home
    sign_in(client, "asiakas")
    measured = jobs[JobStatus.MEASURED]
    page = client.get(f"/jobs/{measured.id}").text
    line = page.split('id="waiting-for"')[1].split("</p>")[0]
    assert 'data-waiting="review"' in line and "Mittaaja" not in line
    assert 'id="assignment"' not in page and "data-step" not in page
    assert f"/jobs/{measured.id}" in client.get("/").text


def test_the_board_says_what_each_job_waits_for(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    sign_in(client, "laatu")
    board = client.get("/jobs").text
    for waiting in ("acceptance", "review", "approval", "issue", "hold"):
        assert f'data-waiting="{waiting}"' in board


def test_a_manager_is_offered_the_technicians_to_assign_and_a_technician_to_take(
    client: TestClient, jobs: dict[JobStatus, Job], engine: Engine
) -> None:
    accepted = jobs[JobStatus.ACCEPTED]
    sign_in(client, "laatu")
    page = client.get(f"/jobs/{accepted.id}").text
    assert 'id="assign-to"' in page
    with Session(engine) as db_session:
        matti = db_session.exec(select(User).where(User.username == "mittaaja")).one()
    assert f'<option value="{matti.id}"' in page
    assert "Take this job" not in page
    sign_in(client, "mittaaja")
    page = client.get(f"/jobs/{accepted.id}").text
    assert 'id="assign-to"' not in page
    taken = client.put(
        f"/api/v1/jobs/{accepted.id}/assignment",
        json={"assigned_to_id": matti.id},
        headers=_csrf(client),
    )
    assert taken.status_code == 200, taken.text
    page = client.get(f"/jobs/{accepted.id}").text
    assert '<dd id="assignee">Matti Mittaaja</dd>' in page
    home = client.get("/").text
    assigned = home[home.index('id="queue-assigned"') : home.index('id="queue-unassigned"')]
    assert accepted.number in assigned


def test_an_auditor_and_another_customer_cannot_assign(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    accepted = jobs[JobStatus.ACCEPTED]
    sign_in(client, "arvioija")
    assert 'id="assignment"' not in client.get(f"/jobs/{accepted.id}").text
    refused = client.put(
        f"/api/v1/jobs/{accepted.id}/assignment",
        json={"assigned_to_id": None},
        headers=_csrf(client),
    )
    assert refused.status_code == 403
    sign_in(client, "kund")
    assert client.get(f"/jobs/{accepted.id}").status_code == 404
    hidden = client.put(
        f"/api/v1/jobs/{accepted.id}/assignment",
        json={"assigned_to_id": None},
        headers=_csrf(client),
    )
    assert hidden.status_code == 404


def test_markup_in_a_hold_reason_is_shown_as_text(
    client: TestClient, jobs: dict[JobStatus, Job]
) -> None:
    accepted = jobs[JobStatus.ACCEPTED]
    sign_in(client, "laatu")
    held = client.post(
        f"/api/v1/jobs/{accepted.id}/transitions",
        json={"to": "on_hold", "reason": "<script>alert(1)</script>"},
        headers=_csrf(client),
    )
    assert held.status_code == 200, held.text
    page = client.get(f"/jobs/{accepted.id}").text
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
