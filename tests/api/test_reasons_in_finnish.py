"""Refusals that are only their reason ("%(reason)s") read whole in the language asked for:
a weak password, a malformed username, a planner horizon and a price model that gives no rate
are explained in Finnish, not in the checker's English."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.config import Settings
from tests.factories import PASSWORD, bearer, make_user

FINNISH = {"accept-language": "fi"}
#: The words, not the store, are tested.
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def admin(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.ADMIN))


def new_user(client: TestClient, admin: dict[str, str], **changes: str) -> dict:
    user = {"username": "uusi", "full_name": "Uusi Käyttäjä", "password": PASSWORD}
    response = client.post(
        "/api/v1/users",
        json={**user, "roles": ["technician"], **changes},
        headers=admin | FINNISH,
    )
    assert response.status_code == 422, response.text
    return response.json()


def test_a_weak_password_is_explained_in_finnish(client: TestClient, admin: dict[str, str]) -> None:
    spaced = new_user(client, admin, password=" kolme outoa sanaa ")
    assert spaced["detail"] == "salasana ei saa alkaa eikä päättyä välilyöntiin"
    common = new_user(client, admin, password="qwertyuiopasdf")
    assert common["detail"].startswith("tämä salasana on liian helppo arvata (")
    assert "easy" not in common["detail"]


def test_a_username_in_two_scripts_is_explained_in_finnish(
    client: TestClient, admin: dict[str, str]
) -> None:
    mixed = new_user(client, admin, username="\u0430dmin")
    assert mixed["detail"] == (
        "käyttäjätunnus kirjoitetaan yhdellä kirjoitusjärjestelmällä; "
        "tässä on sekaisin CYRILLIC, LATIN"
    )


def test_a_planner_horizon_that_is_not_days_or_weeks_is_explained_in_finnish(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get(
        "/api/v1/equipment/due", params={"within": "pian"}, headers=admin | FINNISH
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "'pian' ei ole aikajänne: kirjoita päivinä tai viikkoina, esim. 30d tai 8w"
    )


def test_a_price_model_that_gives_no_rate_is_explained_in_finnish(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = {
        "year": 2031,
        "cost_pools": [{"name": "vuokra", "amount": "1000.00", "shares": {"penkki": "0.5"}}],
        "resources": [{"code": "penkki", "name": "Penkki", "planned_hours": "100"}],
    }
    response = client.post("/api/v1/price-models", json=body, headers=admin | FINNISH)
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "kustannuserän vuokra osuuksien summan on oltava 1 (100 %)"
    )
