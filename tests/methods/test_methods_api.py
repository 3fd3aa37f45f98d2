"""Methods over the API: the library is lab-internal, the scope is public to signed-in users,
and a bad method (CMC that does not parse, model input without a source) writes nothing."""

import copy
import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.methods.models import METHOD_EXAMPLE
from tests.conftest import row_counts
from tests.equipment.factories import make_method
from tests.factories import bearer, make_organisation, make_user

METHODS = "/api/v1/methods"


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def method_body(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(METHOD_EXAMPLE)
    body.update(changes)
    return body


def test_quality_manager_adds_a_method_staff_read_it_customers_cannot(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    created = client.post(METHODS, json=method_body(), headers=manager)
    assert created.status_code == 201, created.text
    method = created.json()
    assert method["in_scope"] is True
    assert [source["source"] for source in method["inputs"]] == [
        "certificate",
        "type_a",
        "type_b",
    ]
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    assert client.get(f"{METHODS}/{method['id']}", headers=technician).status_code == 200
    assert client.post(METHODS, json=method_body(code="X-1"), headers=technician).status_code == 403
    customer = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    assert client.get(METHODS, headers=bearer(settings, customer)).status_code == 403
    again = client.post(METHODS, json=method_body(), headers=manager)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"cmc": "Q[0.3, 0.002*M]"}, "cmc", "'M'"),
        ({"cmc": "0.3 + 2e-3^L"}, "cmc", "'^'"),
        ({"cmc": "0.3 - 0.01*L"}, "cmc", "positive"),
        ({"model": "d_S + d_x - d_s + d_T"}, "inputs", "'d_T' with no source"),
        ({"model": "d_S + d_x"}, "inputs[2].name", "not used by the model"),
        ({"model": "d_S + d_x -* d_s"}, "model", "not a valid expression"),
        ({"range_min": 300}, "range_max", "starts at 300"),
        ({"accredited_until": "2025-12-31"}, "accredited_until", "on or after"),
    ],
)
def test_a_bad_method_is_refused_with_a_problem_and_nothing_is_written(
    client: TestClient,
    engine: Engine,
    manager: dict[str, str],
    changes: dict[str, Any],
    field: str,
    words: str,
) -> None:
    before = row_counts(engine)
    response = client.post(METHODS, json=method_body(**changes), headers=manager)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == field
    assert words in problem["detail"]
    assert row_counts(engine) == before


def test_a_cmc_that_does_not_parse_is_refused_with_the_position_of_the_fault(
    client: TestClient, manager: dict[str, str]
) -> None:
    response = client.post(METHODS, json=method_body(cmc="Q[0.3, 0.002*M]"), headers=manager)
    assert response.json()["errors"][0]["position"] == 13


def test_a_type_b_input_without_its_width_is_refused_naming_the_input(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    body = method_body()
    del body["inputs"][2]["half_width"]
    before = row_counts(engine)
    response = client.post(METHODS, json=body, headers=manager)
    assert response.status_code == 422
    assert "'d_s'" in response.json()["detail"]
    assert row_counts(engine) == before


def test_the_accredited_scope_is_readable_by_customers_as_json_and_csv(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    make_method(engine, code="DIM-IN-1", accredited_from="2026-01-01")
    make_method(engine, code="DIM-OUT-1", accredited_from=None)
    make_method(
        engine, code="DIM-OLD-1", accredited_from="2020-01-01", accredited_until="2025-12-31"
    )
    customer = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    headers = bearer(settings, customer)
    scope = client.get("/api/v1/scope", params={"on": "2026-11-27"}, headers=headers)
    assert scope.status_code == 200, scope.text
    assert [method["code"] for method in scope.json()] == ["DIM-IN-1"]
    table = client.get(
        "/api/v1/scope", params={"on": "2026-11-27", "format": "csv"}, headers=headers
    )
    assert table.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(table.text)))
    assert [(row["code"], row["cmc"], row["range"]) for row in rows] == [
        ("DIM-IN-1", "Q[0.3, 0.002*L] um (L in mm)", "3 ... 200 mm")
    ]
    in_2021 = client.get("/api/v1/scope", params={"on": "2021-06-01"}, headers=headers)
    assert [method["code"] for method in in_2021.json()] == ["DIM-OLD-1"]


def test_a_method_is_taken_into_and_out_of_scope_with_an_audited_change(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    method = make_method(engine, accredited_from=None)
    changed = client.patch(
        f"{METHODS}/{method.id}",
        json={"accredited_from": "2026-01-01", "accredited_until": "2027-12-31"},
        headers=manager,
    )
    assert changed.status_code == 200, changed.text
    history = client.get(
        "/api/v1/audit",
        params={"entity": f"method:{method.id}"},
        headers=manager,
    ).json()
    assert [event["action"] for event in history] == ["insert", "update"]
    assert history[1]["changes"]["accredited_until"] == [None, "2027-12-31"]


def draft(**changes: Any) -> dict[str, Any]:
    body = method_body(**changes)
    return {key: body[key] for key in ("model", "output", "inputs", "cmc")}


def test_a_draft_model_is_checked_by_the_rules_of_a_new_method_and_nothing_is_written(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    technician = bearer(settings, make_user(engine, Role.TECHNICIAN))
    before = row_counts(engine)
    checked = client.post(f"{METHODS}/check", json=draft(), headers=technician)
    assert checked.status_code == 200, checked.text
    assert checked.json() == {"names": ["d_S", "d_s", "d_x"]}
    hostile = client.post(f"{METHODS}/check", json=draft(model="__import__('os')"), headers=manager)
    assert hostile.status_code == 422
    assert "'__import__' is not allowed" in hostile.json()["errors"][0]["message"]
    assert hostile.json()["errors"][0]["field"] == "model"
    unsourced = client.post(
        f"{METHODS}/check", json=draft(model="d_S + d_x - d_s + t"), headers=manager
    )
    assert "'t'" in unsourced.json()["errors"][0]["message"]
    bad_cmc = client.post(f"{METHODS}/check", json=draft(cmc="Q[0.3, 0.002*M]"), headers=manager)
    assert bad_cmc.json()["errors"][0]["field"] == "cmc"
    assert row_counts(engine) == before


def test_customers_may_not_check_a_draft_model(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    customer = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    answer = client.post(f"{METHODS}/check", json=draft(), headers=bearer(settings, customer))
    assert answer.status_code == 403
