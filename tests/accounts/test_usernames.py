"""Issue #21 item 7: one spelling per username, and none that passes for another's."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts import usernames
from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import PASSWORD, bearer, make_user


def fullwidth(text: str) -> str:
    """``text`` in the fullwidth forms (U+FF01 onwards) that NFKC folds back to ASCII."""
    return "".join(chr(ord(character) + 0xFEE0) for character in text)


def _create(client: TestClient, settings: Settings, admin_headers: dict, username: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/users",
        json={
            "username": username,
            "full_name": "Uusi Käyttäjä",
            "password": PASSWORD,
            "roles": ["technician"],
        },
        headers=admin_headers,
    )


def test_a_username_is_stored_lower_case_and_logs_in_however_typed(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    created = _create(client, settings, bearer(settings, admin), "CaseUser")
    assert created.status_code == 201, created.text
    assert created.json()["username"] == "caseuser"
    for typed in ("CaseUser", " caseuser ", fullwidth("CaseUser")):
        answer = client.post("/api/v1/auth/token", data={"username": typed, "password": PASSWORD})
        assert answer.status_code == 200, typed


@pytest.mark.parametrize(
    ("offered", "status", "says"),
    [
        ("admin ", 409, "the username admin is taken"),
        (fullwidth("admin"), 409, "the username admin is taken"),
        ("\u0430dmin", 422, "mixes CYRILLIC, LATIN"),
        ("ad\u200bmin", 422, "U+200B ZERO WIDTH SPACE"),
        ("ad min", 422, "invisible characters or spaces"),
        ("\u03b1\u03b4\u03bc\u03b9\u03bd", 422, "Latin letters, digits and . _ - only"),
        ("rn" + "aija", 409, "looks like the existing username maija"),
        ("mai1a", 409, "looks like the existing username maila"),
    ],
    ids=["trailing-blank", "fullwidth", "cyrillic-a", "zero-width-space", "space", "greek",
         "rn-for-m", "digit-one-for-l"],
)  # fmt: skip
def test_a_username_like_an_existing_one_or_with_hidden_characters_is_refused(
    offered: str, status: int, says: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN, username="admin")
    make_user(engine, Role.TECHNICIAN, username="maija")
    make_user(engine, Role.TECHNICIAN, username="maila")
    before = row_counts(engine)
    refused = _create(client, settings, bearer(settings, admin), offered)
    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert says in refused.json()["detail"]
    assert row_counts(engine) == before


def test_finnish_and_estonian_letters_are_welcome(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    for name in ("mäkinen", "åström", "tõnis.šarapov"):
        created = _create(client, settings, bearer(settings, admin), name.upper())
        assert created.status_code == 201, created.text
        assert created.json()["username"] == name


def test_creation_and_login_share_one_normalisation() -> None:
    assert usernames.normalise(f" {fullwidth('ADMIN')} ") == usernames.normalise("admin") == "admin"
