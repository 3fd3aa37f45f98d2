"""A measurement report says how the U of each CMM result was obtained (the specification
budget or ISO 15530-3 substitution), and which results have none (issue 22: the report said U
was evaluated by GUM and EA-4/02 when it was the CMC).
"""

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.cad import qif
from lims.config import Settings
from tests.cad.factories import (
    RING_RUNS,
    SUBSTITUTION_METHOD,
    calibrated_ring,
    make_coordinate_method,
    with_workpiece_runs,
)
from tests.documents.factories import download, issue, read_back
from tests.jobs.factories import MEASURED_ON, PRODUCT, make_lab, submit


def test_the_report_names_the_task_budget_and_the_results_without_u(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    method = make_coordinate_method(engine, lab, **SUBSTITUTION_METHOD)
    ring = calibrated_ring(engine, lab)
    job = submit(client, lab, "product_qc", PRODUCT)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    job.plan(label="D20", nominal=20, lower_limit=19.9, upper_limit=20.05, unit="mm",
             method_id=method.id)  # fmt: skip
    # A flatness with no feature size given: its U cannot be evaluated.
    job.plan(label="Tasomaisuus A", kind="flatness", upper_limit=0.02, unit="mm",
             method_id=method.id)  # fmt: skip
    # A second bore, imported with the CMM's runs on the calibrated ring: ISO 15530-3.
    job.plan(label="D20 B", nominal=20, lower_limit=19.9, upper_limit=20.05, unit="mm",
             method_id=method.id)  # fmt: skip
    job.step("in_measurement", lab.technician)
    report = qif.write_results(
        [{"label": "D20", "type": "diameter", "nominal": 20.0, "zone": None,
          "lower_limit": 19.9, "upper_limit": 20.05, "unit": "millimetre", "value": 20.012,
          "status": "PASS"},
         {"label": "Tasomaisuus A", "type": "flatness", "nominal": None, "zone": None,
          "lower_limit": None, "upper_limit": 0.02, "unit": "millimetre", "value": 0.008,
          "status": "PASS"}],
        operator="CMM operator",
        temperature=20.4,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c21",
    )  # fmt: skip
    imported = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id},
        content=report,
        headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
    )
    assert imported.status_code == 200, imported.text
    bore = qif.write_results(
        [{"label": "D20 B", "type": "diameter", "nominal": 20.0, "zone": None,
          "lower_limit": 19.9, "upper_limit": 20.05, "unit": "millimetre", "value": 20.021,
          "status": "PASS"}],
        operator="CMM operator",
        temperature=20.4,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c22",
    )  # fmt: skip
    substituted = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id,
                "reference_workpiece_id": ring.id},
        content=with_workpiece_runs(bore, product="P-0002", workpiece="RW-20-001", runs=RING_RUNS),
        headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
    )  # fmt: skip
    assert substituted.status_code == 200, substituted.text
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)

    master = issue(client, lab, job_id=job.job["id"])
    text = " ".join(read_back(download(client, lab, master)).text.split())
    assert "Koordinaattimittausten D20 epävarmuus on tehtäväkohtainen" in text
    assert "ISO 10360-2 ja ISO 10360-5" in text
    assert (
        "Koordinaattimittausten D20 B epävarmuus on tehtäväkohtainen: se on määritetty "
        "korvausmenetelmällä kalibroidun vertailukappaleen avulla (ISO 15530-3:2011)"
    ) in text
    assert "Ominaisuuksien Tasomaisuus A epävarmuutta ei ole määritetty" in text
    assert "ei määritetty" in text
