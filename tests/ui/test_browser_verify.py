"""The public verification page in a real browser: a file chosen or dropped is hashed in the
browser (Web Crypto) and never uploaded, the page says first whether it matches, the form
works without a script, and the page fits a 375 px phone."""

import base64
import hashlib
from pathlib import Path

import pytest

from tests.ui.conftest import SCREENSHOTS, TIMEOUT_MS, accessibility_violations
from tests.ui.test_browser_documents import Api

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def issued_certificate(page, live_server: str) -> tuple[str, bytes]:  # type: ignore[no-untyped-def]
    """A demo certificate's number and the PDF the lab issued, as its signatory downloads it."""
    api = Api(page, live_server)
    documents = api.call(
        "allekirjoittaja", "GET", "/documents?state=issued&kind=calibration_certificate"
    )
    document = next(d for d in documents if d["language"] == "fi")
    answer = page.request.get(
        f"{live_server}/api/v1/documents/{document['id']}/pdf",
        headers=api._headers("allekirjoittaja"),
    )
    assert answer.ok, answer.text()
    return document["number"], answer.body()


def wider(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What reaches past a 375 px screen's right edge: the message of a failed fit."""
    return page.evaluate(
        """() => [...document.querySelectorAll("body *")]
            .filter((element) => element.getBoundingClientRect().right > 375)
            .map((element) => `${element.tagName}.${element.className}`)"""
    )


def outcome(page) -> str:  # type: ignore[no-untyped-def]
    return " ".join(page.locator("main.verify section.outcome h1").inner_text().split())


def test_a_chosen_file_is_hashed_in_the_browser_and_only_its_hash_is_sent(
    page, live_server: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    number, pdf = issued_certificate(page, live_server)
    sent: list[tuple[str, str | None]] = []
    page.on("request", lambda request: sent.append((request.method, request.post_data)))
    page.goto(f"{live_server}/verify/{number}")
    assert outcome(page) == "? Ei tarkistettu tiedostoa vasten"

    issued = tmp_path / f"{number}.pdf"
    issued.write_bytes(pdf)
    with page.expect_navigation():
        page.set_input_files("#verify-file", str(issued))
    assert (
        outcome(page) == f"✓ Tiedosto vastaa annettua: se on {number} sellaisena kuin se annettiin"
    )
    assert f"sha256={hashlib.sha256(pdf).hexdigest()}" in page.url

    changed = bytearray(pdf)
    changed[len(changed) // 2] ^= 0x01
    forged = tmp_path / "muutettu.pdf"
    forged.write_bytes(bytes(changed))
    with page.expect_navigation():
        page.set_input_files("#verify-file", str(forged))
    assert outcome(page) == f"✗ Tiedosto EI vastaa asiakirjaa {number}"
    assert "outcome-bad" in page.locator("section.outcome").get_attribute("class")

    # Every request was a GET without a body: the file never left the browser.
    assert sent and all(method == "GET" and body is None for method, body in sent)


def test_a_file_dropped_on_the_page_is_checked(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    number, pdf = issued_certificate(page, live_server)
    page.goto(f"{live_server}/verify/{number}?lang=en")
    dropped = page.evaluate_handle(
        """(content) => {
            const bytes = Uint8Array.from(atob(content), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "certificate.pdf", { type: "application/pdf" }));
            return transfer;
        }""",
        base64.b64encode(pdf).decode(),
    )
    with page.expect_navigation():
        page.dispatch_event("main", "drop", {"dataTransfer": dropped})
    assert outcome(page) == f"✓ The file matches: it is {number} as issued"


def test_an_empty_file_is_refused_in_the_browser(page, live_server: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    number, _ = issued_certificate(page, live_server)
    page.goto(f"{live_server}/verify/{number}?lang=en")
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    page.set_input_files("#verify-file", str(empty))
    assert page.locator(".file-status").inner_text() == "The file empty.pdf is empty."
    assert "sha256=" not in page.url


def test_without_a_script_the_hash_form_still_checks(browser, live_server: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(java_script_enabled=False, locale="fi-FI")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    try:
        number, pdf = issued_certificate(page, live_server)
        page.goto(f"{live_server}/verify/{number}")
        assert page.locator(".file-drop").is_hidden()  # nothing to hash the file with
        page.fill("#sha256", hashlib.sha256(pdf).hexdigest())
        with page.expect_navigation():
            page.click("form.verify-file button[type=submit]")
        assert outcome(page).startswith("✓ Tiedosto vastaa annettua")
    finally:
        context.close()


def test_the_page_fits_a_phone_and_passes_axe_core_in_each_outcome(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    number, pdf = issued_certificate(page, live_server)
    page.set_viewport_size({"width": 375, "height": 812})
    digest = hashlib.sha256(pdf).hexdigest()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, query in (
        ("unchecked", ""),
        ("matches", f"?sha256={digest}"),
        ("does-not-match", f"?sha256={'0' * 64}"),
        ("malformed", "?sha256=xyz"),
        ("unknown", None),
    ):
        address = f"/verify/{number}{query}" if query is not None else "/verify/KT-1999-0001"
        page.goto(f"{live_server}{address}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, (name, wider(page))
        assert accessibility_violations(page) == [], name
        page.screenshot(path=str(SCREENSHOTS / f"verify-375-{name}.png"), full_page=True)
