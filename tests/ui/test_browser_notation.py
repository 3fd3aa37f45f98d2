"""The lab's notation in a real browser, in Finnish: the live budget a technician sees while
typing readings (µm, decimal commas, k to two decimals, distributions in words), the scope
with its CMC as the scope writes it, and an instrument's calibration status and traceability
in Finnish words and dates; an intermediate check typed in "um" listed and charted in µm with
Finnish days, and one in a unit the lab does not know refused in Finnish."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    enter_micrometer_readings,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FINNISH_DAY = re.compile(r"\b\d{1,2}\.\d{1,2}\.20\d\d\b")
ISO_DAY = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def open_equipment(page, live_server: str, identification: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/equipment")
    with page.expect_navigation():
        page.locator("main table a", has_text=identification).first.click()


def test_the_live_budget_writes_micrometres_decimal_commas_and_distributions_in_words(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/jobs?status=in_measurement")
    with page.expect_navigation():
        page.click("table.jobs tbody a")
    # The single point's form (a repeat or a correction) folds under the worksheet.
    page.evaluate("document.querySelector('form.result-form').closest('details').open = true")
    form = enter_micrometer_readings(page)
    summary = form.locator(".live-summary").inner_text()
    assert "0,43" in summary and "µm" in summary and " um" not in summary
    assert re.search(r"k = \d,\d\d\)", summary), summary
    budget = form.locator("table.budget").inner_text()
    assert "Havainnot (tyyppi A)" in budget
    assert not re.search(r"\b(type_a|normal|rectangular|triangular)\b", budget)
    assert not re.search(r"\d\.\d", budget), budget  # no decimal point beside the commas
    assert accessibility_violations(page) == []


def test_the_scope_writes_each_cmc_as_the_scope_does_with_decimal_commas(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    # The scope is every signed-in reader's, customers included.
    login("asiakas")
    page.goto(f"{live_server}/scope")
    cmc = page.locator("main td[data-cmc]").all_inner_texts()
    assert "(6 + 0,01·L/mm) µm" in cmc and "Q[0,3; 0,002·L/mm] µm" in cmc, cmc
    assert all("*" not in text and " um" not in text for text in cmc)
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)  # media queries apply on resize: no reload needed
    assert fits_a_phone(page)


def test_a_method_page_writes_its_cmc_roles_and_inputs_in_the_labs_words(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/methods")
    with page.expect_navigation():
        page.locator("main table a", has_text="DIM-GB-01 v1").click()
    facts = page.locator("dl.facts").inner_text()
    assert "Q[50; 0,5·L/mm] nm" in facts
    assert "Vertailunormaali" in facts and "Mittapalakomparaattori" in facts
    assert "gauge_block" not in facts
    inputs = page.locator("main table").inner_text()
    assert "rooli Vertailunormaali" in inputs and "Tasajakauma" in inputs
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)  # media queries apply on resize: no reload needed
    assert fits_a_phone(page)


def test_an_instrument_says_its_calibration_and_traceability_in_finnish_words_and_dates(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    open_equipment(page, live_server, "GB-WRK")
    status = page.locator("#status-sentence").inner_text()
    assert status.startswith("Kalibrointi voimassa") and "K-26-009" in status
    assert FINNISH_DAY.search(status) and not ISO_DAY.search(status)
    chain = page.locator("section[aria-labelledby=trace-heading]").inner_text()
    assert "Jäljitettävissä kansalliseen metrologialaitokseen VTT MIKES" in chain
    assert "kalibrointipäivä" in chain and not ISO_DAY.search(chain)
    assert "Mittapala" in page.locator("dl.facts").first.inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)  # media queries apply on resize: no reload needed
    assert fits_a_phone(page)


def test_a_check_in_um_is_listed_and_charted_in_micrometres_and_an_unknown_unit_refused(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    open_equipment(page, live_server, "GB-WRK")
    page.click("#check-panel summary")
    page.fill("#check-procedure", "Vertailu GB-REF:n 25 mm palaan")
    page.fill("#check-value", "0,12")
    page.fill("#check-lower", "-0,2")
    page.fill("#check-upper", "0,2")
    page.fill("#check-unit", "kyynärä")
    page.click("#check-form button[type=submit]")
    refusal = page.locator("#check-form .form-error")
    refusal.wait_for()
    assert "Tarkista tiedot" in refusal.inner_text()
    assert accessibility_violations(page) == []
    page.fill("#check-unit", "um")
    with page.expect_navigation():
        page.click("#check-form button[type=submit]")
    reading = page.locator("#check-table tbody tr").first.inner_text()
    assert "0,12 µm" in reading and " um" not in reading
    axis = page.locator("#check-chart svg text.axis").all_text_contents()
    assert any(FINNISH_DAY.fullmatch(text) for text in axis), axis
    assert accessibility_violations(page) == []


@pytest.mark.screenshots
def test_screenshots_of_the_notation_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/methods")
    with page.expect_navigation():
        page.locator("main table a", has_text="DIM-GB-01 v1").click()
    take_screenshot(page, "method-detail")
    open_equipment(page, live_server, "GB-WRK")
    page.locator("#trace-heading").scroll_into_view_if_needed()
    take_screenshot(page, "equipment-detail")
