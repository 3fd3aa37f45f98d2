"""The account page in a real browser: a person changes their password, and a person whose
password an administrator reset is sent to choose a new one before anything else."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import PHONE, fits_a_phone, password_of

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NEW_PASSWORD = "kolme-sanaa-mittaa-42"


def sign_in_with(page, live_server: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login button[type=submit]")


def test_a_technician_changes_the_password_on_the_account_page_of_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    page.goto(f"{live_server}/")
    # On a phone the person's name is under the menu button, with the search and log-out.
    page.get_by_role("button", name="Valikko").click()
    page.click(".masthead .who a")
    page.wait_for_url(f"{live_server}/account")
    form = page.locator("#password-change")
    form.locator("#current-password").fill(password_of("mittaaja"))
    form.locator("#new-password").fill(NEW_PASSWORD)
    form.locator("#repeat-password").fill(NEW_PASSWORD + "x")
    form.locator("button[type=submit]").click()
    assert "eroavat" in page.locator("#password-change-error").inner_text()
    form.locator("#repeat-password").fill(NEW_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#password-change-status:has-text('Salasanasi on vaihdettu')")
    # Still signed in (the answer brought a new session), and nothing sticks out sideways.
    page.reload()
    assert page.url == f"{live_server}/account"
    assert fits_a_phone(page)
    sign_in_with(page, live_server, "mittaaja", password_of("mittaaja"))
    page.wait_for_selector("#login-error:not(:empty)")
    sign_in_with(page, live_server, "mittaaja", NEW_PASSWORD)
    page.wait_for_url(f"{live_server}/")


def test_a_user_whose_password_was_reset_is_sent_to_choose_a_new_one(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("admin")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "lims_csrf")
    users = page.request.get(f"{live_server}/api/v1/users").json()
    mittaaja = next(user for user in users if user["username"] == "mittaaja")
    reset = page.request.post(
        f"{live_server}/api/v1/users/{mittaaja['id']}/password-reset",
        headers={"X-CSRF-Token": csrf},
    )
    assert reset.ok, reset.text()
    temporary = reset.json()["temporary_password"]

    sign_in_with(page, live_server, "mittaaja", temporary)
    page.wait_for_url(f"{live_server}/account/password")
    assert "nollannut" in page.locator("main").inner_text()
    page.goto(f"{live_server}/jobs")
    page.wait_for_url(f"{live_server}/account/password")
    page.fill("#current-password", temporary)
    page.fill("#new-password", NEW_PASSWORD)
    page.fill("#repeat-password", NEW_PASSWORD)
    page.click("#password-change button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/jobs")
    assert re.search(r"/jobs$", page.url)
