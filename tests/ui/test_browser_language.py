"""The language switch in Chromium: the auditor (who had none) reads the UI in Swedish, the
choice outlives the session, the login page speaks the language asked for and keeps it, and
the Swedish customer's portal is Swedish.  The demo users read Finnish until they choose."""

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    fits_a_phone,
    password_of,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_auditor_switches_to_swedish_and_it_stays_after_signing_in_again(
    page, live_server: str, login
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    page.goto(f"{live_server}/")
    switch = page.get_by_role("group", name="Käyttöliittymän kieli")
    # Each button shows its language's code and is named in that language's own words.
    for code, name in (("FI", "Suomeksi"), ("SV", "På svenska"), ("EN", "In English")):
        assert switch.get_by_role("button", name=f"{code} {name}", exact=True).is_visible()
    switch.get_by_role("button", name="På svenska").click()
    page.wait_for_selector("html[lang=sv]")
    menu = page.get_by_role("navigation", name="Huvudmeny")
    assert menu.get_by_role("link", name="Uppdrag", exact=True).is_visible()
    assert page.get_by_role("button", name="På svenska").get_attribute("aria-pressed") == "true"
    assert accessibility_violations(page) == []
    # The next page is Swedish too, with Swedish dates.
    menu.get_by_role("link", name="Utrustning").click()
    page.wait_for_url(f"{live_server}/equipment")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).inner_text() == "Utrustning"
    assert accessibility_violations(page) == []
    # Signed out and in again: the account remembers the choice.
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url(f"{live_server}/login")
    login("arvioija")
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("button", name="Logga ut").is_visible()
    # And back to Finnish, by the same switch.
    page.get_by_role("button", name="Suomeksi").click()
    page.wait_for_selector("html[lang=fi]")
    assert page.get_by_role("button", name="Kirjaudu ulos").is_visible()


def test_the_login_page_speaks_the_language_asked_for_and_keeps_it(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login?lang=sv&next=/account")
    assert page.get_by_role("heading", level=1).inner_text() == "Logga in"
    assert page.get_by_label("Användarnamn").is_visible()
    assert accessibility_violations(page) == []
    # The switch of a signed-out page keeps where the login goes next.
    page.get_by_role("navigation", name="Gränssnittets språk").get_by_role(
        "link", name="In English"
    ).click()
    page.wait_for_selector("html[lang=en]")
    assert page.get_by_role("heading", level=1).inner_text() == "Log in"
    page.get_by_role("link", name="På svenska").click()
    page.wait_for_selector("html[lang=sv]")
    # The browser keeps the choice: the login page without ?lang= is Swedish.
    page.goto(f"{live_server}/login?next=/account")
    assert page.locator("html").get_attribute("lang") == "sv"
    # A wrong password is refused; signed in, the account's language (Finnish) takes over.
    page.fill("#username", "mittaaja")
    page.fill("#password", "not-the-password")
    page.click("#login button[type=submit]")
    page.wait_for_selector("#login-error:not(:empty)")
    page.fill("#password", password_of("mittaaja"))
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{live_server}/account")
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.get_by_role("heading", level=1).is_visible()


def test_the_swedish_customer_reads_a_swedish_portal_that_fits_a_phone(
    page, live_server: str, login
) -> None:  # type: ignore[no-untyped-def]
    login("inkopare")
    page.goto(f"{live_server}/")
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("link", name="Nytt uppdrag").first.is_visible()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)  # media queries apply on resize: no reload needed
    assert fits_a_phone(page)
    assert accessibility_violations(page) == []


@pytest.mark.screenshots
def test_screenshot_of_the_home_page_in_swedish(page, live_server: str, login) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("inkopare")
    page.goto(f"{live_server}/")
    page.wait_for_selector("html[lang=sv]")
    take_screenshot(page, "home-sv")
