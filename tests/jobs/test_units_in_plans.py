"""Units at planning: a stated limit is converted into the method's unit or refused, never
dropped, and a characteristic's unit must be one its method's result can be given in."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.conftest import row_counts
from tests.equipment.factories import make_method
from tests.jobs.factories import MICROMETER, JobDriver, Lab, make_lab, submit


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def _received(client: TestClient, lab: Lab, item: dict) -> JobDriver:
    job = submit(client, lab, "calibration", item)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    return job


def _plan_points(client: TestClient, lab: Lab, job: JobDriver, method_id: int | None):
    return client.post(
        f"{job.url}/characteristics/from-method",
        json={"item_id": job.items()[0]["id"], "method_id": method_id, "points": [10.0, 25.0]},
        headers=lab.headers(lab.manager),
    )


def test_an_mpe_given_in_mm_limits_points_of_a_method_in_micrometres(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The reproduction: {"mpe": 0.002, "unit": "mm"} against a method in µm gave
    # lower_limit null, upper_limit null and no conformity decision.
    item = {**MICROMETER, "specification": {"mpe": 0.002, "unit": "mm"}}
    job = _received(client, lab, item)
    method = make_method(engine)  # results in um
    planned = _plan_points(client, lab, job, method.id)
    assert planned.status_code == 201, planned.text
    assert [(p["lower_limit"], p["upper_limit"]) for p in planned.json()] == [
        (pytest.approx(-2.0), pytest.approx(2.0))
    ] * 2


def test_an_mpe_in_a_unit_the_method_cannot_give_is_refused_naming_both(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    item = {**MICROMETER, "specification": {"mpe": 5, "unit": "arcsec"}}
    job = _received(client, lab, item)
    method = make_method(engine)
    before = row_counts(engine)
    refused = _plan_points(client, lab, job, method.id)
    assert refused.status_code == 422, refused.text
    assert "arcsec" in refused.json()["detail"] and "µm" in refused.json()["detail"]
    assert row_counts(engine) == before


def test_an_mpe_without_its_unit_is_refused_not_dropped(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = _received(client, lab, {**MICROMETER, "specification": {"mpe": 2}})
    refused = _plan_points(client, lab, job, make_method(engine).id)
    assert refused.status_code == 422, refused.text
    assert "unit" in refused.json()["detail"]


def _plan(client: TestClient, lab: Lab, job: JobDriver, **characteristic: object):
    return client.post(
        f"{job.url}/characteristics",
        json={"item_id": job.items()[0]["id"], "kind": "calibration_point", **characteristic},
        headers=lab.headers(lab.manager),
    )


def test_an_angle_characteristic_under_a_length_method_is_refused_at_planning(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = _received(client, lab, MICROMETER)
    before = row_counts(engine)
    refused = _plan(
        client, lab, job, label="tilt", nominal=0, unit="arcsec", method_id=lab.ring_method.id
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert "arcsec" in problem["detail"] and "µm" in problem["detail"]
    assert problem["errors"][0]["field"] == "unit"
    assert row_counts(engine) == before


def test_a_characteristic_in_millimetres_under_a_micrometre_method_is_planned(
    client: TestClient, lab: Lab
) -> None:
    job = _received(client, lab, MICROMETER)
    planned = _plan(
        client, lab, job, label="50 mm", nominal=0, unit="mm", method_id=lab.ring_method.id
    )
    assert planned.status_code == 201, planned.text


def test_a_characteristic_in_no_known_unit_is_refused(client: TestClient, lab: Lab) -> None:
    job = _received(client, lab, MICROMETER)
    refused = _plan(client, lab, job, label="x", unit="wibbles", method_id=lab.ring_method.id)
    assert refused.status_code == 422, refused.text
    assert "'wibbles' is not a unit" in refused.json()["detail"]


def test_an_inspection_in_a_unit_pint_does_not_know_records_its_value_as_given(
    client: TestClient, lab: Lab
) -> None:
    # Rockwell hardness is no SI unit: the value is kept in it, with nothing to convert.
    job = submit(client, lab, "inspection", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(
        label="hardness", kind="indication", lower_limit=40, upper_limit=50, unit="HRC"
    )
    job.step("in_measurement", lab.technician)
    result = job.record(characteristic_id=point["id"], value=45.0)
    assert (result["value"], result["unit"]) == (45.0, "HRC")
