"""The first ten minutes in a real browser: each demo user's first-steps hint, followed.

Unlike the other browser tests, these find buttons and links by their Finnish words: the
README's walk-through ("The first ten minutes") names them, and this is what keeps it true.
"""

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ui.conftest import PHONE, fits_a_phone, open_result_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def follow_the_hint(page, link_text: str) -> None:  # type: ignore[no-untyped-def]
    """Click the hint's link, named as the README names it, and wait for where it leads."""
    hint = page.get_by_role("region", name="Aloita tästä")
    with page.expect_navigation():
        hint.get_by_role("link", name=link_text).click()


def press(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Press the button the README names and wait for the page it reloads."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=True).click()


def test_technician_follows_the_hint_to_the_job_and_dismisses_it_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    page.goto(f"{live_server}/")
    hint = page.get_by_role("region", name="Aloita tästä")
    assert hint.is_visible()
    # Nothing sticks out sideways at 375 px: no horizontal scrolling on the start page.
    assert fits_a_phone(page)
    follow_the_hint(page, "Avaa mittausta odottava työ")
    assert re.search(r"/jobs/\d+$", page.url)
    assert page.locator(".status-line .badge-in_measurement").is_visible()
    assert page.locator("form.worksheet-form").first.is_visible()

    page.goto(live_server)
    with page.expect_navigation():
        hint.get_by_role("button", name="Selvä").click()
    # The form's answer had the browser load the start page afresh: no hint on it.
    assert page.url == f"{live_server}/"
    assert hint.count() == 0


def test_the_first_ten_minutes_of_the_readme(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    # mittaaja: the job in measurement, its readings and the live budget.
    login("mittaaja")
    page.goto(f"{live_server}/")
    follow_the_hint(page, "Avaa mittausta odottava työ")
    form = open_result_form(page)
    blocks = form.get_by_label("Laite: Mittapalat")
    blocks.select_option(blocks.locator("option", has_text="GB-WRK").first.get_attribute("value"))
    form.get_by_label(re.compile(r"^Lukemat dr")).fill("0,4 0,5 0,4 0,6 0,5")
    form.get_by_label("Lämpötila (°C)").fill("20,2")
    form.get_by_label("Suhteellinen kosteus (%RH)").fill("42")
    assert "0,43" in form.locator(".live-summary").inner_text()
    assert form.locator("table.budget tbody tr").count() == 7
    press(page, "Kirjaa tulos")
    press(page, "Merkitse mitatuksi")
    assert page.locator(".status-line .badge-measured").is_visible()

    # allekirjoittaja: the job waiting for approval, approved and its certificate issued.
    login("allekirjoittaja")
    page.goto(f"{live_server}/")
    follow_the_hint(page, "Avaa hyväksyntää odottava työ")
    press(page, "Hyväksy")
    assert page.locator(".status-line .badge-approved").is_visible()
    press(page, "Anna suomenkielinen alkuperäinen")
    assert page.locator(".status-line .badge-reported").is_visible()
    certificate = page.locator("#documents table.documents tbody tr td a").first.inner_text()
    assert re.fullmatch(r"KT-\d{4}-\d{4}", certificate), certificate

    # asiakas: the certificate at the top of Asiakirjat, downloaded.
    login("asiakas")
    page.goto(f"{live_server}/")
    hint = page.get_by_role("region", name="Aloita tästä")
    assert hint.get_by_role("link", name="Lähetä uusi työ").get_attribute("href") == "/jobs/new"
    page.get_by_role("navigation").get_by_role("link", name="Asiakirjat").click()
    newest = page.locator("table.documents tbody tr").first
    assert certificate in newest.inner_text()
    with page.expect_download() as download:
        newest.get_by_role("link", name="Lataa").click()
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # arvioija: a job with an issued certificate, its records exported.
    login("arvioija")
    page.goto(f"{live_server}/")
    follow_the_hint(page, "Avaa työ, jolle on annettu todistus")
    with page.expect_download() as download:
        page.get_by_role("link", name="Vie työn tietueet (ZIP)").click()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.value.path()) as bundle:
        assert "manifest.json" in bundle.namelist()
