"""A calibration certificate's units are ones the product knows (lims/units.py): a method
converts a certificate value by its unit, so a unit it cannot read is refused at its field."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.equipment.factories import calibration_data, make_equipment
from tests.factories import bearer, make_user


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"unit": "wibbles"}, "results[0].unit"),
        ({"nominal_unit": "mm)"}, "results[0].nominal_unit"),
    ],
)
def test_a_certificate_result_in_a_unit_the_product_does_not_know_is_refused(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    changes: dict[str, str],
    field: str,
) -> None:
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    standard = make_equipment(engine)
    body = calibration_data()
    body["results"][0].update(changes)
    before = row_counts(engine)
    refused = client.post(
        f"/api/v1/equipment/{standard.id}/calibrations", json=body, headers=manager
    )
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == field
    assert "is not a unit" in refused.json()["detail"]
    assert row_counts(engine) == before


def test_a_certificate_in_the_labs_notation_is_recorded(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    standard = make_equipment(engine)
    body = calibration_data()
    body["results"][0].update({"unit": "µm", "value": 0.02, "expanded_uncertainty": 0.03})
    recorded = client.post(
        f"/api/v1/equipment/{standard.id}/calibrations", json=body, headers=manager
    )
    assert recorded.status_code == 201, recorded.text
