"""The demo holds on whichever day it is loaded: today, a year ahead, two years ahead.

On that day its register shows one item overdue, one falling due and the rest in calibration,
and its calibration job waiting for measurement goes through the API, each step by the demo
user whose work it is, to an issued Finnish certificate that reads back and verifies.  Loading
it again the next day or a year later changes nothing.
"""

import hashlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import time_machine
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.config import Settings
from lims.contracts import agreements, prices
from lims.contracts.models import Service
from lims.demo import DEMO_USERS, load_demo_data
from lims.demo.accounts import ANNUAL_CUSTOMER, demo_customer, load_accounts
from lims.demo.contracts import load_contracts
from lims.demo.equipment import load_equipment
from lims.documents.signing import check_signature, load_lab_signer
from lims.equipment import service as equipment_register
from tests.conftest import row_counts
from tests.documents.factories import read_back
from tests.factories import FACTORY_ACTOR

# The planner's picture on the day of loading; every other item is in calibration.
NOT_IN_CALIBRATION = {"TH-01": "due_soon", "TH-02": "overdue", "OF-01": "out_of_service"}
# Days a date rule likes to trip on: a year's ends, a leap day, a month's last day.
AWKWARD_DAYS = [date(2027, 1, 1), date(2027, 12, 31), date(2028, 2, 29), date(2029, 3, 31)]
READINGS = [0.3, 0.4, 0.4, 0.5, 0.4]  # um: the micrometer's reading minus the test length


def expected_states(identifications: list[str]) -> dict[str, str]:
    return {item: NOT_IN_CALIBRATION.get(item, "in_calibration") for item in identifications}


def signed_in(client: TestClient, username: str) -> dict[str, str]:
    """A demo user's bearer header, got as the user would: with the demo password."""
    password = next(user.password for user in DEMO_USERS if user.username == username)
    answer = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def call(
    client: TestClient, method: str, url: str, user: dict[str, str], expect: int = 200, **body: Any
) -> Any:
    answer = client.request(method, url, headers=user, json=body or None)
    assert answer.status_code == expect, answer.text
    return answer.json()


def test_on_any_day_the_register_holds_its_states_and_the_demo_job_is_certified(
    lab_day: date, client: TestClient, engine: Engine, settings: Settings
) -> None:
    with Session(engine) as db_session:
        assert load_demo_data(db_session, settings) > 0
    technician, reviewer, signatory = (
        signed_in(client, username) for username in ("mittaaja", "laatu", "allekirjoittaja")
    )

    register = call(client, "GET", "/api/v1/equipment", reviewer)
    states = {item["identification"]: item["calibration_status"] for item in register}
    assert states == expected_states(list(states)), lab_day
    planner = call(client, "GET", "/api/v1/equipment/due?within=30d", reviewer)
    assert [item["identification"] for item in planner] == ["TH-02", "TH-01"]

    board = call(client, "GET", "/api/v1/jobs?status=in_measurement", technician)
    (job,) = board["jobs"]
    url = f"/api/v1/jobs/{job['id']}"
    gauge_blocks = next(item["id"] for item in register if item["identification"] == "GB-WRK")
    points = call(client, "GET", f"{url}/characteristics", technician)
    assert points, "the demo job has calibration points to measure"
    for point in points:
        call(
            client,
            "POST",
            f"{url}/results",
            technician,
            characteristic_id=point["id"],
            measured_on=lab_day.isoformat(),
            equipment={"gauge_blocks": gauge_blocks},
            observations={"dr": READINGS},
            temperature=20.1,
            humidity=45,
        )
    for step, user in (("measured", technician), ("reviewed", reviewer), ("approved", signatory)):
        assert call(client, "POST", f"{url}/transitions", user, to=step)["status"] == step

    certificate = call(client, "POST", "/api/v1/documents", signatory, 201, job_id=job["id"])
    assert (certificate["kind"], certificate["language"], certificate["state"]) == (
        "calibration_certificate",
        "fi",
        "issued",
    )
    assert certificate["accredited"] is True  # the method in the scope and the CMC met today
    assert certificate["number"].startswith(f"KT-{lab_day.year}-")
    pdf = client.get(f"/api/v1/documents/{certificate['id']}/pdf", headers=signatory).content
    sha256 = hashlib.sha256(pdf).hexdigest()
    assert sha256 == certificate["sha256"]
    assert check_signature(pdf, load_lab_signer(settings).certificate).verified
    # The measurement date in Finnish, as the certificate prints it.
    assert f"{lab_day.day}.{lab_day.month}.{lab_day.year}" in read_back(pdf).text
    verified = client.get(f"/verify/{certificate['number']}", params={"sha256": sha256}).json()
    assert (verified["state"], verified["sha256_matches"]) == ("issued", True)


@pytest.mark.parametrize("day", AWKWARD_DAYS, ids=str)
def test_the_register_holds_its_states_when_loaded_on_an_awkward_day(
    engine: Engine, day: date
) -> None:
    with Session(engine) as db_session:
        load_equipment(db_session, actor=FACTORY_ACTOR, today=day)
        register = equipment_register.list_equipment(db_session, actor=FACTORY_ACTOR)
        states = {
            item.identification: equipment_register.status_of(
                db_session, equipment=item, on_date=day
            ).status.value
            for item in register
        }
        planner = equipment_register.due_for_calibration(
            db_session, actor=FACTORY_ACTOR, within_days=30, on_date=day
        )
    assert states == expected_states(list(states))
    assert [item.identification for item in planner] == ["TH-02", "TH-01"]


@pytest.mark.parametrize("day", AWKWARD_DAYS, ids=str)
def test_the_annual_agreement_and_prices_are_in_force_when_loaded_on_an_awkward_day(
    engine: Engine, settings: Settings, day: date
) -> None:
    with Session(engine) as db_session:
        load_accounts(db_session, actor=FACTORY_ACTOR)
        load_contracts(db_session, actor=FACTORY_ACTOR, settings=settings, today=day)
        customer = demo_customer(db_session, ANNUAL_CUSTOMER)
        assert customer is not None and customer.id is not None
        # In force that day and for months after, covering the calibration the demo job is.
        for on in (day, day + timedelta(days=150)):
            annual = agreements.agreement_in_force(
                db_session, organisation_id=customer.id, service=Service.CALIBRATION, on=on
            )
            assert annual is not None and annual.kind == "annual", on
        assert annual.confidentiality_accepted_on is not None
        assert prices.price_model_for_year(db_session, day.year).year == day.year


def test_loading_the_demo_again_the_next_day_or_a_year_later_changes_nothing(
    engine: Engine, settings: Settings
) -> None:
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
    loaded = row_counts(engine)
    for later in (timedelta(days=1), timedelta(days=366)):
        with (
            time_machine.travel(datetime.now(UTC) + later, tick=True),
            Session(engine) as db_session,
        ):
            assert load_demo_data(db_session, settings) == 0, later
        assert row_counts(engine) == loaded, later
