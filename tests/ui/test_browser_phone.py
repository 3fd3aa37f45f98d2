"""Every page on a phone (375 by 740 px): the menu folds under one button, the job board is a
card per job. That no page of any role's menu, nor the detail pages of the demo's first
records, scrolls sideways is checked by test_accessibility.py's sweep, which loads each page
once for axe-core and the phone's width."""

import re
from collections.abc import Callable

import pytest

from tests.ui.conftest import (
    PHONE,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_the_menu_folds_under_one_button_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    page.goto(f"{live_server}/")
    toggle = page.get_by_role("button", name="Valikko")
    assert toggle.get_attribute("aria-expanded") == "false"
    # Folded, the menu takes no line of its own: its button sits beside the lab's name.
    assert not page.locator("nav.menu").is_visible()
    header_box = page.locator("header.masthead").bounding_box()
    toggle_box = toggle.bounding_box()
    assert header_box and toggle_box and header_box["height"] < 2 * toggle_box["height"]
    assert accessibility_violations(page) == []
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    page.get_by_role("link", name="Laitteet").click()
    page.wait_for_url(f"{live_server}/equipment")
    assert fits_a_phone(page)
    page.get_by_role("button", name="Valikko").click()
    assert page.locator("#main-menu a[aria-current=page]").inner_text() == "Laitteet"
    assert accessibility_violations(page) == []


def test_the_job_board_is_a_card_per_job_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("laatu")
    page.goto(f"{live_server}/jobs")
    assert fits_a_phone(page)
    first = page.locator("table.jobs tbody tr").first
    number = first.locator("td").first
    assert re.fullmatch(r"TY-\d{4}-\d{4}", number.inner_text())
    line = page.evaluate("parseFloat(getComputedStyle(document.body).lineHeight)")
    assert number.bounding_box()["height"] < 2 * line  # one line, not three
    assert page.evaluate(
        "getComputedStyle(document.querySelector('table.jobs td[data-label]'), '::before').content"
    ).startswith('"Kohde')
    assert accessibility_violations(page) == []


def test_the_menu_shows_whole_without_its_button_on_a_laptop(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("mittaaja")
    page.goto(f"{live_server}/")
    assert not page.locator(".menu-toggle").is_visible()
    assert page.get_by_role("link", name="Laitteet").is_visible()


@pytest.mark.screenshots
def test_screenshots_of_the_phone_menu_and_job_board(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    page.goto(f"{live_server}/")
    page.get_by_role("button", name="Valikko").click()
    take_screenshot(page, "phone-menu")
    page.goto(f"{live_server}/jobs")
    page.evaluate("document.querySelector('table.jobs').scrollIntoView()")
    take_screenshot(page, "phone-job-board")
