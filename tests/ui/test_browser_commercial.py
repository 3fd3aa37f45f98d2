"""The commercial screens in a real browser, in Finnish: the quality manager sets up next
year's price model and publishes its price list, records and removes a closure, answers a
customer's quotation request with a priced quotation; the customer accepts it, which orders
it, and opens the job that carries the quotation's price. Each screen refuses once, in the
page's language, and passes axe."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from lims.clock import local_today
from lims.config import Settings
from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accept_dialogs,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REFUSED_IN_THIS_STATE = "Ei mahdollista tässä tilassa"
CHECK_THE_INPUT = "Tarkista tiedot"


def fits_when_narrowed_to_a_phone(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page fits a phone's screen; the test then goes on at the wide viewport."""
    page.set_viewport_size(PHONE)
    fits = fits_a_phone(page)
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    return fits


def quote_through_the_api(page, live_server: str, organisation_id: int, today, **changes):  # type: ignore[no-untyped-def]
    """A quotation made as the API takes it (for screens that only need one to exist)."""
    body = {
        "organisation_id": organisation_id,
        "service": "calibration",
        "issued_on": today.isoformat(),
        "valid_until": (today + timedelta(days=30)).isoformat(),
        "lines": [{"item_code": "K-MIK-25", "quantity": 3}],
        **changes,
    }
    made = page.request.post(
        f"{live_server}/api/v1/quotations", data=body, headers={"X-CSRF-Token": csrf_token(page)}
    )
    assert made.status == 201, made.text()
    return made.json()


def demo_customer_organisation(page, live_server: str, login: Callable[[str], None]) -> int:  # type: ignore[no-untyped-def]
    login("asiakas")
    return int(page.request.get(f"{live_server}/api/v1/auth/me").json()["organisation_id"])


def test_the_quality_manager_sets_up_next_years_prices_and_publishes_them(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("laatu")
    page.goto(f"{live_server}/prices")
    page.click("#new-price-model")
    page.wait_for_url(f"{live_server}/price-models/new")
    form = page.locator("#price-model-form")
    # The form starts from this year's model: its resources and its pools with their shares.
    next_year = int(page.input_value("#year"))
    assert page.input_value("#resources-0-code") == "cmm"
    assert page.input_value("#cost_pools-0-cmm") == "70"
    assert accessibility_violations(page) == []
    # The year that has a model already is refused, in Finnish, and the form stays.
    page.fill("#year", str(next_year - 1))
    form.locator("button[type=submit]").click()
    alert = form.locator(".form-error")
    alert.wait_for()
    assert REFUSED_IN_THIS_STATE in alert.inner_text()
    page.fill("#year", str(next_year))
    page.fill("#cost_pools-0-amount", "120000")  # leasing grows: the CMM gets dearer
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/price-models/\d+$"))
    assert f"Hinnoittelumalli {next_year}" in page.locator("h1").inner_text()
    rates = page.locator("#rate-table").inner_text()
    assert "152,00\u00a0€" in rates  # (120 000 x 0,7 + 14 400 + 12 000 + 72 000) / 1 200 h
    assert accessibility_violations(page) == []
    # A draft price list from last year's items, priced at the new rates, then published.
    assert page.input_value("#items-0-code") == "K-MIK-25"
    page.fill("#price-list-title", f"Hinnasto {next_year}")
    page.click("#create-price-list")
    page.wait_for_url(f"{live_server}/price-lists/*")
    assert "luonnos" in page.locator("#price-list-state").inner_text()
    assert accessibility_violations(page) == []
    page.click("#publish-price-list")
    page.wait_for_selector("#price-list-state:has-text('julkaistu')")
    assert page.locator("#publish-form").count() == 0


def test_the_quality_manager_records_and_removes_a_closure(
    page, live_server: str, login: Callable[[str], None], make_settings: Callable[..., Settings]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    day = local_today(make_settings().timezone) + timedelta(days=40)
    login("laatu")
    page.goto(f"{live_server}/prices#closures")
    form = page.locator("#closure-form")
    page.fill("#closure-day", day.isoformat())
    page.fill("#closure-reason", "Inventaario <b>ja</b> huolto")
    form.locator("button[type=submit]").click()
    row = page.locator("#closure-table tbody tr", has_text="Inventaario <b>ja</b> huolto")
    row.wait_for()
    assert accessibility_violations(page) == []
    # The same day twice is refused in the page's language.
    page.fill("#closure-day", day.isoformat())
    page.fill("#closure-reason", "Toinen syy")
    form.locator("button[type=submit]").click()
    alert = form.locator(".form-error")
    alert.wait_for()
    assert REFUSED_IN_THIS_STATE in alert.inner_text()
    row.locator("button").click()
    page.wait_for_load_state()
    row.wait_for(state="detached")


def test_a_customers_request_is_quoted_accepted_ordered_and_opened_as_a_job(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    # The customer asks for a quotation from the portal.
    login("asiakas")
    page.goto(f"{live_server}/quotations")
    request_form = page.locator("#request-form")
    page.fill("#request-description", "Kolme ulkomikrometriä 0-25 mm ja kiinnitin")
    page.fill("#request-reference", "RFQ-77")
    request_form.locator("button[type=submit]").click()
    asked = page.locator("#request-table tbody tr", has_text="RFQ-77")
    asked.wait_for()
    assert "Odottaa tarjousta" in asked.inner_text()
    assert accessibility_violations(page) == []

    # The quality manager prices it: a line from the price list and an hour of other work.
    login("laatu")
    page.goto(f"{live_server}/quotations")
    page.locator("#request-table tbody tr", has_text="RFQ-77").get_by_role("link").click()
    page.wait_for_url(f"{live_server}/quotations/new?answer=*")
    assert "Kolme ulkomikrometriä" in page.locator("#asked").inner_text()
    assert page.input_value("#customer_reference") == "RFQ-77"
    form = page.locator("#quotation-form")
    page.select_option("#lines-0-item_code", "K-MIK-25")
    page.fill("#lines-0-quantity", "0")
    form.locator("button[type=submit]").click()
    alert = form.locator(".form-error")
    alert.wait_for()
    assert CHECK_THE_INPUT in alert.inner_text() and "Rivi 1: määrä" in alert.inner_text()
    page.fill("#lines-0-quantity", "3")
    page.click("#add-line")
    page.select_option("#lines-1-item_code", "")
    page.fill("#lines-1-description", "Kiinnittimen valmistus")
    page.select_option("#lines-1-resource", "cmm")
    page.fill("#lines-1-hours", "0,5")
    # K-MIK-25: 74,40 € x 3 = 223,20 €; 0,5 h x 138,00 € = 69,00 €; VAT 25,5 %: 366,71 €.
    page.wait_for_selector("#preview-total:has-text('366,71')")
    assert accessibility_violations(page) == []
    assert fits_when_narrowed_to_a_phone(page)
    form.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/quotations/\d+$"))
    quotation_url = page.url
    assert "366,71\u00a0€" in page.locator("main table tfoot").inner_text()
    assert accessibility_violations(page) == []

    # Another customer finds nothing at the quotation's address.
    login("kund")
    page.goto(quotation_url)
    assert page.locator("#not-found").is_visible()
    assert "Ei löydy" in page.locator("h1").inner_text()

    # The customer accepts: the order has the quotation's price, and opens the job.
    login("asiakas")
    page.goto(quotation_url)
    promised = page.inner_text("#delivery-if-today")
    page.click("#accept-quotation")
    page.wait_for_url(f"{live_server}/orders/*")
    order_url = page.url
    # The delivery date the quotation promised for today's order is the one the order fixed.
    assert page.inner_text("#delivery-date") in promised
    assert "366,71\u00a0€" in page.locator("#agreed-price").inner_text()
    assert accessibility_violations(page) == []
    assert fits_when_narrowed_to_a_phone(page)
    page.fill("#items-0-description", "Ulkomikrometri 0-25 mm")
    page.fill("#items-0-identification", "SN-4711")
    page.click("#open-job")
    page.wait_for_url(f"{live_server}/jobs/*")
    page.goto(order_url)
    assert "TY-" in page.locator("#order-jobs").inner_text()
    assert "366,71\u00a0€" in page.locator("#order-jobs").inner_text()
    assert page.locator("#open-job-form").count() == 0
    page.goto(f"{live_server}/quotations")
    assert "Tarjottu" in page.locator("#request-table tbody tr", has_text="RFQ-77").inner_text()


def test_the_lab_records_a_customers_decline_and_an_acceptance_too_late_is_refused(
    page, live_server: str, login: Callable[[str], None], make_settings: Callable[..., Settings]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    today = local_today(make_settings().timezone)
    organisation = demo_customer_organisation(page, live_server, login)
    login("laatu")
    late = quote_through_the_api(
        page, live_server, organisation, today, valid_until=(today + timedelta(days=1)).isoformat()
    )
    declined = quote_through_the_api(page, live_server, organisation, today)
    page.goto(f"{live_server}/quotations/{late['id']}")
    page.fill("#accepted_by", "Kalle Konepaja")
    page.fill("#accepted_on", (today + timedelta(days=2)).isoformat())
    page.click("#accept-quotation")
    alert = page.locator("#accept-form .form-error")
    alert.wait_for()
    assert REFUSED_IN_THIS_STATE in alert.inner_text() and "vanheni" in alert.inner_text()
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/quotations/{declined['id']}")
    page.fill("#decline-reason", "Budjetti ei riitä tänä vuonna")
    page.click("#decline-quotation")
    page.wait_for_selector(".status-line:has-text('Hylätty')")
    assert "Budjetti ei riitä" in page.locator("dl.facts").inner_text()
    assert page.locator("#accept-form").count() == 0


@pytest.mark.screenshots
def test_take_commercial_screenshots(
    page, live_server: str, login: Callable[[str], None], make_settings: Callable[..., Settings]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    today = local_today(make_settings().timezone)
    organisation = demo_customer_organisation(page, live_server, login)
    login("laatu")
    page.goto(f"{live_server}/prices")
    page.locator("a[href^='/price-models/']:not([href$='/new'])").first.click()
    page.wait_for_url(re.compile(r".*/price-models/\d+$"))
    take_screenshot(page, "prices-model")
    page.goto(f"{live_server}/prices")
    page.locator("a[href^='/price-lists/']").first.click()
    page.wait_for_url(f"{live_server}/price-lists/*")
    take_screenshot(page, "prices-list")
    page.goto(f"{live_server}/quotations/new")
    page.select_option("#organisation", str(organisation))
    page.fill("#customer_reference", "PO-4711")
    page.fill("#lines-0-quantity", "3")
    page.click("#add-line")
    page.select_option("#lines-1-item_code", "K-TT-150")
    page.wait_for_selector("#preview-total:not(:has-text('\u2013'))")
    page.evaluate("document.querySelector('#line-table').closest('fieldset').scrollIntoView()")
    take_screenshot(page, "quotation-new")
    quotation = quote_through_the_api(page, live_server, organisation, today)
    login("asiakas")
    page.goto(f"{live_server}/quotations/{quotation['id']}")
    take_screenshot(page, "quotation-detail")
    page.click("#accept-quotation")
    page.wait_for_url(f"{live_server}/orders/*")
    take_screenshot(page, "order")
