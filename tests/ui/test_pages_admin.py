"""The users, customers and account pages without a browser: who gets which page, what each
role is offered, another customer's records, and hostile names shown as text."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation, User
from lims.config import Settings
from tests.conftest import load_demo
from tests.ui.test_pages import sign_in

EVERYONE = ("admin", "laatu", "mittaaja", "allekirjoittaja", "arvioija", "asiakas", "kund")
READERS = ("admin", "laatu", "mittaaja", "allekirjoittaja", "arvioija")


@pytest.fixture
def ids(engine: Engine, settings: Settings) -> dict[str, int]:
    """The demo data: the annual customer's organisation, and users by username."""
    load_demo(engine, settings)
    with Session(engine) as db_session:
        konepaja = db_session.exec(
            select(Organisation).where(Organisation.business_id == "1234567-1")
        ).one()
        users = {user.username: user.id or 0 for user in db_session.exec(select(User))}
    return {"konepaja": konepaja.id or 0, **users}


def csrf(client: TestClient) -> dict[str, str]:
    return {"x-csrf-token": client.cookies.get("lims_csrf") or ""}


def status_of(client: TestClient, path: str) -> int:
    answer = client.get(path)
    assert "text/html" in answer.headers["content-type"], path
    return answer.status_code


def test_the_users_and_customers_pages_answer_each_role_as_the_services_say(
    client: TestClient, ids: dict[str, int]
) -> None:
    pages = {
        "/users": dict.fromkeys(EVERYONE, 200),
        # The lab's people are the lab's: a customer reads only its own organisation's users.
        "/users/{laatu}": {**dict.fromkeys(READERS, 200), "asiakas": 404, "kund": 404},
        "/users/{asiakas}": {**dict.fromkeys(READERS, 200), "asiakas": 200, "kund": 404},
        "/customers": dict.fromkeys(EVERYONE, 200),
        "/customers/{konepaja}": {**dict.fromkeys(READERS, 200), "asiakas": 200, "kund": 404},
        "/customers/987654": dict.fromkeys(EVERYONE, 404),
        "/customers/not-a-number": dict.fromkeys(EVERYONE, 404),
        "/account": dict.fromkeys(EVERYONE, 200),
    }
    wrong = []
    for user in EVERYONE:
        sign_in(client, user)
        for path, expected in pages.items():
            answer = status_of(client, path.format(**ids))
            if answer != expected[user]:
                wrong.append((user, path, answer, expected[user]))
    assert wrong == []


def test_signed_out_callers_are_sent_to_the_login_page(client: TestClient) -> None:
    for path in ("/users", "/users/1", "/customers", "/customers/1", "/account"):
        answer = client.get(path, follow_redirects=False)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/login?next={path}"


def test_only_the_administrator_is_offered_the_user_forms(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "admin")
    assert 'id="user-create"' in client.get("/users").text
    page = client.get("/users/{mittaaja}".format(**ids)).text
    assert 'id="user-edit"' in page and 'id="password-reset"' in page
    assert 'id="user-disable"' in page and 'id="token-create"' in page
    # Not to themselves: the service refuses disabling or resetting one's own account.
    own = client.get("/users/{admin}".format(**ids)).text
    assert 'id="user-edit"' in own and 'id="user-disable"' not in own
    for user in ("laatu", "arvioija"):
        sign_in(client, user)
        assert 'id="user-create"' not in client.get("/users").text
        page = client.get("/users/{mittaaja}".format(**ids)).text
        assert 'id="user-edit"' not in page and 'id="password-reset"' not in page


def test_a_customer_sees_only_its_own_organisation_and_its_users(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "kund")
    users = client.get("/users").text
    assert "Karin Kund" in users and "Kalle Konepaja" not in users and "Aino Admin" not in users
    customers = client.get("/customers").text
    assert "Tarkkuusosa Ab" in customers and "Konepaja" not in customers
    refused = client.get("/customers/{konepaja}".format(**ids)).text
    assert 'id="not-found"' in refused and "Konepaja" not in refused


def test_the_quality_manager_is_offered_the_customer_forms_and_the_auditor_none(
    client: TestClient, ids: dict[str, int]
) -> None:
    customer = "/customers/{konepaja}".format(**ids)
    sign_in(client, "laatu")
    assert 'id="customer-create"' in client.get("/customers").text
    page = client.get(customer).text
    assert 'id="customer-edit"' in page and 'id="contact-add"' in page
    sign_in(client, "arvioija")
    assert 'id="customer-create"' not in client.get("/customers").text
    page = client.get(customer).text
    assert 'id="customer-edit"' not in page and 'id="contact-add"' not in page
    # A customer adds contacts to its own organisation but does not change its record.
    sign_in(client, "asiakas")
    page = client.get(customer).text
    assert 'id="contact-add"' in page and 'id="customer-edit"' not in page


def test_the_customer_page_gathers_its_agreements_jobs_documents_and_instruments(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    page = client.get("/customers/{konepaja}".format(**ids)).text
    assert "Kalle Konepaja" in page and "Teollisuuskatu 5" in page and "1234567-1" in page
    assert 'href="/agreements/' in page
    assert 'href="/jobs/' in page and "TY-" in page
    assert 'href="/documents/' in page
    assert 'class="instruments"' in page


def test_markup_in_a_customers_name_and_contact_is_shown_as_text(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "laatu")
    hostile = "<script>alert(1)</script> Oy"
    created = client.post(
        "/api/v1/organisations",
        json={"name": hostile, "country": "FI", "business_id": "0112038-9"},
        headers=csrf(client),
    )
    assert created.status_code == 201, created.text
    organisation_id = created.json()["id"]
    contact = client.post(
        f"/api/v1/organisations/{organisation_id}/contacts",
        json={"name": '<img src=x onerror="alert(2)">'},
        headers=csrf(client),
    )
    assert contact.status_code == 201, contact.text
    for path in ("/customers", f"/customers/{organisation_id}"):
        page = client.get(path).text
        assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    assert "<img src=x" not in client.get(f"/customers/{organisation_id}").text


def test_the_account_page_lists_only_the_persons_own_tokens(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "mittaaja")
    made = client.post(
        "/api/v1/auth/api-tokens", json={"name": "Koordinaattikone K7", "scopes": ["read"]},
        headers=csrf(client),
    )  # fmt: skip
    assert made.status_code == 201, made.text
    page = client.get("/account").text
    assert "Koordinaattikone K7" in page and made.json()["token"] not in page
    # The administrator reads everyone's tokens, but their own account lists their own.
    sign_in(client, "admin")
    assert "Koordinaattikone K7" not in client.get("/account").text
    assert "Koordinaattikone K7" in client.get("/users/{mittaaja}".format(**ids)).text
    # An auditor changes nothing and is not offered a token.
    sign_in(client, "arvioija")
    assert 'id="token-create"' not in client.get("/account").text


def test_a_new_user_for_a_customer_starts_as_a_customer_of_that_organisation(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "admin")
    page = client.get("/users?organisation_id={konepaja}".format(**ids)).text
    assert 'id="new-roles-customer" value="customer" data-list="roles" checked' in page
    assert f'<option value="{ids["konepaja"]}" selected>' in page


def test_documents_are_listed_by_customer_and_only_to_whom_may_read_them(
    client: TestClient, ids: dict[str, int]
) -> None:
    path = "/api/v1/documents?organisation_id={konepaja}".format(**ids)
    sign_in(client, "laatu")
    listed = client.get(path).json()
    assert listed and {document["organisation_id"] for document in listed} == {ids["konepaja"]}
    sign_in(client, "kund")
    assert client.get(path).json() == []


def test_the_administrator_and_the_auditor_see_when_each_user_last_signed_in(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "mittaaja")
    assert "Viimeksi kirjautunut" not in client.get("/users").text
    for reader in ("admin", "arvioija"):
        sign_in(client, reader)
        listing = client.get("/users").text
        assert "Viimeksi kirjautunut" in listing
        row = listing[listing.index('id="user-{mittaaja}"'.format(**ids)) :]
        row = row[: row.index("</tr>")]
        assert re.search(r"<td>\d{1,2}\.\d{1,2}\.20\d\d", row), row
        person = client.get("/users/{mittaaja}".format(**ids)).text
        assert "Viimeksi kirjautunut" in person


def test_hostile_user_names_are_refused_or_shown_as_text(
    client: TestClient, ids: dict[str, int]
) -> None:
    sign_in(client, "admin")
    user = {"full_name": "x", "password": "kolme-sanaa-mittaa-42", "roles": ["technician"]}

    def create(**fields: str):  # type: ignore[no-untyped-def]
        return client.post("/api/v1/users", json={**user, **fields}, headers=csrf(client))

    for username in ("../etc/passwd", "<script>", "", "a" * 257, "admin"):
        assert create(username=username).status_code in (409, 422), username
    for full_name in ("", "x" * 201):
        assert create(username="uusi", full_name=full_name).status_code == 422, full_name
    made = create(username="uusi", full_name="<b>Uusi</b>")
    assert made.status_code == 201, made.text
    for path in ("/users", f"/users/{made.json()['id']}"):
        page = client.get(path).text
        assert "<b>Uusi</b>" not in page and "&lt;b&gt;Uusi&lt;/b&gt;" in page
