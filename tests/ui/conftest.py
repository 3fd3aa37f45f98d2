"""Browser tests: a live server on the demo data, headless Chromium driven by Playwright.

One browser per session, a new context (cookies, storage) per test, and a fresh copy of a
demo database per test: the database is built once (migrations + ``lims demo``) and copied,
which takes milliseconds where building takes seconds.  A failing test leaves a screenshot
in ``test-artifacts/screenshots/<test>.png``.  Without Chromium the browser tests skip,
except under CI (``CI=true``), where they must run.  They run on SQLite only; the pages go
through the same services the API tests prove on both backends.
"""

import functools
import io
import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from sqlmodel import Session

from lims.config import Settings
from lims.db import make_engine
from lims.demo import load_demo_data
from tests.conftest import REPOSITORY_ROOT, application_on, migrated_sqlite_url

CHROMIUM = Path("/usr/bin/chromium")
# The flags of issue 11, exactly: headless, no sandbox (containers), and nothing that
# reaches for the network (the tests must pass offline).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
VIEWPORT = {"width": 1280, "height": 800}
#: The narrowest screen every page must fit without scrolling sideways (issue 25's 375 px).
PHONE = {"width": 375, "height": 740}
SCREENSHOTS = REPOSITORY_ROOT / "test-artifacts" / "screenshots"
#: Where ``make screenshots`` writes the README's pictures, and the width of a new screen's.
DOC_SCREENSHOTS = REPOSITORY_ROOT / "docs" / "screenshots"
SCREENSHOT_VIEWPORT = {"width": 1400, "height": 900}
#: How long a page may take to answer an action (the suite runs on two shared cores).
TIMEOUT_MS = 15_000


def password_of(username: str) -> str:
    return f"demo-{username}-2026"


# -- the browser --------------------------------------------------------------------------


def _require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (Debian package chromium; .ci/run installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}: CI must run the browser tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(demo_data: Path) -> Iterator["object"]:
    # The demo data is built before Playwright starts: its sync API keeps an event loop
    # running in this thread, and the demo's document signing runs asyncio.run().
    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
        )
        yield chromium
        chromium.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests run last (a stable sort keeps every other order). Playwright's sync API
    # keeps an asyncio loop running in this thread from the first browser test to the end of
    # the session, and code that calls asyncio.run() (the document signer) fails meanwhile.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    # Screenshots are pictures for the README, not checks: taken only by `make screenshots`.
    if not os.environ.get("LIMS_SCREENSHOTS"):
        skip = pytest.mark.skip(reason="set LIMS_SCREENSHOTS=1 (make screenshots) to retake them")
        for item in items:
            if item.get_closest_marker("screenshots"):
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    # Keep each phase's report on the test, so the page fixture knows it failed.
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture
def page(
    browser, request: pytest.FixtureRequest, finnish_texts: "FinnishPageTexts"
) -> Iterator["object"]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(TIMEOUT_MS)
    finnish_texts.watch(context)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    elif report is not None and report.passed and not tab.is_closed():
        finnish_texts.record_now(tab)
    context.close()
    english = finnish_texts.english() if report is not None and report.passed else {}
    if english:
        pytest.fail(
            "English on a Finnish page:\n"
            + "\n".join(
                f"  {url}: {word!r} in {finnish_texts.where(url, word)!r}"
                for url, words in english.items()
                for word in words
            ),
            pytrace=False,
        )


# -- the server ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory with a migrated SQLite database holding the demo data."""
    data_dir = tmp_path_factory.mktemp("demo") / "data"
    data_dir.mkdir()
    url = migrated_sqlite_url(data_dir / "lims.sqlite3")
    settings = Settings(data_dir=data_dir, environment="test", database_url=url)  # type: ignore[call-arg]
    engine = make_engine(url)
    with Session(engine) as db_session:
        load_demo_data(db_session, settings)
    engine.dispose()
    return data_dir


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live_server(
    demo_data: Path,
    make_settings: Callable[..., Settings],
    tmp_path: Path,
    built_apps: dict[str, FastAPI],
) -> Iterator[str]:
    """The application on a fresh copy of the demo database, served on a free port (an
    application built for an earlier test is pointed at this copy, as the API tests do)."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data, data_dir)
    settings = make_settings(database_url=f"sqlite:///{data_dir / 'lims.sqlite3'}")
    with application_on(settings, built_apps) as app:
        port = _free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the live server did not start")
            time.sleep(0.02)
        yield f"http://127.0.0.1:{port}"
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def login(page, live_server: str) -> Callable[[str], None]:  # type: ignore[no-untyped-def]
    """Sign in as a demo user in the test's browser context, replacing whoever was in.

    The browser posts what the login form posts, without loading a page (two page loads
    fewer per sign-in): the session and CSRF cookies land in the context as the form's would,
    and the test goes straight to the page it works on; the page stays where it was. The
    form itself is walked by sign_in_through_the_form and the tests that sign in through it
    (staff: test_browser_language.py, test_browser_messages.py, test_browser_account.py,
    test_browser_english_check.py; a customer: test_browser_journey.py)."""

    def sign_in(username: str) -> None:
        page.context.clear_cookies()
        signed_in = page.request.post(
            f"{live_server}/api/v1/auth/login",
            data={"username": username, "password": password_of(username)},
        )
        assert signed_in.ok, signed_in.text()

    return sign_in


def sign_in_through_the_form(page, live_server: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as a person does: the login page, its form, and the start page it leads to."""
    page.context.clear_cookies()
    page.goto(f"{live_server}/login")
    page.fill("#username", username)
    page.fill("#password", password_of(username))
    page.click("#login button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def fits_a_phone(page) -> bool:  # type: ignore[no-untyped-def]
    """Whether the page as it is now is no wider than a phone's screen (no sideways scroll).

    A click on a link commits the next document before it is parsed; measuring then would
    read a document without its root element, so the page is first let finish loading."""
    page.wait_for_load_state("load")
    return bool(page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"])


def accept_dialogs(page) -> None:  # type: ignore[no-untyped-def]
    """Answer yes to every confirmation the page asks (its destructive steps ask first)."""
    page.on("dialog", lambda dialog: dialog.accept())


def csrf_token(page) -> str:  # type: ignore[no-untyped-def]
    """The signed-in browser's CSRF token, for a test that sets up a record through the API."""
    return next(c["value"] for c in page.context.cookies() if c["name"] == "lims_csrf")


def take_screenshot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    """Save the page as it is now as ``docs/screenshots/<name>.png`` (``make screenshots``).

    A page at the tests' default size is pictured at SCREENSHOT_VIEWPORT, as every screen of
    the README is; a test that chose its size (a phone, a document's page) keeps it.
    A 128-colour palette keeps a screen near 50 kB (a third of the browser's PNG) with text
    and charts still crisp."""
    from PIL import Image

    if page.viewport_size == VIEWPORT:
        page.set_viewport_size(SCREENSHOT_VIEWPORT)
        # Two frames: the page is laid out and its scripts' drawings follow the new width.
        page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
        )
    DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    picture = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    picture.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        DOC_SCREENSHOTS / f"{name}.png", optimize=True
    )


# -- accessibility ------------------------------------------------------------------------


def accessibility_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What axe-core (Deque; bundled by axe-playwright-python, so offline) finds wrong on the
    page as it is now: every rule it runs by default (WCAG 2.x A and AA, best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    page.wait_for_load_state("load")
    found = Axe().run(page).response["violations"]
    return [
        f"{rule['id']} ({rule['impact']}): {[node['target'] for node in rule['nodes']][:3]}"
        for rule in found
    ]


def enter_demo_readings(page, live_server: str):  # type: ignore[no-untyped-def]
    """Open the demo's job in measurement and type the readings that bring up its live
    budget (the 25 mm point against the working gauge blocks); return the result form."""
    page.goto(f"{live_server}/jobs?status=in_measurement")
    page.click("table.jobs tbody a")
    return enter_micrometer_readings(page)


def enter_micrometer_readings(page):  # type: ignore[no-untyped-def]
    """On a job page in measurement, type the 25 mm point's readings against the working
    gauge blocks (0.48 um read, the block's 0.05 um) until the live budget shows; return the
    result form."""
    form = open_result_form(page)
    blocks = form.locator("select[name='equipment.gauge_blocks'] option", has_text="GB-WRK")
    form.locator("select[name='equipment.gauge_blocks']").select_option(
        blocks.first.get_attribute("value")
    )
    form.locator("input[name='observations.dr']").fill("0,4 0,5 0,4 0,6 0,5")
    form.locator("input[name=temperature]").fill("20,2")
    form.locator("input[name=humidity]").fill("42")
    form.locator(".live-summary").wait_for()
    return form


# -- no English on a Finnish page (issue 25) ----------------------------------------------
#
# Every page a browser test opens in this context reports its visible text when its document
# is parsed and again after the page changes it (a refusal shown in a form, a dialog opened):
# a script added to every document reads the text and hands it to Python through an exposed
# function, so nothing is evaluated from inside a Playwright event handler. When the test
# has passed, the page fixture fails it if a Finnish page (<html lang="fi">) showed English.
#
# Not read: scripts, <code> and <pre> (identifiers, commands, tokens), whatever the page
# marks as another language (lang="en" on the language switch, a standard's English title)
# and what a person typed that the page shows back, marked data-user-text.

_VISIBLE_TEXT_SCRIPT = """
(() => {
  const SKIP = "script, style, noscript, template, code, pre, datalist, textarea, [data-user-text]";
  const ATTRIBUTES = ["aria-label", "title", "placeholder", "alt"];
  const inFinnish = (element) => {
    const marked = element.closest("[lang]");
    return marked !== null && marked.lang.toLowerCase().startsWith("fi");
  };
  const shown = (element) => {
    const box = element.closest("option, optgroup") ? element.closest("select") : element;
    return box !== null && box.checkVisibility();
  };
  const visibleFinnishText = () => {
    if (!document.body || !inFinnish(document.documentElement)) return null;
    const parts = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const element = node.parentElement;
      const text = node.data.trim();
      if (text && element && !element.closest(SKIP) && inFinnish(element) && shown(element)) {
        parts.push(text);
      }
    }
    const BUTTONS = "input[type=submit], input[type=button]";
    const named = [...ATTRIBUTES.map((name) => `[${name}]`), BUTTONS].join(", ");
    for (const element of document.body.querySelectorAll(named)) {
      if (element.closest(SKIP) || !inFinnish(element) || !shown(element)) continue;
      for (const name of ATTRIBUTES) {
        if (element.getAttribute(name)) parts.push(element.getAttribute(name).trim());
      }
      if (element.matches(BUTTONS)) parts.push(element.value);
    }
    return parts.join("\\n");
  };
  let last = null;
  let pending = null;
  const report = () => {
    pending = null;
    const text = visibleFinnishText();
    if (text === null || text === last || !window.__limsFinnishText) return;
    last = text;
    window.__limsFinnishText(location.href, text).catch(() => {});
  };
  window.__limsVisibleFinnishText = visibleFinnishText;
  document.addEventListener("DOMContentLoaded", () => {
    report();
    new MutationObserver(() => { pending = pending ?? setTimeout(report, 100); }).observe(
      document.body,
      { subtree: true, childList: true, characterData: true, attributes: true },
    );
  });
})();
"""

#: English that Finnish never writes as a word of its own (whole words, in lower case or
#: capitalised: a code in capitals such as OF-01 is not a word).
ENGLISH_WORDS = re.compile(
    r"\b(?i:t)he\b|\b(?i:a)nd\b|\b(?i:o)f\b|\b(?i:i)s\b|\b(?i:n)ot\b|\b(?i:m)ust\b"
    r"|\b(?i:c)annot\b|\b(?i:p)lease\b|\b(?i:w)ith\b|\b(?i:h)as\b|\b(?i:h)ave\b"
    r"|\b(?i:w)as\b|\b(?i:w)ere\b|\b(?i:s)hould\b|\b(?i:m)ay\b"
)
#: English a Finnish page may rightly show: the titles of the documents the lab cites, and
#: the demo lab's configured name (a proper name, on its documents and calibrations).
ENGLISH_ALLOWED = (
    "Guide to the Expression of Uncertainty in Measurement",
    "Evaluation of measurement data",
    "Demo Measurement Laboratory",
)


@functools.cache
def _english_messages() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The English messages of the UI and problem catalogs whose Finnish differs, each with
    a pattern finding it written out (its parameters as any text within one line)."""
    from babel.messages.pofile import read_po

    found = []
    for domain in ("ui", "problems"):
        path = REPOSITORY_ROOT / "lims" / "locale" / "fi" / "LC_MESSAGES" / f"{domain}.po"
        if not path.exists():
            continue
        with path.open("rb") as source:
            catalog = read_po(source, locale="fi", domain=domain)
        for message in catalog:
            if not message.id or isinstance(message.id, tuple) or message.string == message.id:
                continue
            english = message.id.replace("%%", "%")
            literal = re.split(r"%\(\w+\)[sd]|%[sd]", english)
            if not any(len(re.findall(r"[A-Za-z]{3,}", part)) for part in literal):
                continue
            # One word in lower case is a parameter's word (a role, a file type), which a
            # username or a code may spell too; a label of the UI is capitalised.
            if " " not in english.strip() and english[:1].islower():
                continue
            pattern = r"[^\n]+?".join(
                r"\s+".join(map(re.escape, re.split(r"\s+", part))) for part in literal
            )
            found.append((max(literal, key=len).strip(), re.compile(rf"(?<!\w){pattern}(?!\w)")))
    return tuple(found)


def english_on(text: str) -> list[str]:
    """The English words and catalog messages shown in a Finnish page's text."""
    for allowed in ENGLISH_ALLOWED:
        text = text.replace(allowed, "")
    found = [match.group(0) for match in ENGLISH_WORDS.finditer(text)]
    for fragment, pattern in _english_messages():
        if fragment in text:
            found.extend(match.group(0) for match in pattern.finditer(text))
    return sorted(set(found))


class FinnishPageTexts:
    """The visible text of every Finnish page a test's browser context showed."""

    def __init__(self) -> None:
        self.texts: dict[str, set[str]] = {}

    def watch(self, context) -> None:  # type: ignore[no-untyped-def]
        context.expose_function("__limsFinnishText", self.record)
        context.add_init_script(_VISIBLE_TEXT_SCRIPT)

    def record(self, url: str, text: str) -> None:
        self.texts.setdefault(url, set()).add(text)

    def record_now(self, page) -> None:  # type: ignore[no-untyped-def]
        """Read the page as it is now (what changed since the last report is read too)."""
        from playwright.sync_api import Error

        try:
            text = page.evaluate("window.__limsVisibleFinnishText?.() ?? null")
        except Error:  # the page was mid-navigation; its documents reported themselves
            return
        if text is not None:
            self.record(page.url, text)

    def clear(self) -> None:
        self.texts.clear()

    def english(self) -> dict[str, list[str]]:
        """Each Finnish page's URL with the English it showed."""
        found: dict[str, list[str]] = {}
        for url, texts in self.texts.items():
            words = sorted({word for text in texts for word in english_on(text)})
            if words:
                found[url] = words
        return found

    def where(self, url: str, word: str) -> str:
        """The line of the page's text that shows the word, for the failure's message."""
        pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
        lines = (line for text in self.texts[url] for line in text.splitlines())
        return next((line[:160] for line in lines if pattern.search(line)), word)


@pytest.fixture
def finnish_texts() -> FinnishPageTexts:
    return FinnishPageTexts()


def open_result_form(page):  # type: ignore[no-untyped-def]
    """The job page's first single-point result form, opened: the worksheet is the default
    entry, and a point's own form (a repeat, an adjusted instrument) is folded under it."""
    entry = page.locator("tr.entry-row details").first
    if entry.get_attribute("open") is None:
        entry.locator("summary").click()
    return entry.locator("form.result-form")


def answer_the_questions(form, capability: str) -> None:  # type: ignore[no-untyped-def]
    """Answer a contract review form's questions of ISO/IEC 17025 7.1.1, the lab's
    capability and resources as ``capability`` ("true" or "false")."""
    form.locator("#review-requirements").select_option("true")
    form.locator("#review-capability").select_option(capability)
    form.locator("#review-methods").fill("MK-31 työntömitan kalibrointi")
    form.locator("#review-method").select_option("true")
