"""The Monte Carlo histogram the workbench draws beside the GUM curve."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from lims.uncertainty import evaluate
from tests.factories import bearer, make_user

REQUEST = {
    "model": "a + b",
    "inputs": [
        {"name": "a", "value": 1.0, "standard_uncertainty": 0.1},
        {"name": "b", "distribution": "rectangular", "value": 0.0, "half_width": 0.3},
    ],
    "method": "both",
}


def test_histogram_is_given_only_when_asked_for() -> None:
    plain = evaluate({**REQUEST, "mcm": {"trials": 20_000, "seed": 7}})
    asked = evaluate({**REQUEST, "mcm": {"trials": 20_000, "seed": 7, "histogram_bins": 40}})
    assert plain["outputs"][0]["mcm"]["histogram"] is None
    histogram = asked["outputs"][0]["mcm"]["histogram"]
    assert len(histogram["edges"]) == 41 and len(histogram["counts"]) == 40
    # The central 99.9 % of the trials, and the same numbers as without the histogram.
    assert sum(histogram["counts"]) >= 0.998 * 20_000
    assert histogram["edges"][0] < 1.0 < histogram["edges"][-1]
    assert {**asked["outputs"][0]["mcm"], "histogram": None} == plain["outputs"][0]["mcm"]


def test_the_api_passes_the_histogram_through(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    body = {**REQUEST, "method": "mcm", "mcm": {"trials": 10_000, "seed": 1, "histogram_bins": 20}}
    response = client.post(
        "/api/v1/uncertainty/evaluate", json=body, headers=bearer(settings, user)
    )
    assert response.status_code == 200, response.text
    assert len(response.json()["outputs"][0]["mcm"]["histogram"]["counts"]) == 20
