"""Password hashing with Argon2id (argon2-cffi, the reference implementation's binding)."""

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from lims.config import get_settings

MIN_PASSWORD_LENGTH = 12


@cache
def _hasher() -> PasswordHasher:
    # Chosen at the first hash, from the settings: production's parameters (RFC 9106's
    # low-memory profile, argon2-cffi's default) unless a test suite asked for the cheapest.
    # A hash carries its own parameters, so either kind verifies under either hasher.
    if get_settings().password_hashing == "test":
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    # Verifying against this keeps the time of a login for an unknown user equal to a real
    # one, so the answer's timing does not reveal whether the account exists.
    return _hasher().hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return False
    # verify() raises on a mismatch; against the dummy hash it only spent a real check's time.
    return password_hash is not None


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise ValueError("a password may not start or end with spaces")
