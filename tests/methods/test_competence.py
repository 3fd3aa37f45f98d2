"""Staff competence: authorisations per person and method, the checks before a measurement,
a review or an approval, and the four-eyes rule."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.competence import service as competence
from lims.competence.models import Activity
from lims.config import Settings
from lims.errors import PermissionDenied
from tests.conftest import row_counts
from tests.equipment.factories import authorise, make_method
from tests.factories import bearer, make_organisation, make_user

DAY = date(2026, 11, 27)


def check(engine: Engine, user_id: int, method_id: int, activity: Activity, on: date) -> None:
    with Session(engine) as db_session:
        competence.check_authorised(
            db_session, user_id=user_id, method_id=method_id, activity=activity, on_date=on
        )


def test_a_technician_not_authorised_for_the_method_is_refused_by_name(engine: Engine) -> None:
    method = make_method(engine, code="DIM-GB-01")
    other = make_method(engine, code="DIM-MIC-01")
    technician = make_user(engine, Role.TECHNICIAN, full_name="Matti Mittaaja")
    authorise(engine, technician, other, Activity.PERFORM)
    with pytest.raises(PermissionDenied) as refused:
        check(engine, technician.id, method.id, Activity.PERFORM, DAY)
    assert refused.value.message == (
        "Matti Mittaaja is not authorised to perform measurements by DIM-GB-01 v1 on 2026-11-27"
    )
    check(engine, technician.id, other.id, Activity.PERFORM, DAY)


def test_an_authorisation_counts_only_from_its_grant_until_its_end(engine: Engine) -> None:
    method = make_method(engine)
    technician = make_user(engine, Role.TECHNICIAN)
    authorise(
        engine,
        technician,
        method,
        Activity.PERFORM,
        granted_on=date(2026, 3, 1),
        valid_until=date(2026, 8, 31),
    )
    check(engine, technician.id, method.id, Activity.PERFORM, date(2026, 8, 31))
    for outside in (date(2026, 2, 28), date(2026, 9, 1)):
        with pytest.raises(PermissionDenied):
            check(engine, technician.id, method.id, Activity.PERFORM, outside)


def test_review_or_approval_by_the_person_who_measured_is_refused(engine: Engine) -> None:
    method = make_method(engine)
    signatory = make_user(engine, Role.SIGNATORY, Role.TECHNICIAN)
    for activity in (Activity.PERFORM, Activity.REVIEW, Activity.SIGN):
        authorise(engine, signatory, method, activity)
    for activity in (Activity.REVIEW, Activity.SIGN):
        with Session(engine) as db_session, pytest.raises(PermissionDenied, match="second person"):
            competence.check_reviewer(
                db_session,
                checker_id=signatory.id,
                measured_by=[signatory.id],
                method_id=method.id,
                activity=activity,
                on_date=DAY,
            )


def test_review_by_someone_not_authorised_to_review_is_refused(engine: Engine) -> None:
    method = make_method(engine)
    measurer = make_user(engine, Role.TECHNICIAN)
    colleague = make_user(engine, Role.TECHNICIAN, full_name="Tiina Toinen")
    authorise(engine, colleague, method, Activity.PERFORM)
    not_yet = pytest.raises(PermissionDenied, match="Tiina Toinen is not authorised to review")
    with Session(engine) as db_session, not_yet:
        competence.check_reviewer(
            db_session,
            checker_id=colleague.id,
            measured_by=[measurer.id],
            method_id=method.id,
            activity=Activity.REVIEW,
            on_date=DAY,
        )
    authorise(engine, colleague, method, Activity.REVIEW)
    with Session(engine) as db_session:
        competence.check_reviewer(
            db_session,
            checker_id=colleague.id,
            measured_by=[measurer.id],
            method_id=method.id,
            activity=Activity.REVIEW,
            on_date=DAY,
        )


def test_quality_manager_grants_and_withdraws_over_the_api_with_a_reason_in_the_trail(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    method = make_method(engine)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER, username="laura"))
    technician = make_user(engine, Role.TECHNICIAN)
    url = f"/api/v1/staff/{technician.id}/authorisations"
    grant = {
        "method_id": method.id,
        "activity": "perform",
        "basis": "training",
        "basis_reference": "course K-2026-02 and 10 supervised calibrations",
        "granted_on": "2026-05-01",
    }
    granted = client.post(url, json=grant, headers=manager)
    assert granted.status_code == 201, granted.text
    assert granted.json()["granted_by"] == "laura"
    listed = client.get(url, headers=bearer(settings, make_user(engine, Role.AUDITOR)))
    assert [a["basis"] for a in listed.json()] == ["training"]
    withdrawn = client.post(
        f"{url}/{granted.json()['id']}/withdraw",
        json={"withdrawn_on": "2026-11-01", "reason": "left the length team"},
        headers=manager,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    with pytest.raises(PermissionDenied):
        check(engine, technician.id, method.id, Activity.PERFORM, DAY)
    check(engine, technician.id, method.id, Activity.PERFORM, date(2026, 10, 31))
    history = client.get(
        "/api/v1/audit",
        params={"entity": f"authorisation:{granted.json()['id']}"},
        headers=manager,
    ).json()
    assert history[-1]["reason"] == "left the length team"


def test_only_managers_grant_and_customers_see_no_authorisations(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    method = make_method(engine)
    technician = make_user(engine, Role.TECHNICIAN)
    url = f"/api/v1/staff/{technician.id}/authorisations"
    grant = {
        "method_id": method.id,
        "activity": "review",
        "basis": "training",
        "basis_reference": "course",
        "granted_on": "2026-05-01",
    }
    assert client.post(url, json=grant, headers=bearer(settings, technician)).status_code == 403
    customer = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    assert client.get(url, headers=bearer(settings, customer)).status_code == 403


@pytest.mark.parametrize(
    ("roles", "change", "field"),
    [
        ((Role.TECHNICIAN,), {"activity": "sign"}, "activity"),
        ((Role.TECHNICIAN,), {"valid_until": "2026-04-30"}, "valid_until"),
        ((Role.TECHNICIAN,), {"method_id": 987654}, "method_id"),
        ((Role.AUDITOR,), {}, "user_id"),
    ],
)
def test_a_bad_grant_is_refused_and_nothing_is_written(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    roles: tuple[Role, ...],
    change: dict[str, object],
    field: str,
) -> None:
    method = make_method(engine)
    person = make_user(engine, *roles)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    grant = {
        "method_id": method.id,
        "activity": "perform",
        "basis": "training",
        "basis_reference": "course",
        "granted_on": "2026-05-01",
        **change,
    }
    before = row_counts(engine)
    response = client.post(f"/api/v1/staff/{person.id}/authorisations", json=grant, headers=manager)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == field
    assert row_counts(engine) == before


def test_an_rr_test_is_a_basis_only_through_its_competence_record_not_as_free_text(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """A micrometer RR test typed as the evidence for a CMM authorisation was accepted: the
    free-text route cannot check the study named the method, so it refuses the basis."""
    method = make_method(engine)
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    technician = make_user(engine, Role.TECHNICIAN)
    before = row_counts(engine)
    refused = client.post(
        f"/api/v1/staff/{technician.id}/authorisations",
        json={
            "method_id": method.id,
            "activity": "perform",
            "basis": "rr_test",
            "basis_reference": "micrometer RR test 2026-04, %GRR 6 %",
            "granted_on": "2026-05-01",
        },
        headers=manager,
    )
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["errors"][0]["location"] == ["basis"]
    assert "competence record" in problem["detail"]
    assert row_counts(engine) == before
