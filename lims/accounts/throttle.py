"""Failed logins slow further guessing; they never lock anyone out.

Each attempt is counted under three keys:

* the username from this client address: a few free failures, then each further attempt
  waits twice as long as the one before (1 s, 2 s, 4 s, … up to a cap);
* the client address, whatever usernames it tries: more free failures, then the same
  doubling, so spraying many usernames from one place is slowed;
* the username from any address: only a gentle, short capped wait, and only for addresses
  that have themselves failed at this username.  Guessing spread over many addresses is slowed,
  but an address that has not failed (the owner's) is never held back by anyone else's guesses.

A key's failures are forgotten after a quiet spell; a success forgets the username's (not the
address's: one's own good account must not wash away guesses at others').
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from lims.accounts.models import LoginThrottle
from lims.config import Settings
from lims.db import table_of, upsert
from lims.errors import LimsError

UNKNOWN_ADDRESS = "unknown"


class TooManyAttempts(LimsError):
    status = 429
    title = "Too many failed logins"
    slug = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int, code: str, **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Rule:
    free_failures: int
    longest_wait_seconds: int


@dataclass
class Held:
    """The three throttle rows of one attempt, each held until its transaction ends."""

    pair: LoginThrottle
    address: LoginThrottle
    username: LoginThrottle

    def rules(self, settings: Settings) -> list[tuple[LoginThrottle, Rule]]:
        steep = settings.login_longest_wait_seconds
        return [
            (self.pair, Rule(settings.login_free_failures, steep)),
            (self.address, Rule(settings.login_address_free_failures, steep)),
            (
                self.username,
                Rule(settings.login_free_failures, settings.login_username_longest_wait_seconds),
            ),
        ]


def hold(db_session: Session, username: str, client_address: str | None) -> Held:
    """The attempt's throttle rows, created if new and locked until the transaction ends.

    Taking the rows first (an upsert locks each) makes concurrent attempts on one key queue
    behind each other: each sees the failures counted before it, so a burst of parallel
    guesses can neither lose counts nor slip past the slowdown.  Every attempt takes its
    rows in one order (the keys sorted), so two attempts never wait for each other in a ring.
    """
    address = client_address or UNKNOWN_ADDRESS
    keys = {
        "address": f"address:{address}",
        "pair": f"pair:{address} {username}",
        "username": f"username:{username}",
    }
    rows = {name: _hold_row(db_session, key) for name, key in sorted(keys.items(), key=_by_key)}
    return Held(pair=rows["pair"], address=rows["address"], username=rows["username"])


def _by_key(item: tuple[str, str]) -> str:
    return item[1]


def _hold_row(db_session: Session, key: str) -> LoginThrottle:
    table = table_of(LoginThrottle)
    held = (
        upsert(db_session, table)
        .values(throttle_key=key, failures=0)
        .on_conflict_do_update(index_elements=["throttle_key"], set_={"throttle_key": key})
        .returning(table.c.id)
    )
    throttle_id = db_session.execute(held).scalar_one()
    return db_session.get_one(LoginThrottle, throttle_id, populate_existing=True)


def refuse_while_slowed(held: Held, settings: Settings, now: datetime) -> None:
    """Answer 429 with the wait when any key applying to this attempt is still slowed."""
    forget_before = now - timedelta(minutes=settings.login_forget_minutes)
    for throttle in (held.pair, held.address, held.username):
        if throttle.last_failure_at is not None and throttle.last_failure_at < forget_before:
            throttle.failures = 0
            throttle.locked_until = None
    applying = [held.pair, held.address]
    if held.pair.failures > 0:
        applying.append(held.username)
    waits = [
        throttle.locked_until - now
        for throttle in applying
        if throttle.locked_until is not None and throttle.locked_until > now
    ]
    if waits:
        wait = int(max(waits).total_seconds()) + 1
        raise TooManyAttempts(
            "too many failed logins; try again in %(wait)s seconds",
            code="accounts.too_many_failed_logins_try",
            wait=wait,
            retry_after=wait,
        )


def count_failure(db_session: Session, held: Held, settings: Settings, now: datetime) -> None:
    for throttle, rule in held.rules(settings):
        throttle.failures += 1
        throttle.last_failure_at = now
        extra = throttle.failures - rule.free_failures
        if extra > 0:
            # Each failure past the free ones doubles the wait before the next, up to a cap.
            seconds = min(2 ** min(extra - 1, 30), rule.longest_wait_seconds)
            throttle.locked_until = now + timedelta(seconds=seconds)
        db_session.add(throttle)
    db_session.commit()


def forget_success(db_session: Session, held: Held) -> None:
    db_session.delete(held.pair)
    db_session.delete(held.username)
    if held.address.failures == 0:
        db_session.delete(held.address)
    db_session.commit()
