"""A job's worksheet in a real browser: a micrometer's ten test lengths entered in one grid,
by keyboard and by pasting from a spreadsheet, each row's live result and conformity, the
sheet recorded whole or refused with the bad rows named in place.  The pages are in Finnish
(the demo users' language)."""

import re
from collections.abc import Callable

import pytest

from lims.clock import local_today
from lims.config import Settings
from tests.jobs.factories import MEASURED_ON
from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: DIM-MIC-01's own test lengths of a 0-25 mm micrometer (lims/demo/methods.py).
TEST_LENGTHS = ["2,5", "5,1", "7,7", "10,3", "12,9", "15", "17,6", "20,2", "22,8", "25"]
#: Five readings minus nominal per point, in µm: mean 0.48 µm, less the block's 0.05 µm.
READINGS = ["0,4", "0,5", "0,4", "0,6", "0,5"]
#: The keyboard actions (a text typed, a key pressed, the one move into the sheet) that
#: enter the ten-point calibration of a micrometer: 10 for the session (the room's instrument
#: too) and the way into the grid, 50 readings typed, 50 Tabs (the last one onto the button)
#: and Enter to record.
KEYBOARD_ACTIONS_FOR_TEN_POINTS = 111


class Keyboard:
    """The test's hands on the keyboard, counting each action."""

    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page
        self.actions = 0

    def focus(self, selector: str) -> None:
        self.page.focus(selector)
        self.actions += 1

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)
        self.actions += 1

    def press(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.actions += 1


def _api(page, live_server: str, method: str, path: str, body: object = None) -> object:  # type: ignore[no-untyped-def]
    answer = page.request.fetch(
        f"{live_server}/api/v1{path}",
        method=method,
        data=body,
        headers={"x-csrf-token": csrf_token(page)},
    )
    assert answer.ok, answer.text()
    return answer.json()


def certify_working_blocks(page, live_server: str, lengths: list[str]) -> None:  # type: ignore[no-untyped-def]
    """The quality manager records a newer calibration of the working gauge blocks with a
    result at each of ``lengths`` only."""
    equipment = _api(page, live_server, "GET", "/equipment")
    blocks = next(item for item in equipment if item["identification"] == "GB-WRK")  # type: ignore[union-attr]
    results = [
        {
            "quantity": "central length deviation",
            "nominal": float(length.replace(",", ".")),
            "nominal_unit": "mm",
            "value": 0.05,
            "unit": "um",
            "expanded_uncertainty": 0.065,
            "coverage_factor": 2,
        }
        for length in lengths
    ]
    _api(
        page,
        live_server,
        "POST",
        f"/equipment/{blocks['id']}/calibrations",
        {
            "kind": "external",
            "calibrated_on": MEASURED_ON.isoformat(),
            "calibrating_lab": "VTT MIKES Metrology",
            "performed_by_nmi": True,
            "certificate_number": "M-26-0999",
            "results": results,
            "fit_for_use": True,
        },
    )


def ten_points_in_measurement(page, live_server: str) -> str:  # type: ignore[no-untyped-def]
    """As the technician: receive the micrometer of the first accepted job, plan DIM-MIC-01's
    own ten test lengths and start the measurement; open the job's page and return its
    address. Set up through the API the job page's forms post to: those forms and steps are
    walked in the browser by test_browser.py's
    test_technician_completes_a_calibration_from_receipt_to_approval."""
    job = _api(page, live_server, "GET", "/jobs?status=accepted")["jobs"][0]  # type: ignore[index]
    item = _api(page, live_server, "GET", f"/jobs/{job['id']}/items")[0]  # type: ignore[index]
    _api(
        page,
        live_server,
        "POST",
        f"/jobs/{job['id']}/items/{item['id']}/receipt",
        {"received_on": local_today(Settings().timezone).isoformat(), "condition": "fit"},
    )
    _api(page, live_server, "POST", f"/jobs/{job['id']}/transitions", {"to": "items_received"})
    methods = _api(page, live_server, "GET", "/methods")
    method = next(m for m in methods if m["code"] == "DIM-MIC-01")  # type: ignore[union-attr]
    _api(
        page,
        live_server,
        "POST",
        f"/jobs/{job['id']}/characteristics/from-method",
        {"item_id": item["id"], "method_id": method["id"], "parameters": {"alpha": 11.5e-6}},
    )
    _api(page, live_server, "POST", f"/jobs/{job['id']}/transitions", {"to": "in_measurement"})
    page.goto(f"{live_server}/jobs/{job['id']}")
    page.wait_for_selector(".status-line .badge-in_measurement")
    return str(page.url)


def sheet_ready(page, live_server: str, login: Callable[[str], None]):  # type: ignore[no-untyped-def]
    """The micrometer job's worksheet on the technician's screen, the working blocks' newest
    certificate giving every test length the deviation 0,05 µm (readings 0,48 µm: 0,43)."""
    login("laatu")
    certify_working_blocks(page, live_server, TEST_LENGTHS)
    login("mittaaja")
    ten_points_in_measurement(page, live_server)
    sheet = page.locator("form.worksheet-form").first
    assert sheet.locator("tbody tr").count() == len(TEST_LENGTHS)
    return sheet


def assert_ten_results_recorded(page) -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#plan table.results [data-result]")
    assert page.locator("form.worksheet-form").count() == 0  # every point has its result
    results = page.locator("#plan table.results [data-result]")
    assert results.count() == len(TEST_LENGTHS)
    for index in range(len(TEST_LENGTHS)):
        assert "0,43" in results.nth(index).inner_text()
    assert page.locator("#plan table.results .badge-pass").count() == len(TEST_LENGTHS)


def test_technician_enters_a_ten_point_micrometer_calibration_by_keyboard(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    sheet = sheet_ready(page, live_server, login)
    keys = Keyboard(page)
    # The session once: the working blocks (the select finds them as their code is typed),
    # the room's thermometer and its readings, and Tab past the late-entry reason into the
    # first reading.
    keys.focus("form.worksheet-form select[name='equipment.gauge_blocks']")
    keys.type("GB-WRK")
    keys.press("Tab")
    keys.type("TH-01")
    keys.press("Tab")
    keys.type("20,2")
    keys.press("Tab")
    keys.type("42")
    keys.press("Tab")
    keys.press("Tab")
    assert page.evaluate("document.activeElement.dataset.series") == "dr"
    # A row of five readings per point: Tab runs along a row and on to the next row's first.
    for _length in TEST_LENGTHS:
        for reading in READINGS:
            keys.type(reading)
            keys.press("Tab")
    # Each row shows its live result and conformity before anything is recorded.
    last = sheet.locator("tbody tr").last
    page.wait_for_function(
        "row => row.querySelector('[data-value]').textContent.includes('0,43')",
        arg=last.element_handle(),
    )
    assert last.locator("[data-decision] .badge-pass").is_visible()
    assert accessibility_violations(page) == []
    with page.expect_navigation():
        keys.press("Enter")

    assert_ten_results_recorded(page)
    assert keys.actions == KEYBOARD_ACTIONS_FOR_TEN_POINTS
    job_id = re.search(r"/jobs/(\d+)", page.url).group(1)  # type: ignore[union-attr]
    results = _api(page, live_server, "GET", f"/jobs/{job_id}/results")
    thermometer = next(
        item
        for item in _api(page, live_server, "GET", "/equipment")  # type: ignore[union-attr]
        if item["identification"] == "TH-01"
    )
    assert {result["equipment"]["environment"] for result in results} == {thermometer["id"]}  # type: ignore[union-attr, index]


def paste(page, selector: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Paste ``text`` into the cell as a spreadsheet's copy arrives (text/plain)."""
    page.locator(selector).first.evaluate(
        """(cell, text) => {
            cell.focus();
            const data = new DataTransfer();
            data.setData("text/plain", text);
            const init = { clipboardData: data, bubbles: true, cancelable: true };
            cell.dispatchEvent(new ClipboardEvent("paste", init));
        }""",
        text,
    )


def test_technician_pastes_the_readings_and_a_refused_sheet_names_its_rows(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    # The working blocks' newest certificate has a result at 25 mm only.
    login("laatu")
    certify_working_blocks(page, live_server, ["25"])
    login("mittaaja")
    ten_points_in_measurement(page, live_server)
    sheet = page.locator("form.worksheet-form").first
    blocks = sheet.locator("select[name='equipment.gauge_blocks']")
    blocks.select_option(blocks.locator("option", has_text="GB-WRK").first.get_attribute("value"))
    sheet.get_by_label("Lämpötila (°C)").fill("20,2")
    sheet.get_by_label("Suhteellinen kosteus (%RH)").fill("42")
    # Ten rows of five readings, as copied from a spreadsheet (decimal point, a final newline).
    block = "".join("\t".join(r.replace(",", ".") for r in READINGS) + "\r\n" for _ in TEST_LENGTHS)
    paste(page, "form.worksheet-form tbody tr:first-child input[data-series=dr]", block)
    cells = sheet.locator("tbody input[data-series=dr]")
    assert cells.nth(0).input_value() == "0.4"
    assert cells.nth(49).input_value() == "0.5"

    # Every row but 25 mm's is refused in place, and nothing is recorded.
    sheet.locator("button[type=submit]").click()
    refusal = sheet.locator(".form-error")
    refusal.wait_for(state="visible")
    page.wait_for_function("el => el.textContent.length > 0", arg=refusal.element_handle())
    assert refusal.inner_text().startswith("Tarkista tiedot")
    first = sheet.locator("tbody tr").first
    assert first.locator("th").inner_text() in refusal.inner_text()  # the row by its point
    assert first.locator("input[aria-invalid=true]").count() == len(READINGS)
    assert first.locator("[data-check]").inner_text() != ""
    last = sheet.locator("tbody tr").last
    assert last.locator("input[aria-invalid=true]").count() == 0
    assert cells.nth(49).input_value() == "0.5"  # the rows stay as typed
    assert accessibility_violations(page) == []

    # Certified at every length, the same sheet is recorded whole.
    job = page.url
    login("laatu")
    certify_working_blocks(page, live_server, TEST_LENGTHS)
    login("mittaaja")
    page.goto(job)
    sheet = page.locator("form.worksheet-form").first
    blocks = sheet.locator("select[name='equipment.gauge_blocks']")
    blocks.select_option(blocks.locator("option", has_text="GB-WRK").first.get_attribute("value"))
    sheet.get_by_label("Lämpötila (°C)").fill("20,2")
    sheet.get_by_label("Suhteellinen kosteus (%RH)").fill("42")
    paste(page, "form.worksheet-form tbody tr:first-child input[data-series=dr]", block)
    with page.expect_navigation():
        sheet.locator("button[type=submit]").click()
    assert_ten_results_recorded(page)


def test_the_worksheet_fits_a_phone(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    ten_points_in_measurement(page, live_server)
    page.set_viewport_size(PHONE)
    page.locator("form.worksheet-form").first.scroll_into_view_if_needed()
    assert fits_a_phone(page)


@pytest.mark.screenshots
def test_screenshot_of_the_worksheet(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    sheet = sheet_ready(page, live_server, login)
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    blocks = sheet.locator("select[name='equipment.gauge_blocks']")
    blocks.select_option(blocks.locator("option", has_text="GB-WRK").first.get_attribute("value"))
    sheet.get_by_label("Lämpötila (°C)").fill("20,2")
    sheet.get_by_label("Suhteellinen kosteus (%RH)").fill("42")
    block = "".join("\t".join(READINGS) + "\n" for _ in TEST_LENGTHS[:6])
    paste(page, "form.worksheet-form tbody tr:first-child input[data-series=dr]", block)
    page.wait_for_function(
        "row => row.querySelector('[data-value]').textContent.includes('0,43')",
        arg=sheet.locator("tbody tr").nth(5).element_handle(),
    )
    page.evaluate("document.querySelector('.worksheet').scrollIntoView()")
    take_screenshot(page, "job-worksheet")


def test_enter_moves_down_the_column_and_on_to_the_next_never_sending_the_sheet(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    ten_points_in_measurement(page, live_server)
    sheet = page.locator("form.worksheet-form").first
    sheet.locator("tbody tr").first.locator("input").first.focus()

    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").endswith("dr 1")
    assert page.evaluate("document.activeElement.closest('tr').rowIndex") == 2
    sheet.locator("tbody tr").last.locator("input").first.focus()
    page.keyboard.press("Enter")  # from the last row to the top of the next column
    assert page.evaluate("document.activeElement.getAttribute('aria-label')").endswith("dr 2")
    assert page.evaluate("document.activeElement.closest('tr').rowIndex") == 1
    assert sheet.locator(".form-error").inner_text() == ""  # nothing was sent
