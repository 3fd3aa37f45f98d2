"""Password hashing with Argon2id (argon2-cffi, the reference implementation's binding),
and the strength a new password needs (zxcvbn, Dropbox's estimator)."""

import secrets
from collections.abc import Iterable
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from lims.config import get_settings
from lims.reasons import Reason

MIN_PASSWORD_LENGTH = 12
# zxcvbn's scale 0-4; 3 is "safely unguessable: moderate protection from an offline
# slow-hash scenario" (about 10^8 guesses and more), which Argon2id hashes are.
MIN_PASSWORD_SCORE = 3
# zxcvbn's time grows quickly with length; the first characters decide the score of any
# password a person types, and a longer one is judged on them (never more leniently).
_ESTIMATED_CHARACTERS = 100
#: zxcvbn's warnings (English only) as reasons of the problems catalog; one it adds later reads
#: as "it follows a common pattern".
_WARNINGS = {
    "Straight rows of keys are easy to guess.": Reason("Straight rows of keys are easy to guess"),
    "Short keyboard patterns are easy to guess.": Reason(
        "Short keyboard patterns are easy to guess"
    ),
    'Repeats like "aaa" are easy to guess.': Reason('Repeats like "aaa" are easy to guess'),
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': Reason(
        'Repeats like "abcabcabc" are only slightly harder to guess than "abc"'
    ),
    'Sequences like "abc" or "6543" are easy to guess.': Reason(
        'Sequences like "abc" or "6543" are easy to guess'
    ),
    "Recent years are easy to guess.": Reason("Recent years are easy to guess"),
    "Dates are often easy to guess.": Reason("Dates are often easy to guess"),
    "This is a top-10 common password.": Reason("This is a top-10 common password"),
    "This is a top-100 common password.": Reason("This is a top-100 common password"),
    "This is a very common password.": Reason("This is a very common password"),
    "This is similar to a commonly used password.": Reason(
        "This is similar to a commonly used password"
    ),
    "A word by itself is easy to guess.": Reason("A word by itself is easy to guess"),
    "Names and surnames by themselves are easy to guess.": Reason(
        "Names and surnames by themselves are easy to guess"
    ),
    "Common names and surnames are easy to guess.": Reason(
        "Common names and surnames are easy to guess"
    ),
}


class WeakPassword(ValueError):
    """A password refused as short or guessable; the :class:`Reason` says why."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.message)
        self.reason = reason


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
        raise WeakPassword(
            Reason("a password needs at least %(least)s characters", least=MIN_PASSWORD_LENGTH)
        )
    if password.strip() != password or not password.strip():
        raise WeakPassword(Reason("a password may not start or end with spaces"))
    words = [word for text in personal if text for word in (text, *text.replace("@", " ").split())]
    estimate = zxcvbn(password[:_ESTIMATED_CHARACTERS], user_inputs=words)
    if estimate["score"] < MIN_PASSWORD_SCORE:
        warning = _WARNINGS.get(
            estimate["feedback"]["warning"], Reason("it follows a common pattern")
        )
        raise WeakPassword(
            Reason(
                "this password is too easy to guess (%(warning)s); a longer one of several "
                "unrelated words is both stronger and easier to remember",
                warning=warning,
            )
        )


def temporary_password() -> str:
    """A password for an administrator's reset: random, shown once, changed at first login."""
    return secrets.token_urlsafe(15)
