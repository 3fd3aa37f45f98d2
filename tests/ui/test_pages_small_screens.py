"""The pages' parts for small screens and long actions, without a browser: every role's menu
folds under a button that says what it controls, the job board labels each cell for its card,
and the export and new-job pages carry what their scripts say in the user's language."""

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

ROLES = ("admin", "laatu", "mittaaja", "allekirjoittaja", "asiakas", "arvioija")


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> None:
    load_demo(engine, settings)


def page_text(html: str) -> dict[str, str]:
    found = re.search(r'<script type="application/json" id="page-text">(.*?)</script>', html, re.S)
    assert found, "the page hands its script no words"
    return dict(json.loads(found.group(1)))


@pytest.mark.usefixtures("demo")
def test_every_roles_menu_folds_under_a_button_that_names_what_it_controls(
    client: TestClient,
) -> None:
    for username in ROLES:
        sign_in(client, username)
        html = client.get("/jobs").text
        toggle = re.search(r"<button [^>]*class=\"menu-toggle[^>]*>([^<]*)</button>", html)
        assert toggle, username
        # It unfolds the masthead's search, person, language and log-out too.
        assert 'aria-controls="masthead-tools main-menu"' in toggle.group(0)
        assert 'aria-expanded="false"' in toggle.group(0)
        assert toggle.group(1) == "Valikko"
        assert '<ul id="main-menu">' in html


def test_a_signed_out_page_has_no_menu_to_fold(client: TestClient) -> None:
    assert "menu-toggle" not in client.get("/login").text


@pytest.mark.usefixtures("demo")
def test_the_job_board_labels_each_cell_for_its_card_and_the_customer_sees_no_customer(
    client: TestClient,
) -> None:
    sign_in(client, "laatu")
    board = client.get("/jobs").text
    assert 'class="jobs cards"' in board
    assert 'data-label="Kohde"' in board and 'data-label="Asiakas"' in board
    sign_in(client, "asiakas")
    board = client.get("/jobs").text
    assert 'data-label="Kohde"' in board and 'data-label="Asiakas"' not in board


@pytest.mark.usefixtures("demo")
def test_the_period_export_is_a_scripted_download_refused_as_a_problem(
    client: TestClient,
) -> None:
    sign_in(client, "arvioija")
    assert 'class="filters download-form" data-busy="exporting"' in client.get("/audit").text
    refused = client.get("/api/v1/records/export", params={"period": "1990-01-01..1990-01-31"})
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("application/problem+json")
    for hostile in ("..", "1990-01-01..", "<b>1990</b>..1990-01-31", "9" * 5000):
        answer = client.get("/api/v1/records/export", params={"period": hostile})
        assert answer.status_code in (400, 422), hostile
        assert answer.headers["content-type"].startswith("application/problem+json")


@pytest.mark.usefixtures("demo")
def test_the_new_job_page_says_in_finnish_to_tick_the_terms_box(client: TestClient) -> None:
    sign_in(client, "kund")
    words = page_text(client.get("/jobs/new").text)
    assert words["tick_terms"].startswith("Mikään sopimus ei kata tätä työtä: rastita")
    assert "%(job)s" in words["file_refused"] and "%(problem)s" in words["file_refused"]


@pytest.mark.usefixtures("demo")
def test_the_base_page_hands_the_busy_words_in_the_users_language(client: TestClient) -> None:
    sign_in(client, "allekirjoittaja")
    html = client.get("/jobs").text
    found = re.search(r'<script type="application/json" id="ui-text">(.*?)</script>', html, re.S)
    assert found
    words = json.loads(found.group(1))
    assert (words["issuing"], words["exporting"]) == ("Myönnetään…", "Viedään…")
