"""The workbench in Finnish: the engine's warnings and a refused model read in the page's
language, whole (the English check of every Finnish page holds them to it)."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_workbench_warns_and_refuses_a_model_in_finnish(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/uncertainty")
    # The example's inputs stay; a model without most of them is evaluated with a warning
    # for each input it leaves out.
    page.fill("#wb-model", "l_s + d")
    page.select_option("#wb-method", "gum")
    page.click("#wb-evaluate")
    warnings = page.locator("#wb-warnings")
    warnings.locator("li", has_text="Malli ei käytä lähtösuuretta 'theta'").wait_for()
    assert "sillä ei ole vaikutusta tulokseen" in warnings.inner_text()
    assert warnings.get_attribute("lang") is None  # the page's language, Finnish
    assert accessibility_violations(page) == []

    # The example's GUM result fails its validation by Monte Carlo: said once, by the
    # evaluation's warning with its figures, not again by the verdict.
    page.reload()
    page.select_option("#wb-method", "both")
    page.click("#wb-evaluate")
    warnings.locator("li", has_text="Monte Carlo").wait_for()
    assert page.locator("#wb-verdict").inner_text() == ""
    assert page.locator("main").inner_text().count("d_low") == 1
    # Digits grouped as Finnish groups them, with a no-break space: the trials among the
    # figures (100 000 · seed) and the value in the result's sentence (50 000 839).
    figures = page.locator("#wb-figures").text_content() or ""
    assert re.search(r"\d{1,3}(\u00a0\d{3})+ · ", figures), figures
    sentence = page.locator("#wb-statement").text_content() or ""
    assert re.search(r"= 50\u00a0000\u00a0\d{3}\b", sentence), sentence

    page.fill("#wb-model", "l_s ^ d")
    page.click("#wb-evaluate")
    refusal = page.locator("#workbench .form-error")
    refusal.filter(has_text="ei ole sallittu").wait_for()
    message = refusal.inner_text()
    assert "Tarkista tiedot" in message
    assert "Operaattori '^' ei ole sallittu; käytä operaattoreita + - * / **." in message
    assert "Kirjoita potenssi muodossa '**'." in message
    assert accessibility_violations(page) == []
