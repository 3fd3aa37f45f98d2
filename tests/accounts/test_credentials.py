"""Issue #21 item 1: every credential dies with a password change, a role change, disabling or
deleting the user; changing one's own password needs the current one and no API token may do
it; an administrator's reset is audited and forces a change at the next login."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.models import Role, User
from lims.audit.models import AuditEvent
from lims.config import Settings
from tests.conftest import row_counts
from tests.factories import PASSWORD, bearer, make_user

ME = "/api/v1/auth/me"
NEW_PASSWORD = "seitsemän-kevättä-mittaa-42"


def _api_token(client: TestClient, headers: dict[str, str], scopes: list[str]) -> dict[str, str]:
    created = client.post(
        "/api/v1/auth/api-tokens", json={"name": "CMM cell", "scopes": scopes}, headers=headers
    )
    assert created.status_code == 201, created.text
    return {"Authorization": f"Bearer {created.json()['token']}"}


def _cookie_session(client: TestClient, username: str) -> dict[str, str]:
    """A second client's signed-in browser, as the cookie it would send."""
    answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    cookie = answer.cookies["lims_session"]
    client.cookies.clear()
    return {"Cookie": f"lims_session={cookie}"}


def _change_password(client: TestClient, user: User, admin: User, settings: Settings) -> None:
    answer = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=bearer(settings, user),
    )
    assert answer.status_code == 200, answer.text


def _change_roles(client: TestClient, user: User, admin: User, settings: Settings) -> None:
    answer = client.patch(
        f"/api/v1/users/{user.id}", json={"roles": ["signatory"]}, headers=bearer(settings, admin)
    )
    assert answer.status_code == 200, answer.text


def _disable(client: TestClient, user: User, admin: User, settings: Settings) -> None:
    answer = client.patch(
        f"/api/v1/users/{user.id}", json={"active": False}, headers=bearer(settings, admin)
    )
    assert answer.status_code == 200, answer.text


def _delete(client: TestClient, user: User, admin: User, settings: Settings) -> None:
    answer = client.delete(f"/api/v1/users/{user.id}", headers=bearer(settings, admin))
    assert answer.status_code == 204, answer.text


def _reset(client: TestClient, user: User, admin: User, settings: Settings) -> None:
    answer = client.post(f"/api/v1/users/{user.id}/password-reset", headers=bearer(settings, admin))
    assert answer.status_code == 200, answer.text


EVENTS = {
    "password-change": _change_password,
    "role-change": _change_roles,
    "disabled": _disable,
    "deleted": _delete,
    "admin-reset": _reset,
}
CREDENTIALS = ["access-token", "browser-session", "api-token-read", "api-token-read-write"]


@pytest.mark.parametrize("credential", CREDENTIALS)
@pytest.mark.parametrize("event", EVENTS)
def test_every_credential_dies_with_the_event(
    credential: str, event: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    user = make_user(engine, Role.TECHNICIAN)
    issued: dict[str, Callable[[], dict[str, str]]] = {
        "access-token": lambda: bearer(settings, user),
        "browser-session": lambda: _cookie_session(client, user.username),
        "api-token-read": lambda: _api_token(client, bearer(settings, user), ["read"]),
        "api-token-read-write": lambda: _api_token(
            client, bearer(settings, user), ["read", "write"]
        ),
    }
    headers = issued[credential]()
    assert client.get(ME, headers=headers).status_code == 200
    EVENTS[event](client, user, admin, settings)
    refused = client.get(ME, headers=headers)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


def test_an_api_token_cannot_change_the_password(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    """Issue #21 item 1: a leaked read-write token took the account with PATCH password."""
    user = make_user(engine, Role.TECHNICIAN)
    machine = _api_token(client, bearer(settings, user), ["read", "write"])
    before = row_counts(engine)
    by_patch = client.patch(
        f"/api/v1/users/{user.id}", json={"password": NEW_PASSWORD}, headers=machine
    )
    assert by_patch.status_code == 422
    assert "current one" in by_patch.text
    by_route = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=machine,
    )
    assert by_route.status_code == 403
    assert "API token cannot change a password" in by_route.json()["detail"]
    assert row_counts(engine) == before
    assert client.get(ME, headers=machine).status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"current_password": "not-my-password", "new_password": NEW_PASSWORD}, "current_password"),
        ({"new_password": NEW_PASSWORD}, "current_password"),
        ({"current_password": PASSWORD, "new_password": "password1234"}, "new_password"),
    ],
    ids=["wrong-current", "missing-current", "weak-new"],
)
def test_changing_ones_password_needs_the_current_one_and_a_strong_new_one(
    body: dict, field: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    headers = bearer(settings, user)
    with Session(engine) as db_session:
        hash_before = db_session.get_one(User, user.id).password_hash
    refused = client.post("/api/v1/auth/password", json=body, headers=headers)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == field
    with Session(engine) as db_session:
        assert db_session.get_one(User, user.id).password_hash == hash_before
    assert client.get(ME, headers=headers).status_code == 200


def test_a_browser_changing_its_password_stays_signed_in_with_a_new_session(
    client: TestClient, engine: Engine
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    login = client.post(
        "/api/v1/auth/login", json={"username": user.username, "password": PASSWORD}
    )
    old_cookie = client.cookies["lims_session"]
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers={"X-CSRF-Token": login.json()["csrf_token"]},
    )
    assert changed.status_code == 200, changed.text
    assert client.cookies["lims_session"] != old_cookie
    assert client.get(ME).status_code == 200
    client.cookies.clear()
    assert client.get(ME, headers={"Cookie": f"lims_session={old_cookie}"}).status_code == 401


def test_other_fields_still_change_with_patch(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    user = make_user(engine, Role.TECHNICIAN)
    headers = bearer(settings, user)
    changed = client.patch(
        f"/api/v1/users/{user.id}", json={"full_name": "Tuomas T."}, headers=headers
    )
    assert changed.status_code == 200
    assert client.get(ME, headers=headers).json()["full_name"] == "Tuomas T."


def test_an_admin_reset_is_audited_without_the_hash_and_forces_a_change(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    user = make_user(engine, Role.TECHNICIAN)
    reset = client.post(f"/api/v1/users/{user.id}/password-reset", headers=bearer(settings, admin))
    assert reset.status_code == 200
    temporary = reset.json()["temporary_password"]
    assert reset.json()["user"]["must_change_password"] is True
    with Session(engine) as db_session:
        event = db_session.exec(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "user_account", AuditEvent.entity_id == str(user.id))
            .order_by(col(AuditEvent.id).desc())
        ).first()
        stored_hash = db_session.get_one(User, user.id).password_hash
    assert event is not None
    assert event.actor == admin.username
    assert event.reason == "password reset by an administrator"
    assert event.changes["must_change_password"] == [False, True]
    assert stored_hash is not None and stored_hash not in str(event.changes)
    assert temporary not in str(event.changes)

    token = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": temporary}
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(ME, headers=headers).json()["must_change_password"] is True
    blocked = client.get("/api/v1/jobs", headers=headers)
    assert blocked.status_code == 403
    assert "change your password first" in blocked.json()["detail"]
    refused_token = client.post(
        "/api/v1/auth/api-tokens", json={"name": "x", "scopes": ["read"]}, headers=headers
    )
    assert refused_token.status_code == 403
    changed = client.post(
        "/api/v1/auth/password",
        json={"current_password": temporary, "new_password": NEW_PASSWORD},
        headers=headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    fresh = client.post(
        "/api/v1/auth/token", data={"username": user.username, "password": NEW_PASSWORD}
    ).json()["access_token"]
    assert (
        client.get("/api/v1/jobs", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
    )


@pytest.mark.parametrize("who", ["self", "technician", "api-token"])
def test_only_an_admin_in_person_resets_another_users_password(
    who: str, client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    target = make_user(engine, Role.TECHNICIAN)
    if who == "self":
        target, headers = admin, bearer(settings, admin)
    elif who == "technician":
        headers = bearer(settings, make_user(engine, Role.TECHNICIAN))
    else:
        headers = _api_token(client, bearer(settings, admin), ["read", "write"])
    before = row_counts(engine)
    refused = client.post(f"/api/v1/users/{target.id}/password-reset", headers=headers)
    assert refused.status_code in (403, 409)
    assert refused.headers["content-type"] == "application/problem+json"
    assert row_counts(engine) == before


def test_after_a_reset_every_page_sends_the_person_to_choose_a_password(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    admin = make_user(engine, Role.ADMIN)
    user = make_user(engine, Role.TECHNICIAN)
    reset = client.post(f"/api/v1/users/{user.id}/password-reset", headers=bearer(settings, admin))
    temporary = reset.json()["temporary_password"]
    client.post("/api/v1/auth/login", json={"username": user.username, "password": temporary})
    for address in ("/", "/jobs", "/account"):
        answer = client.get(address, follow_redirects=False)
        assert answer.status_code == 303, address
        assert answer.headers["location"] == "/account/password"
    page = client.get("/account/password")
    assert page.status_code == 200
    assert 'id="password-change"' in page.text
    assert 'data-then="/"' in page.text
