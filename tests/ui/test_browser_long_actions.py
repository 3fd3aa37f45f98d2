"""Long actions in a real browser: the button is held with a spinner and words till the
answer comes; an export refused is said on the page; the new-job form moves on to the job
it made, and tells to tick the terms box where no agreement covers the work."""

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ui.conftest import accessibility_violations, csrf_token
from tests.ui.test_browser import open_first_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def jobs_of(page, live_server: str) -> int:  # type: ignore[no-untyped-def]
    """How many jobs the signed-in person sees."""
    answer = page.request.get(f"{live_server}/api/v1/jobs")
    assert answer.ok, answer.text()
    return int(answer.json()["total"])


def test_issuing_holds_the_button_with_a_spinner_saying_it_issues(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("allekirjoittaja")
    open_first_job(page, live_server, "approved")
    button = page.locator("#issue-document button[type=submit]")
    with page.expect_navigation():
        button.click()
        busy = page.locator("#issue-document .busy[role=status]")
        busy.wait_for()
        assert button.is_disabled() and button.get_attribute("aria-busy") == "true"
        page.wait_for_function(
            "document.querySelector('#issue-document .busy')?.textContent === 'Myönnetään…'"
        )
    # axe runs on the page the issue leads to: run while the issue is in flight, its page
    # could be replaced under it (the answer takes a second or three).
    assert page.locator("#documents table.documents tbody tr").count() == 1
    assert accessibility_violations(page) == []


def test_a_period_without_jobs_is_refused_on_the_audit_page_in_finnish(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    page.goto(f"{live_server}/audit")
    form = page.locator("#export form")
    form.locator("#export-period").fill("1990-01-01..1990-01-31")
    form.locator("button[type=submit]").click()
    alert = form.locator(".form-error")
    alert.wait_for()
    assert alert.inner_text().startswith("Ei löydy")
    assert page.url == f"{live_server}/audit"
    assert form.locator("button[type=submit]").is_enabled()
    assert accessibility_violations(page) == []
    this_year = page.evaluate("new Date().getFullYear()")
    form.locator("#export-period").fill(f"{this_year - 1}-01-01..{this_year}-12-31")
    with page.expect_download() as download:
        form.locator("button[type=submit]").click()
    assert re.fullmatch(r".+\.zip", download.value.suggested_filename)
    assert alert.inner_text() == ""


def test_a_customer_without_an_agreement_is_told_to_tick_the_terms_box(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("kund")
    before = jobs_of(page, live_server)
    page.goto(f"{live_server}/jobs/new")
    page.fill("[data-name=description]", "Mikrometri 0-25 mm")
    page.click("#new-job button[type=submit]")
    alert = page.locator("#new-job .form-error")
    alert.wait_for()
    assert alert.inner_text().startswith("Tarkista tiedot: Mikään sopimus ei kata tätä työtä")
    assert "rastita" in alert.inner_text()
    terms = page.locator("#accept-terms")
    assert terms.get_attribute("aria-invalid") == "true"
    assert page.evaluate("document.activeElement.id") == "accept-terms"
    assert accessibility_violations(page) == []
    terms.check()
    page.click("#new-job button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    assert jobs_of(page, live_server) == before + 1


def test_a_job_whose_file_is_refused_moves_on_to_the_job_and_says_so(
    page, live_server: str, login: Callable[[str], None], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    login("asiakas")
    before = jobs_of(page, live_server)
    model = tmp_path / "kiinnike.stp"
    model.write_text("ISO-10303-21;\nthis is not a model\n")
    page.goto(f"{live_server}/jobs/new")
    page.select_option("#kind", "product_qc")
    page.fill("[data-name=description]", "Kiinnike <b>K-7</b>")
    page.set_input_files("[data-name=file]", str(model))
    page.click("#new-job button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    notice = page.locator("main .notice[role=alert]")
    number = page.locator("h1").inner_text()
    assert "lähetettiin, mutta sen tiedostoa ei otettu vastaan" in notice.inner_text()
    # Why, in Finnish too (the STEP reader's reason is translated with the refusal).
    assert "tiedostossa ei ole HEADER- tai DATA-osaa" in notice.inner_text()
    assert re.search(r"TY-\d{4}-\d{4}", notice.inner_text())
    assert page.get_by_text("Kiinnike <b>K-7</b>").count() >= 1  # markup shown as text
    assert accessibility_violations(page) == []
    # One job, and the notice is said once: a reload does not repeat it.
    assert jobs_of(page, live_server) == before + 1
    page.reload()
    assert page.locator("main .notice").count() == 0
    assert number == page.locator("h1").inner_text()
    assert csrf_token(page)


def test_a_calibration_whose_certificate_is_refused_is_recorded_once_and_says_so(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/equipment")
    page.locator("#register-heading ~ div a", has_text="GB-WRK").first.click()
    page.wait_for_selector("h1:has-text('GB-WRK')")
    calibrations = page.locator("#cal-heading ~ article")
    before = calibrations.count()
    page.click("#calibration-panel summary")
    form = page.locator("#calibration-form")
    form.locator("[name=calibrating_lab]").fill("Mittatekniikan keskus")
    form.locator("[name=certificate_number]").fill("K041-26-0999")
    form.locator("[name=accreditation_body]").fill("FINAS")
    form.locator("[name=accreditation_number]").fill("K041")
    form.locator("[name=traceable_to]").fill("VTT MIKES")
    form.locator("[name='results.0.nominal']").fill("25")
    form.locator("[name='results.0.value']").fill("0,1")
    form.locator("[name='results.0.expanded_uncertainty']").fill("0,05")
    # Called a PDF, but it is not one: the file store refuses it.
    form.locator("#cal-file").set_input_files(
        {"name": "K041-26-0999.pdf", "mimeType": "application/pdf", "buffer": b"<html></html>"}
    )
    with page.expect_navigation():
        form.locator("#calibration-submit").click()
    notice = page.locator("main .notice[role=alert]")
    assert notice.inner_text().startswith("Kalibrointi kirjattiin, mutta")
    assert calibrations.count() == before + 1
    assert calibrations.filter(has_text="K041-26-0999").count() == 1
    assert accessibility_violations(page) == []
