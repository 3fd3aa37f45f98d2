"""The job page's worksheet for each role: the lab's staff get it while the job is in
measurement (its equipment choice offering only the kinds the method's role takes), nobody
else does, another organisation's customer finds no job, and a signed-out caller is sent
to sign in.  The same rules hold for the API (tests/jobs/test_worksheet.py)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role, User
from lims.config import Settings
from tests.factories import PASSWORD, make_organisation, make_user
from tests.jobs.factories import JobDriver, Lab, make_lab
from tests.jobs.test_worksheet import RING_READINGS, three_points


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def sign_in(client: TestClient, user: User) -> None:
    client.cookies.clear()
    answer = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text


def page_of(client: TestClient, job: JobDriver) -> str:
    answer = client.get(f"/jobs/{job.job['id']}")
    assert answer.status_code == 200, answer.text
    return answer.text


def test_the_technician_gets_a_worksheet_of_the_points_still_to_measure(
    client: TestClient, lab: Lab
) -> None:
    job, points = three_points(client, lab)
    job.record(
        characteristic_id=points[0]["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    sign_in(client, lab.technician)

    shown = page_of(client, job)

    sheet = shown.split('class="worksheet-form"')[1].split("</form>")[0]
    rows = [f'data-characteristic-id="{point["id"]}"' for point in points]
    assert rows[0] not in sheet and rows[1] in sheet and rows[2] in sheet
    choice = sheet.split('name="equipment.reference"')[1].split("</select>")[0]
    assert lab.ring_gauge.identification in choice and lab.cmm.identification not in choice
    assert "Mittauspöytäkirja" in shown  # the technician reads Finnish


def test_a_measured_plan_has_no_worksheet(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    for point in points:
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": RING_READINGS},
        )
    sign_in(client, lab.technician)

    assert "worksheet-form" not in page_of(client, job)


@pytest.mark.parametrize("role", [Role.CUSTOMER, Role.AUDITOR])
def test_who_does_not_measure_gets_no_worksheet(
    client: TestClient, lab: Lab, engine: Engine, role: Role
) -> None:
    job, _points = three_points(client, lab)
    reader = lab.customer_user if role == Role.CUSTOMER else make_user(engine, Role.AUDITOR)
    sign_in(client, reader)

    assert "worksheet-form" not in page_of(client, job)


def test_another_organisations_customer_finds_no_job(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, _points = three_points(client, lab)
    sign_in(client, make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine)))

    assert client.get(f"/jobs/{job.job['id']}").status_code == 404


def test_a_signed_out_caller_is_sent_to_sign_in(client: TestClient, lab: Lab) -> None:
    job, _points = three_points(client, lab)
    client.cookies.clear()

    answer = client.get(f"/jobs/{job.job['id']}", follow_redirects=False)

    assert answer.status_code in (302, 303)
    assert answer.headers["location"].startswith("/login")
