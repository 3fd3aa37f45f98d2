"""Contract review on the record (ISO/IEC 17025:2017 7.1): a requested job is accepted only
when a review covers it, routine work under a reviewed annual agreement is covered by the
agreement's review, and a review leaving questions open is refused naming them."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.contracts.factories import (
    ROUTINE_REVIEW,
    accept,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
)
from tests.factories import make_organisation, make_user
from tests.jobs.factories import MICROMETER, JobDriver, Lab, make_lab, submit

ROUTINE = ROUTINE_REVIEW.model_dump(mode="json")
sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def ad_hoc_job(client: TestClient, lab: Lab, engine: Engine) -> JobDriver:
    """A job of a customer without an agreement, who accepts the lab's terms with it."""
    customer = make_organisation(engine, name="Kertaluonteinen Oy")
    user = make_user(engine, Role.CUSTOMER, organisation=customer)
    answer = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": customer.id,
            "kind": "calibration",
            "items": [MICROMETER],
            "accept_terms_and_confidentiality": True,
            "accepted_by": "Kerttu Kertaluonteinen",
        },
        headers=lab.headers(user),
    )
    assert answer.status_code == 201, answer.text
    return JobDriver(client, lab, answer.json())


def review(
    client: TestClient, lab: Lab, path: str, expect: int = 201, **answers: Any
) -> dict[str, Any]:
    answer = client.post(
        f"/api/v1{path}/contract-review",
        json={**ROUTINE, **answers},
        headers=lab.headers(lab.manager),
    )
    assert answer.status_code == expect, answer.text
    return answer.json()


def reviews_of(client: TestClient, lab: Lab, job: JobDriver) -> list[dict[str, Any]]:
    answer = client.get(f"{job.url}/contract-reviews", headers=lab.headers(lab.manager))
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_job_without_a_review_is_accepted_only_once_its_contract_is_reviewed(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = ad_hoc_job(client, lab, engine)

    refused = job.step("accepted", lab.manager, expect=409)
    assert refused["code"] == "jobs.accept_needs_review"
    assert job.job["number"] in refused["detail"]
    made = review(
        client,
        lab,
        f"/jobs/{job.job['id']}",
        deviations="Kalibroidaan vain 0-10 mm",
        deviation_agreed_by="Kerttu Kertaluonteinen",
        deviation_agreed_on="2026-11-27",
        deviation_agreed_how="sähköpostilla",
    )
    job.step("accepted", lab.manager)

    assert made["subject"] == "job" and made["reviewed_by"] == lab.manager.username
    assert made["deviation_agreed_by"] == "Kerttu Kertaluonteinen"
    assert [r["id"] for r in reviews_of(client, lab, job)] == [made["id"]]


def test_routine_work_under_a_reviewed_annual_agreement_is_accepted_on_the_agreements_review(
    client: TestClient, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)

    job.step("accepted", lab.manager)

    own, of_agreement = sorted(reviews_of(client, lab, job), key=lambda r: r["subject"] != "job")
    assert own["subject"] == "job" and own["job_id"] == job.job["id"]
    assert own["covered_by_id"] == of_agreement["id"]
    assert of_agreement["subject"] == "agreement"
    assert of_agreement["agreement_id"] == job.job["agreement_id"]
    assert own["reviewed_by"] == lab.manager.username


def test_an_annual_agreement_not_reviewed_covers_no_job(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    customer = make_organisation(engine, name="Katselmoimaton Oy")
    agreement = make_agreement(engine, customer, valid_until=date(2099, 12, 31))
    user = make_user(engine, Role.CUSTOMER, organisation=customer)
    answer = client.post(
        "/api/v1/jobs",
        json={"organisation_id": customer.id, "kind": "calibration", "items": [MICROMETER]},
        headers=lab.headers(user),
    )
    job = JobDriver(client, lab, answer.json())

    job.step("accepted", lab.manager, expect=409)
    review(client, lab, f"/agreements/{agreement.id}")
    job.step("accepted", lab.manager)


@sqlite_only
def test_a_job_of_an_order_is_accepted_once_the_order_is_reviewed(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    customer = make_organisation(engine, name="Tilaaja Oy")
    make_price_list(engine, make_price_model(engine, 2026))
    quotation = make_quotation(engine, settings, customer)
    order = accept(engine, settings, quotation, on=date(2026, 11, 27), accept_terms=True)
    user = make_user(engine, Role.CUSTOMER, organisation=customer)
    answer = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": customer.id,
            "kind": "calibration",
            "quotation_id": quotation.id,
            "items": [MICROMETER],
        },
        headers=lab.headers(user),
    )
    job = JobDriver(client, lab, answer.json())

    refused = job.step("accepted", lab.manager, expect=409)
    assert refused["code"] == "jobs.accept_needs_order_review"
    made = review(client, lab, f"/orders/{order.id}")
    job.step("accepted", lab.manager)

    assert made["order_id"] == order.id
    assert [r["id"] for r in reviews_of(client, lab, job)] == [made["id"]]
    assert (
        client.get(f"/api/v1/orders/{order.id}/contract-review", headers=lab.headers(user)).json()[
            "id"
        ]
        == made["id"]
    )


@sqlite_only
def test_a_review_leaving_questions_open_is_refused_naming_each_in_the_readers_language(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = ad_hoc_job(client, lab, engine)
    open_answers = {
        **ROUTINE,
        "capability": False,
        "decision_rule_agreed": None,
        "subcontracting": "Kovuusmittaus",
        "subcontractor": "Alihankkija Oy",
        "deviations": "Vain 0-10 mm",
    }
    path = f"/api/v1/jobs/{job.job['id']}/contract-review"

    english = client.post(path, json=open_answers, headers=lab.headers(lab.manager))
    finnish = client.post(
        path,
        json=open_answers,
        headers={**lab.headers(lab.manager), "Accept-Language": "fi"},
    )

    assert english.status_code == 422
    problem = english.json()
    assert problem["code"] == "contracts.review_questions_open"
    assert problem["detail"] == (
        "the contract review leaves questions open: capability and resources, decision rule, "
        "subcontracting, deviations"
    )
    assert problem["errors"][0]["field"] == "capability_note"
    assert "kyky ja resurssit" in finnish.json()["detail"]
    assert "capability" not in finnish.json()["detail"]
    job.step("accepted", lab.manager, expect=409)


@sqlite_only
def test_a_no_with_its_resolution_stands(client: TestClient, lab: Lab, engine: Engine) -> None:
    job = ad_hoc_job(client, lab, engine)

    made = review(
        client,
        lab,
        f"/jobs/{job.job['id']}",
        method_appropriate=False,
        method_note="Asiakkaan pyytämä menetelmä on vanhentunut; asiakkaalle ilmoitettu, "
        "sovittu MK-12",
    )

    assert made["method_appropriate"] is False
    job.step("accepted", lab.manager)


@sqlite_only
def test_the_same_review_again_answers_with_it_and_other_answers_are_refused(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = ad_hoc_job(client, lab, engine)
    path = f"/jobs/{job.job['id']}"
    made = review(client, lab, path)

    again = review(client, lab, path, expect=200)
    other = review(client, lab, path, expect=409, methods="Toinen menetelmä")

    assert again["id"] == made["id"]
    assert other["code"] == "contracts.review_already_recorded"


@sqlite_only
def test_only_a_manager_reviews_and_another_customer_learns_nothing(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    job = ad_hoc_job(client, lab, engine)
    path = f"/api/v1/jobs/{job.job['id']}/contract-review"
    stranger = make_user(engine, Role.CUSTOMER, organisation=lab.customer)
    auditor = make_user(engine, Role.AUDITOR)

    for user, expect in ((lab.technician, 403), (auditor, 403), (stranger, 404)):
        answer = client.post(path, json=ROUTINE, headers=lab.headers(user))
        assert answer.status_code == expect, (user.username, answer.text)
    answer = client.get(f"{job.url}/contract-reviews", headers=lab.headers(stranger))
    assert answer.status_code == 404
    review(client, lab, f"/jobs/{job.job['id']}")
    assert client.get(f"{job.url}/contract-reviews", headers=lab.headers(auditor)).json()


@sqlite_only
def test_a_review_after_acceptance_is_refused(client: TestClient, lab: Lab) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)

    refused = review(client, lab, f"/jobs/{job.job['id']}", expect=409)

    assert refused["code"] == "jobs.review_after_acceptance"


@sqlite_only
def test_an_unsigned_agreement_is_not_reviewed(
    client: TestClient, lab: Lab, engine: Engine
) -> None:
    draft = make_agreement(engine, make_organisation(engine), activate=False)

    refused = review(client, lab, f"/agreements/{draft.id}", expect=409)

    assert refused["code"] == "contracts.review_agreement_not_signed"


@sqlite_only
def test_empty_huge_and_hostile_answers(client: TestClient, lab: Lab, engine: Engine) -> None:
    job = ad_hoc_job(client, lab, engine)
    path = f"/jobs/{job.job['id']}"

    review(client, lab, path, expect=422, methods="")
    review(client, lab, path, expect=422, methods="x" * 1001)
    review(client, lab, path, expect=422, capability="kyllä")
    review(client, lab, path, expect=422, unknown_question=True)
    made = review(client, lab, path, methods="<script>alert(1)</script> MK-12")

    assert made["methods"] == "<script>alert(1)</script> MK-12"
