"""Search, the columns people scan and the record history in a real browser: a technician
types a serial number into the header's box and opens the job; the auditor asks for a job's
history by its number and reads it as fields, names and dates; the board says what each job's
item is; every screen fits a phone and passes axe."""

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
SERIAL = "SN 1004"  # the demo's micrometer of the annual customer's fourth job


def test_the_technician_finds_a_job_by_its_items_serial_number_and_opens_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/")
    page.fill("#header-search", SERIAL.lower())
    page.press("#header-search", "Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    assert page.locator("h1").inner_text() == "Tallenteiden haku"
    jobs = page.locator("#found-job")
    items = page.locator("#found-item")
    assert "Ulkomikrometri 0-25 mm" in items.inner_text()
    assert SERIAL in items.inner_text()
    assert accessibility_violations(page) == []

    number = jobs.locator("li a").first.inner_text()
    jobs.locator("li a").first.click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    assert number in page.locator("h1").inner_text()
    assert SERIAL in page.locator("#items").inner_text()


def test_a_search_too_long_to_be_one_is_refused_in_finnish(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/search?q={'x' * 201}")
    # The lead in Finnish; the page fixture fails the test if the reason is in English.
    assert page.locator("h1").inner_text() == "Virhe"
    assert "200" in page.locator("main .detail").inner_text()


def test_the_auditor_reads_a_jobs_history_by_its_number_as_fields_names_and_dates(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    # The board's job in review names its number; the history is asked for by it.
    page.goto(f"{live_server}/search?q=OT-007")
    number = page.locator("#found-job li a").first.inner_text()
    page.goto(f"{live_server}/audit")
    page.fill("#entity", number)
    page.click("#history button[type=submit]")
    page.wait_for_url(re.compile(r"/audit\?entity="))
    history = page.locator("#history")
    history.locator("li.event").first.wait_for()
    text = history.inner_text()
    assert "Tarkastaja" in text and "Laura Laatupäällikkö" in text
    assert "Tila" in text and "Tarkastettu" in text
    assert "reviewed_by_id" not in text and "null" not in text
    # Dates in the page's notation (8.12.2026), not ISO.
    assert re.search(r"\b\d{1,2}\.\d{1,2}\.\d{4}\b", text)
    assert accessibility_violations(page) == []

    page.fill("#entity", "TY-1999-9999")
    page.click("#history button[type=submit]")
    assert "Millään tietueella ei ole numeroa" in page.locator("#history .form-error").inner_text()


def test_the_board_and_the_documents_list_show_item_customer_job_and_due_date(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/jobs?sort=number")
    headers = page.locator("table.jobs thead").inner_text()
    for column in ("Kohde", "Asiakas", "Määräpäivä"):
        assert column in headers
    row = page.locator("table.jobs tbody tr", has_text=SERIAL)
    assert "Ulkomikrometri 0-25 mm · SN 1004" in row.inner_text()
    assert "Konepaja Esimerkki Oy" in row.inner_text()
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/documents")
    headers = page.locator("table.documents thead").inner_text()
    assert "Asiakas" in headers and "Työ" in headers
    assert accessibility_violations(page) == []


def test_search_and_the_record_history_fit_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    for address in ("/search?q=SN", "/audit?entity=job:7", "/jobs", "/documents"):
        page.goto(f"{live_server}{address}")
        assert fits_a_phone(page), address


@pytest.mark.screenshots
def test_screenshots_of_search_and_the_record_history(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/search?q=SN+10")
    take_screenshot(page, "search")
    page.goto(f"{live_server}/search?q=OT-007")
    number = page.locator("#found-job li a").first.inner_text()
    page.goto(f"{live_server}/audit?entity={number}")
    page.evaluate("document.getElementById('history').scrollIntoView()")
    take_screenshot(page, "record-history")
