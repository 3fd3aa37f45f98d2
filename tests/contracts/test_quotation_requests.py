"""A customer's quotation request, the lab's quotation answering it, and a declined
quotation's reason (over the API, every role)."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Organisation, Role
from lims.clock import local_today
from lims.config import Settings
from tests.contracts.factories import (
    ensure_clause,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
)
from tests.factories import bearer, make_organisation, make_user

REQUESTS = "/api/v1/quotation-requests"
ASKED = {"service": "calibration", "description": "Kolme ulkomikrometriä 0-25 mm"}


@pytest.fixture
def priced(engine: Engine, settings: Settings) -> None:
    ensure_clause(engine)
    make_price_list(engine, make_price_model(engine, local_today(settings.timezone).year))


@pytest.fixture
def customer(engine: Engine) -> Organisation:
    return make_organisation(engine)


def request_of(organisation: Organisation, **changes: object) -> dict[str, object]:
    return {**ASKED, "organisation_id": organisation.id, **changes}


def test_a_customer_requests_a_quotation_and_the_lab_sees_it_awaiting(
    client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    asker = make_user(engine, Role.CUSTOMER, organisation=customer)
    made = client.post(REQUESTS, json=request_of(customer), headers=bearer(settings, asker))
    assert made.status_code == 201, made.text
    request = made.json()
    assert request["status"] == "requested"
    assert request["requested_by_id"] == asker.id
    assert request["requested_on"] == local_today(settings.timezone).isoformat()
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    listed = client.get(REQUESTS, headers=manager).json()
    assert [r["id"] for r in listed] == [request["id"]]


def test_a_quotation_answering_a_request_makes_it_quoted_once(
    priced: None, client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    make_agreement(engine, customer)
    asker = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    request = client.post(REQUESTS, json=request_of(customer), headers=asker).json()
    manager = bearer(settings, make_user(engine, Role.QUALITY_MANAGER))
    today = local_today(settings.timezone)
    quotation = {
        "organisation_id": customer.id,
        "service": "calibration",
        "issued_on": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "lines": [{"item_code": "K-MIK-25", "quantity": 3}],
        "request_id": request["id"],
    }
    answered = client.post("/api/v1/quotations", json=quotation, headers=manager)
    assert answered.status_code == 201, answered.text
    seen = client.get(f"{REQUESTS}/{request['id']}", headers=asker).json()
    assert seen["status"] == "quoted"
    assert seen["quotation_id"] == answered.json()["id"]
    again = client.post("/api/v1/quotations", json=quotation, headers=manager)
    assert again.status_code == 409
    assert "already been quoted" in again.json()["detail"]


def test_a_request_is_answered_only_for_its_own_customer(
    priced: None, client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    other = make_organisation(engine)
    make_agreement(engine, other)
    asker = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    request = client.post(REQUESTS, json=request_of(customer), headers=asker).json()
    today = local_today(settings.timezone)
    wrong = client.post(
        "/api/v1/quotations",
        json={
            "organisation_id": other.id,
            "service": "calibration",
            "issued_on": today.isoformat(),
            "valid_until": today.isoformat(),
            "lines": [{"item_code": "K-MIK-25"}],
            "request_id": request["id"],
        },
        headers=bearer(settings, make_user(engine, Role.QUALITY_MANAGER)),
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "request_id"


def test_a_customer_neither_requests_for_nor_reads_another_organisations_requests(
    client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    other = make_organisation(engine)
    theirs = client.post(
        REQUESTS,
        json=request_of(other),
        headers=bearer(settings, make_user(engine, Role.CUSTOMER, organisation=other)),
    ).json()
    mine = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    refused = client.post(REQUESTS, json=request_of(other), headers=mine)
    assert refused.status_code == 404
    assert client.get(f"{REQUESTS}/{theirs['id']}", headers=mine).status_code == 404
    assert client.get(REQUESTS, headers=mine).json() == []


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.ADMIN, 201),
        (Role.QUALITY_MANAGER, 201),
        (Role.TECHNICIAN, 403),
        (Role.SIGNATORY, 403),
        (Role.AUDITOR, 403),
    ],
)
def test_staff_record_requests_only_in_sales_roles(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    customer: Organisation,
    role: Role,
    status: int,
) -> None:
    answer = client.post(
        REQUESTS, json=request_of(customer), headers=bearer(settings, make_user(engine, role))
    )
    assert answer.status_code == status, answer.text


def test_signed_out_callers_get_no_requests(client: TestClient, customer: Organisation) -> None:
    assert client.get(REQUESTS).status_code == 401
    assert client.post(REQUESTS, json=request_of(customer)).status_code == 401


@pytest.mark.parametrize(
    "changes",
    [
        {"description": ""},
        {"description": "x" * 4001},
        {"service": "haircut"},
        {"customer_reference": "r" * 101},
        {"unknown": 1},
    ],
)
def test_a_malformed_request_is_refused_by_field(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    customer: Organisation,
    changes: dict[str, object],
) -> None:
    asker = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    answer = client.post(REQUESTS, json=request_of(customer, **changes), headers=asker)
    assert answer.status_code == 422, answer.text


def test_markup_in_a_request_is_kept_as_text(
    client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    asker = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    hostile = "<script>alert(1)</script> ../../etc/passwd"
    made = client.post(REQUESTS, json=request_of(customer, description=hostile), headers=asker)
    assert made.json()["description"] == hostile


def test_a_declined_quotation_keeps_the_customers_reason(
    priced: None, client: TestClient, engine: Engine, settings: Settings, customer: Organisation
) -> None:
    make_agreement(engine, customer)
    today = local_today(settings.timezone)
    quotation = make_quotation(
        engine, settings, customer, issued_on=today, valid_until=today + timedelta(days=5)
    )
    asker = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    too_short = client.post(
        f"/api/v1/quotations/{quotation.id}/reject", json={"reason": "x"}, headers=asker
    )
    assert too_short.status_code == 422
    declined = client.post(
        f"/api/v1/quotations/{quotation.id}/reject",
        json={"reason": "Hinta ylittää budjetin"},
        headers=asker,
    )
    assert declined.status_code == 200, declined.text
    assert (declined.json()["status"], declined.json()["rejection_reason"]) == (
        "rejected",
        "Hinta ylittää budjetin",
    )
