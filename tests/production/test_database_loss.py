"""Losing the database mid-request gives a clean 503 problem, and service resumes by itself."""

import threading
import time

import psycopg
import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.factories import bearer, make_user
from tests.production.conftest import PostgresServer

pytestmark = pytest.mark.postgres


def assert_database_unavailable(response: Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    problem = response.json()
    assert problem["type"].endswith("/database-unavailable")
    assert "try again" in problem["detail"]
    assert problem["request_id"] == response.headers["x-request-id"]


def wait_for_a_blocked_session(server: PostgresServer, timeout: float = 20.0) -> int:
    """The pid of the request's session once it waits on the lock the test holds."""
    deadline = time.monotonic() + timeout
    with server.admin() as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (server.name,),
            ).fetchone()
            if row:
                return int(row[0])
            time.sleep(0.05)
    raise AssertionError("the request never reached the locked table")


def test_connection_killed_mid_request_answers_503_then_the_next_request_succeeds(
    pg_client: TestClient,
    pg_engine: Engine,
    pg_settings: Settings,
    pg_database_url: str,
    server: PostgresServer,
) -> None:
    headers = bearer(pg_settings, make_user(pg_engine, Role.TECHNICIAN))
    answers: list[Response] = []
    # The test holds the job table, so the job board's query waits mid-request; then its
    # session is killed under it, as a failing database server would.
    locker = psycopg.connect(pg_database_url.replace("postgresql+psycopg", "postgresql"))
    locker.execute("LOCK TABLE job IN ACCESS EXCLUSIVE MODE")
    request = threading.Thread(
        target=lambda: answers.append(pg_client.get("/api/v1/jobs", headers=headers))
    )
    request.start()
    try:
        victim = wait_for_a_blocked_session(server)
        with server.admin() as connection:
            connection.execute("SELECT pg_terminate_backend(%s)", (victim,))
        request.join(timeout=30)
    finally:
        locker.rollback()
        locker.close()

    assert_database_unavailable(answers[0])
    assert pg_client.get("/api/v1/jobs", headers=headers).status_code == 200


def test_database_away_answers_503_until_it_returns(
    pg_client: TestClient, pg_engine: Engine, pg_settings: Settings, server: PostgresServer
) -> None:
    headers = bearer(pg_settings, make_user(pg_engine, Role.TECHNICIAN))
    assert pg_client.get("/api/v1/jobs", headers=headers).status_code == 200

    server.allow_connections(False)
    server.terminate_sessions()
    assert_database_unavailable(pg_client.get("/api/v1/jobs", headers=headers))
    assert pg_client.get("/api/v1/ready").status_code == 503

    server.allow_connections(True)
    assert pg_client.get("/api/v1/jobs", headers=headers).status_code == 200
    assert pg_client.get("/api/v1/ready").status_code == 200
