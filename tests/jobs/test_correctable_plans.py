"""Correctable plans: characteristics edited and voided with the audit trail, parameters given
at acceptance, and a cancelled job releasing its quotation (issue 20, part E)."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.cad import qif
from lims.comparisons.models import TEMPLATE_EXAMPLE
from lims.competence.models import Activity
from lims.config import Settings
from lims.documents.signing import create_demo_signing_key
from lims.methods.models import Method
from tests.cad.factories import make_proposal
from tests.conftest import row_counts
from tests.contracts.factories import accept, make_price_list, make_price_model, make_quotation
from tests.documents.factories import approved_calibration, issue
from tests.documents.test_issuing import document_data
from tests.equipment.factories import authorise, make_method
from tests.factories import PASSWORD
from tests.jobs.factories import CMM_METHOD, MEASURED_ON, PRODUCT, Lab, make_lab
from tests.jobs.test_job_flow import started
from tests.records.factories import contents_of, export, saved

# A comparator method: the size is the nominal L plus the deviation read, all in mm.
SIZE_METHOD = {
    **CMM_METHOD,
    "model": "L + d",
    "inputs": [
        {"name": "d", "source": "type_a", "unit": "mm"},
        {"name": "L", "source": "parameter", "unit": "mm"},
    ],
}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


@pytest.fixture
def size_method(engine: Engine, lab: Lab) -> Method:
    method = make_method(engine, **SIZE_METHOD)
    authorise(engine, lab.technician, method, Activity.PERFORM)
    return method


def test_a_characteristic_accepted_from_a_model_takes_L_from_its_nominal_and_can_be_measured(
    client: TestClient, engine: Engine, lab: Lab, size_method: Method
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    proposal = make_proposal(engine, job_id=job.job["id"], item_id=job.items()[0]["id"])
    accepted = client.post(
        f"{job.url}/proposals/{proposal.id}/accept",
        json={"method_id": size_method.id, "label": "D20", "nominal": 20.0, "unit": "mm"},
        headers=lab.headers(lab.technician),
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["parameters"] == {"L": 20.0}
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=accepted.json()["id"], observations={"d": [0.001, 0.002, 0.0015]}
    )
    assert result["value"] == pytest.approx(20.0015)


def test_parameters_given_at_acceptance_win_over_the_nominal(
    client: TestClient, engine: Engine, lab: Lab, size_method: Method
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    proposal = make_proposal(engine, job_id=job.job["id"], item_id=job.items()[0]["id"])
    accepted = client.post(
        f"{job.url}/proposals/{proposal.id}/accept",
        json={"method_id": size_method.id, "nominal": 20.0, "parameters": {"L": 20.5}},
        headers=lab.headers(lab.technician),
    )
    assert accepted.status_code == 201, accepted.text
    assert accepted.json()["parameters"] == {"L": 20.5}


def test_a_test_piece_plan_takes_each_features_size_L_from_its_nominal(
    client: TestClient, lab: Lab, size_method: Method
) -> None:
    manager = lab.headers(lab.manager)
    template = client.post("/api/v1/test-piece-templates", json=TEMPLATE_EXAMPLE, headers=manager)
    assert template.status_code == 201, template.text
    job = started(client, lab, "reference", {"kind": "test_piece", "description": "BAS piece"})
    planned = client.post(
        f"{job.url}/characteristics/from-test-piece",
        json={
            "item_id": job.items()[0]["id"],
            "template_id": template.json()["id"],
            "method_id": size_method.id,
        },
        headers=manager,
    )
    assert planned.status_code == 201, planned.text
    by_label = {c["label"]: c for c in planned.json()}
    assert by_label["Circle diameter"]["parameters"] == {"L": 108.0}
    assert by_label["Circle roundness"]["parameters"] == {}  # no nominal: L is given later
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=by_label["Circle diameter"]["id"], observations={"d": [0.004, 0.006]}
    )
    assert result["value"] == pytest.approx(108.005)


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


D20 = {
    "label": "D20",
    "nominal": 20,
    "lower_limit": 19.95,
    "upper_limit": 20.05,
    "unit": "mm",
    "source": "drawing",
}
CMM_READINGS = {"x": [20.01, 20.02, 20.015]}
QPID = "2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c11"


@pytest.fixture
def measuring(client: TestClient, lab: Lab) -> tuple[Any, dict, dict]:
    """A product job in measurement with two characteristics planned."""
    job = started(client, lab, "product_qc", PRODUCT)
    d20 = job.plan(**D20, method_id=lab.cmm_method.id)
    d30 = job.plan(**{**D20, "label": "D30", "nominal": 30}, method_id=lab.cmm_method.id)
    job.step("in_measurement", lab.technician)
    return job, d20, d30


def _patch(job: Any, characteristic: dict, user: Any, expect: int, **body: Any) -> dict:
    response = job.client.patch(
        f"{job.url}/characteristics/{characteristic['id']}",
        json=body,
        headers=job.lab.headers(user),
    )
    assert response.status_code == expect, response.text
    return response.json()


def _void(job: Any, characteristic: dict, user: Any, expect: int, reason: str = "") -> dict:
    response = job.client.post(
        f"{job.url}/characteristics/{characteristic['id']}/void",
        json={"reason": reason},
        headers=job.lab.headers(user),
    )
    assert response.status_code == expect, response.text
    return response.json()


def _history(job: Any, characteristic: dict) -> list[dict]:
    response = job.client.get(
        "/api/v1/audit",
        params={"entity": f"characteristic:{characteristic['id']}"},
        headers=job.lab.headers(job.lab.manager),
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_staff_correct_a_characteristic_and_the_trail_keeps_old_and_new_values_and_why(
    lab: Lab, measuring: tuple
) -> None:
    job, d20, _ = measuring
    reason = "Drawing 1234-A rev B: the tolerance is H7"
    edited = _patch(
        job,
        d20,
        lab.technician,
        200,
        label="D20 H7",
        lower_limit=20.0,
        upper_limit=20.021,
        parameters={"L": 20.0},
        reason=reason,
    )
    assert (edited["label"], edited["lower_limit"], edited["upper_limit"]) == (
        "D20 H7", 20.0, 20.021,
    )  # fmt: skip
    assert edited["parameters"] == {"L": 20.0}
    assert edited["nominal"] == 20  # what was not sent stays
    event = _history(job, d20)[-1]
    assert event["reason"] == reason
    assert event["changes"]["upper_limit"] == [20.05, 20.021]
    assert event["changes"]["label"] == ["D20", "D20 H7"]
    _patch(job, edited, lab.manager, 200, method_id=lab.ring_method.id, reason="wrong method")


def test_bad_corrections_are_refused_naming_the_field_and_change_nothing(
    engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, d20, _ = measuring
    before = row_counts(engine)
    refused = _patch(job, d20, lab.technician, 422, lower_limit=20.1, reason="limits")
    assert refused["errors"][0]["field"] == "lower_limit"
    refused = _patch(job, d20, lab.technician, 422, method_id=999_999, reason="method")
    assert refused["errors"][0]["field"] == "method_id"
    _patch(job, d20, lab.technician, 422, upper_limit=20.1)  # no reason
    _patch(job, d20, lab.technician, 409, label="D30", reason="taken")
    _patch(job, d20, lab.customer_user, 403, label="D21", reason="a customer plans nothing")
    assert row_counts(engine) == before
    assert job.client.get(f"{job.url}/characteristics", headers=lab.headers(lab.manager)).json()[
        0
    ] == d20 | {"voided_at": None, "voided_by_id": None, "void_reason": None}


def test_a_measured_characteristic_keeps_what_its_result_was_evaluated_with(
    lab: Lab, measuring: tuple
) -> None:
    job, d20, _ = measuring
    job.record(
        characteristic_id=d20["id"], observations=CMM_READINGS, equipment={"cmm": lab.cmm.id}
    )
    refused = _patch(job, d20, lab.technician, 409, upper_limit=20.1, reason="limits")
    assert "void it and plan a corrected one" in refused["detail"]
    renamed = _patch(job, d20, lab.technician, 200, label="D20 bore", reason="clearer")
    assert renamed["label"] == "D20 bore"


def test_a_characteristic_is_not_edited_once_the_job_is_approved(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, d20, d30 = measuring
    for characteristic in (d20, d30):
        job.record(
            characteristic_id=characteristic["id"],
            observations=CMM_READINGS,
            equipment={"cmm": lab.cmm.id},
        )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    refused = _patch(job, d20, lab.manager, 409, label="D20 bore", reason="clearer")
    assert "approved" in refused["detail"]


def test_a_voided_characteristic_stays_takes_no_results_and_does_not_block_finishing(
    engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, d20, d30 = measuring
    _void(job, d30, lab.customer_user, 403, reason="not theirs to void")
    before = row_counts(engine)
    _void(job, d30, lab.technician, 422)  # no reason
    assert row_counts(engine) == before
    reason = "The customer withdrew D30 (e-mail 3.12.2026)"
    voided = _void(job, d30, lab.technician, 200, reason=reason)
    assert voided["void_reason"] == reason
    assert voided["voided_by_id"] == lab.technician.id and voided["voided_at"]
    assert _history(job, d30)[-1]["reason"] == reason
    _void(job, d30, lab.manager, 409, reason="again")
    _patch(job, d30, lab.manager, 409, label="D31", reason="voided")
    refused = job.record(
        characteristic_id=d30["id"],
        observations=CMM_READINGS,
        equipment={"cmm": lab.cmm.id},
        expect=409,
    )
    assert "voided" in refused["detail"]
    job.record(
        characteristic_id=d20["id"], observations=CMM_READINGS, equipment={"cmm": lab.cmm.id}
    )
    job.step("measured", lab.technician)  # D30 is not missing: it was voided
    listed = job.client.get(f"{job.url}/characteristics", headers=lab.headers(lab.customer_user))
    assert [c["label"] for c in listed.json()] == ["D20", "D30"]  # still on the record


def test_voiding_is_refused_once_the_job_is_reported(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, d20, d30 = measuring
    for characteristic in (d20, d30):
        job.record(
            characteristic_id=characteristic["id"],
            observations=CMM_READINGS,
            equipment={"cmm": lab.cmm.id},
        )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    _void(job, d30, lab.manager, 200, reason="the customer withdrew D30 before reporting")
    job.step("reported", lab.signatory)
    refused = _void(job, d20, lab.manager, 409, reason="too late")
    assert "reported" in refused["detail"]


def test_the_job_page_offers_correcting_and_voiding_and_strikes_a_voided_one_through(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, d20, d30 = measuring
    client.cookies.clear()
    login = {"username": lab.technician.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    page = client.get(f"/jobs/{job.job['id']}")
    assert page.status_code == 200, page.text
    form = f'data-action="/api/v1/jobs/{job.job["id"]}/characteristics/{d20["id"]}"'
    assert form in page.text and 'data-method="PATCH"' in page.text
    assert f'/characteristics/{d30["id"]}/void"' in page.text
    _void(job, d30, lab.technician, 200, reason="The customer withdrew D30")
    page = client.get(f"/jobs/{job.job['id']}").text
    row = page[page.index(f'id="characteristic-{d30["id"]}"') :].split("</tr>")[0]
    assert 'class="voided"' in row and "<s>D30</s>" in row
    assert "The customer withdrew D30" in row
    assert f'/characteristics/{d30["id"]}/void"' not in page  # voided once, for good


def test_a_certificate_leaves_a_voided_characteristic_and_its_result_out(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    create_demo_signing_key(settings)
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    points = job.client.get(f"{job.url}/characteristics", headers=lab.headers(lab.manager)).json()
    _void(job, points[1], lab.manager, 200, reason="25 mm was calibrated in error")
    document = issue(client, lab, job_id=job.job["id"])
    labels = [row["label"] for row in document_data(client, lab, document)["results"]]
    assert labels == ["10 mm", "50 mm"]


def test_a_qif_import_stores_nothing_for_a_voided_characteristic(
    client: TestClient, lab: Lab, measuring: tuple
) -> None:
    job, d20, d30 = measuring
    _void(job, d30, lab.technician, 200, reason="The customer withdrew D30")
    rows = [
        {"label": label, "type": "diameter", "nominal": nominal, "zone": None,
         "lower_limit": 19.95, "upper_limit": 20.05, "unit": "millimetre", "value": value,
         "status": "PASS"}
        for label, nominal, value in (("D20", 20.0, 20.01), ("D30", 30.0, 30.01))
    ]  # fmt: skip
    imported = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": lab.cmm.id},
        content=qif.write_results(rows, operator="CMM operator", temperature=20.1, qpid=QPID),
        headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["unmatched"] == ["D30"]
    results = client.get(f"{job.url}/results", headers=lab.headers(lab.technician)).json()
    assert [r["characteristic_id"] for r in results] == [d20["id"]]


def test_the_records_export_keeps_a_voided_characteristic_with_its_reason(
    client: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    create_demo_signing_key(settings)
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    points = job.client.get(f"{job.url}/characteristics", headers=lab.headers(lab.manager)).json()
    _void(job, points[1], lab.manager, 200, reason="25 mm was calibrated in error")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    files = contents_of(bundle)
    folder = f"jobs/{job.job['number']}"
    index = files[f"{folder}/index.html"].decode()
    assert "<s>25 mm</s>" in index and "25 mm was calibrated in error" in index
    plan = json.loads(files[f"{folder}/plan.json"])
    assert [c["void_reason"] for c in plan] == [None, "25 mm was calibrated in error", None]


def test_a_voided_characteristic_takes_no_customer_value(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = started(client, lab, "reference", {"kind": "test_piece", "description": "BAS piece"})
    d20 = job.plan(**D20, method_id=lab.cmm_method.id)
    _void(job, d20, lab.technician, 200, reason="The company does not measure D20")
    before = row_counts(engine)
    refused = client.post(
        f"{job.url}/customer-values",
        json={"characteristic_id": d20["id"], "value": 20.01},
        headers=lab.headers(lab.customer_user),
    )
    assert refused.status_code == 409, refused.text
    assert "voided" in refused.json()["detail"]
    assert row_counts(engine) == before


def test_a_correction_to_a_unit_its_method_cannot_give_is_refused_naming_both(
    engine: Engine, lab: Lab, measuring: tuple
) -> None:
    job, d20, _ = measuring
    before = row_counts(engine)
    refused = _patch(job, d20, lab.technician, 422, unit="deg", reason="an angle, not a size")
    assert refused["errors"][0]["field"] == "unit"
    assert "°" in refused["detail"] and "mm" in refused["detail"]
    assert row_counts(engine) == before
    converted = _patch(
        job,
        d20,
        lab.technician,
        200,
        unit="µm",
        nominal=20_000,
        lower_limit=19_950,
        upper_limit=20_050,
        reason="the drawing states the tolerance in micrometres",
    )
    assert (converted["unit"], converted["upper_limit"]) == ("µm", 20_050)


def test_the_job_page_takes_a_proposals_size_L_at_acceptance(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    proposal = make_proposal(engine, job_id=job.job["id"], item_id=job.items()[0]["id"])
    client.cookies.clear()
    login = {"username": lab.technician.username, "password": PASSWORD}
    assert client.post("/api/v1/auth/login", json=login).status_code == 200
    page = client.get(f"/jobs/{job.job['id']}").text
    form = page[page.index(f"/proposals/{proposal.id}/accept") :].split("</form>")[0]
    assert 'name="parameters.L"' in form and 'data-type="number"' in form
