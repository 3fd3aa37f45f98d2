"""The staff competence matrix in a real browser: the quality manager grants an authorisation,
sees it in the person x method x activity matrix, withdraws it with a reason, and is refused
an RR-test basis given as free text (that route is the competence record's)."""

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
MEASURER = "Matti Mittaaja"
METHOD = "DIM-RING-01 v1"


def method_id(page, label: str) -> str:  # type: ignore[no-untyped-def]
    return str(page.locator("#grant-method option", has_text=label).get_attribute("value"))


def matrix_cell(page, person: str, method: str, activity: str):  # type: ignore[no-untyped-def]
    row = page.locator("#competence-matrix tbody tr", has=page.locator(f"th:text-is('{person}')"))
    return row.locator(f"td[data-method='{method}'][data-activity='{activity}']")


def fill_grant(page, basis: str, evidence: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("#grant-authorisation")
    form.locator("#grant-staff").select_option(label=MEASURER)
    form.locator("#grant-method").select_option(label=METHOD)
    form.locator("#grant-activity").select_option("review")
    form.locator("#grant-basis").select_option(basis)
    form.locator("#grant-reference").fill(evidence)


def test_the_quality_manager_grants_and_withdraws_an_authorisation_in_the_matrix(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/staff")
    ring = method_id(page, METHOD)
    cell = matrix_cell(page, MEASURER, ring, "review")
    assert "Ei valtuutusta" in cell.inner_text()
    assert accessibility_violations(page) == []
    form = page.locator("#grant-authorisation")
    # No basis chosen: the page asks for it before anything is sent.
    fill_grant(page, "rr_test", "RR-2026-9")
    form.locator("#grant-basis").select_option("")
    form.locator("#grant-submit").click()
    assert "Peruste on pakollinen" in form.locator(".form-error").inner_text()
    # An RR test as free text: the service refuses, led in Finnish, naming the field.
    form.locator("#grant-basis").select_option("rr_test")
    form.locator("#grant-submit").click()
    refusal = form.locator(".form-error")
    refusal.wait_for(state="visible")
    assert refusal.inner_text().startswith("Tarkista tiedot")
    assert "pätevyystallenteesta" in refusal.inner_text()
    assert accessibility_violations(page) == []
    # Granted on training: the matrix shows it, with its basis and link to the grant.
    fill_grant(page, "training", "Kurssi K-2026-04 <b>ja</b> 10 valvottua kalibrointia")
    page.fill("#grant-valid-until", "2099-12-31")
    form.locator("#grant-submit").click()
    page.wait_for_load_state("load")
    cell = matrix_cell(page, MEASURER, ring, "review")
    cell.locator("a").wait_for()
    assert "Valtuutettu" in cell.inner_text() and "Koulutus" in cell.inner_text()
    assert "31.12.2099" in cell.inner_text()
    grant = page.locator(cell.locator("a").get_attribute("href") or "")
    # Markup in the evidence is shown as text.
    assert "<b>ja</b>" in grant.inner_text()
    assert accessibility_violations(page) == []
    # Withdrawn with a reason, after confirming.
    page.once("dialog", lambda dialog: dialog.accept())
    grant.locator("summary").click()
    grant.locator("input[name=reason]").fill("Siirtyi toisiin tehtäviin")
    grant.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    cell = matrix_cell(page, MEASURER, ring, "review")
    page.wait_for_selector("#competence-matrix td.cell-withdrawn")
    assert "Peruttu" in cell.inner_text()
    withdrawn = page.locator(cell.locator("a").get_attribute("href") or "")
    assert "Siirtyi toisiin tehtäviin" in withdrawn.inner_text()


def test_a_technician_reads_the_matrix_without_the_forms_to_change_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/staff")
    assert page.locator("#competence-matrix").is_visible()
    assert page.locator("#grant-authorisation").count() == 0
    assert page.locator("form.withdraw-form").count() == 0


def test_the_competence_page_fits_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    page.goto(f"{live_server}/staff")
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshot_of_the_competence_matrix(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/staff")
    take_screenshot(page, "competence-matrix")
