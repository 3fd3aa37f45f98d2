"""Browser tests: a live server on the demo data, headless Chromium driven by Playwright.

One browser per session, a new context (cookies, storage) per test, and a fresh copy of a
demo database per test: the database is built once (migrations + ``lims demo``) and copied,
which takes milliseconds where building takes seconds.  A failing test leaves a screenshot
in ``test-artifacts/screenshots/<test>.png``.  Without Chromium the browser tests skip,
except under CI (``CI=true``), where they must run.  They run on SQLite only; the pages go
through the same services the API tests prove on both backends.
"""

import io
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlmodel import Session

from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine
from lims.demo import load_demo_data
from tests.conftest import REPOSITORY_ROOT, migrated_sqlite_url

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
def page(browser, request: pytest.FixtureRequest) -> Iterator["object"]:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=VIEWPORT, locale="fi-FI", timezone_id="Europe/Helsinki")
    context.set_default_timeout(TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()


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
    demo_data: Path, make_settings: Callable[..., Settings], tmp_path: Path
) -> Iterator[str]:
    """The application on a fresh copy of the demo database, served on a free port."""
    data_dir = tmp_path / "data"
    shutil.copytree(demo_data, data_dir)
    settings = make_settings(database_url=f"sqlite:///{data_dir / 'lims.sqlite3'}")
    app = create_app(settings)
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
    app.state.engine.dispose()


@pytest.fixture
def login(page, live_server: str) -> Callable[[str], None]:  # type: ignore[no-untyped-def]
    """Sign in as a demo user in the test's browser context, replacing whoever was in."""

    def sign_in(username: str) -> None:
        page.context.clear_cookies()
        page.goto(f"{live_server}/login")
        page.fill("#username", username)
        page.fill("#password", password_of(username))
        page.click("#login button[type=submit]")
        page.wait_for_url(f"{live_server}/")

    return sign_in


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

    A 128-colour palette keeps a screen near 50 kB (a third of the browser's PNG) with text
    and charts still crisp."""
    from PIL import Image

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
    form = page.locator("form.result-form").first
    blocks = form.locator("select[name='equipment.gauge_blocks'] option", has_text="GB-WRK")
    form.locator("select[name='equipment.gauge_blocks']").select_option(
        blocks.first.get_attribute("value")
    )
    form.locator("input[name='observations.dr']").fill("0,4 0,5 0,4 0,6 0,5")
    form.locator("input[name=temperature]").fill("20,2")
    form.locator("input[name=humidity]").fill("42")
    form.locator(".live-summary").wait_for()
    return form
