"""B2 comparisons in a real browser: the customer enters its own value of the reference piece
on the comparison page, the lab sees E_n, zeta and the charts, the quality manager follows the
company's history and defines a test-piece template, from which the technician plans a job's
test piece.  The pages are in Finnish (the demo users' language)."""

from collections.abc import Callable
from datetime import date

import pytest

from lims.clock import local_today
from lims.comparisons.models import TEMPLATE_EXAMPLE
from lims.config import Settings
from lims.ui.rendering import MISSING
from tests.ui.conftest import PHONE, SCREENSHOT_VIEWPORT, accessibility_violations, take_screenshot
from tests.ui.test_browser_documents import Api

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def lab_today() -> date:
    """The lab's day (the server's clock and time zone), which a result may not be after."""
    return local_today(Settings.model_fields["timezone"].default)


# The demo's CMM repeats of its reference piece RK-20 (lims.demo.coordinate): the lab's value
# 20.0031 mm with U = 2.77 um from CMM-01's task-specific budget.
REPEATS = [20.0031, 20.0029, 20.0033, 20.0030, 20.0032]


DIAMETER = {
    "label": "Ø20",
    "kind": "diameter",
    "nominal": 20,
    "lower_limit": 19.98,
    "upper_limit": 20.02,
    "unit": "mm",
    "parameters": {"L": 20, "alpha": 11.5e-6},
}


def reference_job(  # type: ignore[no-untyped-def]
    page, live_server: str, *, stage: str = "measured", plan: tuple[dict, ...] = (DIAMETER,)
) -> int:
    """A B2 job of the demo customer set up over the API, its id: received; at stage
    "in_measurement" also planned (``plan`` on DIM-CMM-01) and in measurement; at "measured"
    also its first characteristic measured on CMM-01 as the demo measured RK-20."""
    api = Api(page, live_server)
    customer = api.call("asiakas", "GET", "/auth/me")["organisation_id"]
    job = api.call(
        "asiakas",
        "POST",
        "/jobs",
        {
            "organisation_id": customer,
            "kind": "reference",
            "customer_reference": "B2-2027-01",
            "items": [{"kind": "test_piece", "description": "Referenssikappale RK-20"}],
        },
    )
    job_id = int(job["id"])
    api.step("laatu", job_id, "accepted")
    (item,) = api.call("mittaaja", "GET", f"/jobs/{job_id}/items")
    api.call(
        "mittaaja",
        "POST",
        f"/jobs/{job_id}/items/{item['id']}/receipt",
        {"received_on": lab_today().isoformat(), "condition": "fit"},
    )
    api.step("mittaaja", job_id, "items_received")
    if stage == "received":
        return job_id
    cmm_method = next(m for m in api.call("laatu", "GET", "/methods") if m["code"] == "DIM-CMM-01")
    planned = [
        api.call(
            "laatu",
            "POST",
            f"/jobs/{job_id}/characteristics",
            {"item_id": item["id"], "method_id": cmm_method["id"], **characteristic},
        )
        for characteristic in plan
    ]
    api.step("mittaaja", job_id, "in_measurement")
    if stage == "in_measurement":
        return job_id
    cmm = next(e for e in api.call("laatu", "GET", "/equipment") if e["identification"] == "CMM-01")
    api.call(
        "mittaaja",
        "POST",
        f"/jobs/{job_id}/results",
        {
            "characteristic_id": planned[0]["id"],
            "measured_on": lab_today().isoformat(),
            "equipment": {"cmm": cmm["id"]},
            "observations": {"y": REPEATS},
            "temperature": 20.6,
            "humidity": 41,
        },
    )
    return job_id


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def chart_drawn(page, selector: str) -> bool:  # type: ignore[no-untyped-def]
    """The server's SVG arrived and the browser drew it (an image that failed has no size)."""
    image = page.locator(selector)
    image.scroll_into_view_if_needed()
    return bool(image.evaluate("img => img.complete && img.naturalWidth > 0"))


def test_customer_enters_its_value_and_the_lab_sees_en_zeta_and_the_charts(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server)
    comparison = f"{live_server}/jobs/{job_id}/comparison"

    login("asiakas")
    page.goto(f"{live_server}/jobs/{job_id}")
    with page.expect_navigation():
        page.click("#comparison-link a")
    assert page.url == comparison
    # Before approval the customer sees its own side only, and no score yet.
    assert page.locator("td[data-lab]").inner_text() == MISSING
    assert "Tunnusluvut ja kuvaajat näkyvät" in page.locator("#charts").inner_text()
    form = page.locator("#company-value-form")
    form.locator("#cv-value").fill("20,0060")
    form.locator("#cv-u").fill("0,0020")  # U without its k: refused, nothing saved
    form.locator("#company-value-save").click()
    alert = form.locator(".form-error")
    alert.wait_for()
    assert alert.inner_text().startswith("Tarkista tiedot")
    assert page.locator("td[data-company]").inner_text() == MISSING
    form.locator("#cv-k").fill("2")
    form.locator("#cv-instrument").fill("Yrityksen CMM")
    with page.expect_navigation():
        form.locator("#company-value-save").click()
    assert page.locator("td[data-company]").inner_text().startswith("20,006")
    assert "Yrityksen CMM" in page.locator("table.comparison tbody").inner_text()
    assert accessibility_violations(page) == []

    login("mittaaja")
    page.goto(comparison)
    row = page.locator("table.comparison tbody tr").first
    # D = 20,0060 - 20,0031 = 0,0029 mm; E_n = 0,0029 / sqrt(0,0020² + 0,00277²) = 0,85.
    assert row.locator("td[data-lab]").inner_text().startswith("20,0031")
    assert "0,0029" in row.locator("td[data-deviation]").inner_text()
    assert row.locator("td[data-en]").inner_text() == "0,85 Tyydyttävä"
    assert "Tyydyttävä" in row.locator("td[data-zeta]").inner_text()
    assert chart_drawn(page, "#deviation-chart") and chart_drawn(page, "#en-chart")
    # The company reports again, far off: E_n past 1.
    page.fill("#cv-value", "20,0110")
    page.fill("#cv-u", "0,0020")
    page.fill("#cv-k", "2")
    with page.expect_navigation():
        page.click("#company-value-save")
    assert "Ei tyydyttävä" in page.locator("td[data-en]").inner_text()
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page)

    with page.expect_navigation():
        page.click("#company-history-link")
    assert "Konepaja Esimerkki Oy" in page.locator("h1").inner_text()
    # The demo's B2-2026-01 and this job, one series of diameters.
    assert page.locator("table.history tbody tr").count() == 2
    assert chart_drawn(page, "#trend-chart")
    assert no_sideways_scroll(page)
    assert accessibility_violations(page) == []


def test_a_customer_of_another_company_gets_the_finnish_not_found_page(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server, stage="received")
    login("kund")
    answer = page.goto(f"{live_server}/jobs/{job_id}/comparison")
    assert answer is not None and answer.status == 404
    assert "Konepaja" not in page.content()


def test_quality_manager_defines_a_template_and_the_technician_plans_a_test_piece_from_it(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server, stage="received")
    login("laatu")
    page.goto(f"{live_server}/comparisons")
    assert page.locator("table.reference-jobs tbody tr").count() == 2
    page.click("#new-template-panel summary")
    page.fill("#template-code", "BAS-50")
    page.fill("#template-name", "Laboratorion koekappale 50 mm")
    page.fill("#template-standard", "BAS")
    page.fill("#f-label-0", "Ympyrän halkaisija")
    page.fill("#f-kind-0", "diameter")
    page.fill("#f-nominal-0", "50")
    page.fill("#f-lower-0", "49,98")
    page.fill("#f-upper-0", "50,02")
    page.fill("#f-label-1", "Tasomaisuus")
    page.fill("#f-kind-1", "flatness")
    page.fill("#f-upper-1", "0,01")
    page.click("#add-feature")
    assert page.locator("#f-label-3").is_visible()
    with page.expect_navigation():
        page.click("#save-template")
    row = page.locator("table.templates tr[data-template='BAS-50']")
    assert "Laboratorion koekappale 50 mm" in row.inner_text()
    assert "2 piirrettä" in row.inner_text()
    assert accessibility_violations(page) == []
    # The same code again: refused in Finnish, nothing saved.
    page.click("#new-template-panel summary")
    page.fill("#template-code", "BAS-50")
    page.fill("#template-name", "Toinen")
    page.fill("#f-label-0", "D")
    page.click("#save-template")
    alert = page.locator("#new-template .form-error")
    alert.wait_for()
    assert alert.inner_text().startswith("Ei mahdollista tässä tilassa")
    assert page.locator("table.templates tbody tr").count() == 1
    assert accessibility_violations(page) == []
    page.set_viewport_size(PHONE)
    assert no_sideways_scroll(page)

    login("mittaaja")
    page.goto(f"{live_server}/jobs/{job_id}")
    page.click("#plan-test-piece summary")
    page.select_option("#tp-template", label="BAS-50 · Laboratorion koekappale 50 mm")
    page.select_option(
        "#tp-method", label=page.locator("#tp-method option", has_text="DIM-CMM-01").inner_text()
    )
    with page.expect_navigation():
        page.click("#test-piece-plan")
    plan = page.locator("#plan").inner_text()
    assert "Ympyrän halkaisija" in plan and "Tasomaisuus" in plan


@pytest.mark.screenshots
def test_screenshots_of_the_comparison_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    """Two reference measurements in a row far off, so the history shows its alert."""
    api = Api(page, live_server)
    for _ in range(2):
        job_id = reference_job(page, live_server)
        (characteristic,) = api.call("mittaaja", "GET", f"/jobs/{job_id}/characteristics")
        api.call(
            "asiakas",
            "POST",
            f"/jobs/{job_id}/customer-values",
            {
                "characteristic_id": characteristic["id"],
                "value": 20.0072,
                "expanded_uncertainty": 0.002,
                "coverage_factor": 2,
                "measuring_instrument": "Yrityksen CMM",
            },
        )
    api.call("laatu", "POST", "/test-piece-templates", TEMPLATE_EXAMPLE)
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/jobs/{job_id}/comparison")
    page.wait_for_function("document.getElementById('en-chart').complete")
    take_screenshot(page, "comparison-job")
    customer = api.call("asiakas", "GET", "/auth/me")["organisation_id"]
    page.goto(f"{live_server}/comparisons/companies/{customer}")
    page.wait_for_function("document.getElementById('trend-chart').complete")
    take_screenshot(page, "comparison-company")
    page.goto(f"{live_server}/comparisons")
    take_screenshot(page, "comparisons")
