"""Every screen, as each role sees it, passes axe-core's checks (WCAG 2.x A/AA and best
practices) in a real browser and fits a phone (375 px, no sideways scroll): the start page,
the account, every page of the role's menu, the first record of each listing and the detail
pages of the demo's first records, each loaded once; and the states that scripts build (the
live budget while results are entered, the workbench's charts)."""

import re
from collections.abc import Callable
from datetime import timedelta

import pytest

from lims.clock import local_today
from lims.config import Settings
from tests.ui.conftest import (
    PHONE,
    VIEWPORT,
    accessibility_violations,
    enter_demo_readings,
    fits_a_phone,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: Listings, each with the address pattern of its records (the first one is opened too).
STAFF_SCREENS = {
    "/": None,
    "/jobs": "table.jobs tbody a",
    "/jobs/new": None,
    "/equipment": "main table tbody a",
    "/methods": "main table tbody a",
    "/scope": None,
    "/staff": None,
    "/agreements": "main table tbody a",
    "/prices": "a[href^='/price-lists/']",
    "/quotations": "main table tbody a",
    "/documents": "main table tbody a",
    "/audit": None,
    "/account": None,
    "/customers": "table.customers tbody a",
    "/users": "table.users tbody a",
}
CUSTOMER_SCREENS = {
    "/": None,
    "/account": None,
    "/jobs": "table.jobs tbody a",
    "/jobs/new": None,
    "/agreements": "main table tbody a",
    "/quotations": "main table tbody a",
    "/documents": "main table tbody a",
    "/customers": "table.customers tbody a",
}
#: The screens each role's sweep opens besides its menu (a listing's record selector opens
#: its first record too).
SCREENS_OF = {
    "admin": {},
    "laatu": STAFF_SCREENS,
    "mittaaja": {},
    "allekirjoittaja": {},
    "asiakas": CUSTOMER_SCREENS,
    "arvioija": {"/": None, "/audit": None},
}
#: The detail pages whose first record of the demo each role's pages lead to.
DETAIL = re.compile(r"^/(jobs|equipment|methods|agreements|documents|customers)/\d+$")


@pytest.fixture
def demo_quotation(  # type: ignore[no-untyped-def]
    page, live_server: str, login: Callable[[str], None], make_settings: Callable[..., Settings]
) -> None:
    """A quotation to the demo customer ``asiakas`` (the demo data holds none), made through
    the API by the quality manager, so the quotation screens have a record to show; issued
    today, under the price model of the year the demo was loaded in."""
    today = local_today(make_settings().timezone)
    login("asiakas")
    customer = page.request.get(f"{live_server}/api/v1/auth/me").json()["organisation_id"]
    login("laatu")
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "lims_csrf")
    made = page.request.post(
        f"{live_server}/api/v1/quotations",
        data={
            "organisation_id": customer,
            "service": "calibration",
            "issued_on": today.isoformat(),
            "valid_until": (today + timedelta(days=30)).isoformat(),
            "lines": [{"item_code": "K-MIK-25", "quantity": 3}],
        },
        headers={"x-csrf-token": csrf},
    )
    assert made.status == 201, made.text()


def paths_on(page, selector: str) -> list[str]:  # type: ignore[no-untyped-def]
    hrefs = page.eval_on_selector_all(selector, "links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if href and href.startswith("/")]


def sweep(page, live_server: str, screens: dict[str, str | None]):  # type: ignore[no-untyped-def]
    """Load each page of the role once: axe-core at a laptop's width, then the same document
    narrowed to a phone's (media queries apply on resize). The start page, the account, the
    menu and ``screens``; the first record of each listing in ``screens``; and the first
    detail page of each kind these pages link to. Returns what was wrong, one entry per page
    and check, and the detail pages found by kind."""
    problems: dict[str, object] = {}
    details: dict[str, str] = {}
    to_check = ["/"]
    listings = 1  # the pages whose links lead to the detail pages: not the records themselves
    for index, path in enumerate(to_check):  # grows as the pages name more
        page.set_viewport_size(VIEWPORT)
        page.goto(f"{live_server}{path}")
        if path == "/":
            menu = paths_on(page, "#main-menu a")
            assert menu
            more = [p for p in dict.fromkeys(["/account", *menu, *screens]) if p != "/"]
            to_check += more
            listings += len(more)
        violations = accessibility_violations(page)
        if violations:
            problems[f"{path}: axe-core"] = violations
        page.set_viewport_size(PHONE)
        if not fits_a_phone(page):
            problems[f"{path}: scrolls sideways on a phone"] = page.evaluate(
                "document.documentElement.scrollWidth"
            )
        if index >= listings:
            continue
        record_link = screens.get(path)
        if record_link:
            assert page.locator(record_link).count(), f"{path} lists no record to open"
            record = page.locator(record_link).first.get_attribute("href")
            assert record and record.startswith("/"), record
            if record not in to_check:
                to_check.append(record)
        for link in paths_on(page, "main a"):
            kind = DETAIL.match(link)
            if kind and kind.group(1) not in details:
                details[kind.group(1)] = link
                if link not in to_check:
                    to_check.append(link)
    return problems, details


def test_the_login_page_passes_axe_core_and_the_check_is_live(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    assert accessibility_violations(page) == []
    # An image without a text alternative must be caught, or the check proves nothing.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert [found.split()[0] for found in accessibility_violations(page)] == ["image-alt"]


@pytest.mark.parametrize("username", SCREENS_OF)
@pytest.mark.usefixtures("demo_quotation")
def test_every_page_of_the_role_passes_axe_core_and_fits_a_phone(  # type: ignore[no-untyped-def]
    page, live_server: str, login: Callable[[str], None], username: str
) -> None:
    login(username)
    problems, details = sweep(page, live_server, SCREENS_OF[username])
    if username != "asiakas":
        assert {"jobs", "equipment", "methods", "agreements", "documents"} <= details.keys()
    assert problems == {}


def test_the_live_budget_and_the_workbench_charts_pass_axe_core(  # type: ignore[no-untyped-def]
    page, live_server: str, login: Callable[[str], None]
) -> None:
    login("mittaaja")
    enter_demo_readings(page, live_server)
    assert accessibility_violations(page) == []
    page.goto(f"{live_server}/uncertainty")
    page.click("#wb-evaluate")
    page.wait_for_selector("#wb-histogram svg")
    assert accessibility_violations(page) == []
