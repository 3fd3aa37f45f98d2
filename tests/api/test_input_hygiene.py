"""Input hygiene on every route (``lims.api.strict``): text without control characters (tabs
and line breaks only in multi-line fields), JSON integers that are integers and numbers that
are finite, each refused with a 422 naming the field and changing nothing."""

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.api.problems import field_path
from lims.config import Settings
from tests.api.test_isolation import Operation, example_body, operations
from tests.api.test_strict_input import DECISION, Site, assert_refused, site
from tests.conftest import row_counts
from tests.jobs.factories import MICROMETER, make_lab

__all__ = ["site"]  # the module's application per backend, shared with the strict-type tests
NUL = "\u0000"
PATH_VALUES = {"chart": "xbar", "number": "KT-2026-0001"}


def texts_of(value: Any, location: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The location of every text in a JSON example."""
    if isinstance(value, str):
        yield location
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from texts_of(item, (*location, index))
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from texts_of(item, (*location, name))


def with_text(document: Any, location: tuple[Any, ...], text: str) -> Any:
    copy = json.loads(json.dumps(document))
    parent = copy
    for part in location[:-1]:
        parent = parent[part]
    parent[location[-1]] = text
    return copy


def url_of(operation: Operation) -> str:
    return operation.path.format(
        **{name: PATH_VALUES.get(name, "1") for name in operation.path_parameters}
    )


def json_operations(app: FastAPI) -> list[Operation]:
    return [
        operation
        for operation in operations(app)
        if "application/json" in operation.spec.get("requestBody", {}).get("content", {})
    ]


def text_queries(operation: Operation) -> list[str]:
    def takes_text(schema: dict[str, Any]) -> bool:
        kinds = [schema.get("type"), *(one.get("type") for one in schema.get("anyOf", []))]
        return "string" in kinds and not schema.get("format") and "enum" not in schema

    return [
        parameter["name"]
        for parameter in operation.spec.get("parameters", [])
        if parameter["in"] == "query" and takes_text(parameter["schema"])
    ]


def test_a_control_character_in_any_text_of_any_json_body_is_refused(site: Site) -> None:
    app: FastAPI = site.client.app  # type: ignore[assignment]
    before = row_counts(site.engine)
    tried = 0
    for operation in json_operations(app):
        example = example_body(app, operation)
        for location in texts_of(example):
            response = site.client.request(
                operation.method,
                url_of(operation),
                json=with_text(example, location, f"Mitta{NUL}pala"),
                headers=site.headers,
            )
            assert response.status_code == 422, (operation.key, location, response.text)
            assert field_path(location) in [e["field"] for e in response.json()["errors"]]
            tried += 1
    assert tried > 100
    assert row_counts(site.engine) == before


def test_a_control_character_in_any_text_query_is_refused(site: Site) -> None:
    app: FastAPI = site.client.app  # type: ignore[assignment]
    queried = [(op, name) for op in operations(app) for name in text_queries(op)]
    assert len(queried) > 5
    for operation, name in queried:
        response = site.client.request(
            operation.method, url_of(operation), params={name: "a\u0001b"}, headers=site.headers
        )
        assert_refused(response, f"query.{name}")


def test_a_control_character_in_a_form_field_is_refused(site: Site) -> None:
    response = site.client.post(
        "/api/v1/auth/token", data={"username": f"admin{NUL}", "password": "x"}
    )
    assert_refused(response, "username")


def test_a_control_character_in_a_path_is_refused(site: Site) -> None:
    response = site.client.get("/verify/KT-2026-0001%01")
    assert_refused(response, "path.number")


def test_a_multi_line_field_takes_tabs_and_line_breaks(site: Site) -> None:
    response = site.client.post(
        "/api/v1/calendar/closures",
        json={"day": "2027-12-27", "reason": "Joulu\r\nvälipäivät:\tsuljettu"},
        headers=site.headers,
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("text", ["Konepaja\nOy", "Konepaja\tOy", "Konepaja\x7fOy"])
def test_a_one_line_field_refuses_tabs_and_line_breaks(site: Site, text: str) -> None:
    before = row_counts(site.engine)
    response = site.client.post(
        "/api/v1/organisations",
        json={"business_id": "0112038-9", "country": "FI", "language": "fi", "name": text},
        headers=site.headers,
    )
    assert_refused(response, "name")
    assert row_counts(site.engine) == before


@pytest.mark.parametrize("number", ["Infinity", "-Infinity", "NaN", "1e400", "-1e400"])
def test_a_number_that_is_not_finite_is_refused(site: Site, number: str) -> None:
    body = json.dumps({**DECISION, "value": "__"}).replace('"__"', number)
    response = site.client.post(
        "/api/v1/uncertainty/decide",
        content=body,
        headers={**site.headers, "content-type": "application/json"},
    )
    assert_refused(response, "value")
    assert "finite" in response.text


def test_an_integer_sent_as_a_json_number_with_a_fraction_is_refused(site: Site) -> None:
    before = row_counts(site.engine)
    response = site.client.post(
        "/api/v1/jobs",
        json={"organisation_id": 1.0, "kind": "calibration", "items": []},
        headers=site.headers,
    )
    assert_refused(response, "organisation_id")
    assert row_counts(site.engine) == before


# -- the reproductions, through a lab ----------------------------------------------


def test_an_item_description_with_a_nul_is_refused_and_nothing_is_stored(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    before = row_counts(engine)
    response = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": lab.customer.id,
            "kind": "calibration",
            "items": [{**MICROMETER, "description": f"Mikrometri{NUL}"}],
        },
        headers=lab.headers(lab.customer_user),
    )
    assert_refused(response, "items[0].description")
    assert row_counts(engine) == before


def test_a_number_beyond_a_float_in_an_item_specification_is_refused_not_stored_as_null(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    before = row_counts(engine)
    body = json.dumps(
        {
            "organisation_id": lab.customer.id,
            "kind": "calibration",
            "items": [{**MICROMETER, "specification": {"mpe": "__", "unit": "um"}}],
        }
    )
    for number in ("Infinity", "1e400"):
        response = client.post(
            "/api/v1/jobs",
            content=body.replace('"__"', number),
            headers={**lab.headers(lab.customer_user), "content-type": "application/json"},
        )
        assert_refused(response, "items[0].specification.mpe")
    assert row_counts(engine) == before


# -- dates the calendar arithmetic is done on ----------------------------------------------

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def text_at(example: Any, location: tuple[Any, ...]) -> str:
    value = example
    for part in location:
        value = value[part]
    return str(value)


def days_of(example: Any) -> list[tuple[Any, ...]]:
    return [loc for loc in texts_of(example) if ISO_DAY.match(text_at(example, loc))]


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1899-12-31", "3000-01-01"])
def test_a_day_beyond_the_calendar_in_any_json_body_is_refused(site: Site, day: str) -> None:
    app: FastAPI = site.client.app  # type: ignore[assignment]
    before = row_counts(site.engine)
    tried = 0
    for operation in json_operations(app):
        example = example_body(app, operation)
        for location in days_of(example):
            moment = day + text_at(example, location)[10:]  # a time of day, if it had one
            response = site.client.request(
                operation.method,
                url_of(operation),
                json=with_text(example, location, moment),
                headers=site.headers,
            )
            assert_refused(response, field_path(location))
            tried += 1
    assert tried > 10
    assert row_counts(site.engine) == before


def test_a_query_day_beyond_the_calendar_is_refused(site: Site) -> None:
    app: FastAPI = site.client.app  # type: ignore[assignment]
    queried = [
        (operation, parameter["name"])
        for operation in operations(app)
        for parameter in operation.spec.get("parameters", [])
        if parameter["in"] == "query" and '"format": "date' in json.dumps(parameter["schema"])
    ]
    assert len(queried) > 3
    for operation, name in queried:
        response = site.client.request(
            operation.method, url_of(operation), params={name: "9999-12-31"}, headers=site.headers
        )
        assert_refused(response, f"query.{name}")


@pytest.mark.parametrize(
    "period", ["9999-12-31..9999-12-31", "0001-01-01..0001-01-02", "2999-06-01..3000-01-01"]
)
def test_a_records_export_of_a_period_beyond_the_calendar_is_refused_not_a_server_error(
    site: Site, period: str
) -> None:
    response = site.client.get(
        "/api/v1/records/export", params={"period": period}, headers=site.headers
    )
    assert_refused(response, "period")


@pytest.mark.parametrize("day", ["1900-01-01", "2999-12-31"])
def test_the_first_and_last_day_of_the_calendar_are_taken(site: Site, day: str) -> None:
    response = site.client.get("/api/v1/equipment/due", params={"on": day}, headers=site.headers)
    assert response.status_code == 200, response.text


def test_a_measurement_model_may_be_written_over_lines(site: Site) -> None:
    response = site.client.post(
        "/api/v1/uncertainty/evaluate",
        json={
            "model": "(a +\n\tb)",
            "inputs": [
                {"name": "a", "value": 1.0, "standard_uncertainty": 0.1},
                {"name": "b", "value": 2.0, "standard_uncertainty": 0.1},
            ],
        },
        headers=site.headers,
    )
    assert response.status_code == 200, response.text


def test_the_web_ui_refuses_control_characters_in_its_queries_and_its_form(site: Site) -> None:
    # A page answers a malformed address with its "no such page", not an API problem.
    before = row_counts(site.engine)
    assert site.client.get("/login", params={"lang": "fi"}).status_code == 200
    assert site.client.get("/login", params={"lang": f"fi{NUL}"}).status_code == 404
    dismissed = site.client.post(
        "/first-steps/dismiss", data={"csrf_token": f"token{NUL}"}, follow_redirects=False
    )
    assert dismissed.status_code == 404  # refused before the sign-in check would redirect
    assert row_counts(site.engine) == before
