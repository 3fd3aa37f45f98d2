"""Several API processes at once (``lims serve --workers 3`` on PostgreSQL): signatories
issuing together get consecutive numbers, technicians editing one result together get one
success and conflicts (no lost update), a customer never sees another's records, and the
audit chain stays whole."""

import threading
from collections.abc import Callable
from pathlib import Path

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Role, User
from lims.competence.models import Activity
from lims.config import Settings
from lims.documents.models import Document
from lims.jobs.models import Result
from tests.documents.factories import approved_calibration
from tests.factories import bearer, make_organisation, make_user
from tests.jobs.factories import make_lab
from tests.production.conftest import point_cli_at
from tests.production.factories import colleague, replacement, result_in_measurement
from tests.served import all_at_once, serving
from tests.test_cli import run_cli

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
WORKERS = 3
ISSUES = 4
EDITS = 6


def test_several_workers_keep_numbers_results_isolation_and_the_audit_chain(
    pg_client: TestClient,
    pg_engine: Engine,
    pg_settings: Settings,
    pg_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lab = make_lab(pg_engine, pg_settings)
    signatories = [lab.signatory, colleague(pg_engine, lab, Role.SIGNATORY, Activity.SIGN)]
    technicians = [lab.technician, colleague(pg_engine, lab, Role.TECHNICIAN, Activity.PERFORM)]
    job_ids = [approved_calibration(pg_client, lab).job["id"] for _ in range(ISSUES)]
    measuring, first = result_in_measurement(pg_client, lab)
    stranger = make_user(pg_engine, Role.CUSTOMER, organisation=make_organisation(pg_engine))
    foreign_ids = [*job_ids, measuring.job["id"]]
    storm_over = threading.Event()
    leaks: list[str] = []

    with serving(
        database_url=pg_database_url, data_dir=Path(pg_settings.data_dir), workers=WORKERS
    ) as server:
        api = f"{server.url}/api/v1"

        def issue(job_id: int, signatory: User) -> Callable[[], httpx2.Response]:
            return lambda: httpx2.post(
                f"{api}/documents",
                json={"job_id": job_id},
                headers=bearer(pg_settings, signatory),
                timeout=300,
            )

        def edit(technician: User, shift: float) -> Callable[[], httpx2.Response]:
            return lambda: httpx2.post(
                f"{api}/jobs/{measuring.job['id']}/results",
                json=replacement(lab, first, shift),
                headers=bearer(pg_settings, technician),
                timeout=300,
            )

        def look_as_stranger() -> None:
            headers = bearer(pg_settings, stranger)
            with httpx2.Client(base_url=api, headers=headers, timeout=60) as client:
                while not storm_over.is_set():
                    if client.get("/jobs").json()["total"] != 0:
                        leaks.append("job board")
                    if client.get("/documents").json() != []:
                        leaks.append("documents")
                    for job_id in foreign_ids:
                        if client.get(f"/jobs/{job_id}").status_code != 404:
                            leaks.append(f"job {job_id}")

        watcher = threading.Thread(target=look_as_stranger)
        watcher.start()
        try:
            answers = all_at_once(
                [issue(job_id, signatories[n % 2]) for n, job_id in enumerate(job_ids)]
                + [edit(technicians[n % 2], shift=0.01 * n) for n in range(EDITS)]
            )
        finally:
            storm_over.set()
            watcher.join(timeout=120)

    issued, edits = answers[:ISSUES], answers[ISSUES:]
    assert [answer.status_code for answer in issued] == [201] * ISSUES, [a.text for a in issued]
    numbers = sorted(answer.json()["number"] for answer in issued)
    prefix = numbers[0][: -len("0001")]
    assert numbers == [f"{prefix}{n:04d}" for n in range(1, ISSUES + 1)]

    assert sorted(answer.status_code for answer in edits) == [200] + [409] * (EDITS - 1)
    (winner,) = [answer.json() for answer in edits if answer.status_code == 200]
    with Session(pg_engine) as db_session:
        stored = db_session.get(Result, first["id"])
        assert (stored.version, stored.value) == (2, winner["value"])
        assert len(db_session.exec(select(Document)).all()) == ISSUES

    assert leaks == []
    point_cli_at(monkeypatch, pg_database_url, pg_settings.data_dir)
    capsys.readouterr()
    assert run_cli("audit", "verify") == 0
    assert "audit chain intact" in capsys.readouterr().out
