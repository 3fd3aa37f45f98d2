"""Login over the API: passwords, OAuth2 tokens, API tokens, browser sessions, throttling."""

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import jwt
import pytest
import time_machine
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from lims.accounts.auth import Unauthenticated, authenticate_password
from lims.accounts.models import Role
from lims.accounts.throttle import TooManyAttempts
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import PASSWORD, bearer, make_organisation, make_user

ME = "/api/v1/auth/me"


def token_for(client: TestClient, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_password_flow_issues_a_short_lived_bearer_token(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    response = token_for(client, user.username)
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == settings.access_token_minutes * 60
    me = client.get(ME, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json()["username"] == user.username


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: TestClient, engine: Engine
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    wrong = token_for(client, user.username, "not-the-password")
    unknown = token_for(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"] == "wrong username or password"
    assert wrong.headers["www-authenticate"] == "Bearer"


def wait_out_the_slowdown(engine: Engine) -> None:
    """Pretend the doubling wait has passed."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE login_throttle SET locked_until = NULL"))


def test_repeated_failures_slow_the_next_attempt(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    for _ in range(settings.login_free_failures + 1):
        assert token_for(client, user.username, "guess").status_code == 401
    slowed = token_for(client, user.username, PASSWORD)
    assert slowed.status_code == 429
    assert 1 <= int(slowed.headers["retry-after"]) <= 2
    assert "try again in" in slowed.json()["detail"]


def test_many_failures_slow_the_guesser_to_the_cap_but_never_lock(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """Issue #21: ten failures used to lock the username for 15 minutes, so anyone could
    lock anyone out.  Now the wait doubles up to its cap and no further."""
    user = make_user(engine, Role.TECHNICIAN)
    for _ in range(30):
        assert token_for(client, user.username, "guess").status_code == 401
        wait_out_the_slowdown(engine)
    assert token_for(client, user.username, "guess").status_code == 401
    slowed = token_for(client, user.username, PASSWORD)
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) <= settings.login_longest_wait_seconds + 1
    wait_out_the_slowdown(engine)
    assert token_for(client, user.username, PASSWORD).status_code == 200


def test_unknown_usernames_are_locked_exactly_like_real_ones(
    client: TestClient, settings: Settings
) -> None:
    answers = [token_for(client, "ghost", "guess").status_code for _ in range(6)]
    assert answers[: settings.login_free_failures + 1] == [401] * (settings.login_free_failures + 1)
    assert answers[-1] == 429


def test_a_burst_of_parallel_guesses_is_counted_and_stopped_like_a_sequence(
    engine: Engine, settings: Settings
) -> None:
    """Twelve wrong passwords at once: each attempt waits for the one before, so every
    failure is counted and the attempts after the free ones meet the slowdown."""
    user = make_user(engine, Role.TECHNICIAN)
    attempts = 12
    start = threading.Barrier(attempts)
    answers: list[str] = []

    def guess() -> None:
        start.wait()
        try:
            authenticate_password(
                engine,
                settings,
                username=user.username,
                password="guess",
                client_address="192.0.2.7",
            )
        except (Unauthenticated, TooManyAttempts) as refusal:
            answers.append(type(refusal).__name__)

    threads = [threading.Thread(target=guess) for _ in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    counted = settings.login_free_failures + 1
    assert (
        sorted(answers)
        == ["TooManyAttempts"] * (attempts - counted) + ["Unauthenticated"] * counted
    )
    with engine.connect() as connection:
        failures = connection.execute(
            text("SELECT failures FROM login_throttle WHERE throttle_key = :key"),
            {"key": f"pair:192.0.2.7 {user.username}"},
        ).scalar_one()
    assert failures == counted


def test_successful_login_clears_the_usernames_failures_not_the_addresss(
    client: TestClient, engine: Engine
) -> None:
    """One's own good login must not wash away an address's guesses at other accounts."""
    user = make_user(engine, Role.TECHNICIAN)
    token_for(client, user.username, "guess")
    assert token_for(client, user.username).status_code == 200
    with engine.connect() as connection:
        kept = connection.execute(text("SELECT throttle_key FROM login_throttle")).scalars()
        assert list(kept) == ["address:testclient"]


def test_expired_token_is_refused(client: TestClient, engine: Engine, settings: Settings) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    past = datetime.now(UTC) - timedelta(hours=1)
    claims = {"sub": str(user.id), "gen": 0, "typ": "access", "iat": past, "exp": past}
    token = jwt.encode(claims, settings.signing_key, algorithm="HS256")
    response = client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize(
    "forge",
    [
        lambda claims, key: jwt.encode(
            claims, "someone-elses-key-of-enough-length-123456", "HS256"
        ),
        lambda claims, key: jwt.encode(claims, None, algorithm="none"),
        lambda claims, key: jwt.encode({**claims, "typ": "refresh"}, key, algorithm="HS256"),
        lambda claims, key: jwt.encode({**claims, "sub": "99999"}, key, algorithm="HS256"),
        lambda claims, key: "not.a.token",
    ],
    ids=["other-key", "alg-none", "wrong-type", "no-such-user", "garbage"],
)
def test_forged_tokens_are_refused(
    forge: Callable[[dict, str], str], client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.ADMIN)
    claims = {
        "sub": str(user.id),
        "gen": 0,
        "typ": "access",
        "exp": datetime.now(UTC) + timedelta(minutes=5),
    }
    response = client.get(
        ME, headers={"Authorization": f"Bearer {forge(claims, settings.signing_key)}"}
    )
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_token_of_a_deleted_user_is_refused(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    leaver = make_user(engine, Role.TECHNICIAN)
    leaver_headers = bearer(settings, leaver)
    assert client.get(ME, headers=leaver_headers).status_code == 200
    assert (
        client.delete(f"/api/v1/users/{leaver.id}", headers=bearer(settings, admin)).status_code
        == 204
    )
    assert client.get(ME, headers=leaver_headers).status_code == 401
    assert token_for(client, leaver.username).status_code == 401


def test_changing_the_password_revokes_earlier_tokens(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    old_headers = bearer(settings, user)
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a-brand-new-password"},
        headers=old_headers,
    )
    assert changed.status_code == 200
    assert client.get(ME, headers=old_headers).status_code == 401
    assert token_for(client, user.username, "a-brand-new-password").status_code == 200


# -- API tokens ---------------------------------------------------------------------------


def make_api_token(client: TestClient, headers: dict[str, str], scopes: list[str]) -> dict:
    response = client.post(
        "/api/v1/auth/api-tokens", json={"name": "CMM cell", "scopes": scopes}, headers=headers
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_api_token_works_until_revoked_and_is_stored_hashed(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    created = make_api_token(client, bearer(settings, user), ["read"])
    secret = created["token"]
    machine = {"Authorization": f"Bearer {secret}"}
    assert client.get(ME, headers=machine).json()["username"] == user.username
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM api_token")).scalars().all()
    assert secret not in stored
    assert all(len(value) == 64 for value in stored)
    listed = client.get("/api/v1/auth/api-tokens", headers=bearer(settings, user)).json()
    assert "token" not in listed[0]
    revoke = client.delete(
        f"/api/v1/auth/api-tokens/{created['id']}", headers=bearer(settings, user)
    )
    assert revoke.json()["revoked_at"] is not None
    assert client.get(ME, headers=machine).status_code == 401


def test_an_administrator_lists_and_revokes_one_users_tokens(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    technician = make_user(engine, Role.TECHNICIAN)
    other = make_user(engine, Role.TECHNICIAN)
    theirs = make_api_token(client, bearer(settings, technician), ["read"])
    make_api_token(client, bearer(settings, other), ["read"])
    listed = client.get(
        f"/api/v1/auth/api-tokens?user_id={technician.id}", headers=bearer(settings, admin)
    ).json()
    assert [token["id"] for token in listed] == [theirs["id"]]
    # Anyone else's filter finds only what they could see anyway: their own tokens.
    peeking = client.get(
        f"/api/v1/auth/api-tokens?user_id={technician.id}", headers=bearer(settings, other)
    ).json()
    assert peeking == []
    revoked = client.delete(
        f"/api/v1/auth/api-tokens/{theirs['id']}", headers=bearer(settings, admin)
    )
    assert revoked.json()["revoked_at"] is not None
    assert client.get(ME, headers={"Authorization": f"Bearer {theirs['token']}"}).status_code == 401


def test_api_token_can_do_only_what_its_scopes_allow(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    secret = make_api_token(client, bearer(settings, user), ["read"])["token"]
    reader = {"Authorization": f"Bearer {secret}"}
    response = client.patch(f"/api/v1/users/{user.id}", json={"full_name": "X"}, headers=reader)
    assert response.status_code == 403
    assert "'write' scope" in response.json()["detail"]


def test_api_token_cannot_create_api_tokens(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    secret = make_api_token(client, bearer(settings, user), ["read", "write"])["token"]
    response = client.post(
        "/api/v1/auth/api-tokens",
        json={"name": "more", "scopes": ["write"]},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "scopes": ["root"]}, "scopes"),
        ({"name": "x", "scopes": ["read"], "expires_at": "2000-01-01T00:00:00Z"}, "expires_at"),
    ],
)
def test_bad_api_token_requests_are_refused_and_change_nothing(
    body: dict, field: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    before = row_counts(engine)
    response = client.post("/api/v1/auth/api-tokens", json=body, headers=bearer(settings, user))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    assert row_counts(engine) == before


# -- browser sessions ---------------------------------------------------------------------


def browser_login(client: TestClient, username: str) -> str:
    response = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return response.json()["csrf_token"]


def test_browser_login_sets_an_http_only_same_site_cookie(
    client: TestClient, engine: Engine
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    response = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(cookie for cookie in cookies if cookie.startswith("lims_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie
    assert client.get(ME).json()["username"] == user.username


def test_cookie_change_without_csrf_token_is_refused_and_changes_nothing(
    client: TestClient, engine: Engine
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    csrf = browser_login(client, user.username)
    before = row_counts(engine)
    refused = client.patch(f"/api/v1/users/{user.id}", json={"full_name": "Changed"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    wrong = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Changed"}, headers={"X-CSRF-Token": "x"}
    )
    assert wrong.status_code == 403
    assert row_counts(engine) == before
    accepted = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Changed"}, headers={"X-CSRF-Token": csrf}
    )
    assert accepted.status_code == 200


def test_logout_ends_the_browser_session(client: TestClient, engine: Engine) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    csrf = browser_login(client, user.username)
    session_cookie = client.cookies.get("lims_session")
    assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    client.cookies.set("lims_session", session_cookie)
    assert client.get(ME).status_code == 401


# -- role escalation and bad identifiers ---------------------------------------------------


@pytest.mark.parametrize(
    "escalation",
    [
        {"roles": ["admin"]},
        {"roles": ["customer", "admin"]},
        {"organisation_id": 0},
        {"active": True},
    ],
)
def test_customer_cannot_change_its_own_role_or_organisation(
    escalation: dict, client: TestClient, engine: Engine, settings: Settings
) -> None:
    organisation = make_organisation(engine)
    customer = make_user(engine, Role.CUSTOMER, organisation=organisation)
    before = row_counts(engine)
    response = client.patch(
        f"/api/v1/users/{customer.id}", json=escalation, headers=bearer(settings, customer)
    )
    assert response.status_code in (403, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert row_counts(engine) == before
    assert client.get(ME, headers=bearer(settings, customer)).json()["roles"] == ["customer"]


@pytest.mark.parametrize(
    ("country", "business_id"),
    [("FI", "0112038-8"), ("FI", "0112038"), ("EE", "12417835"), ("EE", "1241783x")],
)
def test_malformed_business_identifier_is_refused_and_changes_nothing(
    country: str, business_id: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    before = row_counts(engine)
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Väärä Oy", "country": country, "business_id": business_id},
        headers=bearer(settings, admin),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "business_id"
    assert row_counts(engine) == before


def test_organisation_is_registered_with_its_canonical_business_id(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    manager = make_user(engine, Role.QUALITY_MANAGER)
    response = client.post(
        "/api/v1/organisations",
        json={"name": "Nokia Oyj", "country": "FI", "business_id": "112038-9"},
        headers=bearer(settings, manager),
    )
    assert response.status_code == 201
    assert response.json()["business_id"] == "0112038-9"
    again = client.post(
        "/api/v1/organisations",
        json={"name": "Nokia again", "country": "FI", "business_id": "0112038-9"},
        headers=bearer(settings, manager),
    )
    assert again.status_code == 409


def test_signed_in_browser_sees_the_start_page_with_its_name(
    client: TestClient, engine: Engine
) -> None:
    user = make_user(engine, Role.TECHNICIAN, full_name="Matti Mittaaja")
    browser_login(client, user.username)
    page = client.get("/")
    assert page.status_code == 200
    # The user's language is Finnish (the default), so the role reads in Finnish.
    assert "Matti Mittaaja" in page.text and "(Mittausteknikko)" in page.text


# -- throttling per username and per address (issue #21 item 7) ---------------------------

ATTACKER = ("198.51.100.66", 40000)
OWNER = ("203.0.113.9", 40000)


def test_spraying_many_usernames_from_one_address_is_slowed(
    app: FastAPI, engine: Engine, settings: Settings
) -> None:
    with TestClient(app, raise_server_exceptions=False, client=ATTACKER) as attacker:
        answers = [
            token_for(attacker, f"sprayed{number}", "password1234").status_code
            for number in range(20)
        ]
    # The failures past the free ones start the doubling wait, as for one username.
    counted = settings.login_address_free_failures + 1
    assert answers[:counted] == [401] * counted
    assert set(answers[counted:]) == {429}


def test_an_attackers_failures_never_keep_the_owner_out(
    app: FastAPI, engine: Engine, settings: Settings
) -> None:
    """Issue #21: ten failures locked a username for 15 minutes, whoever made them."""
    user = make_user(engine, Role.TECHNICIAN)

    def attack() -> None:
        with TestClient(app, raise_server_exceptions=False, client=ATTACKER) as attacker:
            for _ in range(30):
                wait_out_the_slowdown(engine)
                assert token_for(attacker, user.username, "guess").status_code == 401
            assert token_for(attacker, user.username, "guess").status_code == 429

    attack()
    with TestClient(app, raise_server_exceptions=False, client=OWNER) as owner:
        assert token_for(owner, user.username).status_code == 200
    attack()
    with (
        TestClient(app, raise_server_exceptions=False, client=OWNER) as owner,
        time_machine.travel(datetime.now(UTC), tick=False) as clock,
    ):
        # After a typo of the owner's own, only the short wait shared by all addresses.
        assert token_for(owner, user.username, "typo").status_code == 401
        slowed = token_for(owner, user.username)
        assert slowed.status_code == 429
        longest = settings.login_username_longest_wait_seconds
        assert int(slowed.headers["retry-after"]) <= longest + 1
        clock.shift(timedelta(seconds=longest + 1))
        assert token_for(owner, user.username).status_code == 200


def test_failures_are_forgotten_after_a_quiet_spell(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(settings.login_free_failures + 1):
            token_for(client, user.username, "guess")
        assert token_for(client, user.username).status_code == 429
        clock.shift(timedelta(minutes=settings.login_forget_minutes, seconds=1))
        assert token_for(client, user.username).status_code == 200
