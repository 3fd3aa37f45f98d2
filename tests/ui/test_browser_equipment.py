"""The equipment register in a real browser, in Finnish: the quality manager registers an
instrument, edits it, records a calibration with its results and certificate file and takes
an item out of service; a technician records intermediate checks (charted) and the log."""

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
CERTIFICATE = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def open_item(page, live_server: str, identification: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/equipment")
    page.locator("#register-heading ~ div a", has_text=identification).first.click()
    page.wait_for_selector(f"h1:has-text('{identification}')")


def register(page, live_server: str, identification: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/equipment")
    page.click("#register-equipment")
    page.wait_for_url(f"{live_server}/equipment/new")
    form = page.locator("#equipment-new")
    form.locator("[name=identification]").fill(identification)
    form.locator("[name=name]").fill("Ulkomikrometri 0-25 mm <b>digitaalinen</b>")
    form.locator("[name='translations.en.name']").fill("External micrometer 0-25 mm")
    form.locator("[name=kind]").fill("micrometer")
    form.locator("[name=manufacturer]").fill("Mitutoyo")
    form.locator("[name=model]").fill("293-240-30")
    form.locator("[name=serial_number]").fill("MIC-7731")
    form.locator("[name=location]").fill("Pituuslaboratorio, pöytä 3")
    form.locator("[name=calibration_interval_months]").fill("12")
    form.locator("[name=acceptance_criteria]").fill("mittausalue 0-25 mm, erottelukyky 0,001 mm")


def test_the_quality_manager_registers_calibrates_and_edits_an_instrument(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    register(page, live_server, "GB-REF")
    page.click("#equipment-new-submit")
    refusal = page.locator("#equipment-new .form-error")
    refusal.wait_for(state="visible")
    assert "Ei mahdollista tässä tilassa" in refusal.inner_text()
    assert accessibility_violations(page) == []
    page.locator("#equipment-new [name=identification]").fill("MIC-U4-01")
    page.click("#equipment-new-submit")
    page.wait_for_selector("h1:has-text('MIC-U4-01')")
    assert "<b>digitaalinen</b>" in page.locator("h1").inner_text()
    assert "Kalibroimaton" in page.locator(".status-line").inner_text()

    page.click("summary:has-text('Muokkaa tietoja')")
    page.fill("#edit-location", "Pituuslaboratorio, kaappi 4")
    page.click("#equipment-edit-submit")
    page.wait_for_selector("dd:has-text('Pituuslaboratorio, kaappi 4')")

    page.click("#calibration-panel summary")
    form = page.locator("#calibration-form")
    form.locator("[name=calibrating_lab]").fill("Mittatekniikan keskus")
    form.locator("[name=certificate_number]").fill("K041-26-0815")
    form.locator("[name=accreditation_body]").fill("FINAS")
    form.locator("[name=accreditation_number]").fill("K041")
    form.locator("[name=traceable_to]").fill("VTT MIKES")
    form.locator("[name='results.0.nominal']").fill("25")
    form.locator("[name='results.0.value']").fill("0,8")
    form.locator("[name='results.0.expanded_uncertainty']").fill("-0,5")
    form.locator("#calibration-submit").click()
    refusal = form.locator(":scope > .form-error")
    refusal.wait_for(state="visible")
    assert "Tarkista tiedot" in refusal.inner_text()
    assert "Laajennettu epävarmuus U" in refusal.inner_text()
    form.locator("[name='results.0.expanded_uncertainty']").fill("0,6")
    form.locator("#cal-add-result").click()
    form.locator("[name='results.1.nominal']").fill("12,5")
    form.locator("[name='results.1.value']").fill("-0,4")
    form.locator("[name='results.1.expanded_uncertainty']").fill("0,6")
    form.locator("#cal-file").set_input_files(
        {"name": "K041-26-0815.pdf", "mimeType": "application/pdf", "buffer": CERTIFICATE}
    )
    assert accessibility_violations(page) == []
    form.locator("#calibration-submit").click()
    page.wait_for_selector("a.certificate-link")
    assert "K041-26-0815.pdf" in page.locator("a.certificate-link").inner_text()
    calibration = page.locator("#cal-heading ~ article").first
    assert "K041-26-0815" in calibration.inner_text()
    assert "12,5" in calibration.inner_text() and "0,6" in calibration.inner_text()
    assert "Kalibroitu" in page.locator(".status-line").inner_text()
    download = page.request.get(
        live_server + page.locator("a.certificate-link").get_attribute("href")
    )
    assert download.body() == CERTIFICATE
    assert accessibility_violations(page) == []


def test_taking_an_item_out_of_service_asks_for_confirmation_and_a_reason(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    open_item(page, live_server, "GB-CMP")
    page.click("summary:has-text('Ota pois käytöstä')")
    form = page.locator("#equipment-status")
    form.locator("#status-new").select_option("out_of_service")
    form.locator("#status-reason").fill("Mittakärki vaurioitui; odottaa korjausta")
    dialogs: list[str] = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    form.locator("#equipment-status-submit").click()
    page.wait_for_timeout(300)
    assert dialogs and "Muutetaanko laitteen tila" in dialogs[0]
    assert "Poissa käytöstä" not in page.locator(".status-line").inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    form.locator("#equipment-status-submit").click()
    page.wait_for_selector(".status-line:has-text('Poissa käytöstä')")
    page.click("a.audit-link")
    page.wait_for_selector("main:has-text('Mittakärki vaurioitui')")


def test_a_technician_records_checks_with_their_trend_and_the_log_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    open_item(page, live_server, "GB-WRK")
    assert page.locator("#equipment-edit").count() == 0
    assert page.locator("#calibration-form").count() == 0
    for day, reading in (("2026-06-01", "0,05"), ("2026-09-01", "0,12")):
        page.click("#check-panel summary")
        form = page.locator("#check-form")
        form.locator("#check-date").fill(day)
        form.locator("#check-procedure").fill("50 mm:n tarkistuspala vertailukomparaattorilla")
        form.locator("#check-value").fill(reading)
        form.locator("#check-unit").fill("µm")
        form.locator("#check-lower").fill("-0,2")
        form.locator("#check-upper").fill("0,2")
        form.locator("#check-submit").click()
        page.wait_for_selector(f"#check-table td:has-text('{reading}')")
    assert page.locator("#check-chart svg.chart circle").count() == 2
    page.click("#check-panel summary")
    form = page.locator("#check-form")
    form.locator("#check-procedure").fill("50 mm:n tarkistuspala")
    form.locator("#check-value").fill("0,35")
    form.locator("#check-lower").fill("-0,2")
    form.locator("#check-upper").fill("0,2")
    form.locator("#check-submit").click()
    refusal = form.locator(".form-error")
    refusal.wait_for(state="visible")
    assert "Tarkista tiedot" in refusal.inner_text()
    assert "rajojen ulkopuolella" in refusal.inner_text()
    page.click("summary:has-text('Kirjaa huolto')")
    page.select_option("#log-kind", "maintenance")
    page.fill("#log-description", "Mittapinnat puhdistettu ja voideltu")
    page.click("#log-submit")
    page.wait_for_selector("#log-list li:has-text('Huolto · Mittapinnat puhdistettu')")
    assert fits_a_phone(page)
    assert accessibility_violations(page) == []


def test_a_technician_may_not_register_an_instrument(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/equipment")
    assert page.locator("#register-equipment").count() == 0
    response = page.goto(f"{live_server}/equipment/new")
    assert response.status == 403
    assert "Ei sallittu" in page.locator("main").inner_text()


def test_the_register_form_and_due_list_fit_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    for address in ("/equipment", "/equipment/new"):
        page.goto(f"{live_server}{address}")
        assert fits_a_phone(page), address
    page.goto(f"{live_server}/equipment")
    headings = page.locator("main h2").all_inner_texts()
    assert headings.index("Erääntyneet, kalibroimattomat tai käyttökelvottomat") < 1
    assert accessibility_violations(page) == []


@pytest.mark.screenshots
def test_screenshots_of_the_equipment_screens(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    register(page, live_server, "MIC-U4-02")
    take_screenshot(page, "equipment-new")
    open_item(page, live_server, "GB-WRK")
    page.click("#calibration-panel summary")
    form = page.locator("#calibration-form")
    form.locator("[name=calibrating_lab]").fill("Demo Measurement Laboratory")
    form.locator("[name=certificate_number]").fill("K-26-014")
    form.locator("#cal-kind").select_option("internal")
    standard = form.locator("#cal-reference option", has_text="GB-REF ·")
    form.locator("#cal-reference").select_option(standard.get_attribute("value"))
    form.locator("[name='results.0.nominal']").fill("25")
    form.locator("[name='results.0.value']").fill("0,05")
    form.locator("[name='results.0.expanded_uncertainty']").fill("0,065")
    page.locator("#calibration-panel").scroll_into_view_if_needed()
    take_screenshot(page, "equipment-calibration")
    page.reload()
    for day, reading, passed in (("2026-03-02", "0,04", True), ("2026-06-01", "0,09", True),
                                 ("2026-09-01", "0,23", False)):  # fmt: skip
        page.click("#check-panel summary")
        form = page.locator("#check-form")
        form.locator("#check-date").fill(day)
        form.locator("#check-procedure").fill("50 mm:n tarkistuspala vertailukomparaattorilla")
        form.locator("#check-value").fill(reading)
        form.locator("#check-unit").fill("µm")
        form.locator("#check-lower").fill("-0,2")
        form.locator("#check-upper").fill("0,2")
        if not passed:
            form.locator("#check-passed").uncheck()
        form.locator("#check-submit").click()
        page.wait_for_selector(f"#check-table td:has-text('{reading}')")
    page.locator("#checks-heading").scroll_into_view_if_needed()
    take_screenshot(page, "equipment-checks")


def test_a_certificate_named_with_a_path_or_not_a_pdf_is_refused_then_a_pdf_is_kept(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    open_item(page, live_server, "GB-WRK")
    form = page.locator("form.certificate-upload").first
    form.locator("input[type=file]").set_input_files(
        {
            "name": "../../todistus.pdf",
            "mimeType": "application/pdf",
            "buffer": b"MZ\x90\x00 not a pdf",
        }
    )
    form.locator("button[type=submit]").click()
    refusal = form.locator(".form-error")
    refusal.wait_for(state="visible")
    assert "Tarkista tiedot" in refusal.inner_text() and "'..'" in refusal.inner_text()
    form.locator("input[type=file]").set_input_files(
        {"name": "todistus.pdf", "mimeType": "application/pdf", "buffer": b"MZ\x90\x00 not a pdf"}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector(
        "form.certificate-upload .form-error:has-text('Tiedostotyyppiä ei tueta')"
    )
    assert page.locator("a.certificate-link").count() == 0
    form.locator("input[type=file]").set_input_files(
        {"name": "K-26-009.pdf", "mimeType": "application/pdf", "buffer": CERTIFICATE}
    )
    form.locator("button[type=submit]").click()
    page.wait_for_selector("a.certificate-link:has-text('K-26-009.pdf')")
