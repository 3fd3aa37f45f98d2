"""Methods and the accredited scope in a real browser, in Finnish: the quality manager makes a
new version of a method (its model checked by the engine as it is typed, a hostile or broken
expression refused with the engine's words) and a new method from nothing; the scope page
with its exports."""

from collections.abc import Callable

import pytest

from lims import units
from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def open_new_version(page, live_server: str, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/methods")
    page.locator("main table a", has_text=f"{code} v1").click()
    page.click("#new-version")
    page.wait_for_selector("#method-new")


def test_a_new_version_checks_its_model_as_it_is_typed_and_is_saved(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    open_new_version(page, live_server, "DIM-RING-01")
    assert page.input_value("#code") == "DIM-RING-01"
    assert page.input_value("#version") == "2"
    # The copied inputs' units as the lab writes them (the record may keep um).
    unit_fields = page.locator("#method-inputs [data-field=unit]")
    assert "um" not in [unit_fields.nth(i).input_value() for i in range(unit_fields.count())]
    check = page.locator("#model-check")
    check.locator("text=Laskenta lukee mallin").wait_for()
    original = page.input_value("#model")
    page.fill("#model", "__import__('os')")
    page.wait_for_selector("#model-check:has-text('ei ole sallittu')")
    assert "Tarkista tiedot" in check.inner_text()
    assert "Funktio '__import__' ei ole sallittu; sallitut funktiot ovat sqrt" in check.inner_text()
    page.fill("#model", original + " + * 2")
    page.wait_for_selector("#model-check:has-text('ei ole operandia')")
    assert "operaattorilla '*' ei ole operandia edellään." in check.inner_text()
    page.fill("#model", original)
    check.locator("text=Laskenta lukee mallin").wait_for()
    assert accessibility_violations(page) == []

    page.fill("#version", "1")
    page.click("#method-new-submit")
    refusal = page.locator("#method-new > .form-error")
    refusal.wait_for(state="visible")
    assert "Ei mahdollista tässä tilassa" in refusal.inner_text()
    page.fill("#version", "2")
    page.fill("#cmc", "Q[0.25, 0.002*L]")
    page.click("#method-new-submit")
    page.wait_for_selector("h1:has-text('DIM-RING-01 v2')")
    # The CMC as the scope writes it, with Finnish decimal commas (the record keeps the text).
    assert "Q[0,25; 0,002·L/mm] µm" in page.locator("main").inner_text()
    versions = [m for m in page.request.get(f"{live_server}/api/v1/methods").json()
                if m["code"] == "DIM-RING-01"]  # fmt: skip
    assert (
        versions[0]["translations"] and versions[0]["translations"] == versions[1]["translations"]
    )
    # The inputs copied, each unit the same unit (a record's um is shown, and saved, as µm).
    assert [
        {**source, "unit": units.symbol(source["unit"])} for source in versions[0]["inputs"]
    ] == [{**source, "unit": units.symbol(source["unit"])} for source in versions[1]["inputs"]]


def test_the_quality_manager_adds_a_method_with_its_inputs_roles_and_points(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/methods")
    page.click("#new-method")
    page.wait_for_selector("#method-new")
    page.fill("#code", "DIM-PIN-01")
    page.fill("#title_fi", "Tarkastustapin kalibrointi")
    page.fill("#title_en", "Calibration of plain pin gauges")
    page.fill("#measurand", "tapin halkaisija 20 °C:ssa")
    page.select_option("#result_quantity", "deviation")
    page.fill("#range_min", "1")
    page.fill("#range_max", "50")
    page.fill("#cmc", "Q[0.4, 0.003*L]")
    page.fill("#calibration_points", "5; 10; 25")
    page.fill("#temperature_min", "19,5")
    page.fill("#temperature_max", "20,5")
    page.fill("#output", "dX")
    page.fill("#model", "dS + dx")
    page.wait_for_selector("#model-check:has-text('dS')")
    assert "Tarkista tiedot" in page.locator("#model-check").inner_text()
    page.fill("#inputs-0-name", "dS")
    page.select_option("#inputs-0-source", "certificate")
    page.fill("#inputs-0-equipment_role", "reference")
    assert not page.is_visible("#inputs-0-distribution")
    page.select_option("#inputs-0-source", "type_b")
    assert page.is_visible("#inputs-0-distribution")
    page.select_option("#inputs-0-source", "certificate")
    page.click("#add-input")
    page.fill("#inputs-1-name", "dx")
    page.select_option("#inputs-1-source", "type_a")
    page.locator("text=Laskenta lukee mallin").wait_for()

    page.click("#method-new-submit")
    refusal = page.locator("#method-new > .form-error")
    refusal.wait_for(state="visible")
    assert "Tarkista tiedot" in refusal.inner_text()
    assert "reference" in refusal.inner_text()
    page.click("#add-role")
    page.fill("#roles-0-role", "reference")
    page.fill("#roles-0-kinds", "pin_gauge, gauge_block")
    # The codes typed read in words below their fields.
    role_row = page.locator("#method-roles .role-row").first
    assert role_row.locator("[data-words]").all_inner_texts() == [
        "Vertailunormaali",
        "Tappitulkki, Mittapala",
    ]
    assert page.locator("#inputs-0-equipment_role + [data-words]").inner_text() == (
        "Vertailunormaali"
    )
    assert accessibility_violations(page) == []
    page.click("#method-new-submit")
    page.wait_for_selector("h1:has-text('DIM-PIN-01 v1')")
    facts = page.locator("main").inner_text()
    assert "5; 10; 25" in facts
    assert "19,5 … 20,5 °C" in facts
    # The roles and kinds in words, not as the form took them (pin_gauge, gauge_block).
    assert "Vertailunormaali: Tappitulkki, Mittapala" in facts


def test_a_technician_may_not_add_a_method(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/methods")
    assert page.locator("#new-method").count() == 0
    response = page.goto(f"{live_server}/methods/new")
    assert response.status == 403
    assert "Ei sallittu" in page.locator("main").inner_text()


def test_a_customer_reads_the_scope_and_its_exports_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("asiakas")
    page.goto(f"{live_server}/scope")
    assert "DIM-GB-01" in page.locator("main table").inner_text()
    csv_link = page.locator("#scope-exports a", has_text="CSV")
    json_link = page.locator("#scope-exports a", has_text="JSON")
    table = page.request.get(live_server + csv_link.get_attribute("href"))
    assert table.ok and "DIM-GB-01" in table.text()
    data = page.request.get(live_server + json_link.get_attribute("href"))
    assert any(method["code"] == "DIM-GB-01" for method in data.json())
    assert fits_a_phone(page)
    assert accessibility_violations(page) == []


def test_the_new_method_form_fits_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    open_new_version(page, live_server, "DIM-GB-01")
    page.locator("text=Laskenta lukee mallin").wait_for()
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshots_of_the_method_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    open_new_version(page, live_server, "DIM-RING-01")
    page.locator("text=Laskenta lukee mallin").wait_for()
    page.locator("#model").scroll_into_view_if_needed()
    take_screenshot(page, "method-new")
    page.goto(f"{live_server}/scope")
    take_screenshot(page, "scope")
