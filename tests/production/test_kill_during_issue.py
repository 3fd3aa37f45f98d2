"""SIGKILL of the server while it issues: each document is whole (PDF stored, hash recorded,
audit event written, job reported) or absent, and the numbers run without gaps or twins."""

import threading
import time
from contextlib import suppress
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.audit.models import AuditEvent
from lims.audit.trail import verify_chain
from lims.config import Settings
from lims.documents.models import Document
from lims.jobs.models import Job, JobStatus
from lims.numbering import NumberSeries
from lims.storage import FileStore, store_in
from tests.documents.factories import approved_calibration
from tests.jobs.factories import Lab, make_lab
from tests.served import LimsServer

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

#: When to kill, as fractions of the time one undisturbed issue takes: early (checks and
#: data), mid-render, and about when it commits.
KILL_AT = (0.3, 0.7, 1.0)
SERIES = "document-calibration_certificate"


def post_issue(server: LimsServer, lab: Lab, job_id: int) -> httpx2.Response:
    return httpx2.post(
        f"{server.url}/api/v1/documents",
        json={"job_id": job_id},
        headers=lab.headers(lab.signatory),
        timeout=120,
    )


def issue_then_die(server: LimsServer, lab: Lab, job_id: int, after_seconds: float) -> None:
    def send() -> None:
        # The server dies under the request, as intended.
        with suppress(httpx2.TransportError):
            post_issue(server, lab, job_id)

    in_flight = threading.Thread(target=send)
    in_flight.start()
    time.sleep(after_seconds)
    server.kill()
    in_flight.join(timeout=60)


def assert_whole_or_absent(engine: Engine, store: FileStore, job_ids: list[int]) -> list[str]:
    """Every document complete, every other job untouched; the numbers it found."""
    with Session(engine) as db_session:
        documents = list(db_session.exec(select(Document).order_by(Document.number)))
        for document in documents:
            store.read(document.sha256)  # present, and its bytes match the recorded hash
            insert = db_session.exec(
                select(AuditEvent).where(
                    AuditEvent.entity_type == "document",
                    AuditEvent.entity_id == str(document.id),
                    AuditEvent.action == "insert",
                )
            ).all()
            assert len(insert) == 1, f"{document.number} has {len(insert)} insert events"
            assert db_session.get(Job, document.job_id).status == JobStatus.REPORTED
        issued = {document.job_id for document in documents}
        for job_id in set(job_ids) - issued:
            assert db_session.get(Job, job_id).status == JobStatus.APPROVED
        numbers = [document.number for document in documents]
        prefix = numbers[0][: -len("0001")] if numbers else ""
        assert numbers == [f"{prefix}{n:04d}" for n in range(1, len(numbers) + 1)]
        series = db_session.exec(
            select(NumberSeries).where(NumberSeries.series == SERIES)
        ).one_or_none()
        assert (series.last if series else 0) == len(numbers)
        assert verify_chain(db_session).first_break is None
    return numbers


def test_killed_mid_issue_the_server_leaves_whole_documents_or_none(
    pg_client: TestClient, pg_engine: Engine, pg_settings: Settings, pg_database_url: str
) -> None:
    lab = make_lab(pg_engine, pg_settings)
    job_ids = [approved_calibration(pg_client, lab).job["id"] for _ in range(len(KILL_AT) + 2)]
    store = store_in(pg_settings.data_dir)
    server = LimsServer(database_url=pg_database_url, data_dir=Path(pg_settings.data_dir))
    server.start()
    try:
        # One undisturbed issue measures how long the work to be interrupted takes.
        started = time.monotonic()
        assert post_issue(server, lab, job_ids[0]).status_code == 201
        duration = time.monotonic() - started

        outcomes = []
        for fraction, job_id in zip(KILL_AT, job_ids[1:], strict=False):
            issue_then_die(server, lab, job_id, after_seconds=duration * fraction)
            server.start()
            outcomes.append(len(assert_whole_or_absent(pg_engine, store, job_ids)))
        # At least one kill struck an issue in flight (else the test proved nothing).
        assert outcomes[0] == 1, f"documents after each kill: {outcomes}"

        # After the crashes every job still approved is issued; the numbers close up.
        for job_id in job_ids:
            with Session(pg_engine) as db_session:
                still_approved = db_session.get(Job, job_id).status == JobStatus.APPROVED
            if still_approved:
                assert post_issue(server, lab, job_id).status_code == 201
        assert len(assert_whole_or_absent(pg_engine, store, job_ids)) == len(job_ids)
    finally:
        server.kill()
