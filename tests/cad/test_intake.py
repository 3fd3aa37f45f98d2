"""A B1 job planned from a model: upload, review, accept, CMM results in, QIF Results out."""

import hashlib
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.cad import qif
from lims.config import Settings
from tests.cad.factories import make_coordinate_method
from tests.conftest import row_counts, shared_path
from tests.equipment.factories import make_calibration, make_equipment
from tests.jobs.factories import MEASURED_ON, PRODUCT, Lab, make_lab
from tests.jobs.test_job_flow import started

OCTETS = {"content-type": "application/octet-stream"}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def upload(job: Any, lab: Lab, data: bytes, filename: str, expect: int = 201) -> dict:
    item_id = job.items()[0]["id"]
    response = job.client.post(
        f"{job.url}/items/{item_id}/models",
        params={"filename": filename},
        content=data,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert response.status_code == expect, response.text
    return response.json()


def accept(job: Any, lab: Lab, proposal_id: int, expect: int = 201, **edits: Any) -> dict:
    response = job.client.post(
        f"{job.url}/proposals/{proposal_id}/accept",
        json={"method_id": lab.cmm_method.id, **edits},
        headers=lab.headers(lab.technician),
    )
    assert response.status_code == expect, response.text
    return response.json()


def test_a_step_model_becomes_a_reviewed_plan_and_qif_results_go_both_ways(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    model = shared_path("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp").read_bytes()
    uploaded = upload(job, lab, model, "ctc01.stp")
    sha256 = hashlib.sha256(model).hexdigest()
    assert (uploaded["sha256"], uploaded["format"]) == (sha256, "step-ap242")
    assert len(uploaded["proposals"]) == 14  # 6 tolerances and 8 dimensions
    assert job.items()[0]["files"][-1] == {
        "sha256": sha256, "size": len(model), "name": "ctc01.stp", "role": "cad",
    }  # fmt: skip
    proposals = {p["source_ref"]: p for p in uploaded["proposals"]}
    position, diameter = proposals["#21"], proposals["#122"]
    assert (position["label"], position["kind"], position["upper_limit"]) == (
        "Position.1 [#21]", "position", 0.75,
    )  # fmt: skip
    assert position["datums"] == "A|B|C"
    assert (diameter["nominal"], diameter["unit"]) == (20.0, "mm")
    # The customer sees the proposals of its own job but does not review them.
    listed = client.get(f"{job.url}/proposals", headers=lab.headers(lab.customer_user))
    assert len(listed.json()) == 14
    refused = client.post(
        f"{job.url}/proposals/{position['id']}/accept",
        json={"method_id": lab.cmm_method.id},
        headers=lab.headers(lab.customer_user),
    )
    assert refused.status_code == 403
    # Task-specific U needs a method with a budget and each feature's size: the position's
    # holes lie within 20 mm of the datums.
    coordinate = make_coordinate_method(engine, lab)
    planned_position = accept(
        job, lab, position["id"], method_id=coordinate.id, parameters={"L": 20}
    )
    planned_diameter = accept(job, lab, diameter["id"], label="D20", method_id=coordinate.id)
    assert (planned_diameter["source_sha256"], planned_diameter["source_ref"]) == (sha256, "#122")
    assert (planned_diameter["lower_limit"], planned_diameter["upper_limit"]) == (
        pytest.approx(19.9),
        pytest.approx(20.05),
    )
    assert planned_diameter["source"] == "pmi"
    accept(job, lab, diameter["id"], expect=409)  # accepted once only
    rejected = client.post(
        f"{job.url}/proposals/{proposals['#57']['id']}/reject",
        headers=lab.headers(lab.technician),
    )
    assert rejected.json()["state"] == "rejected"

    job.step("in_measurement", lab.technician)
    cmm_report = qif.write_results(
        [  # the CMM calls D20 a PASS at 20.07, beyond the upper limit 20.05
            {"label": "Position.1 [#21]", "type": "position", "nominal": None, "zone": None,
             "lower_limit": None, "upper_limit": 0.75, "unit": "millimetre", "value": 0.31,
             "status": "PASS"},
            {"label": "D20", "type": "diameter", "nominal": 20.0, "zone": None,
             "lower_limit": 19.9, "upper_limit": 20.05, "unit": "millimetre", "value": 20.07,
             "status": "PASS"},
            {"label": "not planned", "type": "flatness", "nominal": None, "zone": None,
             "lower_limit": None, "upper_limit": 0.2, "unit": "millimetre", "value": 0.01,
             "status": "PASS"},
        ],
        operator="CMM operator",
        temperature=20.2,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c11",
    )  # fmt: skip
    imported = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id},
        content=cmm_report,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert (report["operator"], report["temperature"]) == ("CMM operator", 20.2)
    assert report["unmatched"] == ["not planned"]
    rows = {row["characteristic"]: row for row in report["rows"]}
    assert (rows["D20"]["cmm_status"], rows["D20"]["lab_decision"], rows["D20"]["agrees"]) == (
        "PASS", "fail", False,
    )  # fmt: skip
    assert rows["Position.1 [#21]"]["agrees"] is True
    assert report["disagreements"] == 1
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    by_characteristic = {r["characteristic_id"]: r for r in results}
    d20 = by_characteristic[planned_diameter["id"]]
    assert d20["value"] == 20.07 and d20["decision"]["decision"] == "fail"
    assert d20["imported"]["cmm_status"] == "PASS"
    assert d20["imported"]["agrees_with_lab"] is False
    assert d20["equipment"] == {"cmm": lab.cmm.id}
    # The task-specific U at 20 mm and 20.2 °C, never the CMC (0.0001 mm for this method).
    assert d20["uncertainty"]["source"] == "specification budget"
    assert d20["expanded_uncertainty"] == pytest.approx(0.00277, abs=0.00001)
    assert by_characteristic[planned_position["id"]]["temperature"] == 20.2

    exported = client.get(f"{job.url}/results.qif", headers=lab.headers(lab.technician))
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/xml"
    root = qif.parse(exported.content)
    qif.validate(root, shared_path("schemas", "qif"))
    back = qif.read_results(root)
    assert sorted((m.value, m.status) for m in back.measurements) == [
        (0.31, "PASS"),
        (20.07, "FAIL"),
    ]
    # Before approval the customer's export holds the plan but no results.
    customer_copy = client.get(f"{job.url}/results.qif", headers=lab.headers(lab.customer_user))
    assert qif.read_results(qif.parse(customer_copy.content)).measurements == []


def test_a_qif_plan_becomes_proposals_and_its_results_match_by_item(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    document = shared_path("fixtures", "cad", "qif", "testPython30.qif").read_bytes()
    uploaded = upload(job, lab, document, "plan.qif")
    assert uploaded["format"] == "qif"
    assert sorted(p["source_ref"] for p in uploaded["proposals"]) == sorted(
        ["15", "23", "27", "32", "36", "44", "48"]
    )
    coordinate = make_coordinate_method(engine, lab)
    for proposal in uploaded["proposals"]:
        # DIAM2 is toleranced 6.3 to 6.5 with no nominal: its size is given for the budget.
        size = {"L": 6.4} if proposal["label"].startswith("DIAM2") else {}
        accept(job, lab, proposal["id"], method_id=coordinate.id, parameters=size)
    job.step("in_measurement", lab.technician)
    imported = client.post(
        f"{job.url}/results/qif",
        params={
            "measured_on": MEASURED_ON.isoformat(),
            "temperature": 20.0,
            "equipment_id": lab.cmm.id,
        },
        content=document,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert imported.status_code == 200, imported.text
    report = imported.json()
    assert len(report["rows"]) == 7 and report["unmatched"] == []
    diam2 = next(row for row in report["rows"] if row["characteristic"].startswith("DIAM2"))
    assert (diam2["value"], diam2["cmm_status"], diam2["lab_decision"]) == (6.2, "FAIL", "fail")
    assert diam2["devices"] == ["CMM2"]
    again = client.post(
        f"{job.url}/results/qif",
        params={
            "measured_on": MEASURED_ON.isoformat(),
            "temperature": 20.0,
            "equipment_id": lab.cmm.id,
        },
        content=document,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert again.status_code == 409  # results are replaced one by one, with a reason


def test_an_inch_model_is_proposed_in_millimetres_keeping_the_file_values(
    client: TestClient, lab: Lab
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    model = shared_path("fixtures", "cad", "step", "nist_ctc_03_asme1_ap242-e2.stp").read_bytes()
    proposals = {p["source_ref"]: p for p in upload(job, lab, model, "ctc03.stp")["proposals"]}
    assert len(proposals) == 22
    diameter = proposals["#263"]  # 0.438 in +-0.005 in
    assert diameter["unit"] == "mm"
    assert diameter["nominal"] == pytest.approx(0.438 * 25.4)
    assert diameter["upper_limit"] == pytest.approx(0.443 * 25.4)
    assert diameter["extracted"]["nominal"] == pytest.approx(0.438, rel=1e-6)
    assert diameter["extracted"]["unit"] == "inch"
    assert proposals["#40"]["upper_limit"] == pytest.approx(0.05 * 25.4)


def test_qif_results_from_a_cmm_out_of_calibration_are_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    overdue = make_equipment(engine, identification="CMM-OLD", kind="cmm")
    make_calibration(engine, overdue, calibrated_on="2025-06-01", next_due_on="2026-06-01")
    job = started(client, lab, "product_qc", PRODUCT)
    job.step("in_measurement", lab.technician)
    document = shared_path("fixtures", "cad", "qif", "testPython30.qif").read_bytes()
    before = row_counts(engine)
    refused = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": overdue.id},
        content=document,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert refused.status_code == 422
    assert "CMM-OLD" in refused.json()["detail"]
    assert row_counts(engine) == before
