"""A method states its units in the product's notation (lims/units.py): a unit it does not
know is refused at the field that holds it, and nothing is written."""

import copy
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.methods.models import METHOD_EXAMPLE
from tests.conftest import row_counts
from tests.factories import bearer, make_user

METHODS = "/api/v1/methods"


def _method(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(METHOD_EXAMPLE)
    body.update(changes)
    return body


def _inputs_with_unit(unit: str) -> list[dict[str, Any]]:
    inputs = copy.deepcopy(METHOD_EXAMPLE["inputs"])
    inputs[1]["unit"] = unit
    return inputs


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"result_unit": "wibbles"}, "result_unit"),
        ({"size_unit": "2*mm"}, "size_unit"),
        ({"inputs": _inputs_with_unit("um)")}, "inputs[1].unit"),
    ],
)
def test_a_method_in_a_unit_the_product_does_not_know_is_refused_at_its_field(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    changes: dict[str, Any],
    field: str,
) -> None:
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    before = row_counts(engine)
    refused = client.post(METHODS, json=_method(code="DIM-U-1", **changes), headers=manager)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["field"] == field
    assert "is not a unit" in problem["detail"]
    assert row_counts(engine) == before


def test_a_method_in_the_labs_notations_is_added(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    body = _method(code="DIM-U-2", result_unit="µm", inputs=_inputs_with_unit("μm"))
    created = client.post(METHODS, json=body, headers=manager)
    assert created.status_code == 201, created.text
