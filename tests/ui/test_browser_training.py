"""Training and RR studies in a real browser, as the quality manager: a programme from nothing
to a completed enrolment with its certificate, and an RR study entered as a grid, evaluated
and recorded; the figures the page shows are the published AIAG MSA example's."""

from collections.abc import Callable

import pytest

from tests.training.published import AIAG_BIAS, AIAG_CROSSED, aiag_bias_study
from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accept_dialogs,
    accessibility_violations,
    csrf_token,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SLOW_MS = 60_000  # issuing a signed PDF and drawing six charts on two shared cores


def open_panel(scope, summary: str) -> None:  # type: ignore[no-untyped-def]
    panel = scope.locator(f"details:has(> summary:has-text('{summary}'))")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def submit_and_reload(page, form) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_the_quality_manager_runs_a_programme_from_creation_to_a_certificate(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    page.goto(f"{live_server}/training")
    create = page.locator("#create-programme")
    # The demo's programme code again: refused, led in Finnish.
    create.locator("#programme-code").fill("KOUL-3D-PERUS")
    create.locator("#programme-name-fi").fill("Kaksoiskappale")
    create.locator("#programme-name-en").fill("Duplicate")
    create.locator("button[type=submit]").click()
    refusal = create.locator(".form-error")
    refusal.wait_for(state="visible")
    assert refusal.inner_text().startswith("Ei mahdollista tässä tilassa")
    assert accessibility_violations(page) == []
    create.locator("#programme-code").fill("KOUL-MIK-01")
    create.locator("#programme-name-fi").fill("Mikrometrin kalibrointi <script>")
    create.locator("#programme-name-en").fill("Calibrating micrometers")
    with page.expect_navigation():
        create.locator("button[type=submit]").click()
    assert "/training/programmes/" in page.url
    assert "Mikrometrin kalibrointi <script>" in page.locator("h1").inner_text()

    course = page.locator("#add-course")
    open_panel(page, "Lisää kurssi")
    course.locator("#course-code").fill("MIK-1")
    course.locator("#course-title-fi").fill("Mikrometrin rakenne ja virhelähteet")
    course.locator("#course-title-en").fill("The micrometer and its errors")
    course.locator("#course-hours").fill("7,5")
    submit_and_reload(page, course)
    article = page.locator("article", has_text="MIK-1")
    assert "Pakollinen" in article.inner_text() and "7,5 h" in article.inner_text()
    open_panel(article, "Ajoita koulutuskerta")
    session = article.locator("form.add-session")
    session.locator("input[name=starts_on]").fill("2026-03-02")
    session.locator("input[name=ends_on]").fill("2026-03-02")
    session.locator("select[name=trainer_id]").select_option(label="Anna Allekirjoittaja")
    session.locator("input[name=location]").fill("Turku, mittaushalli")
    submit_and_reload(page, session)
    assert "Turku, mittaushalli" in page.locator("article", has_text="MIK-1").inner_text()
    assert accessibility_violations(page) == []

    open_panel(page, "Ilmoita osallistuja")
    enrol = page.locator("#enrol")
    enrol.locator("#enrol-user").select_option(label="Matti Mittaaja")
    enrol.locator("#enrol-on").fill("2026-03-01")
    with page.expect_navigation():
        enrol.locator("button[type=submit]").click()
    assert "/training/enrolments/" in page.url
    assert "Ilmoittautunut" in page.locator(".status-line").inner_text()
    # Nothing attended, no final assessment: the completion is refused, saying why.
    complete = page.locator("#complete")
    complete.locator("#completed-on").fill("2026-03-02")
    complete.locator("button[type=submit]").click()
    refusal = complete.locator(".form-error")
    refusal.wait_for(state="visible")
    assert refusal.inner_text().startswith("Tarkista tiedot")
    assert "puuttuu vielä 2 vaatimusta" in refusal.inner_text()
    assert "pakollinen kurssi MIK-1 käymättä" in page.locator("#missing").inner_text()

    submit_and_reload(page, page.locator("form[id^=attendance-]").first)
    assert "Kyllä" in page.locator("#attendance tbody").inner_text()
    open_panel(page, "Kirjaa arviointi")
    assessment = page.locator("#record-assessment")
    assessment.locator("#assessment-on").fill("2026-03-02")
    assessment.locator("#assessment-score").fill("91")
    assessment.locator("#assessment-notes").fill("Käytännön koe hyväksytty.")
    submit_and_reload(page, assessment)
    assert "Loppuarviointi" in page.locator("#assessments").inner_text()
    assert accessibility_violations(page) == []
    complete = page.locator("#complete")
    complete.locator("#completed-on").fill("2026-03-02")
    submit_and_reload(page, complete)
    assert "Suoritettu" in page.locator(".status-line").inner_text()
    page.locator("#issue-certificate button").click(timeout=SLOW_MS)
    page.locator("#certificates a").first.wait_for(timeout=SLOW_MS)
    assert accessibility_violations(page) == []
    # The completion is competence evidence on the staff page, citable by a grant.
    page.click("text=Pätevyysnäyttö henkilöstön pätevyyssivulla")
    record = page.locator("section.item tr", has_text="KOUL-MIK-01")
    record.locator("summary").click()
    record.locator("select[name=method_id]").select_option(label="DIM-MIC-01 v1")
    record.locator("select[name=activity]").select_option("review")
    submit_and_reload(page, record.locator("form"))
    granted = page.locator("section.item tr[id^=authorisation-]", has_text="KOUL-MIK-01")
    assert "Tarkastus" in granted.inner_text() and "Koulutus" in granted.inner_text()


def paste_block(page, selector: str, rows: list[list[float]]) -> None:  # type: ignore[no-untyped-def]
    """Paste as a spreadsheet puts a block on the clipboard: tabs and lines, decimal commas."""
    block = "\n".join("\t".join(str(v).replace(".", ",") for v in row) for row in rows)
    page.locator(selector).evaluate(
        """(cell, block) => {
          const data = new DataTransfer();
          data.setData("text/plain", block);
          const paste = {clipboardData: data, bubbles: true, cancelable: true};
          cell.dispatchEvent(new ClipboardEvent("paste", paste));
        }""",
        block,
    )


def aiag_rows() -> list[list[float]]:
    """AIAG MSA 4th ed. gauge R&R example (tests/training/published.py): a row per part,
    operator A's trials 1-3, then B's, then C's."""
    return [
        [AIAG_CROSSED[operator][trial][part] for operator in "ABC" for trial in range(3)]
        for part in range(10)
    ]


def enter_aiag_study(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/rr-tests/new")
    page.fill("#rr-title", "Mikrometrin RR-testi (AIAG MSA -esimerkin lukemat)")
    page.locator("#rr-method").select_option(label="DIM-MIC-01 v1")
    page.fill("#rr-tolerance", "8")
    for field, value in (("#rr-parts", "10"), ("#rr-operators", "3"), ("#rr-trials", "3")):
        page.fill(field, value)
        page.press(field, "Tab")
    paste_block(page, "#rr-grid tbody input >> nth=0", aiag_rows())


def assert_aiag_figures(page) -> None:  # type: ignore[no-untyped-def]
    # AIAG MSA 4th ed. ch. III-B ANOVA table: operator F 79.41, part SS 88.3619, parts F
    # 492.29; Minitab's crossed example on the same data (tolerance 8): the interaction
    # pooled, %contribution of the gauge R&R 7.76, %study variation 27.86, ndc 4.
    full = page.locator("#anova-full").inner_text()
    assert "79,41" in full and "88,3619" in full and "492,29" in full
    components = page.locator("#components tbody tr", has_text="(GRR)").inner_text()
    assert "7,76" in components and "27,86" in components
    assert page.locator("#ndc").inner_text().endswith(": 4")


def test_an_rr_study_entered_as_a_grid_shows_the_aiag_example_and_is_recorded(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    accept_dialogs(page)
    login("laatu")
    page.goto(f"{live_server}/rr-tests/new")
    # An empty cell is named in Finnish before anything is sent.
    page.click("#rr-evaluate")
    alert = page.locator("#rr-study .form-error")
    assert alert.inner_text() == "Kappale 1, operaattori A, toisto 1 on pakollinen"
    enter_aiag_study(page, live_server)
    assert page.locator("#rr-grid tbody tr").count() == 10
    # Tab moves across a part's row: operator A's trials, then B's.
    cells = page.locator("#rr-grid tbody input")
    cells.nth(2).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Kappale 1, operaattori B, toisto 1"
    )
    assert page.locator("#rr-grid tbody input").nth(9).input_value() == "-0,56"
    assert page.locator("#rr-grid tbody input").nth(89).input_value() == "-2,16"
    page.locator("#rr-grid tbody input").nth(4).fill("0,5x")
    page.click("#rr-evaluate")
    assert "ei ole luku" in alert.inner_text() and "toisto 2" in alert.inner_text()
    paste_block(page, "#rr-grid tbody input >> nth=0", aiag_rows())
    page.click("#rr-evaluate")
    page.locator("#rr-charts img").nth(5).wait_for(timeout=SLOW_MS)
    assert_aiag_figures(page)
    assert accessibility_violations(page) == []
    # Laura measured as operator C: whoever measured does not record the study.
    measurers = page.locator("#rr-measurers tbody tr")
    measurers.nth(0).locator("select").select_option(label="Matti Mittaaja")
    measurers.nth(1).locator("select").select_option(label="Anna Allekirjoittaja")
    measurers.nth(2).locator("select").select_option(label="Laura Laatupäällikkö")
    page.click("#rr-save")
    alert.wait_for(state="visible")
    assert alert.inner_text().startswith("Ei sallittu")
    measurers.nth(2).locator("select").select_option("")
    measurers.nth(2).locator("input.measurer-name").fill("Carl Ulkopuolinen")
    with page.expect_navigation(timeout=SLOW_MS):
        page.click("#rr-save")
    assert "/rr-tests/" in page.url and page.locator("h1").inner_text().startswith("RR-testi RR-")
    assert_aiag_figures(page)
    assert "27,86 %" in page.locator(".facts").inner_text()
    assert page.locator("#rr-grid tbody tr").count() == 10
    assert page.locator("#rr-measurers").inner_text().count("Matti Mittaaja") == 1
    assert page.locator("#rr-charts img").count() == 6
    assert accessibility_violations(page) == []
    page.click("text=← RR-testit")
    assert "Mikrometrin RR-testi" in page.locator("#rr-tests").inner_text()
    assert accessibility_violations(page) == []


def test_the_training_and_rr_pages_fit_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    for path in ("/training", "/rr-tests", "/rr-tests/new"):
        page.goto(f"{live_server}{path}")
        assert fits_a_phone(page), path
    page.goto(f"{live_server}/training")
    page.click("#programmes a")
    assert fits_a_phone(page)
    page.click("#enrolments a")
    assert fits_a_phone(page)
    page.goto(f"{live_server}/rr-tests")
    page.click("#rr-tests a")
    assert fits_a_phone(page)
    assert accessibility_violations(page) == []


@pytest.mark.screenshots
def test_screenshots_of_training_and_an_rr_study(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    page.goto(f"{live_server}/training")
    page.click("#programmes a")
    take_screenshot(page, "training-programme")
    enter_aiag_study(page, live_server)
    page.click("#rr-evaluate")
    page.locator("#rr-charts img").nth(5).wait_for(timeout=SLOW_MS)
    page.locator("#result-heading").evaluate("heading => heading.scrollIntoView()")
    take_screenshot(page, "rr-study")


def test_a_recorded_type_1_study_shows_its_readings_and_figures(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    recorded = page.request.post(
        f"{live_server}/api/v1/rr-tests",
        data={
            "title": "Tyypin 1 tutkimus (AIAG MSA -poikkeamaesimerkki)",
            "performed_on": "2026-04-20",
            "measurers": [{"operator": "A", "name": "Carl Ulkopuolinen"}],
            "study": aiag_bias_study(tolerance=2.0),
        },
        headers={"x-csrf-token": csrf_token(page)},
    )
    assert recorded.status == 201, recorded.text()
    page.goto(f"{live_server}/rr-tests/{recorded.json()['id']}")
    assert page.locator("#rr-readings tbody tr").count() == len(AIAG_BIAS)
    # AIAG MSA 4th ed. ch. III-B bias example: the average of the readings is 6.0067.
    assert "6,00667" in page.locator("#type1").inner_text()
    assert page.locator("#rr-charts img").count() == 1
    assert accessibility_violations(page) == []
