"""Password hashes: Argon2id with production's parameters unless a test suite asks."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts import passwords
from lims.accounts.models import Role
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import bearer, make_user


@pytest.fixture
def hashing(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Forget the hasher chosen so far, so the test's setting decides (and afterwards)."""
    passwords._hasher.cache_clear()
    passwords._dummy_hash.cache_clear()
    yield monkeypatch
    passwords._hasher.cache_clear()
    passwords._dummy_hash.cache_clear()


def test_production_hashes_use_argon2id_at_rfc_9106_low_memory_parameters(
    hashing: pytest.MonkeyPatch,
) -> None:
    hashing.delenv("LIMS_PASSWORD_HASHING", raising=False)
    # RFC 9106 4. second recommended option: t=3, m=64 MiB, p=4 (argon2-cffi's default).
    assert passwords.hash_password("a-long-password").startswith("$argon2id$v=19$m=65536,t=3,p=4$")


def test_a_test_suite_hash_verifies_under_production_parameters(
    hashing: pytest.MonkeyPatch,
) -> None:
    hashing.setenv("LIMS_PASSWORD_HASHING", "test")
    cheap = passwords.hash_password("a-long-password")
    assert cheap.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    passwords._hasher.cache_clear()
    hashing.delenv("LIMS_PASSWORD_HASHING")
    assert passwords.verify_password(cheap, "a-long-password")
    assert not passwords.verify_password(cheap, "another-password")
    assert not passwords.verify_password(None, "a-long-password")


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("aaaaaaaaaaaa", 'Repeats like "aaa" are easy to guess'),
        ("password1234", "This is a very common password"),
        ("short-pw", "at least 12 characters"),
    ],
)
def test_a_weak_password_is_refused_saying_why(
    password: str, why: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    """Issue #21 item 7: twelve a's and password1234 were accepted."""
    admin = make_user(engine, Role.ADMIN)
    before = row_counts(engine)
    refused = client.post(
        "/api/v1/users",
        json={"username": "heikko", "full_name": "Heikki Heikko", "password": password,
              "roles": ["technician"]},
        headers=bearer(settings, admin),
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "password"
    assert why in refused.json()["detail"]
    assert row_counts(engine) == before


def test_a_password_made_of_the_users_own_name_is_refused() -> None:
    personal = ("tuomas.teknikko", "Tuomas Teknikko", "tuomas@lab.example")
    with pytest.raises(ValueError, match="too easy to guess"):
        passwords.check_password_strength("tuomasteknikko", personal=personal)
    passwords.check_password_strength("kolme-sanaa-mittaa-42", personal=personal)
