"""Agreements in a real browser: the quality manager draws one up from the standard terms,
records both signatures and the customer's acceptance, activates it, amends it with a reason,
compares the versions, issues the contract document and terminates it; the customer accepts
the confidentiality clause from the portal. Refusals are shown in Finnish."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NEW_CUSTOMER = "Näidis Tööriist OÜ"  # the demo customer without an agreement


def choose_new_customer(form) -> None:  # type: ignore[no-untyped-def]
    option = form.locator("#organisation_id option", has_text=NEW_CUSTOMER)
    form.locator("#organisation_id").select_option(option.get_attribute("value"))


def status_of(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator(".status-line .badge").inner_text())


def agreement_for_konepaja_to_accept(page, live_server: str) -> int:  # type: ignore[no-untyped-def]
    """As the signed-in manager, through the API: an inspection agreement for the annual
    customer (its annual one covers the other services), clause not yet accepted."""
    organisations = page.request.get(f"{live_server}/api/v1/organisations").json()
    konepaja = next(o for o in organisations if o["name"] == "Konepaja Esimerkki Oy")
    today = page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Helsinki'})")
    created = page.request.post(
        f"{live_server}/api/v1/agreements",
        headers={"X-CSRF-Token": csrf_token(page)},
        data={
            "kind": "annual",
            "organisation_id": konepaja["id"],
            "valid_from": today,
            "valid_until": f"{int(today[:4]) + 1}{today[4:]}",
            "scope": [{"service": "inspection", "accredited": False, "delivery_days": 5}],
        },
    )
    assert created.ok, created.text()
    return int(created.json()["id"])


def test_the_quality_manager_takes_an_agreement_from_draft_to_terminated(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/agreements")
    page.click("#agreement-new-link")
    page.wait_for_url(f"{live_server}/agreements/new")
    assert accessibility_violations(page) == []
    form = page.locator("#agreement-new")
    choose_new_customer(form)
    for service in ("product_qc", "reference", "inspection", "training"):
        form.locator(f"#scope-{service}").uncheck()
    form.locator("#scope-calibration-accredited").check()
    form.locator("#scope-calibration-days").fill("7")
    form.locator("#decision_rule").select_option("guard_band_U")
    starts = form.locator("#valid_from").input_value()
    # A period that ends before it starts: the service refuses, in Finnish, naming the field.
    form.locator("#valid_until").fill(f"{int(starts[:4]) - 1}{starts[4:]}")
    form.locator("#agreement-create").click()
    alert = form.locator(".form-error")
    alert.wait_for(state="visible")
    assert alert.inner_text().startswith("Tarkista tiedot")
    assert "valid_until" in alert.inner_text() or "Voimassa asti" in alert.inner_text()
    form.locator("#valid_until").fill(f"{int(starts[:4]) + 1}-01-31")
    form.locator("#agreement-create").click()
    page.wait_for_url(re.compile(r"/agreements/\d+$"))
    assert status_of(page) == "Luonnos"
    assert NEW_CUSTOMER in page.locator(".facts").inner_text()
    assert "Suojakaista w = U" in page.locator(".facts").inner_text()
    assert accessibility_violations(page) == []

    # Both signatures, the customer's name offered from its contact.
    sign = page.locator("#agreement-sign")
    assert sign.locator("#customer_signature-name").input_value() == "Mari Mõõtja"
    sign.locator("#lab_signature-title").fill("Laatupäällikkö")
    sign.locator("#agreement-sign-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Allekirjoitettu')")
    # Activating before the customer has accepted the clause is refused, in Finnish.
    activate = page.locator("#agreement-activate")
    activate.locator("#agreement-activate-submit").click()
    activate.locator(".form-error").wait_for(state="visible")
    assert activate.locator(".form-error").inner_text().startswith("Ei mahdollista tässä tilassa")
    page.locator("#acceptance-record-submit").click()
    page.wait_for_selector("#confidentiality:has-text('Mari Mõõtja')")
    page.locator("#agreement-activate-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Voimassa')")
    first_version = page.url

    # An amendment: a new version, the old one in force until the new one is activated.
    page.locator("#amendment-panel summary").click()
    amend = page.locator("#agreement-amend")
    amend.locator("#language-en").check()
    amend.locator("#agreement-amend-submit").click()
    # No reason, no amendment: the browser holds the form back before anything is sent.
    assert amend.locator("#amendment-reason").evaluate("field => field.validity.valueMissing")
    amend.locator("#amendment-reason").fill("Englanninkieliset todistukset")
    amend.locator("#agreement-amend-submit").click()
    page.wait_for_url(lambda url: url != first_version)
    assert status_of(page) == "Luonnos"
    versions = page.locator("#versions")
    changed = versions.locator("td:has(.badge-expired)")
    assert changed.count() == 1 and "englanti" in changed.inner_text()
    assert "Englanninkieliset todistukset" in versions.inner_text()
    page.locator("#agreement-sign-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Allekirjoitettu')")
    page.locator("#agreement-activate-submit").click()  # the acceptance carried over
    page.wait_for_selector(".status-line .badge:has-text('Voimassa')")
    assert "Korvattu" in page.locator("#versions thead").inner_text()
    assert accessibility_violations(page) == []

    # The contract document, then the termination: confirmed, with its reason.
    page.locator("#agreement-issue-document-submit").click()
    page.wait_for_selector("#agreement-documents table.documents a")
    assert re.match(r"SOP-", page.locator("#agreement-documents table a").first.inner_text())
    terminate = page.locator("#agreement-terminate")
    terminate.locator("#termination-reason").fill("Asiakas lopetti toimintansa")
    page.once("dialog", lambda dialog: dialog.accept())
    terminate.locator("#agreement-terminate-submit").click()
    page.wait_for_selector(".status-line .badge:has-text('Päätetty')")
    assert "Asiakas lopetti toimintansa" in page.locator(".facts").inner_text()
    assert page.locator("#agreement-terminate").count() == 0


def test_dismissing_the_termination_question_changes_nothing(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/agreements")
    page.locator("main table tbody a", has_text="VS-").first.click()
    page.locator("#termination-reason").fill("Kokeilu")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator("#agreement-terminate-submit").click()
    page.reload()
    assert status_of(page) == "Voimassa"


def test_the_customer_accepts_the_confidentiality_clause_from_the_portal(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    agreement_id = agreement_for_konepaja_to_accept(page, live_server)
    login("asiakas")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/agreements")
    assert "Ei hyväksytty" in page.locator("main table").inner_text()
    assert page.locator("#agreement-new-link").count() == 0
    page.goto(f"{live_server}/agreements/{agreement_id}")
    assert fits_a_phone(page)
    assert page.locator("#agreement-sign, #agreement-activate, #agreement-amend").count() == 0
    assert accessibility_violations(page) == []
    accept = page.locator("#confidentiality-accept")
    accept.locator("#accepted_by").fill("")
    accept.locator("#confidentiality-accept-submit").click()
    assert accept.locator("#accepted_by").evaluate("field => field.validity.valueMissing")
    accept.locator("#accepted_by").fill("Kalle Konepaja")
    accept.locator("#confidentiality-accept-submit").click()
    page.wait_for_selector("#confidentiality:has-text('Hyväksynyt Kalle Konepaja')")
    assert accessibility_violations(page) == []
    # Drawing one up is the lab's: a customer typing the address gets the refusal in Finnish.
    page.goto(f"{live_server}/agreements/new")
    assert page.locator("h1").inner_text() == "Ei sallittu"
    # Another customer's user does not learn the agreement exists.
    login("kund")
    page.goto(f"{live_server}/agreements/{agreement_id}")
    assert page.locator("#not-found").is_visible()


def test_the_quality_manager_records_a_new_version_of_the_confidentiality_clause(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/agreements")
    page.locator("#clause-new-panel summary").click()
    form = page.locator("#clause-new")
    form.locator("#clause-text-fi").fill("Tiedot ovat <b>luottamuksellisia</b>.")
    form.locator("#clause-text-en").fill("The information is <b>confidential</b>.")
    form.locator("#clause-new-submit").click()
    page.wait_for_selector("#clauses details[open] summary:has-text('Versio 2')")
    assert "Tiedot ovat <b>luottamuksellisia</b>." in page.locator("#clauses").inner_text()
    assert accessibility_violations(page) == []
    # A new agreement from today takes the new version.
    page.goto(f"{live_server}/agreements/new")
    assert "Versio 2" in page.locator("#agreement-new").inner_text()
    login("mittaaja")  # the technician reads the versions but records none
    page.goto(f"{live_server}/agreements")
    assert page.locator("#clauses").is_visible()
    assert page.locator("#clause-new").count() == 0


def test_the_agreement_screens_fit_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    page.goto(f"{live_server}/agreements/new")
    assert fits_a_phone(page)
    page.goto(f"{live_server}/agreements")
    assert fits_a_phone(page)
    page.locator("main table tbody a", has_text="VS-").first.click()
    page.locator("#amendment-panel summary").click()
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshots_of_the_agreement_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/agreements/new")
    choose_new_customer(page)
    take_screenshot(page, "agreements-new")
    page.goto(f"{live_server}/agreements")
    page.locator("main table tbody a", has_text="VS-").first.click()
    take_screenshot(page, "agreements-detail")
    page.locator("#amendment-panel summary").click()
    amend = page.locator("#agreement-amend")
    amend.locator("#amendment-reason").fill("Ruotsinkieliset todistukset ja koulutus")
    amend.locator("#language-sv").check()
    amend.locator("#scope-training").check()
    amend.locator("#agreement-amend-submit").click()
    page.wait_for_selector("#versions")
    page.locator("#versions").scroll_into_view_if_needed()
    take_screenshot(page, "agreements-versions")
