"""Readings sent with a unit are converted into the unit of the model input they feed, or
refused naming both units; they are never taken as if they were in the input's unit."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.conftest import row_counts
from tests.jobs.factories import MICROMETER, JobDriver, Lab, make_lab, submit

# The ring readings of tests/jobs/test_job_flow.py (d_x in µm), written in mm.
READINGS_IN_MM = [0.0012, 0.0013, 0.0011, 0.00125, 0.0012]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def _in_measurement(client: TestClient, lab: Lab) -> tuple[JobDriver, dict]:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(label="50 mm", nominal=50, unit="um", method_id=lab.ring_method.id)
    job.step("in_measurement", lab.technician)
    return job, point


def test_readings_in_mm_feed_a_model_input_in_micrometres_converted(
    client: TestClient, lab: Lab
) -> None:
    job, point = _in_measurement(client, lab)
    result = job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": READINGS_IN_MM},
        unit="mm",
    )
    # d_X = 0.020 + 1.21 - 0 = 1.23 µm, as from the same readings in µm (test_job_flow).
    assert result["value"] == pytest.approx(1.23, abs=1e-9)


def test_readings_in_an_angle_unit_for_a_length_input_are_refused_naming_both(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job, point = _in_measurement(client, lab)
    before = row_counts(engine)
    refused = job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": [1.2, 1.3, 1.1]},
        unit="arcsec",
        expect=422,
    )
    assert "arcsec" in refused["detail"] and "µm" in refused["detail"]
    assert refused["errors"][0]["field"] == "unit"
    assert row_counts(engine) == before
