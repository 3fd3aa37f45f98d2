"""A refusal is worded in the language the request asks for (Accept-Language) and carries a
stable code and its parameters; an API client that asks for none reads English."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role
from lims.api.problems import VALIDATION_TEMPLATES
from lims.config import Settings
from lims.i18n import gettext
from tests.factories import bearer, make_user

FINNISH = {"accept-language": "fi-FI,fi;q=0.9,en;q=0.5"}


@pytest.fixture
def admin(engine: Engine, settings: Settings) -> dict[str, str]:
    return bearer(settings, make_user(engine, Role.ADMIN))


def finnish(template: str, **params: object) -> str:
    return gettext("problems", "fi", template) % params


def test_a_404_asked_in_finnish_is_worded_in_finnish_with_its_code_and_params(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.get("/api/v1/jobs/987654", headers=admin | FINNISH)
    body = response.json()
    assert response.status_code == 404
    assert body["code"] == "jobs.job_does_exist"
    assert body["params"] == {"job_id": 987654}
    assert body["detail"] == finnish("job %(job_id)s does not exist", job_id=987654)
    assert body["detail"] != "job 987654 does not exist"


def test_without_accept_language_a_refusal_reads_in_english(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = client.get("/api/v1/jobs/987654", headers=admin).json()
    assert body["detail"] == "job 987654 does not exist"
    assert body["code"] == "jobs.job_does_exist"


def test_a_language_the_service_does_not_speak_reads_in_english(
    client: TestClient, admin: dict[str, str]
) -> None:
    headers = admin | {"accept-language": "de-DE, fr;q=0.8"}
    assert client.get("/api/v1/jobs/987654", headers=headers).json()["detail"] == (
        "job 987654 does not exist"
    )


def test_a_409_asked_in_swedish_is_worded_in_swedish(
    client: TestClient, engine: Engine, admin: dict[str, str]
) -> None:
    taken = make_user(engine, Role.TECHNICIAN)
    user = {"username": taken.username, "full_name": "Toinen", "roles": ["technician"]}
    response = client.post(
        "/api/v1/users",
        json=user | {"password": "a long enough passphrase 42"},
        headers=admin | {"accept-language": "sv"},
    )
    body = response.json()
    assert response.status_code == 409
    assert body["code"] == "accounts.username_taken"
    expected = gettext("problems", "sv", "the username %(username)s is taken")
    assert body["detail"] == expected % {"username": taken.username}


def test_a_422_names_its_field_in_the_language_asked_for(
    client: TestClient, admin: dict[str, str]
) -> None:
    customer = {"username": "asiakas9", "full_name": "Asiakas", "roles": ["customer"]}
    response = client.post(
        "/api/v1/users",
        json=customer | {"organisation_id": 987654, "password": "a long enough passphrase 42"},
        headers=admin | FINNISH,
    )
    body = response.json()
    assert response.status_code == 422
    (error,) = body["errors"]
    assert error["field"] == "organisation_id"
    assert error["code"] == body["code"]
    expected = finnish("organisation %(organisation_id)s does not exist", organisation_id=987654)
    assert error["message"] == body["detail"] == expected


def test_a_schema_refusal_has_a_code_per_field_and_finnish_words(
    client: TestClient, admin: dict[str, str]
) -> None:
    response = client.post(
        "/api/v1/users",
        json={"username": "x" * 400, "roles": ["technician"]},
        headers=admin | FINNISH,
    )
    body = response.json()
    assert response.status_code == 422
    assert body["code"] == "validation.invalid_request"
    errors = {error["field"]: error for error in body["errors"]}
    assert errors["full_name"]["code"] == "validation.missing"
    assert errors["full_name"]["message"] == gettext(
        "problems", "fi", VALIDATION_TEMPLATES["missing"]
    )
    assert errors["username"]["code"] == "validation.string_too_long"
    assert errors["username"]["params"]["max_length"] > 0
    assert "Field required" not in body["detail"]
    assert body["detail"].startswith(
        gettext("problems", "fi", "Please correct the request: %(errors)s.").split("%")[0]
    )


def test_a_schema_refusal_without_accept_language_keeps_pydantic_english(
    client: TestClient, admin: dict[str, str]
) -> None:
    body = client.post("/api/v1/users", json={"roles": []}, headers=admin).json()
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["username"] == "Field required"
    assert body["detail"].startswith("Please correct the request: ")


def test_the_login_refusal_is_worded_in_the_language_asked_for(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/login",
        json={"username": "nobody", "password": "wrong"},
        headers=FINNISH,
    )
    assert response.status_code == 401
    assert response.json()["detail"] == finnish("wrong username or password")
    assert response.json()["code"] == "accounts.wrong_credentials"


@pytest.mark.parametrize(
    "header",
    ["fi;q=abc, ;;;, sv;q=", "../../etc/passwd", "<script>alert(1)</script>", "fi;q=0, " * 500],
)
def test_a_malformed_accept_language_reads_in_english(
    client: TestClient, admin: dict[str, str], header: str
) -> None:
    response = client.get("/api/v1/jobs/987654", headers=admin | {"accept-language": header})
    assert response.status_code == 404
    assert response.json()["detail"] == "job 987654 does not exist"


def test_an_unknown_address_is_worded_in_the_language_asked_for(client: TestClient) -> None:
    body = client.get("/api/v1/no-such-thing", headers=FINNISH).json()
    assert body["code"] == "http.not_found"
    assert body["params"] == {"path": "/api/v1/no-such-thing"}
    assert body["detail"] == finnish("There is nothing at %(path)s.", path="/api/v1/no-such-thing")
    english = client.get("/api/v1/no-such-thing").json()["detail"]
    assert english == "There is nothing at /api/v1/no-such-thing."
