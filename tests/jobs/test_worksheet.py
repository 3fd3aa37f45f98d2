"""A worksheet: many planned points of a job recorded at once, through the same checks as a
single result, all or none (POST /api/v1/jobs/{id}/results/worksheet).

The setting-ring method of tests/jobs/factories.py: d_X = d_S + d_x - d_s with the
reference's certificate d_S = 20 nm, so readings of mean 1.21 um give 1.23 um, as in
tests/jobs/test_job_flow.py.
"""

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Role
from lims.audit.models import AuditEvent
from lims.config import Settings
from lims.jobs.models import Result
from lims.jobs.worksheet import MAX_ROWS
from tests.factories import make_organisation, make_user
from tests.jobs.factories import JobDriver, Lab, make_lab, micrometer_in_measurement

RING_READINGS = [1.2, 1.3, 1.1, 1.25, 1.2]


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def three_points(client: TestClient, lab: Lab) -> tuple[JobDriver, list[dict[str, Any]]]:
    """A micrometer job in measurement with its 50 mm point and two more, planned."""
    job, first = micrometer_in_measurement(client, lab)
    more = [
        job.plan(
            label=f"{size} mm",
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
        )
        for size in (60, 70)
    ]
    return job, [first, *more]


def sheet(job: JobDriver, lab: Lab, points: list[dict[str, Any]], **changes: Any) -> dict:
    return {
        "measured_on": job.today,
        "equipment": {"reference": lab.ring_gauge.id},
        "temperature": 20.1,
        "humidity": 45,
        "rows": [
            {"characteristic_id": point["id"], "observations": {"d_x": RING_READINGS}}
            for point in points
        ],
        **changes,
    }


def send(client: TestClient, job: JobDriver, body: dict, user: Any) -> Any:
    return client.post(f"{job.url}/results/worksheet", json=body, headers=job.lab.headers(user))


def results_of(client: TestClient, job: JobDriver) -> list[dict]:
    return client.get(f"{job.url}/results", headers=job.lab.headers(job.lab.manager)).json()


def test_a_worksheet_records_every_point_evaluated_as_a_single_result_is(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, points = three_points(client, lab)

    response = send(client, job, sheet(job, lab, points), lab.technician)

    assert response.status_code == 200, response.text
    recorded = response.json()
    assert [r["characteristic_id"] for r in recorded] == [p["id"] for p in points]
    for result in recorded:
        assert math.isclose(result["value"], 1.23, abs_tol=1e-9)
        assert result["decision"]["decision"] == "pass"
        assert result["measured_by_id"] == lab.technician.id
    # Each result is audited as a single one is: an insert by the technician.
    with Session(engine) as db_session:
        created = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "result", AuditEvent.action == "insert"
            )
        ).all()
    assert [event.actor_id for event in created] == [lab.technician.id] * 3


def test_one_bad_row_records_nothing_and_names_the_row_and_field(
    client: TestClient, lab: Lab
) -> None:
    job, points = three_points(client, lab)
    body = sheet(job, lab, points)
    body["rows"][1]["observations"] = {"d_x": [1.2]}  # one reading: no Type A evaluation
    body["rows"][2]["value"] = 1.0  # a modelled point takes readings, not a value

    response = send(client, job, body, lab.technician)

    assert response.status_code == 422, response.text
    problem = response.json()
    locations = [error["location"][:2] for error in problem["errors"]]
    assert ["rows", 1] in locations
    assert ["rows", 2, "value"] in [error["location"] for error in problem["errors"]]
    assert ["rows", 0] not in locations
    assert results_of(client, job) == []


def test_a_shared_field_wrong_for_every_row_is_named_once_at_that_field(
    client: TestClient, lab: Lab
) -> None:
    job, points = three_points(client, lab)

    response = send(client, job, sheet(job, lab, points, temperature=25.0), lab.technician)

    assert response.status_code == 422, response.text
    assert [error["location"] for error in response.json()["errors"]] == [["temperature"]]
    assert results_of(client, job) == []


def test_a_point_twice_or_already_measured_is_refused_in_its_row(
    client: TestClient, lab: Lab
) -> None:
    job, points = three_points(client, lab)
    job.record(
        characteristic_id=points[0]["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    body = sheet(job, lab, [points[0], points[1], points[1]])

    response = send(client, job, body, lab.technician)

    assert response.status_code == 422, response.text
    located = {tuple(error["location"]) for error in response.json()["errors"]}
    assert located == {("rows", 0, "characteristic_id"), ("rows", 2, "characteristic_id")}
    assert len(results_of(client, job)) == 1


def test_a_point_of_another_job_is_refused(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    _other, other_point = micrometer_in_measurement(client, lab)

    response = send(client, job, sheet(job, lab, [points[0], other_point]), lab.technician)

    assert response.status_code == 422, response.text
    assert [error["location"] for error in response.json()["errors"]] == [
        ["rows", 1, "characteristic_id"]
    ]
    assert results_of(client, job) == []


def test_an_empty_worksheet_is_refused(client: TestClient, lab: Lab) -> None:
    job, _points = three_points(client, lab)

    response = send(client, job, sheet(job, lab, [], rows=[]), lab.technician)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows"


def test_a_worksheet_longer_than_any_plan_is_refused_unread(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    rows = [{"characteristic_id": points[0]["id"], "observations": {"d_x": [1.0, 1.1]}}] * 1000
    assert len(rows) > MAX_ROWS

    response = send(client, job, sheet(job, lab, points, rows=rows), lab.technician)

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "rows"
    assert results_of(client, job) == []


def test_markup_in_a_comment_is_kept_as_text(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    body = sheet(job, lab, points[:1])
    body["rows"][0]["comment"] = "<script>alert(1)</script> ../../etc"

    response = send(client, job, body, lab.technician)

    assert response.status_code == 200, response.text
    assert response.json()[0]["comment"] == "<script>alert(1)</script> ../../etc"


def test_a_customer_may_not_record_a_worksheet(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)

    response = send(client, job, sheet(job, lab, points), lab.customer_user)

    assert response.status_code == 403
    assert results_of(client, job) == []


def test_another_organisations_customer_finds_no_such_job(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, points = three_points(client, lab)
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))

    response = send(client, job, sheet(job, lab, points), stranger)

    assert response.status_code == 404
    assert results_of(client, job) == []


def test_a_job_not_in_measurement_takes_no_worksheet(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    job.step("on_hold", lab.manager, reason="Waiting for the customer's drawing")

    response = send(client, job, sheet(job, lab, points), lab.technician)

    assert response.status_code == 409
    assert results_of(client, job) == []


def test_a_second_identical_worksheet_records_nothing_more(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, points = three_points(client, lab)
    body = sheet(job, lab, points)
    assert send(client, job, body, lab.technician).status_code == 200

    again = send(client, job, body, lab.technician)

    assert again.status_code == 409
    assert len(again.json()["errors"]) == 3
    with Session(engine) as db_session:
        assert len(db_session.exec(select(Result)).all()) == 3


def test_each_rows_refusal_is_worded_in_the_readers_language(client: TestClient, lab: Lab) -> None:
    job, points = three_points(client, lab)
    headers = {**lab.headers(lab.technician), "accept-language": "fi"}

    response = client.post(
        f"{job.url}/results/worksheet",
        json=sheet(job, lab, [points[0], points[0]]),
        headers=headers,
    )

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["detail"] == "Mittauspöytäkirjan 1 riviä ei voi kirjata; mitään ei kirjattu"
    [error] = problem["errors"]
    assert error["location"] == ["rows", 1, "characteristic_id"]
    assert error["code"] == "jobs.worksheet_point_twice"
    assert error["message"] == "piste esiintyy mittauspöytäkirjassa kahdesti"


def test_a_point_number_beyond_any_record_is_refused_and_nothing_recorded(
    client: TestClient, lab: Lab
) -> None:
    job, points = three_points(client, lab)
    body = sheet(job, lab, points)
    body["rows"][2]["characteristic_id"] = 10**30

    response = send(client, job, body, lab.technician)

    assert response.status_code == 422, response.text
    assert results_of(client, job) == []
