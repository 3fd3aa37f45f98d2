"""The customer portal in Estonian, in a real browser: the demo customer switches the
interface to Estonian and reads its start page, a job and its documents in Estonian, with
Estonian dates, accessible and usable on a phone.  (The English check of the browser tests
reads Finnish pages only; here the Estonian texts are asserted one by one.)"""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def switch_to_estonian(page) -> None:  # type: ignore[no-untyped-def]
    switch = page.get_by_role("group", name="Käyttöliittymän kieli")
    switch.get_by_role("button", name="Eesti keeles").click()
    page.wait_for_selector("html[lang=et]")


def test_the_customer_reads_the_portal_in_estonian(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("asiakas")
    page.goto(f"{live_server}/")
    switch_to_estonian(page)

    assert page.inner_text("h1").startswith("Tere tulemast")
    menu = page.get_by_role("navigation", name="Peamenüü")
    for entry in ("Tööd", "Uus töö", "Dokumendid", "Lepingud", "Hinnapakkumised"):
        assert menu.get_by_role("link", name=entry, exact=True).is_visible(), entry
    assert "Teie pooleliolevad tööd" in page.inner_text("main")
    assert page.get_by_role("button", name="Logi välja").is_visible()
    assert accessibility_violations(page) == []

    menu.get_by_role("link", name="Tööd", exact=True).click()
    page.wait_for_url(f"{live_server}/jobs")
    board = page.inner_text("main")
    assert "Esita uus töö" in board and "Mõõtmisel" in board
    # Estonian dates (et_EE's medium format, e.g. 11. jaan 2027) in the due-date column.
    assert re.search(
        r"\d{1,2}\. (jaan|veebr|märts|apr|mai|juuni|juuli|aug|sept|okt|nov|dets) 20\d\d", board
    )
    page.locator("main table a[href^='/jobs/']").first.click()
    page.wait_for_url(f"{live_server}/jobs/*")
    assert page.inner_text("h1").startswith("Töö TY-")
    main = page.inner_text("main")
    for text in ("Objektid", "Kliendi viide", "Ajalugu", "Tähtaeg"):
        assert text in main, text
    assert accessibility_violations(page) == []

    page.get_by_role("navigation", name="Peamenüü").get_by_role("link", name="Dokumendid").click()
    page.wait_for_url(f"{live_server}/documents")
    documents = page.inner_text("main")
    assert "Kalibreerimistunnistus" in documents and "Väljastatud" in documents
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)
    page.goto(f"{live_server}/")
    assert fits_a_phone(page)
    assert page.get_by_role("button", name="Menüü").is_visible()


@pytest.mark.screenshots
def test_screenshot_of_the_portal_in_estonian(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("asiakas")
    page.goto(f"{live_server}/")
    switch_to_estonian(page)
    take_screenshot(page, "customer-estonian")
