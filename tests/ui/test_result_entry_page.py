"""The job page for plausible results: each role's equipment choice offers only the kinds the
role takes, a late entry's reason has its field, and the entry time and reason are shown."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from sqlmodel import Session

from lims.config import Settings
from lims.db import utcnow
from lims.jobs.models import Job
from tests.factories import PASSWORD
from tests.jobs.factories import MEASURED_ON, MICROMETER, Lab, make_lab, submit

RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def test_the_result_form_offers_each_role_only_its_kinds_and_shows_a_late_entry(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    with Session(engine) as db_session:  # a job opened ten days ago
        db_session.exec(
            update(Job)
            .where(Job.id == job.job["id"])  # type: ignore[arg-type]
            .values(created_at=utcnow() - timedelta(days=10))
        )
        db_session.commit()
    job.step("accepted", lab.manager)
    for item in job.items():
        client.post(
            f"{job.url}/items/{item['id']}/receipt",
            json={"received_on": (MEASURED_ON - timedelta(days=9)).isoformat(), "condition": "fit"},
            headers=lab.headers(lab.technician),
        )
    job.step("items_received", lab.technician)
    point = job.plan(label="50 mm", nominal=50, unit="um", method_id=lab.ring_method.id)
    job.step("in_measurement", lab.technician)
    client.cookies.clear()
    signed_in = client.post(
        "/api/v1/auth/login", json={"username": lab.technician.username, "password": PASSWORD}
    )
    assert signed_in.status_code == 200, signed_in.text

    form = client.get(f"/jobs/{job.job['id']}").text
    choice = form.split(f'id="eq-{point["id"]}-reference"')[1].split("</select>")[0]
    assert lab.ring_gauge.identification in choice and lab.cmm.identification not in choice
    assert f'id="late-{point["id"]}"' in form

    job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
        measured_on=(MEASURED_ON - timedelta(days=8)).isoformat(),
        late_entry_reason="worksheet found after the holidays",
    )
    shown = client.get(f"/jobs/{job.job['id']}").text  # the technician reads Finnish
    assert "kirjattu myöhässä" in shown and "worksheet found after the holidays" in shown
