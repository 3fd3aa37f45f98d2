"""The invoicing basis in a real browser: the quality manager shows a month's delivered jobs
(a malformed period refused first, in Finnish), exports them, reads the export and cancels it
with a reason, which releases the jobs for the next export."""

import re
from collections.abc import Callable
from datetime import date

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


def show_period(page, period: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#period", period)
    page.click("#invoicing-show")
    page.wait_for_load_state("load")


def test_the_quality_manager_exports_a_month_and_cancels_the_export(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/")
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Laskutus").click()
    page.wait_for_url(f"{live_server}/invoicing")
    month = page.input_value("#period")
    assert re.fullmatch(r"\d{4}-\d{2}", month)
    show_period(page, "2026-13")
    assert "Tarkista tiedot" in page.inner_text("#period-error")
    assert page.get_attribute("#period", "aria-invalid") == "true"

    show_period(page, month)
    rows = page.locator("#basis-table tbody tr")
    assert rows.count() == 2
    assert "186,74" in page.inner_text("#basis-table tfoot")
    assert "Suomen arvonlisävero" in page.inner_text("#basis-table")
    assert accessibility_violations(page) == []
    page.click("#invoicing-export-submit")
    page.wait_for_url(re.compile(rf"{live_server}/invoicing/\d+$"))

    heading = page.inner_text("h1")
    assert re.search(rf"Laskutusaineisto LP-{date.today().year}-\d{{4}}", heading)
    assert "Viety" in heading
    assert page.locator("#export-lines tbody tr").count() == 2
    assert page.get_attribute("#export-csv", "href").endswith(".csv")
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)
    accept_dialogs(page)
    page.fill("#cancel-reason", "Kirjanpito ei ottanut aineistoa vastaan.")
    page.click("#export-cancel-submit")
    page.wait_for_selector("#export-cancellation")

    assert "Peruttu" in page.inner_text("h1")
    assert "Kirjanpito ei ottanut aineistoa vastaan." in page.inner_text("#export-cancellation")
    assert page.locator("#export-cancel").count() == 0
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/invoicing?period={month}")
    assert page.locator("#basis-table tbody tr").count() == 2
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshots_of_the_invoicing_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/invoicing")
    show_period(page, page.input_value("#period"))
    take_screenshot(page, "invoicing-basis")
    page.click("#invoicing-export-submit")
    page.wait_for_url(re.compile(rf"{live_server}/invoicing/\d+$"))
    take_screenshot(page, "invoicing-export")
