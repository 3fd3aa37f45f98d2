"""Password hashes: Argon2id with production's parameters unless a test suite asks."""

from collections.abc import Iterator

import pytest

from lims.accounts import passwords


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
