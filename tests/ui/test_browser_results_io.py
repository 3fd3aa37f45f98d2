"""Results in and out on the job page, in a real browser: the technician checks a CSV file
(its bad rows shown as a table, nothing saved), imports a corrected one, imports a CMM's QIF
Results and downloads the job as QIF.  The pages are in Finnish (the demo users' language)."""

from collections.abc import Callable
from pathlib import Path

import pytest

from lims.cad import qif
from tests.ui.conftest import PHONE, SCREENSHOT_VIEWPORT, accessibility_violations, take_screenshot
from tests.ui.test_browser_comparisons import (
    DIAMETER,
    lab_today,
    no_sideways_scroll,
    reference_job,
)
from tests.ui.test_browser_documents import Api

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FLATNESS = {
    "label": "Tasomaisuus A",
    "kind": "flatness",
    "upper_limit": 0.02,
    "unit": "mm",
    "parameters": {"L": 60, "alpha": 11.5e-6},
}
HEADER = "characteristic;observations;unit;measured_on;equipment;temperature;humidity"


def csv_file(*rows: str) -> dict:
    """A CSV file as Finnish Excel saves it (semicolons, decimal commas)."""
    text = "\n".join((HEADER, *rows)) + "\n"
    return {"name": "tulokset.csv", "mimeType": "text/csv", "buffer": text.encode()}


def today() -> str:
    return lab_today().strftime("%d.%m.%Y")


def qif_report() -> dict:
    document = qif.write_results(
        [
            {"label": "Tasomaisuus A", "type": "flatness", "nominal": None, "zone": None,
             "lower_limit": None, "upper_limit": 0.02, "unit": "millimetre", "value": 0.0081,
             "status": "PASS"},
            {"label": "ei suunnitelmassa", "type": "flatness", "nominal": None, "zone": None,
             "lower_limit": None, "upper_limit": 0.2, "unit": "millimetre", "value": 0.01,
             "status": "PASS"},
        ],
        operator="CMM-operaattori",
        temperature=20.4,
        qpid="2c1c2a39-8d41-4b55-9f2f-8d1c2a7b0c11",
    )  # fmt: skip
    return {"name": "rk20.qif", "mimeType": "application/xml", "buffer": document}


def check_csv(page, file: dict) -> None:  # type: ignore[no-untyped-def]
    page.set_input_files("#csv-file", files=[file])
    page.click("#csv-check")
    page.locator("#csv-import [data-report] table").wait_for()


def test_technician_checks_a_csv_file_imports_it_and_a_cmms_qif_results(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server, stage="in_measurement", plan=(DIAMETER, FLATNESS))
    login("mittaaja")
    page.goto(f"{live_server}/jobs/{job_id}")
    page.click("#csv-import-panel summary")

    # A bad reading and a characteristic the job does not have (named in markup): both rows
    # named, nothing saved.
    check_csv(
        page,
        csv_file(
            f"Ø20;20,0031|kaksi;mm;{today()};cmm=CMM-01;20,6;41",
            f"<img src=x onerror=alert(1)>;20,1|20,2;mm;{today()};cmm=CMM-01;20,6;41",
        ),
    )
    alert = page.locator("#csv-import .form-error")
    assert alert.inner_text().startswith("Tarkista tiedot: Tiedostossa on")
    errors = page.locator("#csv-import [data-report] tbody tr")
    assert {row.locator("td").first.inner_text() for row in errors.all()} == {"2", "3"}
    # Each row's error in Finnish (the CSV reader's reasons are translated).
    assert "lukema 2/2: arvo 'kaksi' ei ole luku" in errors.first.inner_text()
    # Markup in the file is shown as the text it is.
    assert "<img src=x onerror=alert(1)>" in errors.nth(errors.count() - 1).inner_text()
    assert page.locator("#csv-import [data-report] img").count() == 0
    assert page.locator("#csv-import-confirm").is_hidden()
    assert Api(page, live_server).call("mittaaja", "GET", f"/jobs/{job_id}/results") == []
    assert accessibility_violations(page) == []

    # Corrected: the dry run shows the row it would save, then the import saves it.
    check_csv(
        page,
        csv_file(f"Ø20;20,0031|20,0029|20,0033|20,0030|20,0032;mm;{today()};cmm=CMM-01;20,6;41"),
    )
    assert page.locator("#csv-import .form-error").inner_text() == ""
    rows = page.locator("#csv-import [data-report] tbody tr")
    assert rows.count() == 1 and "Ø20" in rows.first.inner_text()
    assert "1 riviä voidaan tuoda" in page.locator("#csv-import [data-status]").inner_text()
    with page.expect_navigation():
        page.click("#csv-import-confirm")
    assert "20,0031" in page.locator("#plan tbody tr", has_text="Ø20").first.inner_text()

    # The CMM's own report of the flatness; a feature not in the plan is named, not saved.
    page.click("#qif-import-panel summary")
    page.set_input_files("#qif-file", files=[qif_report()])
    page.select_option(
        "#qif-cmm", label=page.locator("#qif-cmm option", has_text="CMM-01").inner_text()
    )
    # DIM-CMM-01 takes a calibrated workpiece (ISO 15530-3); none measured here.
    assert page.locator("#qif-workpiece option").first.inner_text() == "Ei referenssikappaletta"
    # DIM-CMM-01 holds the CMM room to at most 60 %RH: without the humidity it is refused.
    page.click("#qif-import-button")
    refusal = page.locator("#qif-import .form-error")
    refusal.wait_for()
    assert refusal.inner_text().startswith("Tarkista tiedot")
    page.fill("#qif-humidity", "41")
    page.click("#qif-import-button")
    report = page.locator("#qif-import [data-report] table")
    report.wait_for()
    assert "Tasomaisuus A" in report.inner_text() and "PASS" in report.inner_text()
    assert "ei suunnitelmassa" in page.locator("#qif-import [data-report] .warning").inner_text()
    assert "kirjattiin 1 tulosta" in page.locator("#qif-import [data-status]").inner_text()
    assert accessibility_violations(page) == []

    with page.expect_download() as download:
        page.click("#qif-export")
    exported = qif.read_results(qif.parse(Path(download.value.path()).read_bytes()))
    assert sorted(m.value for m in exported.measurements) == pytest.approx(
        [0.0081, 20.0031], abs=1e-4
    )


def test_the_import_panels_fit_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server, stage="in_measurement")
    page.set_viewport_size(PHONE)
    login("mittaaja")
    page.goto(f"{live_server}/jobs/{job_id}")
    page.click("#csv-import-panel summary")
    page.click("#qif-import-panel summary")
    check_csv(page, csv_file(f"Ø20;20,0031|20,0029;mm;{today()};cmm=CMM-01;20,6;41"))
    for field in page.locator(
        "#results-io input:visible, #results-io select, #results-io button:visible"
    ).all():
        box = field.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert no_sideways_scroll(page)


@pytest.mark.screenshots
def test_screenshot_of_the_results_import(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    job_id = reference_job(page, live_server, stage="in_measurement", plan=(DIAMETER, FLATNESS))
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("mittaaja")
    page.goto(f"{live_server}/jobs/{job_id}")
    page.click("#csv-import-panel summary")
    check_csv(
        page,
        csv_file(
            f"Ø20;20,0031|20,0029|20,0033;mm;{today()};cmm=CMM-01;20,6;41",
            f"Tasomaisuus A;0,0081|0,0085;mm;{today()};cmm=CMM-99;20,6;41",
        ),
    )
    page.locator("#results-io").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('results-io').scrollIntoView()")
    take_screenshot(page, "results-import")
