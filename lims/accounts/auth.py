"""Login: passwords with throttling, OAuth2 access tokens, API tokens, browser sessions.

Three ways in, one result: a ``Principal``.  Failures raise ``Unauthenticated`` (401) or
``TooManyAttempts`` (429) with a message that never says whether an account exists.
"""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeGuard

import jwt
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts import throttle, usernames
from lims.accounts.models import ApiToken, BrowserSession, Role, User
from lims.accounts.passwords import verify_password
from lims.accounts.principal import Principal
from lims.config import Settings
from lims.db import persisted_id, utcnow
from lims.errors import LimsError

API_TOKEN_PREFIX = "lims_"
_JWT_ALGORITHM = "HS256"


class Unauthenticated(LimsError):
    status = 401
    title = "Unauthorized"
    slug = "unauthenticated"


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def principal_for(user: User, *, via: str, scopes: frozenset[str] | None = None) -> Principal:
    return Principal(
        user_id=persisted_id(user),
        username=user.username,
        roles=frozenset(Role(role) for role in user.roles),
        organisation_id=user.organisation_id,
        scopes=scopes,
        via=via,
        must_change_password=user.must_change_password,
    )


def _usable(user: User | None) -> TypeGuard[User]:
    return user is not None and user.active and user.deleted_at is None


# -- passwords and throttling -------------------------------------------------------------


def authenticate_password(
    engine: Engine,
    settings: Settings,
    *,
    username: str,
    password: str,
    client_address: str | None,
) -> User:
    """Check a username and password, slowing repeated failures (``lims.accounts.throttle``).

    The throttle is kept whether or not the account exists, and in its own transaction, so a
    failed login is counted even though nothing else changes.
    """
    key = usernames.normalise(username)[:256]
    with Session(engine, expire_on_commit=False) as db_session:
        held = throttle.hold(db_session, key, client_address)
        now = utcnow()  # after the wait for the rows: a queued attempt happens now
        throttle.refuse_while_slowed(held, settings, now)
        user = db_session.exec(select(User).where(User.username == key)).first()
        password_ok = verify_password(user.password_hash if user else None, password)
        if password_ok and _usable(user):
            throttle.forget_success(db_session, held)
            db_session.expunge(user)
            return user
        throttle.count_failure(db_session, held, settings, now)
    raise Unauthenticated("wrong username or password", code="accounts.wrong_credentials")


# -- OAuth2 access tokens -----------------------------------------------------------------


@dataclass(frozen=True)
class AccessToken:
    token: str
    expires_in: int


def issue_access_token(settings: Settings, user: User) -> AccessToken:
    lifetime = timedelta(minutes=settings.access_token_minutes)
    now = utcnow()
    claims = {
        "sub": str(user.id),
        "gen": user.token_generation,
        "iat": now,
        "exp": now + lifetime,
        "typ": "access",
    }
    token = jwt.encode(claims, settings.signing_key, algorithm=_JWT_ALGORITHM)
    return AccessToken(token=token, expires_in=int(lifetime.total_seconds()))


def principal_from_access_token(db_session: Session, settings: Settings, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            settings.signing_key,
            algorithms=[_JWT_ALGORITHM],
            options={"require": ["exp", "sub", "typ"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(
            "the access token has expired; log in again",
            code="accounts.access_token_has_expired_log",
        ) from None
    except jwt.InvalidTokenError:
        raise Unauthenticated(
            "the access token is not valid", code="accounts.access_token_valid"
        ) from None
    user = db_session.get(User, int(claims["sub"])) if str(claims["sub"]).isdigit() else None
    if claims.get("typ") != "access" or not _usable(user):
        raise Unauthenticated(
            "the access token's account no longer exists or is disabled",
            code="accounts.access_token_account_longer_exists",
        )
    if claims.get("gen") != user.token_generation:
        raise Unauthenticated(
            "the access token has been revoked; log in again",
            code="accounts.access_token_has_been_revoked",
        )
    return principal_for(user, via="access_token")


# -- API tokens for machine clients -------------------------------------------------------


def new_api_token_secret() -> str:
    return API_TOKEN_PREFIX + secrets.token_urlsafe(32)


def principal_from_api_token(db_session: Session, secret: str) -> Principal:
    token = db_session.exec(select(ApiToken).where(ApiToken.token_hash == digest(secret))).first()
    now = utcnow()
    if token is None or token.revoked_at is not None:
        raise Unauthenticated(
            "the API token is not valid or has been revoked",
            code="accounts.api_token_valid_has_been",
        )
    if token.expires_at is not None and token.expires_at <= now:
        raise Unauthenticated("the API token has expired", code="accounts.api_token_has_expired")
    user = db_session.get(User, token.user_id)
    if not _usable(user):
        raise Unauthenticated(
            "the API token's account no longer exists or is disabled",
            code="accounts.api_token_account_longer_exists",
        )
    if token.token_generation != user.token_generation:
        raise Unauthenticated(
            "the API token was revoked when its user's password, roles or status changed",
            code="accounts.api_token_was_revoked_when",
        )
    return principal_for(user, via="api_token", scopes=frozenset(token.scopes))


# -- browser sessions ---------------------------------------------------------------------


@dataclass(frozen=True)
class StartedSession:
    secret: str
    csrf_token: str
    expires_at: datetime


def start_browser_session(db_session: Session, settings: Settings, user: User) -> StartedSession:
    secret = secrets.token_urlsafe(32)
    started = BrowserSession(
        user_id=persisted_id(user),
        secret_hash=digest(secret),
        csrf_token=secrets.token_urlsafe(32),
        token_generation=user.token_generation,
        expires_at=utcnow() + timedelta(hours=settings.session_hours),
    )
    db_session.add(started)
    db_session.commit()
    return StartedSession(
        secret=secret, csrf_token=started.csrf_token, expires_at=started.expires_at
    )


def browser_session_for(db_session: Session, secret: str) -> tuple[BrowserSession, Principal]:
    browser_session = db_session.exec(
        select(BrowserSession).where(BrowserSession.secret_hash == digest(secret))
    ).first()
    if browser_session is None or browser_session.ended_at is not None:
        raise Unauthenticated(
            "the session has ended; log in again", code="accounts.session_has_ended_log_again"
        )
    if browser_session.expires_at <= utcnow():
        raise Unauthenticated(
            "the session has expired; log in again", code="accounts.session_has_expired_log_again"
        )
    user = db_session.get(User, browser_session.user_id)
    if not _usable(user) or user.token_generation != browser_session.token_generation:
        raise Unauthenticated(
            "the session has been revoked; log in again",
            code="accounts.session_has_been_revoked_log",
        )
    return browser_session, principal_for(user, via="session")


def csrf_token_matches(browser_session: BrowserSession, offered: str | None) -> bool:
    return offered is not None and hmac.compare_digest(browser_session.csrf_token, offered)


def end_browser_session(db_session: Session, secret: str) -> None:
    browser_session = db_session.exec(
        select(BrowserSession).where(BrowserSession.secret_hash == digest(secret))
    ).first()
    if browser_session is not None and browser_session.ended_at is None:
        browser_session.ended_at = utcnow()
        db_session.add(browser_session)
        db_session.commit()
