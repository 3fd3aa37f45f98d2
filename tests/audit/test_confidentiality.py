"""Who reads the audit trail: the lab's staff and its auditors, never a customer.

An event shows a record at every step, before the lab released it: a customer asking for
the history of its own unapproved result would read the value, the observations, the budget
and who measured it (issue #21, item 2).
"""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.factories import PASSWORD, bearer, make_user
from tests.jobs.factories import MICROMETER, Lab, make_lab, submit

RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def measured_result(client: TestClient, lab: Lab) -> tuple[str, int]:
    """A job in state measured with one result, not yet reviewed: (job url, result id)."""
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(
        label="50 mm",
        kind="calibration_point",
        nominal=50,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
        source="method",
    )
    job.step("in_measurement", lab.technician)
    result = job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    job.step("measured", lab.technician)
    return job.url, result["id"]


def test_a_customer_cannot_read_its_unapproved_result_through_the_audit_trail(
    client: TestClient, lab: Lab
) -> None:
    job_url, result_id = measured_result(client, lab)
    customer = lab.headers(lab.customer_user)
    assert client.get(f"{job_url}/results", headers=customer).json() == []
    answer = client.get("/api/v1/audit", params={"entity": f"result:{result_id}"}, headers=customer)
    assert answer.status_code == 403
    assert answer.headers["content-type"] == "application/problem+json"
    assert "1.2" not in answer.text and lab.technician.username not in answer.text
    staff = client.get(
        "/api/v1/audit",
        params={"entity": f"result:{result_id}"},
        headers=lab.headers(lab.manager),
    )
    assert [event["action"] for event in staff.json()] == ["insert"]


def test_a_customer_is_refused_the_audit_page_and_does_not_find_it_in_the_menu(
    client: TestClient, lab: Lab
) -> None:
    _, result_id = measured_result(client, lab)
    signed_in = client.post(
        "/api/v1/auth/login",
        json={"username": lab.customer_user.username, "password": PASSWORD},
    )
    assert signed_in.status_code == 200, signed_in.text
    for page in ("/audit", f"/audit?entity=result:{result_id}"):
        answer = client.get(page)
        assert answer.status_code == 403, page
        assert lab.technician.username not in answer.text
    assert 'href="/audit"' not in client.get("/jobs").text


@pytest.mark.parametrize("role", [Role.TECHNICIAN, Role.AUDITOR])
def test_staff_and_auditors_read_the_trail(
    role: Role, client: TestClient, engine: Engine, settings: Settings
) -> None:
    reader = make_user(engine, role)
    headers = bearer(settings, reader)
    answer = client.get(
        "/api/v1/audit", params={"entity": f"user_account:{reader.id}"}, headers=headers
    )
    assert answer.status_code == 200
    assert [event["action"] for event in answer.json()] == ["insert"]
