"""The comparison pages (B2) and the job page's results in/out without a browser: who gets
which page, a customer of another company, the scores and the alert in Finnish, and markup in
a template's name shown as text."""

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation
from lims.config import Settings
from lims.jobs.models import Job, JobKind
from tests.comparisons.test_api import reference_job
from tests.conftest import load_demo
from tests.factories import PASSWORD
from tests.jobs.factories import Lab, make_lab
from tests.ui.test_pages import STAFF, sign_in

PAGES = ("/comparisons", "/comparisons/companies/{organisation}", "/jobs/{job}/comparison")


@dataclass
class Demo:
    ids: dict[str, int]


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> Demo:
    """The demo data with its B2 job of the annual customer (approved, E_n = 0,85)."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == "1234567-1")
        ).one()
        reference = db_session.exec(
            select(Job).where(Job.kind == JobKind.REFERENCE, Job.organisation_id == konepaja.id)
        ).one()
    return Demo(ids={"organisation": konepaja.id or 0, "job": reference.id or 0})


def test_comparison_pages_answer_each_role_and_hide_a_company_from_another(
    client: TestClient, demo: Demo
) -> None:
    wrong = []
    for user in (*STAFF, "arvioija", "asiakas"):
        sign_in(client, user)
        for page in PAGES:
            answer = client.get(page.format(**demo.ids))
            if answer.status_code != 200 or "text/html" not in answer.headers["content-type"]:
                wrong.append((user, page, answer.status_code))
    assert wrong == []
    sign_in(client, "kund")  # a customer of another company
    for page in PAGES[1:]:
        answer = client.get(page.format(**demo.ids))
        assert answer.status_code == 404, page
        assert "Konepaja" not in answer.text
    overview = client.get("/comparisons")
    assert overview.status_code == 200 and "Konepaja" not in overview.text
    for nowhere in ("/comparisons/companies/not-a-number", "/jobs/987654/comparison"):
        assert client.get(nowhere).status_code == 404, nowhere


def test_signed_out_callers_are_sent_to_the_login_page(client: TestClient) -> None:
    for page in PAGES:
        answer = client.get(page.format(organisation=1, job=1), follow_redirects=False)
        assert answer.status_code == 303, page
        assert answer.headers["location"].startswith("/login?next=/")


def test_the_demo_comparison_shows_the_scores_and_charts_in_finnish(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "asiakas")
    text = client.get("/jobs/{job}/comparison".format(**demo.ids)).text
    # D = 20,0060 - 20,0031 mm; E_n = 0,0029 / sqrt(0,0020² + 0,00277²) = 0,85 (the demo's).
    assert "0,85" in text and "Tyydyttävä" in text
    assert 'id="deviation-chart"' in text and 'id="en-chart"' in text
    assert "yrityksen koordinaattimittakone" in text
    # Approved: the values are fixed, so no form to enter them.
    assert 'id="company-value-form"' not in text
    history = client.get("/comparisons/companies/{organisation}".format(**demo.ids)).text
    assert 'id="trend-chart"' in history and "data-alert" not in history


def test_the_job_page_links_its_comparison_and_offers_results_in_and_out_to_staff(
    client: TestClient, demo: Demo
) -> None:
    job = "/jobs/{job}".format(**demo.ids)
    sign_in(client, "mittaaja")
    staff_view = client.get(job).text
    assert f'href="{job}/comparison"' in staff_view
    assert f'href="/api/v1{job}/results.qif"' in staff_view
    # Approved: nothing to import any more.
    assert 'id="csv-import"' not in staff_view and 'id="qif-import"' not in staff_view
    sign_in(client, "asiakas")
    customer_view = client.get(job).text
    assert f'href="{job}/comparison"' in customer_view
    assert 'id="csv-import"' not in customer_view and 'id="test-piece-form"' not in customer_view


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def sign_in_as(client: TestClient, username: str, password: str = PASSWORD) -> None:
    client.cookies.clear()
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert answer.status_code == 200, answer.text


def test_two_unsatisfactory_reference_measurements_in_a_row_raise_the_alert_in_finnish(
    client: TestClient, lab: Lab
) -> None:
    first, _ = reference_job(client, lab, company_value=20.0112, instrument="työntömitta 1")
    first.step("measured", lab.technician)
    first.review_approve_report_close()
    second, _ = reference_job(client, lab, company_value=20.0102, instrument="työntömitta 1")
    sign_in_as(client, lab.manager.username)
    page = client.get(f"/jobs/{second.job['id']}/comparison").text
    assert "Ei tyydyttävä" in page
    # In measurement: the company's values may still be entered or corrected.
    assert 'id="company-value-form"' in page
    history = client.get(f"/comparisons/companies/{lab.customer.id}").text
    assert history.count("data-alert") == 1
    assert first.job["number"] in history and second.job["number"] in history
    assert "Hälytys" in history and "työntömitta 1" in history
    # Narrowed to an instrument the company never used: no series, and no alert.
    narrowed = client.get(
        f"/comparisons/companies/{lab.customer.id}", params={"instrument": "<b>mikrometri</b>"}
    ).text
    assert "data-alert" not in narrowed and "<b>mikrometri" not in narrowed
    assert "Ei vielä vertailuja" in narrowed
    kind = client.get(
        f"/comparisons/companies/{lab.customer.id}", params={"characteristic_kind": "size"}
    ).text
    assert "comparison-history.svg?characteristic_kind=size" in kind and "data-alert" in kind
    assert (
        client.get(
            f"/comparisons/companies/{lab.customer.id}", params={"instrument": "x" * 201}
        ).status_code
        == 404
    )
    # The customer sees the second job's lab side once it is approved, and the same alert.
    second.step("measured", lab.technician)
    second.review_approve_report_close()
    sign_in_as(client, lab.customer_user.username)
    assert "Hälytys" in client.get(f"/comparisons/companies/{lab.customer.id}").text


def test_the_job_page_offers_the_imports_while_in_measurement(client: TestClient, lab: Lab) -> None:
    job, _ = reference_job(client, lab, company_value=20.0012, instrument="työntömitta 1")
    sign_in_as(client, lab.technician.username)
    text = client.get(f"/jobs/{job.job['id']}").text
    assert 'id="csv-import"' in text and 'id="qif-import"' in text
    assert f'<option value="{lab.cmm.id}"' in text  # the CMM that may have measured


def test_markup_in_a_template_is_shown_as_text(client: TestClient, demo: Demo) -> None:
    sign_in(client, "laatu")
    hostile = "<script>alert(1)</script>"
    made = client.post(
        "/api/v1/test-piece-templates",
        json={
            "code": "BAS-<b>1</b>",
            "name": hostile,
            "features": [{"label": "<img src=x onerror=alert(1)>", "unit": "mm"}],
        },
        headers={"x-csrf-token": client.cookies.get("lims_csrf") or ""},
    )
    assert made.status_code == 201, made.text
    text = client.get("/comparisons").text
    assert hostile not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "<img src=x" not in text and "BAS-&lt;b&gt;1&lt;/b&gt;" in text


def test_a_template_without_features_or_with_a_huge_name_is_refused(
    client: TestClient, demo: Demo
) -> None:
    sign_in(client, "laatu")
    headers = {"x-csrf-token": client.cookies.get("lims_csrf") or ""}
    for body in (
        {"code": "E", "name": "Empty", "features": []},
        {"code": "H", "name": "x" * 201, "features": [{"label": "D", "unit": "mm"}]},
        {"code": "", "name": "No code", "features": [{"label": "D", "unit": "mm"}]},
    ):
        answer = client.post("/api/v1/test-piece-templates", json=body, headers=headers)
        assert answer.status_code == 422, body
    sign_in(client, "mittaaja")  # a technician plans from templates but does not define them
    answer = client.post(
        "/api/v1/test-piece-templates",
        json={"code": "T", "name": "T", "features": [{"label": "D", "unit": "mm"}]},
        headers={"x-csrf-token": client.cookies.get("lims_csrf") or ""},
    )
    assert answer.status_code == 403
    assert 'id="new-template"' not in client.get("/comparisons").text
