"""The job lock at its narrowest: a request that read the job before another took the lock
waits for that one to commit, then reads the job again and finds the step already taken."""

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.auth import principal_for
from lims.config import Settings
from lims.documents import service as documents
from lims.documents.models import DocumentState
from lims.errors import Conflict
from lims.jobs import service as jobs
from lims.jobs.models import JobStatus, JobTransition
from tests.documents.factories import approved_calibration, issue
from tests.jobs.factories import Lab, make_lab
from tests.production.factories import result_in_measurement

#: Seconds the holder keeps the lock once the other request waits for it.
HELD = 0.5


def while_locked(
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    job_id: int,
    contender: Callable[[Session], Any],
    holder: Callable[[Session], Any],
) -> BaseException | None:
    """Take the job's lock, start ``contender`` in a thread, and once it waits at the lock
    (having read what it reads before), run ``holder`` under the lock and commit.  What the
    contender raised, if anything."""
    lock_job = jobs.lock_job
    waiting = threading.Event()
    raised: list[BaseException] = []

    def lock_in_turn(db_session: Session, locked_id: int) -> Any:
        if threading.current_thread() is not threading.main_thread():
            waiting.set()
        return lock_job(db_session, locked_id)

    def contend() -> None:
        with Session(engine) as db_session:
            try:
                contender(db_session)
            except BaseException as error:  # handed to the test to assert on
                raised.append(error)

    monkeypatch.setattr(jobs, "lock_job", lock_in_turn)
    with Session(engine) as db_session:
        lock_job(db_session, job_id)
        thread = threading.Thread(target=contend)
        thread.start()
        assert waiting.wait(timeout=30)
        thread.join(timeout=HELD)
        assert thread.is_alive(), "the contender did not wait for the lock"
        holder(db_session)
    thread.join(timeout=30)
    return raised[0] if raised else None


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def test_an_approval_waiting_for_the_lock_finds_the_job_approved_and_is_refused(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    lab: Lab,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job, _ = result_in_measurement(client, lab)
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job_id = job.job["id"]
    signatory = principal_for(lab.signatory, via="password")

    def approve(db_session: Session) -> None:
        # A copy of the job read before the lock stays in the session: the lock replaces it.
        seen = jobs.get_job(db_session, actor=signatory, job_id=job_id)
        jobs.transition(
            db_session,
            actor=signatory,
            job_id=job_id,
            to=JobStatus.APPROVED,
            reason=None,
            settings=settings,
        )
        assert seen.status == JobStatus.APPROVED

    refused = while_locked(engine, monkeypatch, job_id, contender=approve, holder=approve)

    assert isinstance(refused, Conflict), refused
    with Session(engine) as db_session:
        approvals = db_session.exec(
            select(JobTransition).where(
                JobTransition.job_id == job_id, JobTransition.to_status == JobStatus.APPROVED
            )
        ).all()
    assert len(approvals) == 1


def test_a_withdrawal_waiting_for_the_lock_finds_the_document_withdrawn_and_is_refused(
    client: TestClient,
    engine: Engine,
    lab: Lab,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    job = approved_calibration(client, lab)
    certificate = issue(client, lab, job_id=job.job["id"])
    signatory = principal_for(lab.signatory, via="password")

    def withdraw(db_session: Session) -> None:
        documents.withdraw(
            db_session,
            actor=signatory,
            document_id=certificate["id"],
            reason="Issued for the wrong item.",
        )

    refused = while_locked(engine, monkeypatch, job.job["id"], contender=withdraw, holder=withdraw)

    assert isinstance(refused, Conflict), refused
    assert "already withdrawn" in str(refused)
    with Session(engine) as db_session:
        document = documents.get_document(
            db_session, actor=signatory, document_id=certificate["id"]
        )
        assert document.state == DocumentState.WITHDRAWN
