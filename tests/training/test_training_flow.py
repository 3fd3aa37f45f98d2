"""Training: a programme with compulsory and optional courses, enrolment of the lab's staff and
of customers' staff, attendance, assessment, completion, the competence record it leaves,
and the authorisation a person grants on it; and the certificate's data for the documents."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.config import Settings
from lims.errors import InvalidInput
from lims.training.models import EnrolmentState
from lims.training.report_data import training_certificate_data
from tests.conftest import row_counts
from tests.equipment.factories import make_method
from tests.factories import FACTORY_ACTOR, bearer, make_organisation, make_user
from tests.training.factories import (
    assess,
    attend,
    complete,
    make_enrolment,
    make_programme,
    trained,
)

API = "/api/v1"


def test_a_programme_is_built_over_http_with_its_courses_and_sessions(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    created = client.post(
        f"{API}/training/programmes",
        json={
            "code": "KOUL-OPPISOPIMUS",
            "name_fi": "Mittaamisen oppisopimus, 10 viikkoa",
            "name_en": "Apprenticeship in measuring, 10 weeks",
            "kind": "degree",
        },
        headers=manager,
    )
    assert created.status_code == 201, created.text
    programme_id = created.json()["id"]
    course = client.post(
        f"{API}/training/programmes/{programme_id}/courses",
        json={"code": "CMM", "title_fi": "CMM", "title_en": "CMM", "compulsory": False},
        headers=manager,
    )
    assert course.status_code == 201, course.text
    session = client.post(
        f"{API}/training/courses/{course.json()['id']}/sessions",
        json={"starts_on": "2026-03-02", "ends_on": "2026-03-06", "trainer_name": "Tero"},
        headers=manager,
    )
    assert session.status_code == 201, session.text
    shown = client.get(f"{API}/training/programmes/{programme_id}", headers=manager).json()
    assert [c["code"] for c in shown["courses"]] == ["CMM"]
    assert shown["courses"][0]["compulsory"] is False
    assert shown["sessions"][0]["trainer_name"] == "Tero"


def test_a_session_that_ends_before_it_starts_is_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    programme = make_programme(engine)
    response = client.post(
        f"{API}/training/courses/{programme.courses[0].id}/sessions",
        json={"starts_on": "2026-03-02", "ends_on": "2026-03-01", "trainer_name": "Tero"},
        headers=bearer(settings, make_user(engine, Role.ADMIN)),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ends_on"


def test_completion_needs_every_compulsory_course_attended_and_the_final_assessment_passed(
    engine: Engine,
) -> None:
    programme = make_programme(engine, courses=(("C1", True), ("C2", True), ("OPT", False)))
    enrolment = make_enrolment(engine, programme, name="Eeva Esimerkki")
    attend(engine, enrolment, programme.sessions[0])
    with pytest.raises(InvalidInput) as refused:
        complete(engine, enrolment)
    assert refused.value.message == (
        f"Eeva Esimerkki has not completed {programme.programme.code} (2 requirements still "
        "missing)"
    )
    assert refused.value.extensions == {
        "missing": ["compulsory course C2 not attended", "no final assessment"]
    }
    attend(engine, enrolment, programme.sessions[1])
    assess(engine, enrolment, "fail")
    with pytest.raises(InvalidInput) as refused:
        complete(engine, enrolment)
    assert refused.value.extensions == {
        "missing": ["the final assessment on 2026-03-03 was failed"]
    }
    assess(engine, enrolment, "pass")
    completed = complete(engine, enrolment)
    assert completed.state == EnrolmentState.COMPLETED
    assert completed.completed_on == date(2026, 3, 3)


def test_a_completed_enrolment_is_not_changed_again(engine: Engine) -> None:
    programme = make_programme(engine)
    enrolment = trained(engine, programme, name="Eeva")
    complete(engine, enrolment)
    with pytest.raises(InvalidInput, match="was completed on 2026-03-03"):
        attend(engine, enrolment, programme.sessions[1])


def test_a_staff_members_completion_becomes_a_competence_record_that_a_person_authorises_on(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    method = make_method(engine)
    programme = make_programme(engine)
    complete(engine, trained(engine, programme, user=technician))
    manager = make_user(engine, Role.QUALITY_MANAGER)
    records = client.get(
        f"{API}/staff/{technician.id}/competence-records", headers=bearer(settings, manager)
    ).json()
    assert [r["source"] for r in records] == ["training"]
    assert programme.programme.code in records[0]["description"]
    granted = client.post(
        f"{API}/competence-records/{records[0]['id']}/authorisations",
        json={"method_id": method.id, "activity": "perform", "granted_on": "2026-04-01"},
        headers=bearer(settings, manager),
    )
    assert granted.status_code == 201, granted.text
    assert granted.json()["basis"] == "training"
    assert granted.json()["granted_by"] == manager.username
    assert f"pätevyysnäyttö {records[0]['id']}" in granted.json()["basis_reference"]


def test_a_technician_cannot_grant_an_authorisation_from_a_record(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    technician = make_user(engine, Role.TECHNICIAN)
    complete(engine, trained(engine, make_programme(engine), user=technician))
    record = client.get(
        f"{API}/staff/{technician.id}/competence-records",
        headers=bearer(settings, technician),
    ).json()[0]
    method = make_method(engine)
    before = row_counts(engine)
    refused = client.post(
        f"{API}/competence-records/{record['id']}/authorisations",
        json={"method_id": method.id, "activity": "perform", "granted_on": "2026-04-01"},
        headers=bearer(settings, technician),
    )
    assert refused.status_code == 403
    assert row_counts(engine) == before


def test_a_customers_staff_completion_leaves_no_competence_record(engine: Engine) -> None:
    customer = make_organisation(engine)
    trainee = make_user(engine, Role.CUSTOMER, organisation=customer)
    enrolment = complete(engine, trained(engine, make_programme(engine), user=trainee))
    assert enrolment.organisation_id == customer.id
    assert row_counts(engine)["competence_record"] == 0


def test_a_customer_sees_the_enrolments_of_its_own_staff_only(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    programme = make_programme(engine)
    ours, theirs = make_organisation(engine), make_organisation(engine)
    mine = make_enrolment(engine, programme, name="Oma Työntekijä", organisation=ours)
    other = make_enrolment(engine, programme, name="Vieras Työntekijä", organisation=theirs)
    headers = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=ours))
    listed = client.get(f"{API}/training/enrolments", headers=headers)
    assert [e["participant_name"] for e in listed.json()] == ["Oma Työntekijä"]
    assert client.get(f"{API}/training/enrolments/{mine.id}", headers=headers).status_code == 200
    assert client.get(f"{API}/training/enrolments/{other.id}", headers=headers).status_code == 404
    assert client.get(f"{API}/training/programmes", headers=headers).status_code == 403


def test_the_certificate_data_names_person_programme_courses_assessment_date_and_trainer(
    engine: Engine,
) -> None:
    customer = make_organisation(engine, name="Konepaja Koulutus Oy")
    programme = make_programme(engine)
    enrolment = complete(
        engine, trained(engine, programme, name="Eeva Esimerkki", organisation=customer)
    )
    with Session(engine) as db_session:
        data = training_certificate_data(db_session, actor=FACTORY_ACTOR, enrolment_id=enrolment.id)
    assert data["person"]["name"] == "Eeva Esimerkki"
    assert data["person"]["organisation"]["name"] == "Konepaja Koulutus Oy"
    assert data["programme"]["code"] == programme.programme.code
    assert [c["code"] for c in data["courses"]] == ["C1", "C2"]
    assert data["courses"][0]["sessions"] == [
        {
            "starts_on": "2026-03-02",
            "ends_on": "2026-03-02",
            "trainer": "Tero Kouluttaja",
            "location": "",
        }
    ]
    assert data["assessment"]["result"] == "pass"
    assert data["completed_on"] == "2026-03-03"
    assert data["trainer"] == "system:tests"
    assert data["trainers"] == ["Tero Kouluttaja"]


def test_no_certificate_data_before_completion(engine: Engine) -> None:
    enrolment = make_enrolment(engine, make_programme(engine), name="Eeva")
    with Session(engine) as db_session, pytest.raises(InvalidInput, match="no certificate yet"):
        training_certificate_data(db_session, actor=FACTORY_ACTOR, enrolment_id=enrolment.id)


def test_an_auditor_reads_training_but_records_nothing(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    programme = make_programme(engine)
    enrolment = make_enrolment(engine, programme, name="Eeva")
    auditor = bearer(settings, make_user(engine, Role.AUDITOR))
    assert (
        client.get(f"{API}/training/enrolments/{enrolment.id}", headers=auditor).status_code == 200
    )
    refused = client.post(
        f"{API}/training/enrolments/{enrolment.id}/attendance",
        json={"session_id": programme.sessions[0].id, "attended": True},
        headers=auditor,
    )
    assert refused.status_code == 403


def test_a_completed_enrolment_is_not_changed_and_says_so_in_the_readers_language(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    programme = make_programme(engine)
    enrolment = complete(engine, trained(engine, programme, name="Eeva"))
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    attendance = {"session_id": programme.sessions[0].id, "attended": False}
    url = f"{API}/training/enrolments/{enrolment.id}/attendance"
    refused = client.post(url, json=attendance, headers=manager)
    assert refused.status_code == 422
    assert refused.json()["detail"] == (
        f"enrolment {enrolment.id} was completed on 2026-03-03: it is not changed any more"
    )
    in_finnish = client.post(url, json=attendance, headers={**manager, "accept-language": "fi"})
    assert in_finnish.json()["detail"] == (
        f"ilmoittautuminen {enrolment.id} on suoritettu 3.3.2026: sitä ei enää muuteta"
    )
