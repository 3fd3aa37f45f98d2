"""Every screen, as each role sees it, passes axe-core's checks (WCAG 2.x A/AA and best
practices) in a real browser: the listings, the first record of each, and the states that
scripts build (the live budget while results are entered, the workbench's charts)."""

from collections.abc import Callable
from datetime import timedelta

import pytest

from lims.clock import local_today
from lims.config import Settings
from tests.ui.conftest import accessibility_violations, enter_demo_readings

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


def check_screens(page, live_server: str, screens: dict[str, str | None]) -> dict[str, list]:  # type: ignore[no-untyped-def]
    """Each listing and the first record it links to: the violations by address."""
    found: dict[str, list[str]] = {}
    for listing, record_link in screens.items():
        page.goto(f"{live_server}{listing}")
        found[listing] = accessibility_violations(page)
        if record_link:
            assert page.locator(record_link).count(), f"{listing} lists no record to open"
            page.locator(record_link).first.click()
            page.wait_for_load_state()
            found[page.url] = accessibility_violations(page)
    return {address: wrong for address, wrong in found.items() if wrong}


def test_the_login_page_passes_axe_core_and_the_check_is_live(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login")
    assert accessibility_violations(page) == []
    # An image without a text alternative must be caught, or the check proves nothing.
    page.evaluate("document.querySelector('main').append(document.createElement('img'))")
    assert [found.split()[0] for found in accessibility_violations(page)] == ["image-alt"]


@pytest.mark.parametrize(
    ("username", "screens"),
    [
        ("laatu", STAFF_SCREENS),
        ("asiakas", CUSTOMER_SCREENS),
        ("arvioija", {"/": None, "/audit": None}),
    ],
    ids=["quality-manager", "customer", "auditor"],
)
@pytest.mark.usefixtures("demo_quotation")
def test_every_screen_of_the_role_passes_axe_core(  # type: ignore[no-untyped-def]
    page, live_server: str, login: Callable[[str], None], username: str, screens: dict
) -> None:
    login(username)
    assert check_screens(page, live_server, screens) == {}


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
