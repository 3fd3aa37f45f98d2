"""A CMM result's U is task-specific, never the CMC (issue 22: "The CMC is used as the
uncertainty of CMM results").

The reproduction: a diameter Ø20 mm (19.9 to 20.05) measured 20.046 mm on the CMM.  With the
method's CMC (1.8 + L/300) um taken as U, it "passed" on a 1.87 um band.  The CMC is the
smallest U the lab may state (ILAC-P14), not the uncertainty of this measurement.
"""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.cad import qif
from lims.clock import local_today
from lims.config import Settings
from tests.cad.factories import (
    COORDINATE_BUDGET,
    RING_RUNS,
    SUBSTITUTION_METHOD,
    calibrated_ring,
    make_coordinate_method,
    with_workpiece_runs,
)
from tests.equipment.factories import make_calibration, make_equipment
from tests.jobs.factories import MEASURED_ON, PRODUCT, Lab, make_lab
from tests.jobs.test_job_flow import started

D20 = {
    "label": "D20",
    "kind": "diameter",
    "nominal": 20,
    "lower_limit": 19.9,
    "upper_limit": 20.05,
    "unit": "mm",
    "source": "drawing",
}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def d20_report(temperature: float) -> bytes:
    return qif.write_results(
        [{"label": "D20", "type": "diameter", "nominal": 20.0, "zone": None,
          "lower_limit": 19.9, "upper_limit": 20.05, "unit": "millimetre", "value": 20.046,
          "status": "PASS"}],
        operator="CMM operator",
        temperature=temperature,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c20",
    )  # fmt: skip


def import_d20(
    client: TestClient,
    lab: Lab,
    job: object,
    temperature: float,
    *,
    report: bytes | None = None,
    expect: int = 200,
    **params: int | None,
) -> dict:
    imported = client.post(
        f"{job.url}/results/qif",  # type: ignore[attr-defined]
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id, **params},
        content=report or d20_report(temperature),
        headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
    )
    assert imported.status_code == expect, imported.text
    if expect != 200:
        return imported.json()
    (row,) = imported.json()["rows"]
    return row


def test_a_qif_value_without_a_budget_has_u_not_evaluated_and_no_decision(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The method's CMC would have been U = 1.8 + 20/300 = 1.87 um: no longer used.
    cmc_only = make_coordinate_method(
        engine, lab, coordinate_budget=None, cmc="1.8 + L/300", result_unit="um"
    )
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=cmc_only.id)
    job.step("in_measurement", lab.technician)
    row = import_d20(client, lab, job, temperature=20.2)
    assert (row["lab_decision"], row["agrees"]) == (None, None)
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    stored = next(r for r in results if r["characteristic_id"] == d20["id"])
    assert stored["value"] == pytest.approx(20.046)
    assert stored["expanded_uncertainty"] is None
    assert stored["coverage_factor"] is None
    assert stored["uncertainty"]["source"] == "not evaluated"
    assert "no task-specific budget" in stored["uncertainty"]["reason"]
    assert stored["decision"]["decision"] is None
    assert "U not evaluated" in stored["decision"]["warnings"][0]
    assert stored["accredited"] is False


def test_a_qif_value_takes_the_task_specific_budget_of_its_size(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The worked budget of tests/methods/test_coordinate.py: L = 20 mm at 21.0 °C,
    # u_c = 1.383377 um, U = 2.766754 um (k = 2), not the CMC 0.0001 mm of this method.
    method = make_coordinate_method(engine, lab)
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    import_d20(client, lab, job, temperature=21.0)
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    stored = next(r for r in results if r["characteristic_id"] == d20["id"])
    assert stored["uncertainty"]["source"] == "specification budget"
    assert stored["uncertainty"]["standard_uncertainty"] == pytest.approx(1.383377, abs=1e-6)
    assert stored["expanded_uncertainty"] == pytest.approx(0.002766754, abs=1e-8)
    assert stored["decision"]["decision"] is not None


def test_an_entered_cmm_result_takes_its_repeats_into_the_budget(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    method = make_coordinate_method(engine, lab)
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    # Repeats (mm) 20.0460, 20.0470, 20.0450, 20.0465, 20.0455: mean 20.0460, s/sqrt(5) =
    # 0.353553 um; u_c^2 = 1.913731 + 0.125 -> u_c = 1.427842 um (hand, as in
    # tests/methods/test_coordinate.py).
    recorded = job.record(
        characteristic_id=d20["id"],
        equipment={"cmm": lab.cmm.id},
        observations={"y": [20.0460, 20.0470, 20.0450, 20.0465, 20.0455]},
        temperature=21.0,
    )
    assert recorded["value"] == pytest.approx(20.046)
    assert recorded["uncertainty"]["source"] == "specification budget"
    assert recorded["uncertainty"]["standard_uncertainty"] == pytest.approx(1.427842, abs=1e-6)
    # Four degrees of freedom from the repeats raise k above 2 (GUM G.4).
    assert recorded["coverage_factor"] > 2.0


def test_an_entered_cmm_result_without_its_temperature_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    method = make_coordinate_method(engine, lab)
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    refused = job.record(
        characteristic_id=d20["id"],
        equipment={"cmm": lab.cmm.id},
        value=20.046,
        temperature=None,
        expect=422,
    )
    assert "temperature" in refused["detail"]


def test_an_entered_cmm_result_with_a_calibrated_workpiece_is_evaluated_by_substitution(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The hand-checked case of tests/methods/test_coordinate.py (ISO 15530-3:2011): U =
    # 1.152803 um (k = 2), the product's 20.0460 mm corrected by the bias +1.0 um.
    method = make_coordinate_method(
        engine,
        lab,
        coordinate_budget={**COORDINATE_BUDGET, "workpiece_variation": 0.5},
        equipment_roles={"cmm": ["cmm"], "reference_workpiece": ["reference_workpiece"]},
    )
    workpiece = make_equipment(engine, name="Reference ring 20 mm", kind="reference_workpiece")
    today = local_today(lab.settings.timezone)
    make_calibration(
        engine,
        workpiece,
        calibrated_on=(today - timedelta(days=30)).isoformat(),
        next_due_on=(today + timedelta(days=335)).isoformat(),
        results=[{"quantity": "diameter deviation", "nominal": 20, "nominal_unit": "mm",
                  "value": 1.2, "unit": "um", "expanded_uncertainty": 0.4,
                  "coverage_factor": 2}],
    )  # fmt: skip
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    recorded = job.record(
        characteristic_id=d20["id"],
        equipment={"cmm": lab.cmm.id, "reference_workpiece": workpiece.id},
        observations={"y": [20.0460], "workpiece": [20.0020] * 10 + [20.0024] * 10},
        temperature=21.0,
    )
    assert recorded["uncertainty"]["source"] == "ISO 15530-3"
    assert recorded["expanded_uncertainty"] == pytest.approx(0.001152803, abs=1e-9)
    assert recorded["coverage_factor"] == 2.0
    assert recorded["value"] == pytest.approx(20.0450, abs=1e-9)


def test_a_qif_import_with_the_calibrated_workpieces_runs_is_evaluated_by_substitution(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # ISO 15530-3:2011 through the entered result's own route, checked by hand:
    # u_cal = 0.4 um / 2 = 0.2 um (the ring's certificate); the runs' mean 20.0022 mm, so the
    # bias b = 20.0022 - 20.0012 = +1.0 um; each run is 0.2 um from the mean:
    # u_p = sqrt(20 x 0.04 / 19) = 0.205196 um; u_b = L dt u(alpha) = 20e3 um x 1.0 K x
    # 1e-6/sqrt(3) /K = 0.011547 um; u_w = 0.5 um (the method's).
    # U = 2 sqrt(0.04 + 0.042105 + 0.000133 + 0.25) = 2 x 0.576402 = 1.152803 um (k = 2);
    # the product's 20.046 mm corrected by b: 20.045 mm.
    method = make_coordinate_method(engine, lab, **SUBSTITUTION_METHOD)
    ring = calibrated_ring(engine, lab)
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    report = with_workpiece_runs(
        d20_report(21.0), product="P-0001", workpiece="RW-20-001", runs=RING_RUNS
    )
    row = import_d20(client, lab, job, 21.0, report=report, reference_workpiece_id=ring.id)
    assert row["value"] == pytest.approx(20.045, abs=1e-9)
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    stored = next(r for r in results if r["characteristic_id"] == d20["id"])
    budget = stored["uncertainty"]
    assert budget["source"] == "ISO 15530-3"
    assert budget["u_cal"] == pytest.approx(0.2, abs=1e-9)
    assert budget["u_p"] == pytest.approx(0.205196, abs=1e-6)
    assert budget["u_b"] == pytest.approx(0.011547, abs=1e-6)
    assert budget["u_w"] == pytest.approx(0.5)
    assert budget["bias"] == pytest.approx(1.0, abs=1e-6)
    assert budget["repeats"] == 20 and budget["warnings"] == []
    assert stored["expanded_uncertainty"] == pytest.approx(0.001152803, abs=1e-9)
    assert stored["coverage_factor"] == 2.0
    # Recorded as an entered substitution result is: the workpiece and its repeats.
    assert stored["equipment"] == {"cmm": lab.cmm.id, "reference_workpiece": ring.id}
    assert stored["observations"] == {"workpiece": pytest.approx(RING_RUNS)}
    assert stored["decision"]["decision"] is not None


def test_a_qif_import_naming_a_workpiece_without_runs_takes_the_specification_budget(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The ring is named but the file holds no run on it: the specification budget of
    # tests/methods/test_coordinate.py (u_c = 1.383377 um at 20 mm, 21.0 °C).
    method = make_coordinate_method(engine, lab, **SUBSTITUTION_METHOD)
    ring = calibrated_ring(engine, lab)
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    import_d20(client, lab, job, 21.0, reference_workpiece_id=ring.id)
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    stored = next(r for r in results if r["characteristic_id"] == d20["id"])
    assert stored["uncertainty"]["source"] == "specification budget"
    assert stored["uncertainty"]["standard_uncertainty"] == pytest.approx(1.383377, abs=1e-6)
    assert stored["equipment"] == {"cmm": lab.cmm.id}


def test_a_qif_import_naming_a_workpiece_of_a_kind_the_method_refuses_stores_nothing(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    method = make_coordinate_method(engine, lab, **SUBSTITUTION_METHOD)
    block = calibrated_ring(engine, lab, kind="gauge_block")
    job = started(client, lab, "product_qc", PRODUCT)
    job.plan(**D20, method_id=method.id)
    job.step("in_measurement", lab.technician)
    report = with_workpiece_runs(
        d20_report(21.0), product="P-0001", workpiece="RW-20-001", runs=RING_RUNS
    )
    refused = import_d20(
        client, lab, job, 21.0, report=report, reference_workpiece_id=block.id, expect=422
    )
    assert "reference_workpiece" in refused["detail"]
    missing = import_d20(client, lab, job, 21.0, reference_workpiece_id=999_999, expect=422)
    assert "999999" in missing["detail"]
    assert client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json() == []
