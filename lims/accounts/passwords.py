"""Password hashing with Argon2id (argon2-cffi, the reference implementation's binding),
and the strength a new password needs (zxcvbn, Dropbox's estimator)."""

import secrets
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from lims.config import get_settings

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from an offline
# slow-hash scenario" (about 10^8 guesses and more), which Argon2id hashes are.
MIN_PASSWORD_SCORE = 3
# zxcvbn's time grows quickly with length; the first characters decide the score of any
# password a person types, and a longer one is judged on them (never more leniently).
_ESTIMATED_CHARACTERS = 100


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


def check_password_strength(password: str, *, personal: Iterable[str | None] = ()) -> None:
    """Refuse a password that is short or easy to guess, with a sentence saying why.

    ``personal`` holds the user's own words (username, full name, e-mail): a password built
    from them is as weak as a common one.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if password.strip() != password or not password.strip():
        raise ValueError("a password may not start or end with spaces")
    words = [word for text in personal if text for word in (text, *text.replace("@", " ").split())]
    estimate = zxcvbn(password[:_ESTIMATED_CHARACTERS], user_inputs=words)
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = estimate["feedback"]["warning"] or "it follows a common pattern"
        raise ValueError(
            f"this password is too easy to guess ({warning.rstrip('.')}); "
            "a longer one of several unrelated words is both stronger and easier to remember"
        )


def temporary_password() -> str:
    """A password for an administrator's reset: random, shown once, changed at first login."""
    return secrets.token_urlsafe(15)
