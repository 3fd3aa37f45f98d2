"""Contract review in a real browser (ISO/IEC 17025 7.1): the quality manager reviews a
requested job of the ad-hoc customer on its page, is refused in Finnish while a "no" has no
resolution, records the review and then accepts the job; the review stays on the page,
read-only."""

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
AD_HOC_CUSTOMER = "Tarkkuusosa Ab"


def requested_job_of_the_ad_hoc_customer(page, live_server: str) -> int:  # type: ignore[no-untyped-def]
    """As the signed-in manager, through the API: a job under the customer's ad-hoc
    agreement, which no annual agreement's review covers."""
    organisations = page.request.get(f"{live_server}/api/v1/organisations").json()
    customer = next(o for o in organisations if o["name"] == AD_HOC_CUSTOMER)
    created = page.request.post(
        f"{live_server}/api/v1/jobs",
        headers={"X-CSRF-Token": csrf_token(page)},
        data={
            "organisation_id": customer["id"],
            "kind": "calibration",
            "items": [{"kind": "instrument", "description": "Työntömitta 0-150 mm"}],
        },
    )
    assert created.ok, created.text()
    return int(created.json()["id"])


def answer_the_questions(form, capability: str) -> None:  # type: ignore[no-untyped-def]
    form.locator("#review-requirements").select_option("true")
    form.locator("#review-capability").select_option(capability)
    form.locator("#review-methods").fill("MK-31 työntömitan kalibrointi")
    form.locator("#review-method").select_option("true")


def test_the_quality_manager_reviews_a_requested_job_and_then_accepts_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    job_id = requested_job_of_the_ad_hoc_customer(page, live_server)
    page.goto(f"{live_server}/jobs/{job_id}")
    form = page.locator("#contract-review-form")
    assert form.is_visible()
    # Not offered before a review covers the job: the service would refuse it.
    assert page.locator('button[data-step="accepted"]').count() == 0
    assert accessibility_violations(page) == []

    answer_the_questions(form, "false")
    form.locator("#contract-review-submit").click()
    alert = form.locator(".form-error")
    alert.wait_for(state="visible")
    assert alert.inner_text().startswith("Tarkista tiedot")
    assert "kyky ja resurssit" in alert.inner_text()

    form.locator("#review-capability-note").fill(
        "Mittapalat kalibroinnissa; asiakkaan kanssa sovittu toimitus viikkoa myöhemmin"
    )
    form.locator("#contract-review-submit").click()
    review = page.locator("#contract-review .contract-review")
    review.wait_for()
    assert "Työn katselmointi" in review.inner_text()
    assert "viikkoa myöhemmin" in review.inner_text()
    assert page.locator("#contract-review-form").count() == 0
    assert accessibility_violations(page) == []

    page.click('button[data-step="accepted"]')
    page.wait_for_function("document.querySelector('button[data-step=\"accepted\"]') === null")
    assert "Työn katselmointi" in page.locator("#contract-review").inner_text()
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshots_of_the_contract_review(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    job_id = requested_job_of_the_ad_hoc_customer(page, live_server)
    page.goto(f"{live_server}/jobs/{job_id}")
    page.locator("#contract-review").scroll_into_view_if_needed()
    take_screenshot(page, "contract-review-form")
    page.goto(f"{live_server}/agreements")
    page.locator("a", has_text="VS-").first.click()
    page.locator("#contract-review").scroll_into_view_if_needed()
    take_screenshot(page, "contract-review-agreement")
