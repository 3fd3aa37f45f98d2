"""The agreement life cycle, amendments, overlap, and the job-opening rule (over the API)."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.agreements import require_agreement_for_job
from lims.contracts.models import Service
from lims.errors import InvalidInput
from tests.conftest import row_counts
from tests.contracts.factories import ensure_clause, make_agreement
from tests.factories import bearer, make_organisation, make_user

AGREEMENTS = "/api/v1/agreements"
SIGNATURES = {
    "lab_signature": {"name": "Laura L", "title": "Laatupäällikkö", "signed_on": "2026-01-02"},
    "customer_signature": {
        "name": "Kalle K",
        "title": "Toimitusjohtaja",
        "signed_on": "2026-01-02",
    },
}


@pytest.fixture
def manager(engine: Engine, settings: Settings) -> dict[str, str]:
    ensure_clause(engine)
    return bearer(settings, make_user(engine, Role.QUALITY_MANAGER))


def annual(organisation_id: int, **changes: object) -> dict:
    return {
        "kind": "annual",
        "organisation_id": organisation_id,
        "valid_from": "2026-01-01",
        "valid_until": "2026-12-31",
        "scope": [{"service": "calibration", "accredited": True, "delivery_days": 10}],
        "decision_rule": "guard_band_U",
        **changes,
    }


def accept_clause(client: TestClient, agreement_id: int, headers: dict[str, str]) -> None:
    """Staff record the customer's acceptance of the confidentiality clause given on paper."""
    response = client.post(
        f"{AGREEMENTS}/{agreement_id}/accept-confidentiality",
        json={"accepted_by": "Kalle K", "accepted_on": "2026-01-02"},
        headers=headers,
    )
    assert response.status_code == 200, response.text


def test_agreement_goes_from_draft_to_signed_to_active(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    draft = client.post(AGREEMENTS, json=annual(customer.id), headers=manager).json()
    assert draft["status"] == "draft"
    assert draft["number"] == "VS-2026-0001"
    signed = client.post(f"{AGREEMENTS}/{draft['id']}/sign", json=SIGNATURES, headers=manager)
    assert signed.json()["status"] == "signed"
    accept_clause(client, draft["id"], manager)
    active = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager).json()
    assert active["status"] in ("active", "expired")  # expired once 2026 is over
    assert active["lab_signature"]["name"] == "Laura L"
    second = client.post(
        AGREEMENTS,
        json=annual(customer.id, valid_from="2027-01-01", valid_until="2027-12-31"),
        headers=manager,
    ).json()
    assert second["number"] == "VS-2027-0001"


def test_signed_agreement_changes_only_by_amendment_keeping_the_old_version(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    original = make_agreement(engine, customer)
    refused = client.patch(
        f"{AGREEMENTS}/{original.id}", json={"languages": ["en"]}, headers=manager
    )
    assert refused.status_code == 409
    assert "amendment" in refused.json()["detail"]
    amendment = client.post(
        f"{AGREEMENTS}/{original.id}/amendments",
        json={"reason": "English certificates wanted", "languages": ["en"]},
        headers=manager,
    ).json()
    assert (amendment["number"], amendment["version"]) == (original.number, 2)
    assert amendment["supersedes_id"] == original.id
    assert amendment["amendment_reason"] == "English certificates wanted"
    assert amendment["languages"] == ["en"]
    client.post(f"{AGREEMENTS}/{amendment['id']}/sign", json=SIGNATURES, headers=manager)
    activated = client.post(f"{AGREEMENTS}/{amendment['id']}/activate", headers=manager)
    assert activated.status_code == 200, activated.text  # the acceptance carries over
    old = client.get(f"{AGREEMENTS}/{original.id}", headers=manager).json()
    assert old["status"] == "superseded"
    assert old["languages"] == []


def test_overlapping_annual_agreements_for_one_service_are_refused(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    before = row_counts(engine)
    response = client.post(
        AGREEMENTS,
        json=annual(customer.id, valid_from="2026-06-01", valid_until="2027-05-31"),
        headers=manager,
    )
    assert response.status_code == 409
    assert "already covers calibration" in response.json()["detail"]
    assert row_counts(engine) == before


def test_annual_agreements_for_different_services_may_overlap(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer)
    training = annual(customer.id, scope=[{"service": "training", "delivery_days": 20}])
    assert client.post(AGREEMENTS, json=training, headers=manager).status_code == 201


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_until": "2025-12-31"}, "valid_until"),
        ({"decision_rule": "customer"}, "decision_rule_text"),
        ({"decision_rule": "guard_band_rU"}, "decision_rule_r"),
        ({"languages": ["de"]}, "languages"),
        ({"scope": []}, "scope"),
        ({"scope": [{"service": "calibration", "delivery_days": -1}]}, "scope[0].delivery_days"),
    ],
)
def test_impossible_terms_are_refused_and_nothing_is_written(
    changes: dict, field: str, client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    before = row_counts(engine)
    response = client.post(AGREEMENTS, json=annual(customer.id, **changes), headers=manager)
    assert response.status_code == 422, response.text
    assert field in [error["field"] for error in response.json()["errors"]]
    assert row_counts(engine) == before


def test_activation_needs_the_customers_acceptance_of_the_confidentiality_clause(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    draft = client.post(AGREEMENTS, json=annual(customer.id), headers=manager).json()
    client.post(f"{AGREEMENTS}/{draft['id']}/sign", json=SIGNATURES, headers=manager)
    before = row_counts(engine)
    refused = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    assert refused.status_code == 409
    assert "has not accepted the confidentiality clause" in refused.json()["detail"]
    assert row_counts(engine) == before
    accept_clause(client, draft["id"], manager)
    active = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    assert active.status_code == 200, active.text


def test_refused_steps_of_an_agreement_name_the_real_reason(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    draft = client.post(AGREEMENTS, json=annual(customer.id), headers=manager).json()
    number = draft["number"]
    unsigned = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    assert unsigned.status_code == 409
    assert f"{number} is a draft, not yet signed" in unsigned.json()["detail"]
    client.post(f"{AGREEMENTS}/{draft['id']}/sign", json=SIGNATURES, headers=manager)
    resigned = client.post(f"{AGREEMENTS}/{draft['id']}/sign", json=SIGNATURES, headers=manager)
    assert f"{number} is already signed" in resigned.json()["detail"]
    accept_clause(client, draft["id"], manager)
    client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    again = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    assert again.status_code == 409
    assert again.json()["detail"].startswith(f"{number} is already active")
    assert "must be signed" not in again.json()["detail"]
    client.post(
        f"{AGREEMENTS}/{draft['id']}/terminate", json={"reason": "Customer closed"}, headers=manager
    )
    ended = client.post(f"{AGREEMENTS}/{draft['id']}/activate", headers=manager)
    assert f"{number} was terminated on" in ended.json()["detail"]


def test_termination_needs_a_reason(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    agreement = make_agreement(engine, make_organisation(engine))
    assert (
        client.post(f"{AGREEMENTS}/{agreement.id}/terminate", json={}, headers=manager).status_code
        == 422
    )
    ended = client.post(
        f"{AGREEMENTS}/{agreement.id}/terminate",
        json={"reason": "Customer closed"},
        headers=manager,
    ).json()
    assert (ended["status"], ended["termination_reason"]) == ("terminated", "Customer closed")


def test_customer_accepts_the_confidentiality_clause_itself(
    client: TestClient, engine: Engine, settings: Settings, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    agreement = make_agreement(engine, customer, confidentiality_accepted=False)
    representative = bearer(settings, make_user(engine, Role.CUSTOMER, organisation=customer))
    response = client.post(
        f"{AGREEMENTS}/{agreement.id}/accept-confidentiality",
        json={"accepted_by": "Kalle Konepaja", "accepted_on": "2020-01-01"},
        headers=representative,
    )
    assert response.status_code == 422  # a customer accepts today, not on another day
    today = local_today(settings.timezone).isoformat()
    response = client.post(
        f"{AGREEMENTS}/{agreement.id}/accept-confidentiality",
        json={"accepted_by": "Kalle Konepaja", "accepted_on": today},
        headers=representative,
    )
    assert response.status_code == 200
    assert response.json()["confidentiality_accepted_by"] == "Kalle Konepaja"
    # Who accepted and when is a fact of the record: a second acceptance does not rewrite it.
    again = client.post(
        f"{AGREEMENTS}/{agreement.id}/accept-confidentiality",
        json={"accepted_by": "Joku Muu", "accepted_on": today},
        headers=representative,
    )
    assert again.status_code == 409, again.text
    assert "Kalle Konepaja" in again.json()["detail"]


# -- the job-opening rule (the jobs issue calls it when a job is opened) --------------------


def open_job(engine: Engine, organisation_id: int, service: Service, on: date):  # type: ignore[no-untyped-def]
    with Session(engine) as db_session:
        return require_agreement_for_job(
            db_session, organisation_id=organisation_id, service=service, on=on
        )


def test_job_opens_under_an_active_agreement_covering_the_service(engine: Engine) -> None:
    customer = make_organisation(engine)
    agreement = make_agreement(engine, customer)
    assert open_job(engine, customer.id, Service.CALIBRATION, date(2026, 11, 27)).id == agreement.id


@pytest.mark.parametrize(
    ("service", "on", "confidentiality", "message"),
    [
        (Service.PRODUCT_QC, date(2026, 11, 27), True, "does not cover the service product_qc"),
        (Service.CALIBRATION, date(2027, 1, 4), True, "no active agreement"),
        (Service.CALIBRATION, date(2025, 12, 31), True, "no active agreement"),
        (Service.CALIBRATION, date(2026, 11, 27), False, "confidentiality clause"),
    ],
    ids=["outside-scope", "after-validity", "before-validity", "confidentiality-not-accepted"],
)
def test_job_is_refused_without_a_fitting_agreement(
    service: Service, on: date, confidentiality: bool, message: str, engine: Engine
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer, confidentiality_accepted=confidentiality)
    with pytest.raises(InvalidInput, match=message):
        open_job(engine, customer.id, service, on)


def test_job_is_refused_under_a_draft_or_terminated_agreement(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    make_agreement(engine, customer, activate=False, confidentiality_accepted=False)
    with pytest.raises(InvalidInput, match="no active agreement"):
        open_job(engine, customer.id, Service.CALIBRATION, date(2026, 11, 27))


def test_draft_terms_can_be_edited_and_the_edit_is_audited(
    client: TestClient, engine: Engine, manager: dict[str, str]
) -> None:
    customer = make_organisation(engine)
    draft = client.post(AGREEMENTS, json=annual(customer.id), headers=manager).json()
    edited = client.patch(
        f"{AGREEMENTS}/{draft['id']}", json={"languages": ["en", "sv"]}, headers=manager
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["languages"] == ["en", "sv"]
    history = client.get(
        "/api/v1/audit",
        params={"entity": f"agreement:{draft['id']}"},
        headers=manager,
    ).json()
    assert history[-1]["changes"] == {"languages": [[], ["en", "sv"]]}
