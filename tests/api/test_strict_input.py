"""Findings of the hostile-input run, each fixed in the API layer: requests the OpenAPI
document calls invalid are refused (422, naming the field) instead of coerced, and values
beyond what the database holds are refused instead of failing with a 500."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine
from tests.conftest import migrated_sqlite_url, row_counts, throwaway_postgres_database
from tests.factories import bearer, make_user

DECISION = {
    "value": 9.9975,
    "expanded_uncertainty": 0.004,
    "coverage_factor": 2,
    "upper_limit": 10.0,
}
HUGE_ID = 10**30


@dataclass
class Site:
    client: TestClient
    engine: Engine
    headers: dict[str, str]


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    """One application per backend for the module: these requests are refused or harmless."""
    folder = tmp_path_factory.mktemp("strict")
    if request.param == "sqlite":
        yield from _site(migrated_sqlite_url(folder / "lims.sqlite3"), folder)
        return
    with throwaway_postgres_database(migrated=True) as database_url:
        yield from _site(database_url, folder)


def _site(database_url: str, folder: Any) -> Iterator[Site]:
    settings = Settings(data_dir=folder / "data", database_url=database_url, environment="test")
    application = create_app(settings)
    engine = make_engine(database_url)
    headers = bearer(settings, make_user(engine, Role.ADMIN))
    with TestClient(application, raise_server_exceptions=False) as client:
        yield Site(client, engine, headers)
    engine.dispose()
    application.state.engine.dispose()


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]], response.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": "9.9975"}, "value"),  # a number sent as text
        ({"binary": "true"}, "binary"),  # a boolean sent as text
        ({"binary": 1}, "binary"),  # ... or as a number
    ],
)
def test_body_values_of_the_wrong_json_type_are_refused_not_coerced(
    site: Site, change: dict[str, Any], field: str
) -> None:
    response = site.client.post(
        "/api/v1/uncertainty/decide", json={**DECISION, **change}, headers=site.headers
    )
    assert_refused(response, field)


def test_body_that_keeps_to_the_schema_is_decided_as_before(site: Site) -> None:
    response = site.client.post("/api/v1/uncertainty/decide", json=DECISION, headers=site.headers)
    assert response.status_code == 200, response.text


def test_a_date_sent_as_a_number_is_refused_and_nothing_is_stored(site: Site) -> None:
    before = row_counts(site.engine)
    response = site.client.post(
        "/api/v1/calendar/closures", json={"day": 0, "reason": "Kesäsulku"}, headers=site.headers
    )
    assert_refused(response, "day")
    assert row_counts(site.engine) == before
    stored = site.client.post(
        "/api/v1/calendar/closures",
        json={"day": "2027-07-30", "reason": "Kesäsulku"},
        headers=site.headers,
    )
    assert stored.status_code == 201, stored.text
    assert stored.json()["day"] == "2027-07-30"


@pytest.mark.parametrize("on", ["0", "1732700000", "27.11.2026"])
def test_a_query_date_must_be_an_iso_date(site: Site, on: str) -> None:
    response = site.client.get("/api/v1/equipment", params={"on": on}, headers=site.headers)
    assert_refused(response, "query.on")


def test_a_query_date_in_iso_form_is_taken(site: Site) -> None:
    response = site.client.get(
        "/api/v1/equipment", params={"on": "2026-11-27"}, headers=site.headers
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/api/v1/jobs/{HUGE_ID}"),
        ("GET", f"/api/v1/training/enrolments/{HUGE_ID}"),
        ("PATCH", f"/api/v1/equipment/{HUGE_ID}"),
    ],
)
def test_an_id_beyond_64_bits_is_refused_not_a_server_error(
    site: Site, method: str, path: str
) -> None:
    response = site.client.request(
        method, path, json={} if method == "PATCH" else None, headers=site.headers
    )
    assert response.status_code in (404, 422), response.text
    assert response.headers["content-type"] == "application/problem+json"
