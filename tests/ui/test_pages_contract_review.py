"""The contract review section of the agreement, order and job pages without a browser: the
review on record read-only for the lab and its auditor, the form for a manager only where
nothing covers the work, nothing of it for the customer; markup typed in it is shown as text."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import Organisation
from lims.contracts.models import Agreement, AgreementKind, Order
from lims.demo.accounts import AD_HOC_CUSTOMER
from lims.jobs.models import Job, JobStatus
from tests.ui.test_pages import Demo, demo, sign_in
from tests.ui.test_pages_commercial import HOSTILE, csrf

__all__ = ["demo"]  # the shared fixture, used here by name
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])  # pages, not the store
FORM = 'id="contract-review-form"'


def ids_of(engine: Engine) -> dict[str, int]:
    with Session(engine) as db_session:
        annual = db_session.exec(
            select(Agreement).where(Agreement.kind == AgreementKind.ANNUAL)
        ).one()
        ad_hoc = db_session.exec(
            select(Order)
            .join(Agreement, col(Agreement.id) == Order.agreement_id)
            .where(Agreement.kind == AgreementKind.AD_HOC)
        ).one()
        requested = db_session.exec(
            select(Job).where(Job.status == JobStatus.REQUESTED, Job.agreement_id == annual.id)
        ).first()
        ad_hoc_customer = db_session.exec(
            select(Organisation).where(Organisation.business_id == AD_HOC_CUSTOMER)
        ).one()
    assert requested is not None
    return {
        "agreement": annual.id or 0,
        "order": ad_hoc.id or 0,
        "job": requested.id or 0,
        "ad_hoc_customer": ad_hoc_customer.id or 0,
    }


def section(html: str) -> str:
    found = re.search(r'<section id="contract-review".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_lab_reads_the_reviews_on_record_and_the_customer_sees_none(
    client: TestClient, engine: Engine, demo: Demo
) -> None:
    ids = ids_of(engine)
    pages = {
        "agreement": f"/agreements/{ids['agreement']}",
        "order": f"/orders/{ids['order']}",
        "job": f"/jobs/{ids['job']}",
    }
    for user in ("laatu", "mittaaja", "arvioija"):
        sign_in(client, user)
        for name, path in pages.items():
            answer = client.get(path)
            assert answer.status_code == 200, (user, path)
            shown = section(answer.text)
            assert "Sopimuksen katselmointi" in shown and "Laura Laatupäällikkö" in shown, (
                user,
                name,
            )
            assert FORM not in shown, (user, name)  # reviewed already
    job = section(client.get(pages["job"]).text)
    assert "Sopimusversion katselmointi" in job  # the annual agreement's covers it
    sign_in(client, "asiakas")
    answer = client.get(pages["agreement"])
    assert answer.status_code == 200 and section(answer.text) == ""
    assert client.get(pages["order"]).status_code == 404  # another customer's order


def test_a_manager_gets_the_form_where_nothing_covers_the_job_and_markup_shows_as_text(
    client: TestClient, engine: Engine, demo: Demo
) -> None:
    ids = ids_of(engine)
    sign_in(client, "laatu")
    submitted = client.post(
        "/api/v1/jobs",
        json={
            "organisation_id": ids["ad_hoc_customer"],
            "kind": "calibration",
            "items": [{"kind": "instrument", "description": "Työntömitta 0-150 mm"}],
        },
        headers=csrf(client),
    )
    assert submitted.status_code == 201, submitted.text
    path = f"/jobs/{submitted.json()['id']}"

    assert FORM in section(client.get(path).text)
    sign_in(client, "mittaaja")
    technician_view = section(client.get(path).text)
    assert FORM not in technician_view and "Sopimuksen katselmointia ei ole kirjattu" in (
        technician_view
    )
    sign_in(client, "laatu")
    recorded = client.post(
        f"/api/v1{path}/contract-review",
        json={
            "requirements_understood": True,
            "capability": True,
            "methods": HOSTILE,
            "method_appropriate": True,
        },
        headers=csrf(client),
    )
    assert recorded.status_code == 201, recorded.text
    shown = section(client.get(path).text)
    assert FORM not in shown
    assert "&lt;script&gt;" in shown and "<script>alert" not in shown


def test_signed_out_callers_are_sent_to_the_login_page(
    client: TestClient, engine: Engine, demo: Demo
) -> None:
    client.cookies.clear()
    answer = client.get(f"/orders/{ids_of(engine)['order']}", follow_redirects=False)
    assert answer.status_code in (302, 303) and "/login" in answer.headers["location"]
