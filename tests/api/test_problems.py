"""Bad input over HTTP: RFC 9457 problems with the right status, and nothing changed."""

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field
from sqlalchemy import Engine

from lims.app import create_app
from lims.config import Settings
from lims.logs import JsonFormatter
from tests.conftest import row_counts

PROBLEM_FIELDS = {"type", "title", "status", "detail", "instance", "request_id"}


class Probe(BaseModel):
    name: str = Field(min_length=1)
    count: int = Field(gt=0)


@pytest.fixture
def probed_app(settings: Settings) -> Iterator[FastAPI]:
    """An application of its own with two probe routes: one that validates a body, one that
    fails."""
    app = create_app(settings)

    @app.post("/api/v1/probe")
    def probe(body: Probe) -> Probe:
        return body

    @app.get("/api/v1/crash")
    def crash() -> None:
        raise RuntimeError("secret internal detail")

    yield app
    app.state.engine.dispose()


@pytest.fixture
def probe_client(probed_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(probed_app, raise_server_exceptions=False) as client:
        yield client


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert set(body) >= PROBLEM_FIELDS
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def test_unknown_route_is_a_404_problem(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/no-such-thing"), 404)
    assert body["detail"] == "There is nothing at /api/v1/no-such-thing."


def test_wrong_method_is_a_405_problem_with_allow(client: TestClient) -> None:
    response = client.delete("/api/v1/health")
    body = assert_problem(response, 405)
    assert "DELETE is not allowed" in body["detail"]
    assert response.headers["allow"] == "GET"


def test_malformed_json_is_a_400_problem(probe_client: TestClient) -> None:
    response = probe_client.post(
        "/api/v1/probe", content=b'{"name": "a",', headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 400)
    assert body["title"] == "Malformed JSON"


def test_wrong_types_name_the_field_and_say_what_to_fix(probe_client: TestClient) -> None:
    body = assert_problem(probe_client.post("/api/v1/probe", json={"name": "", "count": "x"}), 422)
    fields = {error["field"]: error["message"] for error in body["errors"]}
    assert set(fields) == {"name", "count"}
    assert "at least 1 character" in fields["name"]
    assert "valid integer" in fields["count"]
    assert body["detail"].startswith("Please correct the request: ")


def test_oversize_body_is_a_413_problem(client: TestClient, settings: Settings) -> None:
    oversize = b"[" + b"0," * settings.max_request_bytes + b"0]"
    response = client.post(
        "/api/v1/probe", content=oversize, headers={"content-type": "application/json"}
    )
    body = assert_problem(response, 413)
    assert str(settings.max_request_bytes) in body["detail"]


def test_oversize_streamed_body_without_length_is_a_413_problem(
    probe_client: TestClient, settings: Settings
) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"name": "'
        for _ in range(settings.max_request_bytes // 65536 + 2):
            yield b"x" * 65536
        yield b'", "count": 1}'

    response = probe_client.post(
        "/api/v1/probe", content=chunks(), headers={"content-type": "application/json"}
    )
    assert_problem(response, 413)


def test_server_error_is_a_500_problem_without_internals(probe_client: TestClient) -> None:
    response = probe_client.get("/api/v1/crash")
    body = assert_problem(response, 500)
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text
    assert body["request_id"] in body["detail"] or "request id" in body["detail"]


def test_request_id_appears_in_the_json_log_line_and_the_problem(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    request_logger = logging.getLogger("lims.request")
    request_logger.addHandler(caplog.handler)
    try:
        response = client.get("/api/v1/missing", headers={"x-request-id": "bench-cell-0042"})
    finally:
        request_logger.removeHandler(caplog.handler)
    assert response.json()["request_id"] == "bench-cell-0042"
    logged = [r for r in caplog.records if getattr(r, "request_id", None) == "bench-cell-0042"]
    assert logged
    assert {record.status for record in logged} == {404}
    line = json.loads(JsonFormatter().format(logged[0]))
    assert line["request_id"] == "bench-cell-0042"
    assert line["path"] == "/api/v1/missing"


def test_hostile_request_id_is_replaced(client: TestClient) -> None:
    response = client.get("/api/v1/health", headers={"x-request-id": "x\r\nSet-Cookie: a=b"})
    assert response.headers["x-request-id"] != "x\r\nSet-Cookie: a=b"
    assert len(response.headers["x-request-id"]) == 32


def test_refused_requests_change_nothing(probe_client: TestClient, engine: Engine) -> None:
    before = row_counts(engine)
    probe_client.post("/api/v1/probe", content=b"{", headers={"content-type": "application/json"})
    probe_client.post("/api/v1/probe", json={"name": 1})
    probe_client.post("/api/v1/probe", content=json.dumps(["x"] * 10**6))
    probe_client.put("/api/v1/health")
    assert row_counts(engine) == before
