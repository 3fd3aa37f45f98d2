"""Customer kinds and VAT in a real browser (#33): the quality manager registers a private
person with the fields of its kind, sees its VAT treatment and erases its data; a Swedish
company with a malformed VAT number is refused in Finnish; the demo's Estonian company and
its quotation show reverse charge with both VAT numbers."""

import re
from collections.abc import Callable
from datetime import date

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accept_dialogs,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    take_screenshot,
)
from tests.ui.test_browser_commercial import quote_through_the_api

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def estonian_customer_id(page, live_server: str) -> int:  # type: ignore[no-untyped-def]
    organisations = page.request.get(f"{live_server}/api/v1/organisations").json()
    return next(o["id"] for o in organisations if o["country"] == "EE")


def test_the_quality_manager_registers_a_person_by_its_kind_and_erases_its_data(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/customers")
    form = page.locator("#customer-create")
    # Refused: a Swedish company's VAT number ends in 01; the lead and the field in Finnish.
    form.locator("#new-name").fill("Mätteknik AB")
    form.locator("#new-country").select_option("SE")
    form.locator("#new-vat-number").fill("SE1234567890")
    form.locator("#customer-create-submit").click()
    error = form.locator(".form-error")
    error.wait_for()
    assert "Tarkista tiedot" in error.inner_text() and "ALV-numero" in error.inner_text()
    assert accessibility_violations(page) == []

    # A private person: no business ID or VAT number to give, an e-mail instead.
    form.locator("#new-kind").select_option("person")
    assert form.locator("#new-business-id").is_hidden()
    assert form.locator("#new-email").is_visible()
    form.locator("#new-name").fill("Pekka <Yksityinen>")
    form.locator("#new-country").select_option("FI")
    form.locator("#new-email").fill("pekka@yksityinen.example")
    form.locator("#new-city").fill("Turku")
    form.locator("#customer-create-submit").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    assert page.locator("h1").inner_text() == "Pekka <Yksityinen>"
    assert page.locator("#customer-kind").inner_text() == "Yksityishenkilö"
    assert page.locator("#customer-vat").inner_text() == "Suomen arvonlisävero, 25,5 %"
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)

    # Erasure is refused while a quotation to the person is kept (ten years).
    person_id = int(page.url.rsplit("/", 1)[1])
    quote_through_the_api(page, live_server, person_id, date.today())
    page.reload()
    assert "säilytetään" in (page.locator("#erasure-possible-from").text_content() or "")
    accept_dialogs(page)
    erase_with_a_reason(page)
    refused = page.locator("#customer-erase .form-error")
    refused.wait_for()
    assert "Ei mahdollista tässä tilassa" in refused.inner_text()
    assert "säilytetään" in refused.inner_text()
    assert accessibility_violations(page) == []

    # Another person, with no records yet, is erased once the question is confirmed.
    other = page.request.post(
        f"{live_server}/api/v1/organisations",
        data={"name": "Liisa Yksityinen", "kind": "person", "country": "FI"},
        headers={"X-CSRF-Token": csrf_token(page)},
    ).json()
    page.goto(f"{live_server}/customers/{other['id']}")
    erase_with_a_reason(page)
    page.locator("h1", has_text="Henkilötiedot poistettu").wait_for()
    assert "Liisa" not in page.locator("main").inner_text()
    assert page.locator("#erased-notice").is_visible()
    assert accessibility_violations(page) == []


def erase_with_a_reason(page) -> None:  # type: ignore[no-untyped-def]
    page.click("#customer-erase-panel summary")
    erase = page.locator("#customer-erase")
    erase.locator("#erase-reason").fill("Asiakkaan pyyntö 8.12.2026")
    erase.locator("#customer-erase-submit").click()


def test_the_estonian_company_and_its_quotation_show_reverse_charge(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    customer_id = estonian_customer_id(page, live_server)
    page.goto(f"{live_server}/customers/{customer_id}")
    assert page.locator("#customer-vat").inner_text() == "Käännetty verovelvollisuus, 0 %"
    assert page.locator("#customer-vat-number").inner_text() == "EE100000007"
    assert "Viro" in page.locator("dl.facts").inner_text()
    quotations = page.request.get(f"{live_server}/api/v1/quotations").json()
    quotation = next(q for q in quotations if q["organisation_id"] == customer_id)
    page.goto(f"{live_server}/quotations/{quotation['id']}")
    treatment = page.locator("#vat-treatment").inner_text()
    assert "Käännetty verovelvollisuus, 0 %" in treatment
    assert "EE100000007" in treatment and "FI23456780" in treatment
    assert "0 % · Käännetty verovelvollisuus" in page.locator("table").inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)


def test_a_new_quotations_preview_takes_the_chosen_customers_vat(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    customer_id = estonian_customer_id(page, live_server)
    page.goto(f"{live_server}/quotations/new")
    label = page.locator("#preview-vat-label")
    assert label.inner_text().startswith("ALV 25,5 %")  # Finnish VAT until a customer is chosen
    page.select_option("#organisation", str(customer_id))
    page.locator("#preview-vat-label:has-text('Käännetty')").wait_for()
    assert label.inner_text() == "Käännetty verovelvollisuus, ei Suomen ALV:tä (esikatselu)"
    assert page.locator("#preview-vat").inner_text().startswith("0,00")


@pytest.mark.screenshots
def test_screenshots_of_customer_kinds_and_vat(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/customers")
    page.locator("#new-kind").select_option("person")
    page.locator("#customer-create").scroll_into_view_if_needed()
    take_screenshot(page, "customers-new-person")
    customer_id = estonian_customer_id(page, live_server)
    page.goto(f"{live_server}/customers/{customer_id}")
    take_screenshot(page, "customer-estonian-company")
    quotations = page.request.get(f"{live_server}/api/v1/quotations").json()
    quotation = next(q for q in quotations if q["organisation_id"] == customer_id)
    page.goto(f"{live_server}/quotations/{quotation['id']}")
    take_screenshot(page, "quotation-reverse-charge")
