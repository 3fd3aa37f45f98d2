"""A calibration recorded before its certificate file came, in a real browser, in Finnish: the
quality manager says why the certificate follows, the equipment page shows the gap (as the
records bundle lists it) until the file is attached."""

from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)
from tests.ui.test_browser_equipment import CERTIFICATE, open_item

pytestmark = [pytest.mark.browser, pytest.mark.slow]
REASON = "Kalibrointilaboratorio lähettää todistuksen postitse"


def record_without_file(page, live_server: str, expanded_uncertainty: str) -> None:  # type: ignore[no-untyped-def]
    open_item(page, live_server, "TH-02")
    page.click("#calibration-panel summary")
    form = page.locator("#calibration-form")
    form.locator("[name=calibrating_lab]").fill("Esimerkkikalibrointi Oy")
    form.locator("[name=certificate_number]").fill("EK-26-3001")
    form.locator("[name=accreditation_body]").fill("FINAS")
    form.locator("[name=accreditation_number]").fill("K998")
    form.locator("[name=traceable_to]").fill("VTT MIKES")
    form.locator("[name='results.0.nominal']").fill("45")
    form.locator("[name='results.0.value']").fill("0,03")
    form.locator("[name='results.0.expanded_uncertainty']").fill(expanded_uncertainty)
    form.locator("#cal-to-follow").fill(REASON)


def test_a_certificate_to_follow_shows_as_a_gap_until_its_file_is_attached(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    record_without_file(page, live_server, "-0,02")
    form = page.locator("#calibration-form")
    form.locator("#calibration-submit").click()
    refusal = form.locator(":scope > .form-error")
    refusal.wait_for(state="visible")
    assert "Tarkista tiedot" in refusal.inner_text()
    form.locator("[name='results.0.expanded_uncertainty']").fill("0,02")
    form.locator("#calibration-submit").click()

    gap = page.locator("#cal-heading ~ article .certificate-gap").first
    gap.wait_for(state="visible")
    assert "Todistus toimitetaan myöhemmin:" in gap.inner_text()
    assert REASON in gap.inner_text()
    assert "puutteena" in gap.inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)

    calibration = page.locator("#cal-heading ~ article", has_text="EK-26-3001")
    calibration.locator("input[type=file]").set_input_files(
        {"name": "EK-26-3001.pdf", "mimeType": "application/pdf", "buffer": CERTIFICATE}
    )
    calibration.locator("button[type=submit]").click()
    page.wait_for_selector("#cal-heading ~ article a.certificate-link:has-text('EK-26-3001.pdf')")
    article = page.locator("#cal-heading ~ article", has_text="EK-26-3001")
    assert article.locator(".certificate-gap").count() == 0


@pytest.mark.screenshots
def test_screenshot_of_a_certificate_to_follow(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    record_without_file(page, live_server, "0,02")
    page.locator("#calibration-form #calibration-submit").click()
    gap = page.locator("#cal-heading ~ article .certificate-gap").first
    gap.wait_for(state="visible")
    gap.scroll_into_view_if_needed()
    take_screenshot(page, "equipment-certificate-to-follow")
