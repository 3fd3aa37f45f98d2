"""Screenshots of the main screens for the README (docs/screenshots/*.png).

Not a test of behaviour: it runs only when asked (``make screenshots``), and overwrites the
pictures from the demo data at 1280x800 (the first-steps hint on a phone at 375 px).  The
screens of each area take theirs in the area's own test module, marked ``screenshots``.
"""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import enter_demo_readings, take_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.screenshots]
STEP_FILE = ("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp")
_shot = take_screenshot


def test_take_screenshots(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import shared_path

    page.goto(f"{live_server}/login")
    _shot(page, "login")
    login("mittaaja")
    page.goto(f"{live_server}/")
    _shot(page, "start")
    page.goto(f"{live_server}/jobs")
    _shot(page, "job-board")
    # Results entry: the live budget of the demo's job in measurement.
    enter_demo_readings(page, live_server)
    page.evaluate("document.querySelector('#plan').scrollIntoView()")
    _shot(page, "results-entry")
    page.goto(f"{live_server}/jobs?status=approved")
    page.click("table.jobs tbody a")
    page.locator("tr.budget-row details summary").first.click()
    page.evaluate("document.querySelector('#plan').scrollIntoView()")
    _shot(page, "job-detail")
    page.goto(f"{live_server}/equipment")
    _shot(page, "equipment")
    page.goto(f"{live_server}/staff")
    _shot(page, "staff-competence")
    page.goto(f"{live_server}/uncertainty")
    page.click("#wb-evaluate")
    page.wait_for_selector("#wb-histogram svg")
    page.evaluate("document.querySelector('#wb-results').scrollIntoView()")
    _shot(page, "uncertainty-workbench")
    page.evaluate("document.querySelector('.charts').scrollIntoView()")
    _shot(page, "uncertainty-charts")

    login("asiakas")
    page.goto(f"{live_server}/jobs/new")
    page.select_option("#kind", "product_qc")
    page.fill("[data-name=description]", "Kiinnityslevy CTC-01")
    page.set_input_files("[data-name=file]", str(shared_path(*STEP_FILE)))
    _shot(page, "customer-new-job")
    page.click("#new-job button[type=submit]")
    page.wait_for_selector("#proposals")
    page.evaluate("document.querySelector('#proposals').scrollIntoView()")
    _shot(page, "customer-extracted-characteristics")
    page.goto(f"{live_server}/agreements/1")
    _shot(page, "customer-agreement")

    login("allekirjoittaja")
    page.goto(f"{live_server}/documents")
    _shot(page, "documents")
    masters = page.locator("table.documents tbody a").filter(has_text=re.compile(r"-\d{4}$"))
    with page.expect_navigation():
        masters.last.click()
    page.goto(f"{page.url}?language=sv")
    _shot(page, "document-translation")

    login("arvioija")
    page.goto(f"{live_server}/audit?entity=job:1")
    page.click("#verify-chain")
    page.wait_for_selector("#verify-result.ok")
    _shot(page, "auditor-audit-trail")


def test_take_the_first_ten_minutes(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    """The README's walk-through, one picture per step, on a fresh copy of the demo."""
    page.set_viewport_size({"width": 375, "height": 812})
    login("mittaaja")
    page.goto(f"{live_server}/")
    _shot(page, "first-steps-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    login("allekirjoittaja")
    page.goto(f"{live_server}/")
    page.get_by_role("region", name="Aloita tästä").get_by_role("link").click()
    page.wait_for_selector("#workflow")
    _shot(page, "first-steps-approve")
    with page.expect_navigation():
        page.click("#workflow button[data-step=approved]")
    with page.expect_navigation():
        page.click("#issue-document button[type=submit]")
    page.evaluate("document.querySelector('#documents').scrollIntoView()")
    _shot(page, "first-steps-certificate")

    login("asiakas")
    page.goto(f"{live_server}/documents")
    _shot(page, "first-steps-download")

    login("arvioija")
    page.goto(f"{live_server}/")
    page.get_by_role("region", name="Aloita tästä").get_by_role("link").click()
    page.wait_for_selector("#export-records")
    page.evaluate("document.querySelector('#documents').scrollIntoView()")
    _shot(page, "first-steps-records")
