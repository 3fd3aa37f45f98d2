"""The invoicing screen without a browser: who gets it, the dry run of a period (its jobs or
the refusal of a bad period, in the page's language), and an export's page."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.clock import local_today
from lims.config import Settings
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

# The pages read what the API tests read on both backends: SQLite is enough here.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def month(engine: Engine, settings: Settings) -> str:
    load_demo(engine, settings)
    return local_today(settings.timezone).strftime("%Y-%m")


def _csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


def test_the_invoicing_screen_answers_each_role_as_its_rights_say(
    client: TestClient, month: str
) -> None:
    answers = {}
    for user in ("laatu", "admin", "arvioija", "mittaaja", "allekirjoittaja", "asiakas"):
        sign_in(client, user)
        answers[user] = client.get("/invoicing").status_code
    assert answers == {
        "laatu": 200,
        "admin": 200,
        "arvioija": 200,
        "mittaaja": 403,
        "allekirjoittaja": 403,
        "asiakas": 403,
    }
    client.cookies.clear()
    signed_out = client.get("/invoicing", follow_redirects=False)
    assert signed_out.status_code == 303
    assert signed_out.headers["location"].startswith("/login?next=/invoicing")


def test_the_dry_run_shows_the_jobs_and_exports_nothing(client: TestClient, month: str) -> None:
    sign_in(client, "laatu")

    html = client.get("/invoicing", params={"period": month}).text

    assert 'id="basis-table"' in html and 'id="invoicing-export"' in html
    assert len(re.findall(r'href="/jobs/\d+"', html)) == 2
    assert "186,74" in html  # 2 x 93,37 (tests/invoicing/test_invoicing.py works it out)
    assert "Ei vielä laskutusaineistoja." in html


def test_a_bad_period_is_refused_on_the_page_in_finnish(client: TestClient, month: str) -> None:
    sign_in(client, "laatu")

    html = client.get("/invoicing", params={"period": "2026-11-30..2026-11-01"}).text

    assert 'id="period-error"' in html and 'aria-invalid="true"' in html
    assert "päättyy ennen kuin se alkaa" in html
    assert 'id="invoicing-export"' not in html


def test_an_export_page_shows_its_jobs_to_the_auditor_without_the_cancel_form(
    client: TestClient, month: str
) -> None:
    sign_in(client, "laatu")
    made = client.post("/api/v1/invoicing/exports", json={"period": month}, headers=_csrf(client))
    assert made.status_code == 201, made.text
    export_page = f"/invoicing/{made.json()['id']}"
    assert 'id="export-cancel"' in client.get(export_page).text

    sign_in(client, "arvioija")
    html = client.get(export_page).text

    assert made.json()["number"] in html and 'id="export-cancel"' not in html
    assert len(re.findall(r'href="/jobs/\d+"', html)) == 2
    assert client.get("/invoicing/999").status_code == 404
    sign_in(client, "asiakas")
    assert client.get(export_page).status_code == 403
