"""Plausible results (issue 20): a result is dated between the item's receipt, the job's
opening and today; a late entry says why; equipment fills only a role that takes its kind."""

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from lims.config import Settings
from lims.db import utcnow
from lims.jobs.models import Job
from lims.methods.models import METHOD_EXAMPLE
from tests.audit.test_trail import history
from tests.conftest import row_counts, shared_path
from tests.equipment.factories import make_calibration, make_equipment
from tests.jobs.factories import MEASURED_ON, MICROMETER, PRODUCT, JobDriver, Lab, make_lab, submit

RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]
OCTETS = {"content-type": "application/octet-stream"}


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def opened_days_ago(engine: Engine, job: JobDriver, days: int) -> None:
    """A job opened some days ago: the only way to have one is to move its opening back."""
    with Session(engine) as db_session:
        db_session.exec(
            update(Job)
            .where(Job.id == job.job["id"])  # type: ignore[arg-type]
            .values(created_at=utcnow() - timedelta(days=days))
        )
        db_session.commit()


def measuring(
    client: TestClient, lab: Lab, *, kind: str = "calibration", received_on: date = MEASURED_ON
) -> JobDriver:
    job = submit(client, lab, kind, MICROMETER if kind == "calibration" else PRODUCT)
    return received(client, lab, job, received_on=received_on)


def received(client: TestClient, lab: Lab, job: JobDriver, *, received_on: date) -> JobDriver:
    job.step("accepted", lab.manager)
    for item in job.items():
        response = client.post(
            f"{job.url}/items/{item['id']}/receipt",
            json={"received_on": received_on.isoformat(), "condition": "fit"},
            headers=lab.headers(lab.technician),
        )
        assert response.status_code == 200, response.text
    job.step("items_received", lab.technician)
    return job


def ring_point(job: JobDriver, lab: Lab) -> dict:
    point = job.plan(label="50 mm", nominal=50, unit="um", method_id=lab.ring_method.id)
    job.step("in_measurement", lab.technician)
    return point


def ring(lab: Lab, point: dict, **changes: object) -> dict:
    return {
        "characteristic_id": point["id"],
        "equipment": {"reference": lab.ring_gauge.id},
        "observations": {"d_x": RING_READINGS},
        **changes,
    }


def refused(client: TestClient, job: JobDriver, lab: Lab, entry: dict, *, field: list[str]) -> dict:
    """The entry is refused with 422 naming ``field``."""
    response = client.post(
        f"{job.url}/results",
        json={"measured_on": MEASURED_ON.isoformat(), "temperature": 20.1, "humidity": 45, **entry},
        headers=lab.headers(lab.technician),
    )
    assert response.status_code == 422, response.text
    assert [error["location"] for error in response.json()["errors"]] == [field]
    return response.json()


def test_a_backdated_result_with_an_overdue_reference_is_refused_as_before_the_job_opened(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    # The reproduction: overdue since 2026-06-01, dated 2026-05-29 to slip through.
    overdue = make_equipment(engine, identification="SR-OLD", kind="ring_gauge")
    make_calibration(engine, overdue, calibrated_on="2025-06-01", next_due_on="2026-06-01")
    job = measuring(client, lab)
    point = ring_point(job, lab)
    before = row_counts(engine)
    problem = refused(
        client,
        job,
        lab,
        ring(lab, point, equipment={"reference": overdue.id}, measured_on="2026-05-29"),
        field=["measured_on"],
    )
    assert problem["detail"] == (
        f"measured_on 2026-05-29 is before job {job.job['number']} was opened on {MEASURED_ON}"
    )
    assert row_counts(engine) == before


def test_a_result_dated_before_the_item_was_received_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    opened_days_ago(engine, job, 10)
    job = received(client, lab, job, received_on=MEASURED_ON - timedelta(days=2))
    point = ring_point(job, lab)
    before = row_counts(engine)
    day = MEASURED_ON - timedelta(days=5)
    problem = refused(
        client, job, lab, ring(lab, point, measured_on=day.isoformat()), field=["measured_on"]
    )
    assert problem["detail"] == (
        f"measured_on {day} is before item External micrometer 0-25 mm was received on "
        f"{MEASURED_ON - timedelta(days=2)}"
    )
    assert row_counts(engine) == before


def test_a_result_dated_in_the_future_is_refused_naming_the_labs_today(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = measuring(client, lab)
    point = ring_point(job, lab)
    before = row_counts(engine)
    tomorrow = MEASURED_ON + timedelta(days=1)
    problem = refused(
        client, job, lab, ring(lab, point, measured_on=tomorrow.isoformat()), field=["measured_on"]
    )
    assert problem["detail"] == (
        f"measured_on {tomorrow} is in the future: the lab's today is {MEASURED_ON}"
    )
    assert row_counts(engine) == before


def test_a_late_entry_needs_a_reason_and_keeps_it_with_the_entry_time(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    opened_days_ago(engine, job, 10)
    job = received(client, lab, job, received_on=MEASURED_ON - timedelta(days=9))
    point = ring_point(job, lab)
    day = MEASURED_ON - timedelta(days=8)  # one day more than LIMS_LATE_ENTRY_DAYS (7)
    before = row_counts(engine)
    problem = refused(
        client, job, lab, ring(lab, point, measured_on=day.isoformat()), field=["late_entry_reason"]
    )
    assert problem["detail"] == (
        f"the result is entered 8 days after it was measured on {day}, more than 7: "
        "give the late_entry_reason"
    )
    assert row_counts(engine) == before
    started = utcnow()
    result = job.record(
        **ring(lab, point, measured_on=day.isoformat()),
        late_entry_reason="worksheet found in the CMM room after the holidays",
    )
    assert result["late_entry_reason"] == "worksheet found in the CMM room after the holidays"
    assert started <= datetime.fromisoformat(result["entered_at"]) <= utcnow()
    (inserted,) = history(client, lab.headers(lab.manager), "result", result["id"])
    assert inserted["changes"]["late_entry_reason"] == [None, result["late_entry_reason"]]
    assert inserted["changes"]["entered_at"][1]


def test_a_result_entered_within_the_late_entry_days_needs_no_reason(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    opened_days_ago(engine, job, 10)
    job = received(client, lab, job, received_on=MEASURED_ON - timedelta(days=9))
    point = ring_point(job, lab)
    day = MEASURED_ON - timedelta(days=7)
    result = job.record(**ring(lab, point, measured_on=day.isoformat()))
    assert result["late_entry_reason"] is None


def test_a_late_csv_import_needs_a_reason_for_its_rows(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    opened_days_ago(engine, job, 10)
    job = received(client, lab, job, received_on=MEASURED_ON - timedelta(days=9))
    ring_point(job, lab)
    day = MEASURED_ON - timedelta(days=9)
    csv = (
        "characteristic,observations,unit,measured_on,equipment,temperature,humidity\n"
        f"50 mm,1.2|1.3|1.1|1.25|1.2,um,{day},reference={lab.ring_gauge.identification},20,45\n"
    )

    def send(**params: Any) -> dict:
        response = client.post(
            f"{job.url}/results/import",
            params={"dry_run": "false", **params},
            content=csv.encode(),
            headers={**lab.headers(lab.technician), "content-type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    late = send()
    assert late["written"] is False
    assert [(e["line"], e["column"]) for e in late["errors"]] == [(2, "late_entry_reason")]
    assert send(late_entry_reason="entered from the paper worksheet")["written"] is True


def test_equipment_of_another_kind_is_refused_naming_the_role_and_both_kinds(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    blocks = make_equipment(engine, identification="GB-07", kind="gauge_block")
    make_calibration(engine, blocks)
    job = measuring(client, lab)
    point = ring_point(job, lab)
    before = row_counts(engine)
    problem = refused(
        client,
        job,
        lab,
        ring(lab, point, equipment={"reference": blocks.id}),
        field=["equipment", "reference"],
    )
    assert problem["detail"] == "role reference takes ring_gauge; GB-07 is a gauge_block"
    assert row_counts(engine) == before


def test_equipment_in_a_role_the_method_does_not_declare_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = measuring(client, lab)
    point = ring_point(job, lab)
    equipment = {"reference": lab.ring_gauge.id, "spare": lab.cmm.id}
    problem = refused(
        client, job, lab, ring(lab, point, equipment=equipment), field=["equipment", "spare"]
    )
    assert problem["detail"] == (
        f"method {lab.ring_method.code} v1 has no equipment role 'spare'; its roles: reference"
    )


def test_a_qif_import_with_a_laser_interferometer_as_its_cmm_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    laser = make_equipment(engine, identification="LI-01", kind="laser_interferometer")
    make_calibration(engine, laser)
    job = measuring(client, lab, kind="product_qc")
    document = shared_path("fixtures", "cad", "qif", "testPython30.qif").read_bytes()
    # The job is planned from the same QIF document, so every measurement would match.
    uploaded = client.post(
        f"{job.url}/items/{job.items()[0]['id']}/models",
        params={"filename": "plan.qif"},
        content=document,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert uploaded.status_code == 201, uploaded.text
    for proposal in uploaded.json()["proposals"]:
        accepted = client.post(
            f"{job.url}/proposals/{proposal['id']}/accept",
            json={"method_id": lab.cmm_method.id},
            headers=lab.headers(lab.technician),
        )
        assert accepted.status_code == 201, accepted.text
    job.step("in_measurement", lab.technician)
    before = row_counts(engine)
    response = client.post(
        f"{job.url}/results/qif",
        params={"measured_on": MEASURED_ON.isoformat(), "equipment_id": laser.id},
        content=document,
        headers={**OCTETS, **lab.headers(lab.technician)},
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == "role cmm takes cmm; LI-01 is a laser_interferometer"
    assert row_counts(engine) == before


def test_a_method_must_name_the_kinds_of_its_certificate_roles(
    client: TestClient, lab: Lab
) -> None:
    body = {**METHOD_EXAMPLE, "code": "DIM-NOKIND-01", "equipment_roles": {}}
    response = client.post("/api/v1/methods", json=body, headers=lab.headers(lab.manager))
    assert response.status_code == 422, response.text
    assert response.json()["detail"] == (
        "input 'd_S' comes from the certificate of the 'reference' role: "
        "name the kinds of equipment it takes"
    )
    body["equipment_roles"] = {"reference": []}
    response = client.post("/api/v1/methods", json=body, headers=lab.headers(lab.manager))
    assert response.status_code == 422, response.text
    assert "must name the kinds" in response.json()["detail"]
