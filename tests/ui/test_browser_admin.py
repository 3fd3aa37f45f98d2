"""Users and API tokens in a real browser: the administrator creates a user, changes the
roles, disables and resets; a person makes an API token on the account page that works
against the API until revoked; the administrator revokes another's token."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accept_dialogs,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def user_page(page, live_server: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/users")
    page.click(f"table.users a:text-is('{username}')")
    page.wait_for_url(re.compile(r"/users/\d+$"))


def test_the_administrator_creates_a_user_changes_the_roles_and_disables_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("admin")
    page.goto(f"{live_server}/users")
    assert accessibility_violations(page) == []
    form = page.locator("#user-create")
    # The organisation is asked for a customer only.
    assert form.locator(".organisation-choice").is_hidden()
    form.locator("#new-username").fill("Tuomas.Teknikko")
    form.locator("#new-full-name").fill("Tuomas Teknikko")
    form.locator("#new-email").fill("tuomas@lab.example")
    form.locator("#new-roles-customer").check()
    assert form.locator(".organisation-choice").is_visible()
    form.locator("#new-password").fill("kolme-sanaa-mittaa-42")
    form.locator("#user-create-submit").click()
    # Refused: a customer user belongs to an organisation; the lead is in Finnish and the
    # field is named by its label.
    error = form.locator(".form-error")
    error.wait_for()
    assert "Tarkista tiedot" in error.inner_text()
    assert "Asiakasorganisaatio" in error.inner_text()
    form.locator("#new-roles-customer").uncheck()
    form.locator("#new-roles-technician").check()
    form.locator("#user-create-submit").click()
    page.wait_for_url(re.compile(r"/users/\d+$"))
    facts = page.locator("dl.facts")
    assert "Mittausteknikko" in facts.inner_text()
    assert page.locator("h1").inner_text() == "Tuomas Teknikko (tuomas.teknikko)"
    assert accessibility_violations(page) == []

    edit = page.locator("#user-edit")
    edit.locator("#edit-roles-signatory").check()
    edit.locator("#edit-job-title").fill("Mittausteknikko")
    edit.locator("#user-edit-submit").click()
    page.locator("dl.facts", has_text="Allekirjoittaja").wait_for()

    page.click("#user-disable-submit")
    page.wait_for_selector(".status-line .badge:text('Pois käytöstä')")
    page.click("#user-enable-submit")
    page.wait_for_selector(".status-line .badge:text('Käytössä')")

    # The username is taken: a second one is refused, in Finnish.
    page.goto(f"{live_server}/users")
    form = page.locator("#user-create")
    form.locator("#new-username").fill("tuomas.teknikko")
    form.locator("#new-full-name").fill("Toinen Tuomas")
    form.locator("#new-roles-technician").check()
    form.locator("#new-password").fill("kolme-sanaa-mittaa-42")
    form.locator("#user-create-submit").click()
    form.locator(".form-error").wait_for()
    assert "Ei mahdollista tässä tilassa" in form.locator(".form-error").inner_text()
    assert page.locator("table.users").inner_text().count("tuomas.teknikko") == 1


def test_a_customer_user_made_staff_leaves_its_organisation(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    user_page(page, live_server, "kund")
    assert "Tarkkuusosa Ab" in page.locator("dl.facts").inner_text()
    edit = page.locator("#user-edit")
    assert edit.locator(".organisation-choice").is_visible()
    edit.locator("#edit-roles-customer").uncheck()
    assert edit.locator(".organisation-choice").is_hidden()
    edit.locator("#edit-roles-technician").check()
    edit.locator("#user-edit-submit").click()
    page.locator("dl.facts", has_text="Mittausteknikko").wait_for()
    assert "Tarkkuusosa Ab" not in page.locator("dl.facts").inner_text()


def test_the_administrator_resets_a_password_shown_once(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("admin")
    user_page(page, live_server, "mittaaja")
    page.click("#password-reset-submit")
    secret = page.locator("#temporary-password")
    secret.wait_for()
    temporary = secret.inner_text()
    assert len(temporary) >= 12
    assert page.locator(".status-line").inner_text().count("Salasana vaihdettava") == 0
    assert accessibility_violations(page) == []
    page.reload()
    assert temporary not in page.content()
    assert "Salasana vaihdettava" in page.locator(".status-line").inner_text()
    # The person signs in with it and is sent to choose a password of their own.
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#username", "mittaaja")
    page.fill("#password", temporary)
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{live_server}/account/password")


def create_token(page, name: str) -> str:  # type: ignore[no-untyped-def]
    form = page.locator("#token-create")
    form.locator("#token-name").fill(name)
    form.locator("#token-scopes-write").check()
    form.locator("#token-expiry").fill("2099-12-31")
    form.locator("#token-create-submit").click()
    secret = page.locator("#token-secret")
    secret.wait_for()
    return str(secret.inner_text())


def test_a_token_made_on_the_account_page_works_until_revoked(
    page, browser, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("mittaaja")
    page.goto(f"{live_server}/account")
    # The person keeps their own e-mail up to date here.
    page.click("#own-details-panel summary")
    page.fill("#own-email", "matti@lab.example")
    page.click("#own-details-submit")
    page.locator("dl.facts", has_text="matti@lab.example").wait_for()
    page.click("#token-create-submit")
    # Refused before it is sent: the name is required (said in Finnish, by its label).
    assert "Ohjelman nimi" in page.locator("#token-create .form-error").inner_text()
    secret = create_token(page, "Koordinaattikone K7")
    assert secret.startswith("lims_")
    assert accessibility_violations(page) == []

    machine = browser.new_context()
    bearer = {"Authorization": f"Bearer {secret}"}
    try:
        me = machine.request.get(f"{live_server}/api/v1/auth/me", headers=bearer)
        assert me.ok and me.json()["username"] == "mittaaja"
        page.click("#token-done")
        row = page.locator("table.tokens tr", has_text="Koordinaattikone K7")
        assert "Käytössä" in row.inner_text() and "read, write" in row.inner_text()
        assert secret not in page.content()
        row.locator("button", has_text="Peru").click()
        page.wait_for_selector(
            "table.tokens tr:has-text('Koordinaattikone K7') .badge:text-matches('Peruttu')"
        )
        refused = machine.request.get(f"{live_server}/api/v1/auth/me", headers=bearer)
        assert refused.status == 401
    finally:
        machine.close()


def test_the_administrator_makes_and_revokes_another_users_token(
    page, browser, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("admin")
    user_page(page, live_server, "mittaaja")
    secret = create_token(page, "Mittauskenno 3")
    machine = browser.new_context()
    bearer = {"Authorization": f"Bearer {secret}"}
    try:
        me = machine.request.get(f"{live_server}/api/v1/auth/me", headers=bearer)
        assert me.json()["username"] == "mittaaja"
        page.click("#token-done")
        page.locator("table.tokens tr", has_text="Mittauskenno 3").locator("button").click()
        page.wait_for_selector(
            "table.tokens tr:has-text('Mittauskenno 3') .badge:text-matches('Peruttu')"
        )
        assert machine.request.get(f"{live_server}/api/v1/auth/me", headers=bearer).status == 401
    finally:
        machine.close()


def test_an_auditor_reads_the_users_and_is_offered_no_change(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    page.goto(f"{live_server}/users")
    assert "Laura Laatupäällikkö" in page.locator("table.users").inner_text()
    assert page.locator("#user-create").count() == 0
    assert accessibility_violations(page) == []


def test_the_user_pages_fit_a_phone(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("admin")
    page.goto(f"{live_server}/users")
    assert fits_a_phone(page)
    user_page(page, live_server, "mittaaja")
    assert fits_a_phone(page)
    page.goto(f"{live_server}/account")
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshots_of_the_user_pages(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    accept_dialogs(page)
    login("admin")
    page.goto(f"{live_server}/users")
    take_screenshot(page, "admin-users")
    user_page(page, live_server, "mittaaja")
    take_screenshot(page, "admin-user")
    page.click("#password-reset-submit")
    page.locator("#temporary-password").wait_for()
    take_screenshot(page, "admin-user-password-reset")
    # Another person than the one whose password was just reset.
    login("allekirjoittaja")
    page.goto(f"{live_server}/account")
    create_token(page, "Koordinaattikone K7")
    take_screenshot(page, "account-api-token")
