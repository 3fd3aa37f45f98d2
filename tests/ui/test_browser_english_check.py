"""The check that no Finnish page shows English (tests/ui/conftest.py) cannot be off without
failing here: it catches an English sentence on a Finnish page, whether the page came with
it or a script wrote it later, and lets Finnish, English pages and marked text through."""

import pytest

from tests.ui.conftest import FinnishPageTexts, english_on, sign_in_through_the_form

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def serve(page, live_server: str, body: str, language: str = "fi") -> None:  # type: ignore[no-untyped-def]
    """Open a page of the live server's address whose document is the given body."""
    head = "<head><title>t</title></head>"
    html = f'<!doctype html><html lang="{language}">{head}<body>{body}</body></html>'
    page.route(
        f"{live_server}/english-check",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{live_server}/english-check")


def english_seen(page, finnish_texts: FinnishPageTexts) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """What the check finds at the end of the test, then forgotten (the test set it up): the
    browser leaves the page first, as the check reads the page it is on when a test ends."""
    finnish_texts.record_now(page)
    found = finnish_texts.english()
    page.goto("about:blank")
    finnish_texts.clear()
    return found


def test_an_english_sentence_on_a_finnish_page_is_found(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(page, live_server, "<h1>Työt</h1><p>The job has no results.</p>")
    found = english_seen(page, finnish_texts)
    assert {"The", "has"} <= set(found[f"{live_server}/english-check"])


def test_an_english_message_of_the_ui_catalog_on_a_finnish_page_is_found(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(page, live_server, '<h1>Työt</h1><button type="button">Log out</button>')
    assert english_seen(page, finnish_texts) == {f"{live_server}/english-check": ["Log out"]}


def test_english_a_script_writes_into_a_finnish_page_later_is_found(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(page, live_server, '<h1>Työt</h1><p class="form-error" role="alert"></p>')
    page.evaluate(
        "setTimeout(() => { document.querySelector('.form-error').textContent ="
        " 'the person who measured may not review'; }, 50)"
    )
    page.wait_for_selector(".form-error:has-text('review')")
    # The page tells the check itself once it has changed, before any end of the test.
    for _ in range(100):
        if any("measured" in text for text in finnish_texts.texts[page.url]):
            break
        page.wait_for_timeout(50)
    assert any("measured" in text for text in finnish_texts.texts[page.url])
    found = english_seen(page, finnish_texts)
    assert {"may", "not", "the"} <= set(found[f"{live_server}/english-check"])


def test_english_in_a_label_read_aloud_on_a_finnish_page_is_found(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(page, live_server, '<button type="button" aria-label="Remove the row">-</button>')
    found = english_seen(page, finnish_texts)
    assert "the" in found[f"{live_server}/english-check"]


def test_a_finnish_page_marked_and_english_text_pass(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(
        page,
        live_server,
        "<h1>Kalibrointi</h1><p>Mittausepävarmuus on laskettu menetelmällä, joka noudattaa"
        " julkaisua JCGM 100 (Guide to the Expression of Uncertainty in Measurement).</p>"
        '<button lang="en">In English</button><p data-user-text>The customer said so</p>'
        "<code>the raw command</code><p hidden>The hidden note</p>",
    )
    assert english_seen(page, finnish_texts) == {}


def test_an_english_page_is_not_read(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    serve(page, live_server, "<p>The job has no results.</p>", language="en")
    assert english_seen(page, finnish_texts) == {}


def test_the_check_reads_every_page_of_a_browser_test_by_itself(
    page, live_server: str, finnish_texts: FinnishPageTexts
) -> None:  # type: ignore[no-untyped-def]
    sign_in_through_the_form(page, live_server, "mittaaja")
    page.goto(f"{live_server}/jobs")
    page.wait_for_load_state("load")
    page.evaluate("1")  # one more round trip: the page's report has arrived
    assert {f"{live_server}/login", f"{live_server}/", f"{live_server}/jobs"} <= set(
        finnish_texts.texts
    )
    english_seen(page, finnish_texts)  # the other tests judge these pages' words


def test_an_english_message_of_the_problems_catalog_is_found() -> None:
    found = english_on("Kirjautuminen epäonnistui: wrong username or password")
    assert "wrong username or password" in found


def test_english_words_are_found_as_words_only() -> None:
    assert english_on("Theodoliitti, andurit, mayday") == []
    assert english_on("Ei sallittu: is not allowed") == ["is", "not"]
