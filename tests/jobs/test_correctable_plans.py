"""Correctable plans: characteristics edited and voided with the audit trail, parameters given
at acceptance, and a cancelled job releasing its quotation (issue 20, part E)."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.contracts.factories import accept, make_price_list, make_price_model, make_quotation
from tests.jobs.factories import Lab, make_lab


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def test_cancelling_a_job_releases_its_quotation_for_a_new_job_at_the_agreed_price(
    client: TestClient, engine: Engine, settings: Settings, lab: Lab
) -> None:
    make_price_list(engine, make_price_model(engine, 2026))
    quotation = make_quotation(engine, settings, lab.customer)
    order = accept(engine, settings, quotation, on=date(2026, 11, 30))
    body = {
        "organisation_id": lab.customer.id,
        "kind": "calibration",
        "items": [{"kind": "instrument", "description": "External micrometer 0-25 mm"}],
        "quotation_id": quotation.id,
    }
    first = client.post("/api/v1/jobs", json=body, headers=lab.headers(lab.manager))
    assert first.status_code == 201, first.text
    assert first.json()["agreed_price"] is not None
    second = client.post("/api/v1/jobs", json=body, headers=lab.headers(lab.manager))
    assert second.status_code == 409  # the quotation is taken while its job runs
    cancelled = client.post(
        f"/api/v1/jobs/{first.json()['id']}/transitions",
        json={"to": "cancelled", "reason": "the customer sent the wrong micrometer"},
        headers=lab.headers(lab.manager),
    )
    assert cancelled.status_code == 200, cancelled.text
    reopened = client.post("/api/v1/jobs", json=body, headers=lab.headers(lab.manager))
    assert reopened.status_code == 201, reopened.text
    assert reopened.json()["agreed_price"] == first.json()["agreed_price"]
    assert reopened.json()["order_id"] == order.id
    assert reopened.json()["due_date"] == first.json()["due_date"]
