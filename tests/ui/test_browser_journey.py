"""A new customer from nothing to a downloaded certificate, through the pages alone.

Issue 24's journey: every step is a screen a lab person or the customer uses (their forms
call the API from the pages' own scripts; the test itself makes no API call).  The quality
manager registers the organisation and its contact, the administrator gives its person a
user, the agreement is drawn up, signed, accepted and activated, the customer's quotation is
made and accepted (which orders it), the job is opened from the order, received, planned,
measured, reviewed, approved and issued, and the customer downloads the certificate.
"""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ui.conftest import accept_dialogs, answer_the_questions, enter_micrometer_readings
from tests.ui.test_browser import option_value, receive_and_plan_a_micrometer, take_step

pytestmark = [pytest.mark.browser, pytest.mark.slow]
CUSTOMER = "Tarkkuustyö Nieminen Oy"
BUSINESS_ID = "2345678-0"  # a Y-tunnus with a valid check digit
CONTACT = "Niina Nieminen"
USERNAME = "niina.nieminen"
PASSWORD = "neljä-sanaa-mittaa-aina"
#: The price list's line for an external micrometer up to 25 mm (the demo's price list).
MICROMETER_LINE = "K-MIK-25"


def sign_in(page, live_server: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_a_new_customer_from_nothing_to_a_downloaded_certificate(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)

    # The quality manager registers the customer with its address and contact.
    login("laatu")
    page.goto(f"{live_server}/customers")
    form = page.locator("#customer-create")
    form.locator("#new-name").fill(CUSTOMER)
    form.locator("#new-business-id").fill(BUSINESS_ID)
    form.locator("#new-street-address").fill("Hienomekaanikonkatu 3")
    form.locator("#new-postal-code").fill("33100")
    form.locator("#new-city").fill("Tampere")
    form.locator("#customer-create-submit").click()
    page.wait_for_url(re.compile(r"/customers/\d+$"))
    customer_page = page.url
    contact = page.locator("#contact-add")
    contact.locator("#contact-name").fill(CONTACT)
    contact.locator("#contact-title").fill("Laatupäällikkö")
    contact.locator("#contact-email").fill("niina@tarkkuustyo.example")
    contact.locator("#contact-add-submit").click()
    page.locator("table.contacts", has_text=CONTACT).wait_for()

    # The administrator gives the contact a user of the customer's organisation.
    login("admin")
    page.goto(f"{live_server}/users")
    form = page.locator("#user-create")
    form.locator("#new-username").fill(USERNAME)
    form.locator("#new-full-name").fill(CONTACT)
    form.locator("#new-email").fill("niina@tarkkuustyo.example")
    form.locator("#new-roles-customer").check()
    form.locator("#new-organisation").select_option(
        option_value(page, "#new-organisation", CUSTOMER)
    )
    form.locator("#new-password").fill(PASSWORD)
    form.locator("#user-create-submit").click()
    page.wait_for_url(re.compile(r"/users/\d+$"))

    # The agreement: drawn up for calibration from the standard terms, signed by both.
    login("laatu")
    page.goto(f"{live_server}/agreements/new")
    form = page.locator("#agreement-new")
    form.locator("#organisation_id").select_option(option_value(page, "#organisation_id", CUSTOMER))
    for service in ("product_qc", "reference", "inspection", "training"):
        form.locator(f"#scope-{service}").uncheck()
    form.locator("#scope-calibration-accredited").check()
    form.locator("#agreement-create").click()
    page.wait_for_url(re.compile(r"/agreements/\d+$"))
    agreement = page.url
    sign = page.locator("#agreement-sign")
    assert sign.locator("#customer_signature-name").input_value() == CONTACT
    sign.locator("#lab_signature-title").fill("Laatupäällikkö")
    sign.locator("#agreement-sign-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Allekirjoitettu')")

    # The customer's person signs in, accepts the confidentiality clause from the portal.
    sign_in(page, live_server, USERNAME, PASSWORD)
    page.goto(agreement)
    page.locator("#confidentiality-accept #accepted_by").fill(CONTACT)
    page.locator("#confidentiality-accept-submit").click()
    page.wait_for_selector(f"#confidentiality:has-text('{CONTACT}')")

    # The quality manager activates the agreement and quotes a micrometer calibration.
    login("laatu")
    page.goto(agreement)
    page.locator("#agreement-activate-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Voimassa')")
    page.goto(f"{live_server}/quotations/new")
    page.select_option("#organisation", option_value(page, "#organisation", CUSTOMER))
    page.fill("#customer_reference", "TN-2026-17")
    page.select_option("#lines-0-item_code", MICROMETER_LINE)
    page.fill("#lines-0-quantity", "1")
    page.locator("#quotation-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/quotations/\d+$"))
    quotation = page.url

    # The customer accepts, which orders it, and opens the job from the order.
    sign_in(page, live_server, USERNAME, PASSWORD)
    page.goto(quotation)
    page.click("#accept-quotation")
    page.wait_for_url(f"{live_server}/orders/*")
    page.fill("#items-0-description", "Ulkomikrometri 0-25 mm")
    page.fill("#items-0-identification", "SN-1717")
    page.click("#open-job")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job = page.url

    # The lab reviews the contract (ISO/IEC 17025 7.1), accepts the job, receives the
    # micrometer and plans the 25 mm point.
    login("laatu")
    page.goto(job)
    review = page.locator("#contract-review-form")
    answer_the_questions(review, "true")
    review.locator("#contract-review-submit").click()
    page.locator("#contract-review .contract-review").wait_for()
    take_step(page, "accepted")
    login("mittaaja")
    page.goto(job)
    receive_and_plan_a_micrometer(page)

    # The readings, with the live budget; then measured.
    form = enter_micrometer_readings(page)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    take_step(page, "measured")

    # Four eyes: the quality manager reviews, the signatory approves and issues.
    login("laatu")
    page.goto(job)
    take_step(page, "reviewed")
    login("allekirjoittaja")
    page.goto(job)
    take_step(page, "approved")
    with page.expect_navigation():
        page.click("#issue-document button[type=submit]")
    number = page.locator("#documents table.documents tbody tr td").first.inner_text()
    assert re.fullmatch(r"KT-\d{4}-\d{4}", number), number

    # The customer finds the certificate among its documents and downloads it.
    sign_in(page, live_server, USERNAME, PASSWORD)
    page.goto(f"{live_server}/documents")
    row = page.locator("main table tbody tr", has_text=number)
    with page.expect_download() as download:
        row.locator("a.download").first.click()
    certificate = Path(download.value.path()).read_bytes()
    assert certificate.startswith(b"%PDF")
    # The customer's page at the lab gathers the agreement, the job and the certificate.
    login("laatu")
    page.goto(customer_page)
    assert page.locator("table.agreements tbody tr").count() == 1
    assert page.locator("table.jobs tbody tr").count() == 1
    assert number in page.locator("table.documents").inner_text()
