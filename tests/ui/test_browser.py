"""The web UI in a real browser: the lab's work, the customer portal and the auditor's view.

Each test signs in as the demo users whose roles fit each step, on its own copy of the demo
database (tests/ui/conftest.py).  The pages are in Finnish (the demo users' language), so the
tests find things by their ids and roles rather than by their words.
"""

import re
from collections.abc import Callable

import pytest

from tests.conftest import shared_path
from tests.ui.conftest import enter_micrometer_readings

pytestmark = [pytest.mark.browser, pytest.mark.slow]
STEP_FILE = ("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp")
NIST_CTC_01_CHARACTERISTICS = 14


def open_first_job(page, live_server: str, status: str) -> str:  # type: ignore[no-untyped-def]
    """Open the first job on the board with ``status``; return its address."""
    page.goto(f"{live_server}/jobs?status={status}")
    page.locator("table.jobs tbody a").first.click()
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    return page.url


def option_value(page, select: str, text: str) -> str:  # type: ignore[no-untyped-def]
    """The value of the first option of ``select`` whose text contains ``text``."""
    value = page.locator(f"{select} option", has_text=text).first.get_attribute("value")
    assert value, f"no option {text!r} in {select}"
    return value


def take_step(page, step: str) -> None:  # type: ignore[no-untyped-def]
    """Press a workflow button and wait for the page to show the job's new status."""
    with page.expect_navigation():
        page.click(f"#workflow button[data-step={step}]")
    page.wait_for_selector(f".status-line .badge-{step}")


def receive_and_plan_a_micrometer(page) -> None:  # type: ignore[no-untyped-def]
    """On an accepted micrometer job: receive the item fit for calibration, plan the 25 mm
    point by DIM-MIC-01 and start the measurement."""
    page.click("#items details.panel summary")
    page.select_option("#items select[name=condition]", "fit")
    with page.expect_navigation():
        page.click("#items form.api-form button[type=submit]")
    take_step(page, "items_received")
    page.click("#plan-points summary")
    page.select_option("#pp-method", option_value(page, "#pp-method", "DIM-MIC-01"))
    page.fill("#pp-points", "25")
    page.fill("#pp-param-alpha", "11,5e-6")
    with page.expect_navigation():
        page.click("#plan-points button[type=submit]")
    take_step(page, "in_measurement")


def test_technician_completes_a_calibration_from_receipt_to_approval(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    # The technician receives the micrometer of an accepted job and plans the 25 mm point.
    login("mittaaja")
    job = open_first_job(page, live_server, "accepted")
    receive_and_plan_a_micrometer(page)
    assert page.locator("#plan tbody th", has_text="25 mm").is_visible()

    # Results: the live budget appears while the readings are entered.
    form = enter_micrometer_readings(page)
    summary = form.locator(".live-summary")
    assert "0,43" in summary.inner_text()  # 0.48 um read, minus the block's 0.05 um
    assert form.locator("table.budget tbody tr").count() == 7
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    row = page.locator("#plan tbody tr", has_text="25 mm").first
    assert "0,43" in row.locator("[data-result]").inner_text()
    assert row.locator(".badge-pass").is_visible()
    take_step(page, "measured")

    # Four eyes: the one who measured is told why, and offered no review to press (#25).
    assert page.locator("#four-eyes").is_visible()
    assert page.locator("button[data-step=reviewed]").count() == 0
    assert page.locator(".status-line .badge-measured").is_visible()

    # The quality manager reviews; a signatory approves.
    login("laatu")
    page.goto(job)
    take_step(page, "reviewed")
    login("allekirjoittaja")
    page.goto(job)
    take_step(page, "approved")
    assert "Anna Allekirjoittaja" in page.locator("dl.facts").first.inner_text()
    history = page.locator("#history .timeline li")
    assert history.count() == 6  # accepted (demo), then the five steps taken here


def test_customer_submits_a_product_job_with_a_step_file_and_sees_its_characteristics(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    step_file = shared_path(*STEP_FILE)
    login("asiakas")
    page.goto(f"{live_server}/jobs/new")
    page.select_option("#kind", "product_qc")
    page.fill("#customer_reference", "PO-2026-118")
    page.fill("[data-name=description]", "Kiinnityslevy CTC-01")
    page.fill("[data-name=identification]", "Piirustus 4711 rev B")
    page.set_input_files("[data-name=file]", str(step_file))
    page.click("#new-job button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))

    assert page.locator(".status-line .badge-requested").is_visible()
    proposals = page.locator("#proposals table.proposals tbody tr")
    assert proposals.count() == NIST_CTC_01_CHARACTERISTICS
    table = page.locator("#proposals").inner_text()
    assert "diameter 35" in table and "Tasomaisuus" in table  # flatness, in words
    assert step_file.name in page.locator("#items").inner_text()
    # Reviewing the proposals is the lab's work, not the customer's.
    assert page.locator("#proposals form").count() == 0


def test_auditor_verifies_the_chain_and_reads_a_records_history(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    page.goto(f"{live_server}/audit")
    page.click("#verify-chain")
    verdict = page.locator("#verify-result.verdict.ok")
    verdict.wait_for()
    assert re.search(r"\b\d{2,}\b", verdict.inner_text())  # the number of events checked
    # The demo has exported nothing yet: the chain is checked against no signed checkpoint,
    # which the page says once (its list of checkpoints says so; the verdict adds nothing).
    checkpoints = page.locator("#checkpoints").inner_text()
    assert checkpoints.count("Allekirjoitettuja tarkistuspisteitä ei ole vielä") == 1

    job = open_first_job(page, live_server, "approved")
    # An auditor reads everything and is offered no change.
    assert page.locator("form.api-form").count() == 0
    assert page.locator("nav.menu a[href='/jobs/new']").count() == 0
    page.click("#history .audit-link")
    page.wait_for_url(re.compile(r"/audit\?entity=job:\d+$"))
    events = page.locator("ol.events li.event")
    assert events.count() >= 5  # created, then every step to approval
    assert "Kalle Konepaja" in events.first.inner_text()  # the customer submitted it
    assert page.locator(f"#history a[href='{job.removeprefix(live_server)}']").count() == 1


def test_customer_cannot_reach_another_customers_job_by_address(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    # The lab's view gives the address and number of Konepaja's first job.
    login("mittaaja")
    job = open_first_job(page, live_server, "approved")
    number = page.locator("h1").inner_text().split()[-1]
    job_id = job.rsplit("/", 1)[-1]

    login("kund")  # Tarkkuusosa Ab's user
    answer = page.goto(job)
    assert answer is not None and answer.status == 404
    assert page.locator("#not-found").is_visible()
    shown = page.content()
    assert number not in shown and "Konepaja" not in shown
    for path in (f"/api/v1/jobs/{job_id}", f"/api/v1/jobs/{job_id}/items"):
        api_answer = page.request.get(f"{live_server}{path}")
        assert api_answer.status == 404
        assert number not in api_answer.text() and "Konepaja" not in api_answer.text()
    page.goto(f"{live_server}/jobs")
    assert number not in page.content()


def test_technician_voids_a_characteristic_with_its_reason_on_the_job_page(
    page, live_server: str, login: Callable[[str], None]
) -> None:
    login("mittaaja")
    open_first_job(page, live_server, "in_measurement")
    characteristic = page.locator("tr[id^=characteristic-]", has_text="25 mm").first
    row_id = characteristic.get_attribute("id")
    void_panel = page.locator("details.panel", has=page.locator("form[data-action$='/void']"))
    void_panel.first.locator("summary").click()
    form = void_panel.first.locator("form")
    form.locator("input[name=reason]").fill("Mittauskohta kaksi kertaa suunnitelmassa")
    # Voiding asks first; saying no leaves the characteristic as it was.
    questions: list[str] = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    form.locator("button[type=submit]").click()
    assert page.locator(f"tr#{row_id}.voided").count() == 0
    assert questions and "Mitätöidäänkö" in questions[0]
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    page.locator(f"tr#{row_id}.voided").wait_for()
    assert "Mittauskohta kaksi kertaa suunnitelmassa" in page.locator(".void-reason").inner_text()


def test_quality_manager_reopens_a_reported_job_with_a_reason(
    page, live_server: str, login: Callable[[str], None]
) -> None:
    login("laatu")
    open_first_job(page, live_server, "reported")
    page.fill("#reason-in_measurement", "Asiakas ilmoitti virheellisestä sarjanumerosta")
    take_step(page, "in_measurement")
    assert page.locator("#workflow").is_visible()
