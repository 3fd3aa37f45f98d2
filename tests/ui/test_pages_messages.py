"""The web UI's error page words a refusal in the page's language (#25 H7), for each role:
Finnish for a Finnish user, English when the page is asked in English, and a signed-out
visitor is sent to the login page before any refusal is worded."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from lims.i18n import gettext
from tests.conftest import load_demo
from tests.ui.conftest import password_of


@pytest.fixture
def demo(engine: Engine, settings: Settings) -> None:
    load_demo(engine, settings)


def sign_in(client: TestClient, username: str) -> None:
    client.cookies.clear()
    answer = client.post(
        "/api/v1/auth/login", json={"username": username, "password": password_of(username)}
    )
    assert answer.status_code == 200, answer.text


def refusal(language: str) -> str:
    template = gettext("problems", language, "only %(allowed)s may %(doing)s")
    allowed = ", ".join(
        gettext("problems", language, role) for role in ("admin", "quality_manager")
    )
    doing = gettext("problems", language, "register equipment")
    return template % {"allowed": allowed, "doing": doing}


@pytest.mark.parametrize("username", ["mittaaja", "allekirjoittaja", "arvioija"])
def test_a_refusal_page_speaks_the_users_finnish(
    client: TestClient, demo: None, username: str
) -> None:
    sign_in(client, username)
    response = client.get("/equipment/new")
    assert response.status_code == 403
    assert refusal("fi") in response.text
    assert "register equipment" not in response.text


def test_a_refusal_page_asked_in_english_is_in_english(client: TestClient, demo: None) -> None:
    sign_in(client, "mittaaja")
    response = client.get("/equipment/new?lang=en")
    assert response.status_code == 403
    assert "only admin, quality_manager may register equipment" in response.text


def test_a_customer_is_refused_in_finnish_too(client: TestClient, demo: None) -> None:
    sign_in(client, "asiakas")
    response = client.get("/equipment/new")
    assert response.status_code == 403
    assert refusal("fi") in response.text


def test_the_managers_open_the_page(client: TestClient, demo: None) -> None:
    sign_in(client, "laatu")
    assert client.get("/equipment/new").status_code == 200


def test_a_signed_out_visitor_is_sent_to_log_in(client: TestClient, demo: None) -> None:
    client.cookies.clear()
    response = client.get("/equipment/new", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")
