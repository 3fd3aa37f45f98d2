"""Twenty identical requests at once against a real ``lims serve``: voids of one
characteristic (the job's lock lets one through and refuses the rest with 409), takings of one
job by its technician (the job's lock: assigned once, every answer 200), changes of
one password with the same current password (the user's lock lets one through; the rest find
their credential revoked or the current password changed), one audit event each, and
openings of one order's job (the order's lock: one job), and an agreement's signing and
activation (the agreement's lock: each step once), and answers to one quotation request (the
request's lock: one quotation), and reviews of one order's contract (the order's lock and
the review's unique order: one record)."""

from collections import Counter
from datetime import date

import httpx2
import pytest
from sqlmodel import Session, col, select

from lims.accounts.models import Role, User
from lims.accounts.passwords import verify_password
from lims.audit.models import AuditEvent
from lims.contracts.models import PriceModel, Quotation, QuotationRequest
from lims.contracts.review import ContractReview
from lims.jobs.models import Job
from tests.contracts.factories import (
    ROUTINE_REVIEW,
    accept,
    make_agreement,
    make_price_list,
    make_price_model,
    make_quotation,
)
from tests.documents.factories import approved_calibration
from tests.factories import PASSWORD, make_organisation, make_user
from tests.production.test_serialised_workflow import (
    STORM,
    Site,
    assert_one_success,
    site,
)
from tests.served import all_at_once

pytestmark = pytest.mark.slow
__all__ = ["site"]  # the served process per backend, shared with the workflow storms
#: The day the quotation is issued and accepted (within the lab's agreement).
ORDERED_ON = date(2026, 11, 27)


def test_twenty_parallel_voids_void_the_characteristic_once(site: Site) -> None:
    job = approved_calibration(site.client, site.lab)
    headers = site.lab.headers(site.lab.manager)
    point = site.client.get(f"{job.url}/characteristics", headers=headers).json()[1]

    answers = site.storm(
        f"/jobs/{job.job['id']}/characteristics/{point['id']}/void",
        {"reason": "The 25 mm point was calibrated in error."},
    )

    assert assert_one_success(answers, 200)["void_reason"] == (
        "The 25 mm point was calibrated in error."
    )
    with Session(site.engine) as db_session:
        voids = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "characteristic",
                AuditEvent.entity_id == str(point["id"]),
                AuditEvent.action == "update",
            )
        ).all()
    assert len(voids) == 1


def test_twenty_parallel_takings_of_one_job_by_its_technician_assign_it_once(site: Site) -> None:
    # The assignment is a PUT of what should be: the first taking assigns the job under its
    # lock, the other nineteen find it already theirs and answer it as it is (not 403/409).
    job = approved_calibration(site.client, site.lab)
    technician = site.lab.technician

    answers = site.storm(
        f"/jobs/{job.job['id']}/assignment",
        {"assigned_to_id": technician.id},
        by=technician,
        method="PUT",
    )

    assert Counter(answer.status_code for answer in answers) == {200: STORM}, answers[0].text
    assert {answer.json()["assigned_to_id"] for answer in answers} == {technician.id}
    with Session(site.engine) as db_session:
        takings = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "job",
                AuditEvent.entity_id == str(job.job["id"]),
                AuditEvent.action == "update",
            )
        ).all()
    assert len([event for event in takings if "assigned_to_id" in (event.changes or {})]) == 1


def test_twenty_parallel_password_changes_with_one_current_password_change_it_once(
    site: Site,
) -> None:
    user = make_user(site.engine, Role.TECHNICIAN)
    api = f"{site.server.url}/api/v1"
    login = {"username": user.username, "password": PASSWORD}
    token = httpx2.post(f"{api}/auth/token", data=login).json()["access_token"]
    new_password = "seitsemän sinistä kuulaa ja mikrometri"

    def change() -> httpx2.Response:
        return httpx2.post(
            f"{api}/auth/password",
            json={"current_password": PASSWORD, "new_password": new_password},
            headers={"Authorization": f"Bearer {token}"},
            timeout=300,
        )

    answers = all_at_once([change] * STORM)

    codes = Counter(answer.status_code for answer in answers)
    assert codes[200] == 1, codes
    # The others came with a revoked token, or found the current password changed, or were
    # slowed as failed logins; never a 5xx.
    assert set(codes) <= {200, 401, 422, 429}, codes
    for answer in answers:
        if answer.status_code != 200:
            assert answer.headers["content-type"] == "application/problem+json"
    with Session(site.engine) as db_session:
        # Checked on the record: a login now may be slowed by the losers' failures.
        changed = db_session.get_one(User, user.id)
        assert verify_password(changed.password_hash, new_password)
        changes = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "user_account",
                AuditEvent.entity_id == str(user.id),
                AuditEvent.action == "update",
            )
        ).all()
    assert ["password_hash" in event.changes for event in changes] == [True]


def quotations_of(site: Site) -> list[Quotation]:
    with Session(site.engine) as db_session:
        return list(db_session.exec(select(Quotation)).all())


def publish_prices(site: Site) -> None:
    """The year's price model and a published list, once per served site."""
    with Session(site.engine) as db_session:
        if db_session.exec(select(PriceModel).where(PriceModel.year == ORDERED_ON.year)).first():
            return
    make_price_list(site.engine, make_price_model(site.engine, ORDERED_ON.year))


def test_twenty_parallel_openings_of_one_order_open_one_job(site: Site) -> None:
    """The order page's "open the job", pressed twenty times at once: the order's lock lets
    one job through and the rest find it (409), so the quotation's price is charged once."""
    settings = site.lab.settings
    publish_prices(site)
    quotation = make_quotation(site.engine, settings, site.lab.customer, issued_on=ORDERED_ON)
    accept(site.engine, settings, quotation, on=ORDERED_ON)

    answers = site.storm(
        "/jobs",
        {
            "organisation_id": site.lab.customer.id,
            "kind": "calibration",
            "quotation_id": quotation.id,
            "items": [{"kind": "instrument", "description": "Ulkomikrometri 0-25 mm"}],
        },
    )

    job = assert_one_success(answers, 201)
    with Session(site.engine) as db_session:
        opened = db_session.exec(select(Job).where(Job.order_id == job["order_id"])).all()
    assert [one.id for one in opened] == [job["id"]]


def test_twenty_parallel_signings_and_activations_take_each_step_once(site: Site) -> None:
    """The agreement page's "sign" and then "activate", each pressed twenty times at once: the
    agreement's lock lets each step through once (it took sign three times and activate twice
    before), one audit event per step."""
    customer = make_organisation(site.engine, name="Rinnakkain Oy")
    draft = make_agreement(site.engine, customer, activate=False, valid_from=ORDERED_ON)
    signature = {"name": "Kalle Konepaja", "title": "Toimitusjohtaja", "signed_on": "2026-11-27"}
    signed = site.storm(
        f"/agreements/{draft.id}/sign",
        {"lab_signature": signature, "customer_signature": signature},
    )
    assert assert_one_success(signed, 200)["status"] == "signed"
    activated = site.storm(f"/agreements/{draft.id}/activate", {}, by=site.lab.manager)
    assert assert_one_success(activated, 200)["status"] == "active"
    with Session(site.engine) as db_session:
        steps = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "agreement",
                AuditEvent.entity_id == str(draft.id),
                AuditEvent.action == "update",
                col(AuditEvent.actor_id).is_not(None),  # the storms', not the factory's
            )
        ).all()
    assert len(steps) == 2


def test_twenty_parallel_answers_to_one_quotation_request_record_one_quotation(
    site: Site,
) -> None:
    """The lab's "create the quotation" for one customer's request, pressed twenty times at
    once: the request's lock lets one quotation answer it; the rest find it answered."""
    publish_prices(site)
    customer = {"organisation_id": site.lab.customer.id, "service": "calibration"}
    asked = site.client.post(
        "/api/v1/quotation-requests",
        json={**customer, "description": "Kolme ulkomikrometriä 0-25 mm"},
        headers=site.lab.headers(site.lab.customer_user),
    ).json()

    before = len(quotations_of(site))
    answers = site.storm(
        "/quotations",
        {
            **customer,
            "issued_on": ORDERED_ON.isoformat(),
            "valid_until": "2026-12-31",
            "request_id": asked["id"],
            "lines": [{"item_code": "K-MIK-25", "quantity": 3}],
        },
        by=site.lab.manager,
    )

    quotation = assert_one_success(answers, 201)
    assert len(quotations_of(site)) == before + 1
    with Session(site.engine) as db_session:
        request = db_session.get_one(QuotationRequest, asked["id"])
    assert request.quotation_id == quotation["id"]


def test_twenty_parallel_identical_reviews_of_one_order_record_one_review(site: Site) -> None:
    """The order page's "record the review", pressed twenty times at once: one review is
    made (201) and the rest answer with it (200), never a second record or a 5xx."""
    settings = site.lab.settings
    publish_prices(site)
    quotation = make_quotation(site.engine, settings, site.lab.customer, issued_on=ORDERED_ON)
    order = accept(site.engine, settings, quotation, on=ORDERED_ON)

    answers = site.storm(
        f"/orders/{order.id}/contract-review",
        ROUTINE_REVIEW.model_dump(mode="json"),
        by=site.lab.manager,
    )

    codes = Counter(answer.status_code for answer in answers)
    assert codes == {201: 1, 200: STORM - 1}, codes
    assert len({answer.json()["id"] for answer in answers}) == 1
    with Session(site.engine) as db_session:
        reviews = db_session.exec(
            select(ContractReview).where(ContractReview.order_id == order.id)
        ).all()
    assert len(reviews) == 1


def test_twenty_parallel_erasures_of_one_person_erase_it_once(site: Site) -> None:
    # The organisation's row lock: the first erasure erases, the other nineteen find the
    # person erased (409), and the trail holds one erasure.
    person = httpx2.post(
        f"{site.server.url}/api/v1/organisations",
        json={"kind": "person", "name": "Pekka Yksityinen", "country": "FI", "language": "fi"},
        headers=site.lab.headers(site.lab.manager),
        timeout=60,
    )
    assert person.status_code == 201, person.text

    answers = site.storm(
        f"/organisations/{person.json()['id']}/erasure",
        {"reason": "Asiakkaan pyyntö"},
        by=site.lab.manager,
    )

    assert_one_success(answers, 200)
    with Session(site.engine) as db_session:
        erasures = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "organisation",
                AuditEvent.entity_id == str(person.json()["id"]),
                AuditEvent.action == "update",
            )
        ).all()
    assert len(erasures) == 1
