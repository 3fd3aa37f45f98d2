"""Work queues, assigning a job to a technician, what a person may do on a job now and what
the job waits for: on both backends, through the service and the HTTP API."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.auth import principal_for
from lims.accounts.models import Role, User
from lims.audit.models import AuditEvent
from lims.audit.trail import set_context
from lims.clock import local_today
from lims.competence.models import Activity
from lims.config import Settings
from lims.jobs import actions, queues
from lims.jobs.models import Job
from tests.equipment.factories import authorise
from tests.factories import FACTORY_ACTOR, make_organisation, make_user
from tests.jobs.factories import (
    MICROMETER,
    JobDriver,
    Lab,
    make_lab,
    micrometer_in_measurement,
    submit,
)
from tests.jobs.test_job_flow import RING_READINGS


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def _queues(engine: Engine, user: User, settings: Settings) -> dict[str, list[str]]:
    with Session(engine) as db_session:
        found = queues.my_work(
            db_session,
            actor=principal_for(user, via="password"),
            on=local_today(settings.timezone),
        )
        return {queue.name: [entry.job.number for entry in queue.entries] for queue in found}


def _allowed(engine: Engine, user: User, job: JobDriver, settings: Settings) -> set[str]:
    with Session(engine) as db_session:
        return actions.allowed_actions(
            db_session,
            actor=principal_for(user, via="password"),
            job=db_session.get_one(Job, job.job["id"]),
            on=local_today(settings.timezone),
        )


def _measured(client: TestClient, lab: Lab) -> JobDriver:
    job, point = micrometer_in_measurement(client, lab)
    job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    job.step("measured", lab.technician)
    return job


def _assign(client: TestClient, lab: Lab, job: JobDriver, by: User, to: int | None) -> Any:
    return client.put(f"{job.url}/assignment", json={"assigned_to_id": to}, headers=lab.headers(by))


# -- assignment ----------------------------------------------------------------------------


def test_a_quality_manager_assigns_a_job_to_a_technician_and_it_is_audited(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, _ = micrometer_in_measurement(client, lab)
    response = client.put(
        f"{job.url}/assignment",
        json={"assigned_to_id": lab.technician.id},
        headers=lab.headers(lab.manager),
    )
    assert response.status_code == 200, response.text
    assert response.json()["assigned_to_id"] == lab.technician.id
    with Session(engine) as db_session:
        events = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "job", AuditEvent.entity_id == str(job.job["id"])
            )
        ).all()
    assert any("assigned_to_id" in (event.changes or {}) for event in events)


def test_a_technician_takes_an_unassigned_job_and_gives_it_back(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    taken = client.put(
        f"{job.url}/assignment",
        json={"assigned_to_id": lab.technician.id},
        headers=lab.headers(lab.technician),
    )
    assert taken.status_code == 200, taken.text
    given_back = client.put(
        f"{job.url}/assignment", json={"assigned_to_id": None}, headers=lab.headers(lab.technician)
    )
    assert given_back.status_code == 200, given_back.text
    assert given_back.json()["assigned_to_id"] is None


def test_taking_a_job_that_is_already_yours_answers_it_as_it_is_and_records_nothing(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    mine = {"assigned_to_id": lab.technician.id}

    def take() -> Any:
        return client.put(f"{job.url}/assignment", json=mine, headers=lab.headers(lab.technician))

    def events() -> int:
        with Session(engine) as db_session:
            return len(
                db_session.exec(
                    select(AuditEvent).where(
                        AuditEvent.entity_type == "job", AuditEvent.entity_id == str(job.job["id"])
                    )
                ).all()
            )

    assert take().status_code == 200
    recorded = events()
    again = take()
    assert again.status_code == 200, again.text
    assert again.json()["assigned_to_id"] == lab.technician.id
    assert events() == recorded
    # Those who may not make the assignment are refused even when it is already so.
    for outsider in (lab.customer_user, make_user(engine, Role.AUDITOR)):
        unchanged = client.put(f"{job.url}/assignment", json=mine, headers=lab.headers(outsider))
        assert unchanged.status_code == 403, unchanged.text


def test_a_technician_may_not_assign_a_job_to_someone_else_nor_take_anothers(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    other = client.put(
        f"{job.url}/assignment",
        json={"assigned_to_id": lab.reviewer.id},
        headers=lab.headers(lab.technician),
    )
    assert other.status_code == 403
    assert "takes an unassigned job for themselves" in other.json()["detail"]
    assert (
        client.put(
            f"{job.url}/assignment",
            json={"assigned_to_id": lab.reviewer.id},
            headers=lab.headers(lab.manager),
        ).status_code
        == 200
    )
    taking = client.put(
        f"{job.url}/assignment",
        json={"assigned_to_id": lab.technician.id},
        headers=lab.headers(lab.technician),
    )
    assert taking.status_code == 403


def test_a_customer_and_an_auditor_may_not_assign(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    auditor = make_user(engine, Role.AUDITOR)
    for who in (lab.customer_user, auditor):
        response = client.put(
            f"{job.url}/assignment",
            json={"assigned_to_id": lab.technician.id},
            headers=lab.headers(who),
        )
        assert response.status_code == 403, response.text


def test_another_organisations_customer_finds_no_job_to_assign(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    response = client.put(
        f"{job.url}/assignment",
        json={"assigned_to_id": lab.technician.id},
        headers=lab.headers(stranger),
    )
    assert response.status_code == 404


def test_only_an_active_technician_authorised_for_the_plans_methods_is_assigned(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job, _ = micrometer_in_measurement(client, lab)
    for user, words in (
        (lab.signatory, "is not a technician"),
        # A technician authorised to review the ring method but not to perform it.
        (lab.reviewer, "is not authorised to perform"),
    ):
        response = _assign(client, lab, job, lab.manager, user.id)
        assert response.status_code == 422, response.text
        problem = response.json()
        assert words in problem["detail"]
        assert problem["errors"][0]["location"] == ["assigned_to_id"]
    missing = _assign(client, lab, job, lab.manager, 10_000_000)
    assert missing.status_code == 422


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"assigned_to_id": "TY-1"},
        {"assigned_to_id": 1, "x": 1},
        {"assigned_to_id": 10**20},
        {"assigned_to_id": -1},
        {"assigned_to_id": "<script>"},
    ],
)
def test_a_malformed_assignment_is_refused(
    client: TestClient, lab: Lab, body: dict[str, object]
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    response = client.put(f"{job.url}/assignment", json=body, headers=lab.headers(lab.manager))
    assert response.status_code == 422


def test_a_cancelled_job_is_assigned_to_nobody(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("cancelled", lab.manager, reason="The customer withdrew it")
    response = _assign(client, lab, job, lab.manager, lab.technician.id)
    assert response.status_code == 409


# -- what a person may do now ----------------------------------------------------------------


def test_a_requested_job_offers_acceptance_to_the_manager_and_cancelling_to_its_customer(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    assert _allowed(engine, lab.manager, job, settings) == {
        "accepted",
        "on_hold",
        "cancelled",
        "assign",
    }
    assert _allowed(engine, lab.customer_user, job, settings) == {"cancelled"}
    assert _allowed(engine, lab.technician, job, settings) == {"take"}
    auditor = make_user(engine, Role.AUDITOR)
    assert _allowed(engine, auditor, job, settings) == set()


def test_the_measurer_is_not_offered_the_review_that_a_second_person_is(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = _measured(client, lab)
    assert "reviewed" not in _allowed(engine, lab.technician, job, settings)
    assert "reviewed" in _allowed(engine, lab.reviewer, job, settings)
    # The signatory holds no authorisation to review the ring method.
    assert "reviewed" not in _allowed(engine, lab.signatory, job, settings)
    response = client.get(f"{job.url}/actions", headers=lab.headers(lab.technician))
    assert response.status_code == 200
    assert "reviewed" not in response.json()["actions"]


def test_a_step_whose_conditions_are_unmet_is_not_offered(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    assert "items_received" not in _allowed(engine, lab.technician, job, settings)
    job.receive_all()
    assert "items_received" in _allowed(engine, lab.technician, job, settings)


def test_every_offered_step_is_taken_by_the_service(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = _measured(client, lab)
    offered = _allowed(engine, lab.reviewer, job, settings) - {"take", "assign", "on_hold"}
    assert offered == {"reviewed", "in_measurement"}
    job.step("reviewed", lab.reviewer)


# -- what a job waits for --------------------------------------------------------------------


def test_what_a_job_waits_for_follows_its_state(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "calibration", MICROMETER)

    def waiting() -> dict[str, object]:
        response = client.get(f"{job.url}/actions", headers=lab.headers(lab.manager))
        assert response.status_code == 200, response.text
        return response.json()["waiting_for"]

    assert waiting()["what"] == "acceptance"
    job.step("accepted", lab.manager)
    assert waiting()["what"] == "items"
    job.receive_all()
    assert waiting()["what"] == "receipt"
    job.step("items_received", lab.technician)
    assert waiting()["what"] == "plan"
    point = job.plan(
        label="50 mm",
        kind="calibration_point",
        nominal=50,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
    )
    _assign(client, lab, job, lab.manager, lab.technician.id)
    job.step("in_measurement", lab.technician)
    assert waiting() | {"person": None} == {
        "what": "measurement",
        "person": None,
        "not_by": [],
        "done": 0,
        "of": 1,
        "reason": None,
    }
    assert waiting()["person"] == lab.technician.full_name
    job.record(
        characteristic_id=point["id"],
        equipment={"reference": lab.ring_gauge.id},
        observations={"d_x": RING_READINGS},
    )
    assert waiting()["what"] == "measured_mark"
    job.step("measured", lab.technician)
    assert waiting()["what"] == "review"
    assert waiting()["not_by"] == [lab.technician.full_name]
    job.step("reviewed", lab.reviewer)
    assert waiting()["what"] == "approval"
    job.step("on_hold", lab.manager, reason="Asiakkaan piirustus puuttuu")
    assert waiting()["what"] == "hold"
    assert waiting()["reason"] == "Asiakkaan piirustus puuttuu"


def test_a_product_job_without_a_drawing_waits_for_the_customers_file(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "product_qc", {"kind": "customer_product", "description": "Flange"})
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    response = client.get(f"{job.url}/actions", headers=lab.headers(lab.customer_user))
    assert response.json()["waiting_for"]["what"] == "customer_file"


# -- queues ------------------------------------------------------------------------------------


def test_each_role_finds_its_own_work_in_its_queues(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    requested = submit(client, lab, "calibration", MICROMETER)
    measured = _measured(client, lab)
    accepted = submit(client, lab, "calibration", MICROMETER)
    accepted.step("accepted", lab.manager)
    _assign(client, lab, accepted, lab.manager, lab.technician.id)
    unassigned = submit(client, lab, "calibration", MICROMETER)
    unassigned.step("accepted", lab.manager)

    manager = _queues(engine, lab.manager, settings)
    assert requested.job["number"] in manager["requested"]
    assert accepted.job["number"] not in manager["requested"]

    technician = _queues(engine, lab.technician, settings)
    assert technician["assigned"] == [accepted.job["number"]]
    assert unassigned.job["number"] in technician["unassigned"]
    assert accepted.job["number"] not in technician["unassigned"]
    # Without an authorisation to review, a technician has no review queue at all.
    assert "review" not in technician
    authorise(engine, lab.technician, lab.ring_method, Activity.REVIEW)
    # Four eyes: whoever measured does not find the job waiting for their review.
    assert _queues(engine, lab.technician, settings)["review"] == []

    reviewer = _queues(engine, lab.reviewer, settings)
    assert reviewer["review"] == [measured.job["number"]]
    assert reviewer["assigned"] == []

    measured.step("reviewed", lab.reviewer)
    signatory = _queues(engine, lab.signatory, settings)
    assert signatory["approval"] == [measured.job["number"]]
    assert signatory["issue"] == []
    assert "requested" not in signatory and "review" not in signatory


def test_a_reviewer_finds_only_the_jobs_whose_methods_they_may_review(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    ring = _measured(client, lab)
    cmm_reviewer = make_user(engine, Role.TECHNICIAN)
    authorise(engine, cmm_reviewer, lab.cmm_method, Activity.REVIEW)
    assert ring.job["number"] not in _queues(engine, cmm_reviewer, settings)["review"]
    assert ring.job["number"] in _queues(engine, lab.reviewer, settings)["review"]


def test_a_manager_sees_the_jobs_due_within_a_week_and_those_overdue(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    today = local_today(settings.timezone)
    due_soon = submit(client, lab, "calibration", MICROMETER)
    overdue = submit(client, lab, "calibration", MICROMETER)
    later = submit(client, lab, "calibration", MICROMETER)
    with Session(engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        for driver, due in (
            (due_soon, today + timedelta(days=3)),
            (overdue, today - timedelta(days=1)),
            (later, today + timedelta(days=60)),
        ):
            job = db_session.get_one(Job, driver.job["id"])
            job.due_date = due
            db_session.add(job)
        db_session.commit()
    found = _queues(engine, lab.manager, settings)
    assert due_soon.job["number"] in found["due_soon"]
    assert overdue.job["number"] in found["overdue"]
    assert later.job["number"] not in found["due_soon"] + found["overdue"]
    overdue.step("cancelled", lab.manager, reason="Withdrawn")
    assert overdue.job["number"] not in _queues(engine, lab.manager, settings)["overdue"]


def test_a_customer_queue_holds_its_own_organisations_jobs_only(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    own = submit(client, lab, "calibration", MICROMETER)
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    assert own.job["number"] in _queues(engine, lab.customer_user, settings)["in_progress"]
    assert _queues(engine, stranger, settings) == {"in_progress": []}


def test_an_auditor_has_no_work_queue(lab: Lab, engine: Engine, settings: Settings) -> None:
    assert _queues(engine, make_user(engine, Role.AUDITOR), settings) == {}


def test_a_queue_counts_all_and_lists_the_first_few_with_item_and_customer(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    numbers = [submit(client, lab, "calibration", MICROMETER).job["number"] for _ in range(7)]
    with Session(engine) as db_session:
        (requested,) = [
            queue
            for queue in queues.my_work(
                db_session,
                actor=principal_for(lab.manager, via="password"),
                on=local_today(settings.timezone),
            )
            if queue.name == "requested"
        ]
    assert requested.total == 7
    assert [entry.job.number for entry in requested.entries] == numbers[: queues.SHOWN]
    assert requested.entries[0].item == "External micrometer 0-25 mm · SN 4711"
    assert requested.entries[0].customer == lab.customer.name
