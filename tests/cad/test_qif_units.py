"""QIF Results arrive in the file's length unit and are stored in the characteristic's unit,
whatever its spelling (lims/units.py): 0.012 mm is 12 µm, micro sign or not."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.cad import qif
from lims.config import Settings
from tests.jobs.factories import MEASURED_ON, PRODUCT, make_lab
from tests.jobs.test_job_flow import started


@pytest.mark.parametrize("unit", ["µm", "μm", "um"])
def test_a_qif_value_in_millimetres_is_stored_in_the_characteristics_micrometres(
    client: TestClient, engine: Engine, settings: Settings, unit: str
) -> None:
    lab = make_lab(engine, settings)
    job = started(client, lab, "product_qc", PRODUCT)
    flatness = job.plan(
        label="Flatness A", kind="flatness", upper_limit=20, unit=unit, method_id=lab.cmm_method.id
    )
    job.step("in_measurement", lab.technician)
    report = qif.write_results(
        [{"label": "Flatness A", "type": "flatness", "nominal": None, "zone": None,
          "lower_limit": None, "upper_limit": 0.02, "unit": "millimetre", "value": 0.012,
          "status": "PASS"}],
        operator="CMM operator",
        temperature=20.1,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c12",
    )  # fmt: skip
    imported = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id},
        content=report,
        headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
    )
    assert imported.status_code == 200, imported.text
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    stored = next(r for r in results if r["characteristic_id"] == flatness["id"])
    assert stored["value"] == pytest.approx(12.0)
    # Neither the CMC nor a budget at L = the tolerance: with no budget, U is not evaluated.
    assert stored["expanded_uncertainty"] is None
    assert stored["uncertainty"]["source"] == "not evaluated"
    assert stored["decision"]["decision"] is None
