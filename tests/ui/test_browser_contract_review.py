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
    answer_the_questions,
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
    # A locator's wait, not a function's: the page's CSP forbids evaluating a string.
    page.locator('button[data-step="accepted"]').wait_for(state="detached")
    assert "Työn katselmointi" in page.locator("#contract-review").inner_text()
    page.set_viewport_size(PHONE)
    assert fits_a_phone(page)


def signed_agreement_for_konepaja(page, live_server: str) -> int:  # type: ignore[no-untyped-def]
    """As the signed-in manager, through the API: an inspection agreement for the annual
    customer (its annual one covers the other services), signed by both."""
    headers = {"X-CSRF-Token": csrf_token(page)}
    organisations = page.request.get(f"{live_server}/api/v1/organisations").json()
    konepaja = next(o for o in organisations if o["name"] == "Konepaja Esimerkki Oy")
    today = page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Helsinki'})")
    created = page.request.post(
        f"{live_server}/api/v1/agreements",
        headers=headers,
        data={
            "kind": "annual",
            "organisation_id": konepaja["id"],
            "valid_from": today,
            "valid_until": f"{int(today[:4]) + 1}{today[4:]}",
            "scope": [{"service": "inspection", "accredited": False, "delivery_days": 5}],
        },
    )
    assert created.ok, created.text()
    signature = {"name": "Kalle Konepaja", "title": "Toimitusjohtaja", "signed_on": today}
    signed = page.request.post(
        f"{live_server}/api/v1/agreements/{created.json()['id']}/sign",
        headers=headers,
        data={"lab_signature": signature, "customer_signature": signature},
    )
    assert signed.ok, signed.text()
    return int(created.json()["id"])


def test_the_quality_manager_reviews_a_signed_agreement_and_an_order(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    agreement_id = signed_agreement_for_konepaja(page, live_server)
    page.goto(f"{live_server}/agreements/{agreement_id}")
    form = page.locator("#contract-review-form")
    answer_the_questions(form, "true")
    form.locator("#review-conformity").check()
    # Statements of conformity asked for, and no word on the decision rule: refused.
    form.locator("#contract-review-submit").click()
    alert = form.locator(".form-error")
    alert.wait_for(state="visible")
    assert alert.inner_text().startswith("Tarkista tiedot")
    assert "päätössääntö" in alert.inner_text()
    form.locator("#review-rule-agreed").select_option("true")
    form.locator("#contract-review-submit").click()
    review = page.locator("#contract-review .contract-review")
    review.wait_for()
    assert "Sopimusversion katselmointi" in review.inner_text()
    assert "Laura Laatupäällikkö" in review.inner_text()
    assert accessibility_violations(page) == []

    organisations = page.request.get(f"{live_server}/api/v1/organisations").json()
    konepaja = next(o for o in organisations if o["name"] == "Konepaja Esimerkki Oy")
    today = page.evaluate("new Date().toLocaleDateString('sv-SE', {timeZone: 'Europe/Helsinki'})")
    order = page.request.post(
        f"{live_server}/api/v1/orders",
        headers={"X-CSRF-Token": csrf_token(page)},
        data={"organisation_id": konepaja["id"], "service": "calibration", "ordered_on": today},
    )
    assert order.ok, order.text()
    page.goto(f"{live_server}/orders/{order.json()['id']}")
    assert "Vuosisopimuksen katselmointi kattaa" in page.locator("#contract-review").inner_text()
    assert accessibility_violations(page) == []
    form = page.locator("#contract-review-form")
    answer_the_questions(form, "true")
    form.locator("#review-deviations").fill("Kalibroidaan kolme mittaa viiden sijaan")
    form.locator("#review-deviation-by").fill("Kalle Konepaja")
    form.locator("#review-deviation-on").fill(today)
    form.locator("#review-deviation-how").fill("puhelimessa")
    form.locator("#contract-review-submit").click()
    review = page.locator("#contract-review .contract-review")
    review.wait_for()
    assert "Tilauksen katselmointi" in review.inner_text()
    assert "puhelimessa" in review.inner_text()
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
    page.goto(f"{live_server}/orders")
    page.locator("main a[href^='/orders/']").first.click()
    page.locator("#contract-review").scroll_into_view_if_needed()
    take_screenshot(page, "contract-review-order")
