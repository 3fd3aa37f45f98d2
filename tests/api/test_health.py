"""Liveness and readiness."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from lims import __version__
from lims.app import create_app
from lims.config import Settings


def test_health_answers_while_the_process_is_up(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_ready_when_the_database_is_migrated_to_head(client: TestClient) -> None:
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"


def test_not_ready_before_migrations(
    make_settings: Callable[..., Settings], empty_database_url: str
) -> None:
    app = create_app(make_settings(database_url=empty_database_url))
    with TestClient(app) as client:
        response = client.get("/api/v1/ready")
    app.state.engine.dispose()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "lims db upgrade" in response.json()["detail"]


def test_not_ready_when_the_database_cannot_be_reached(
    make_settings: Callable[..., Settings],
) -> None:
    unreachable = "postgresql+psycopg://nobody:wrong@127.0.0.1:1/none"
    app = create_app(make_settings(database_url=unreachable))
    with TestClient(app) as client:
        response = client.get("/api/v1/ready")
    assert response.status_code == 503
    assert response.json()["detail"] == "The database cannot be reached."


def test_start_page_sends_visitors_to_log_in_and_docs_are_served(client: TestClient) -> None:
    start = client.get("/", follow_redirects=False)
    assert (start.status_code, start.headers["location"]) == (303, "/login")
    assert 'autocomplete="current-password"' in client.get("/login").text
    assert client.get("/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").json()["info"]["title"].endswith("LIMS")
