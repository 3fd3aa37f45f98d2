"""What the agreement screens stand on: the lab's standard terms, an agreement's versions, its
contract documents by agreement, and empty, huge, malformed and hostile terms over the API."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.auth import principal_for
from lims.accounts.models import Role
from lims.config import Settings
from lims.contracts import agreements
from lims.contracts.models import AgreementCreate, AgreementKind, Service
from lims.db import persisted_id
from lims.documents.signing import create_demo_signing_key
from lims.errors import NotFound
from tests.contracts.factories import ensure_clause, make_agreement
from tests.factories import FACTORY_ACTOR, bearer, make_organisation, make_user

AGREEMENTS = "/api/v1/agreements"


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    ensure_clause(engine)
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


@pytest.mark.parametrize(
    ("starting", "until"),
    [(date(2027, 3, 15), date(2028, 3, 14)), (date(2028, 2, 29), date(2029, 2, 28))],
)
def test_the_standard_terms_run_a_year_and_offer_every_service(starting: date, until: date) -> None:
    terms = agreements.standard_terms(starting=starting, delivery_days=12)
    assert (terms["valid_from"], terms["valid_until"]) == (starting, until)
    assert [item["service"] for item in terms["scope"]] == list(Service)
    assert {(item["accredited"], item["delivery_days"]) for item in terms["scope"]} == {(False, 12)}
    assert (terms["decision_rule"], terms["languages"]) == ("simple_acceptance", [])


def test_an_agreement_drawn_up_on_the_standard_terms_is_accepted_as_it_stands(
    engine: Engine,
) -> None:
    ensure_clause(engine)
    customer = make_organisation(engine)
    with Session(engine) as db_session:
        drawn_up = agreements.create_agreement(
            db_session,
            actor=FACTORY_ACTOR,
            data=AgreementCreate(
                kind=AgreementKind.ANNUAL,
                organisation_id=persisted_id(customer),
                **agreements.standard_terms(starting=date(2027, 1, 1), delivery_days=10),
            ),
        )
    assert drawn_up.number == "VS-2027-0001"
    assert len(drawn_up.scope) == len(Service)


def test_the_versions_of_an_agreement_are_listed_original_first_to_its_own_customer_only(
    engine: Engine, client: TestClient, manager: dict[str, str], settings: Settings
) -> None:
    customer = make_organisation(engine)
    original = make_agreement(engine, customer)
    amendment = client.post(
        f"{AGREEMENTS}/{original.id}/amendments",
        json={"reason": "Englanninkieliset todistukset", "languages": ["en"]},
        headers=manager,
    ).json()
    with Session(engine) as db_session:
        for version_id in (persisted_id(original), amendment["id"]):
            versions = agreements.versions_of(
                db_session, actor=FACTORY_ACTOR, agreement_id=version_id
            )
            assert [version.version for version in versions] == [1, 2]
        stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    outsider = client.get(f"{AGREEMENTS}/{original.id}", headers=bearer(settings, stranger))
    assert outsider.status_code == 404
    with Session(engine) as db_session, pytest.raises(NotFound):
        agreements.versions_of(
            db_session,
            actor=principal_for(stranger, via="test"),
            agreement_id=persisted_id(original),
        )


def test_an_agreements_contract_documents_are_listed_by_it_to_its_own_customer_only(
    engine: Engine, client: TestClient, manager: dict[str, str], settings: Settings
) -> None:
    create_demo_signing_key(settings)
    customer = make_organisation(engine)
    agreement = make_agreement(engine, customer)
    issued = client.post("/api/v1/documents", json={"agreement_id": agreement.id}, headers=manager)
    assert issued.status_code == 201, issued.text
    listed = client.get(f"/api/v1/documents?agreement_id={agreement.id}", headers=manager)
    assert [document["id"] for document in listed.json()] == [issued.json()["id"]]
    own = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    assert len(client.get(f"/api/v1/documents?agreement_id={agreement.id}", headers=own).json())
    other = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    foreign = client.get(
        f"/api/v1/documents?agreement_id={agreement.id}", headers=bearer(settings, other)
    )
    assert foreign.status_code == 200 and foreign.json() == []
    malformed = client.get("/api/v1/documents?agreement_id=../1", headers=manager)
    assert malformed.status_code == 422


def test_empty_huge_and_malformed_terms_are_refused_naming_the_field(
    engine: Engine, client: TestClient, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    body = {
        "kind": "annual",
        "organisation_id": customer.id,
        **agreements.standard_terms(starting=date(2027, 1, 1), delivery_days=10),
    }
    body = {**body, "valid_from": "2027-01-01", "valid_until": "2027-12-31"}
    refusals = {
        "scope": {**body, "scope": []},
        "scope[0].delivery_days": {
            **body,
            "scope": [{"service": "calibration", "accredited": False, "delivery_days": None}],
        },
        "customer_reference_rule": {**body, "customer_reference_rule": "x" * 501},
        "valid_from": {**body, "valid_from": "1.1.2027"},
        "languages": {**body, "languages": ["../fi"]},
    }
    for field, refused in refusals.items():
        answer = client.post(AGREEMENTS, json=refused, headers=manager)
        assert answer.status_code == 422, (field, answer.text)
        problem = answer.json()
        named = {error["field"] for error in problem.get("errors", [])} or {field}
        assert field in named or field in problem["detail"], (field, problem)
    agreement = make_agreement(engine, make_organisation(engine))
    too_long = client.post(
        f"{AGREEMENTS}/{agreement.id}/amendments", json={"reason": "x" * 2001}, headers=manager
    )
    assert too_long.status_code == 422


def test_markup_in_the_terms_is_kept_as_written(
    engine: Engine, client: TestClient, manager: dict[str, str]
) -> None:
    agreement = make_agreement(engine, make_organisation(engine))
    hostile = "<img src=x onerror=alert(1)> & ..//"
    amendment = client.post(
        f"{AGREEMENTS}/{agreement.id}/amendments",
        json={"reason": hostile, "customer_reference_rule": hostile},
        headers=manager,
    ).json()
    assert (amendment["amendment_reason"], amendment["customer_reference_rule"]) == (
        hostile,
        hostile,
    )
