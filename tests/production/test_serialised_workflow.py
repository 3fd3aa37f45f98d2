"""Twenty identical requests at once against a real ``lims serve`` (SQLite with one worker,
PostgreSQL with three): approving a job, issuing its certificate, revising it and
withdrawing it each succeed once; the others are refused with 409 because the job's lock
makes them wait and then find the step taken, never a 5xx or "database is locked"."""

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import User
from lims.app import create_app
from lims.audit.models import AuditEvent
from lims.config import Settings
from lims.db import make_engine
from lims.documents.models import Document, DocumentState
from lims.documents.signing import create_demo_signing_key
from lims.jobs.models import JobStatus, JobTransition
from tests.conftest import migrated_sqlite_url, throwaway_postgres_database
from tests.documents.factories import approved_calibration, issue
from tests.jobs.factories import JobDriver, Lab, make_lab
from tests.production.factories import result_in_measurement
from tests.served import LimsServer, all_at_once, serving

pytestmark = pytest.mark.slow
STORM = 20
WORKERS = {"sqlite": 1, "postgres": 3}


@dataclass
class Site:
    """One backend: its database, an in-process client to prepare jobs, and the server."""

    client: TestClient
    engine: Engine
    lab: Lab
    server: LimsServer

    def storm(
        self, path: str, body: dict[str, Any], by: User | None = None, method: str = "POST"
    ) -> list[httpx2.Response]:
        """``STORM`` identical requests (POSTs unless ``method`` says) by ``by`` (the lab's
        signatory unless named), released together."""
        headers = self.lab.headers(by or self.lab.signatory)

        def send() -> httpx2.Response:
            return httpx2.request(
                method, f"{self.server.url}/api/v1{path}", json=body, headers=headers, timeout=300
            )

        calls: list[Callable[[], httpx2.Response]] = [send] * STORM
        return all_at_once(calls)


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """One served process per backend for the module's four storms."""
    folder = tmp_path_factory.mktemp("storms")
    workers = WORKERS[request.param]
    if request.param == "sqlite":
        yield from _site(migrated_sqlite_url(folder / "lims.sqlite3"), folder, workers)
        return
    with throwaway_postgres_database(migrated=True) as database_url:
        yield from _site(database_url, folder, workers)


def _site(database_url: str, folder: Path, workers: int) -> Iterator[Site]:
    settings = Settings(data_dir=folder / "data", database_url=database_url, environment="test")
    create_demo_signing_key(settings)
    application = create_app(settings)
    engine = make_engine(database_url)
    lab = make_lab(engine, settings)
    with (
        TestClient(application, raise_server_exceptions=False) as client,
        serving(database_url=database_url, data_dir=settings.data_dir, workers=workers) as server,
    ):
        yield Site(client, engine, lab, server)
    engine.dispose()
    application.state.engine.dispose()


def assert_one_success(answers: list[httpx2.Response], success: int) -> dict[str, Any]:
    """One ``success``, a clear 409 for every other request; the winner's body."""
    codes = Counter(answer.status_code for answer in answers)
    failed = [answer.text for answer in answers if answer.status_code not in (success, 409)]
    assert codes == {success: 1, 409: STORM - 1}, (codes, failed[:3])
    for answer in answers:
        assert "database is locked" not in answer.text
        if answer.status_code == 409:
            assert answer.headers["content-type"] == "application/problem+json"
            assert answer.json()["detail"], answer.text
    (winner,) = [answer.json() for answer in answers if answer.status_code == success]
    return winner


def reviewed_job(site: Site) -> JobDriver:
    job, _ = result_in_measurement(site.client, site.lab)
    job.step("measured", site.lab.technician)
    job.step("reviewed", site.lab.reviewer)
    return job


def issued_certificate(site: Site) -> tuple[JobDriver, dict[str, Any]]:
    job = approved_calibration(site.client, site.lab)
    return job, issue(site.client, site.lab, job_id=job.job["id"])


def documents_of(site: Site, job_id: int) -> list[Document]:
    with Session(site.engine) as db_session:
        return list(db_session.exec(select(Document).where(Document.job_id == job_id)))


def test_twenty_parallel_approvals_approve_the_job_once(site: Site) -> None:
    job = reviewed_job(site)

    answers = site.storm(f"/jobs/{job.job['id']}/transitions", {"to": "approved"})

    assert assert_one_success(answers, 200)["status"] == JobStatus.APPROVED
    with Session(site.engine) as db_session:
        steps = db_session.exec(
            select(JobTransition).where(
                JobTransition.job_id == job.job["id"], JobTransition.to_status == JobStatus.APPROVED
            )
        ).all()
    assert len(steps) == 1


def test_twenty_parallel_issues_give_the_job_one_certificate(site: Site) -> None:
    job = approved_calibration(site.client, site.lab)

    answers = site.storm("/documents", {"job_id": job.job["id"]})

    winner = assert_one_success(answers, 201)
    assert [document.number for document in documents_of(site, job.job["id"])] == [winner["number"]]
    with Session(site.engine) as db_session:
        reported = db_session.exec(
            select(JobTransition).where(
                JobTransition.job_id == job.job["id"], JobTransition.to_status == JobStatus.REPORTED
            )
        ).all()
    assert len(reported) == 1


def test_twenty_parallel_revisions_supersede_the_certificate_once(site: Site) -> None:
    job, certificate = issued_certificate(site)

    answers = site.storm(
        f"/documents/{certificate['id']}/revisions",
        {"reason": "The customer's address was misspelt.", "reason_class": "editorial"},
    )

    winner = assert_one_success(answers, 201)
    documents = {document.number: document for document in documents_of(site, job.job["id"])}
    assert sorted(documents) == sorted([certificate["number"], winner["number"]])
    assert documents[certificate["number"]].state == DocumentState.SUPERSEDED
    assert documents[winner["number"]].state == DocumentState.ISSUED


def test_twenty_parallel_withdrawals_withdraw_the_certificate_once(site: Site) -> None:
    job, certificate = issued_certificate(site)

    answers = site.storm(
        f"/documents/{certificate['id']}/withdrawal", {"reason": "Issued for the wrong item."}
    )

    assert assert_one_success(answers, 200)["state"] == DocumentState.WITHDRAWN
    (document,) = documents_of(site, job.job["id"])
    assert document.state == DocumentState.WITHDRAWN
    with Session(site.engine) as db_session:
        withdrawals = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "document",
                AuditEvent.entity_id == str(certificate["id"]),
                AuditEvent.action == "update",
            )
        ).all()
    assert len(withdrawals) == 1
