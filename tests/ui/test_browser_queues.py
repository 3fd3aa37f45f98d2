"""Work queues in a real browser (#25 H2): each role's "my work" on the start page, assigning
and taking a job, the buttons only those who may press them see, and what a job waits for."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    password_of,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_job(page, live_server: str, status: str) -> str:  # type: ignore[no-untyped-def]
    """Open the demo's job in ``status`` from the board; return its number."""
    page.goto(f"{live_server}/jobs?status={status}")
    link = page.locator("table.jobs tbody a").first
    number = link.inner_text()
    with page.expect_navigation():
        link.click()
    return number


def queue(page, name: str):  # type: ignore[no-untyped-def]
    return page.locator(f"#queue-{name}")


def as_laatu_in_another_browser(browser, live_server: str):  # type: ignore[no-untyped-def]
    """A second browser signed in as the quality manager, for a change made meanwhile."""
    other = browser.new_context()
    signed_in = other.request.post(
        f"{live_server}/api/v1/auth/login",
        data={"username": "laatu", "password": password_of("laatu")},
    )
    assert signed_in.ok, signed_in.text()
    return other


def test_a_technician_takes_a_job_from_the_queue_and_finds_it_assigned(
    page, browser, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/")
    unassigned = queue(page, "unassigned")
    assert "Mitattavat, ei vielä otettu työn alle" in unassigned.inner_text()
    assert "Vastuullani" in queue(page, "assigned").inner_text()
    # The demo's quality manager gave the technician the jobs received for measurement.
    assert "Ulkomikrometri 0-25 mm" in queue(page, "assigned").inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)
    page.set_viewport_size(SCREENSHOT_VIEWPORT)

    # Take the first job nobody has taken.
    first = unassigned.locator(".queue-list li a").first
    number = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "Ei vielä kukaan" in page.locator("#assignee").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Ota työ itselleni").click()
    assert page.locator("#assignee").inner_text() == "Matti Mittaaja"
    assert page.get_by_role("button", name="Ota työ itselleni").count() == 0
    assert page.get_by_role("button", name="Luovu työstä").is_visible()
    assert "Odottaa:" in page.locator("#waiting-for").inner_text()
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/")
    assert number in queue(page, "assigned").inner_text()
    assert number not in queue(page, "unassigned").inner_text()

    # Refused: the quality manager gave the next job to someone else while it was open here.
    nxt = queue(page, "unassigned").locator(".queue-list li a").first
    with page.expect_navigation():
        nxt.click()
    job_id = page.url.rsplit("/", 1)[1]
    other = as_laatu_in_another_browser(browser, live_server)
    try:
        users = other.request.get(f"{live_server}/api/v1/users").json()
        anna = next(user["id"] for user in users if user["username"] == "allekirjoittaja")
        csrf = next(c["value"] for c in other.cookies() if c["name"] == "lims_csrf")
        assigned = other.request.put(
            f"{live_server}/api/v1/jobs/{job_id}/assignment",
            data={"assigned_to_id": anna},
            headers={"X-CSRF-Token": csrf},
        )
        assert assigned.ok, assigned.text()
    finally:
        other.close()
    page.get_by_role("button", name="Ota työ itselleni").click()
    refusal = page.locator("#assignment .form-error")
    refusal.wait_for(state="visible")
    assert "Ei sallittu" in refusal.inner_text()


def test_a_quality_manager_assigns_a_requested_job_once_accepted(
    page, browser, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/")
    requested = queue(page, "requested")
    assert "Hyväksyntää odottavat tilaukset" in requested.inner_text()
    assert "Ulkomikrometri 0-25 mm · SN 1001" in requested.inner_text()
    for name in ("review", "due_soon", "overdue"):
        assert queue(page, name).is_visible()
    assert accessibility_violations(page) == []

    with page.expect_navigation():
        requested.locator(".queue-list li a").first.click()
    waiting = page.locator("#waiting-for")
    assert waiting.inner_text() == "Odottaa: laatupäällikön hyväksyntää tilaukselle"
    with page.expect_navigation():
        page.click("#workflow button[data-step=accepted]")
    assert "Odottaa: kohteiden saapumista laboratorioon" in waiting.inner_text()

    assert page.locator("#assign-to").get_attribute("required") is not None
    page.select_option("#assign-to", label="Matti Mittaaja")
    with page.expect_navigation():
        page.get_by_role("button", name="Nimeä", exact=True).click()
    assert page.locator("#assignee").inner_text() == "Matti Mittaaja"
    assert page.get_by_role("button", name="Poista vastuumittaaja").is_visible()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)
    page.set_viewport_size(SCREENSHOT_VIEWPORT)

    # Refused: the job was cancelled in another browser while this page was open.
    job_id = page.url.rsplit("/", 1)[1]
    other = as_laatu_in_another_browser(browser, live_server)
    try:
        csrf = next(c["value"] for c in other.cookies() if c["name"] == "lims_csrf")
        cancelled = other.request.post(
            f"{live_server}/api/v1/jobs/{job_id}/transitions",
            data={"to": "cancelled", "reason": "Asiakas perui tilauksen"},
            headers={"X-CSRF-Token": csrf},
        )
        assert cancelled.ok, cancelled.text()
    finally:
        other.close()
    page.select_option("#assign-to", label="Anna Allekirjoittaja")
    page.get_by_role("button", name="Nimeä", exact=True).click()
    refusal = page.locator("#assignment form:has(#assign-to) .form-error")
    refusal.wait_for(state="visible")
    assert "Ei mahdollista tässä tilassa" in refusal.inner_text()
    page.reload()

    # The board says in each job's row what it waits for.
    page.goto(f"{live_server}/jobs?status=accepted")
    assert "Odottaa: kohteiden saapumista" in page.locator("table.jobs").inner_text()


def test_the_measurer_is_offered_no_review_and_the_reviewer_and_signatory_find_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    number = open_job(page, live_server, "measured")
    assert page.locator("#four-eyes").is_visible()
    assert page.locator("button[data-step=reviewed]").count() == 0
    assert page.get_by_role("button", name="Merkitse tarkastetuksi").count() == 0
    assert (
        page.locator("#waiting-for").inner_text()
        == "Odottaa: tarkastusta (ei mittaaja Matti Mittaaja)"
    )
    page.goto(f"{live_server}/")
    assert queue(page, "review").count() == 0  # no authorisation to review, nor four eyes

    login("laatu")
    page.goto(f"{live_server}/")
    review = queue(page, "review")
    assert number in review.inner_text()
    with page.expect_navigation():
        review.get_by_role("link", name=number).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Merkitse tarkastetuksi").click()
    assert page.locator(".status-line .badge-reviewed").is_visible()
    assert "Odottaa: allekirjoittajan hyväksyntää" in page.locator("#waiting-for").inner_text()

    login("allekirjoittaja")
    page.goto(f"{live_server}/")
    assert number in queue(page, "approval").inner_text()
    assert "Hyväksytyt, odottavat myöntämistä" in queue(page, "issue").inner_text()
    assert accessibility_violations(page) == []


def test_a_customer_follows_its_own_jobs_and_documents(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("asiakas")
    page.goto(f"{live_server}/")
    progress = queue(page, "in_progress")
    assert "Keskeneräiset työnne" in progress.inner_text()
    assert re.search(r"TY-\d{4}-\d{4}", progress.inner_text())
    assert "Teille myönnetyt asiakirjat" in queue(page, "documents").inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)
    with page.expect_navigation():
        progress.locator(".queue-list li a").first.click()
    assert page.locator("#waiting-for").inner_text().startswith("Odottaa:")
    assert page.locator("#assignment").count() == 0
    assert fits_a_phone(page)
    login("kund")
    page.goto(f"{live_server}/")
    assert page.locator("#my-work").count() == 1
    assert "TY-" not in page.locator("#my-work").inner_text()


@pytest.mark.screenshots
def test_screenshots_of_the_work_queues(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    open_job(page, live_server, "in_measurement")
    page.select_option("#assign-to", label="Matti Mittaaja")
    with page.expect_navigation():
        page.get_by_role("button", name="Nimeä", exact=True).click()
    take_screenshot(page, "job-waiting-for")
    login("mittaaja")
    page.goto(f"{live_server}/")
    take_screenshot(page, "home-technician")
    login("allekirjoittaja")
    page.goto(f"{live_server}/")
    take_screenshot(page, "home-signatory")
    assert csrf_token(page)
