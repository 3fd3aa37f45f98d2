"""The masthead stays calm: one line of whole controls on a laptop, and on a phone the lab's
name and one menu button, which unfolds the search, the person, the language switch, log-out
and the menu. Geometry only: line boxes and heights, never timing."""

from collections.abc import Callable

import pytest

from tests.ui.conftest import PHONE, SCREENSHOT_VIEWPORT, accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.slow]

#: A staff role with the longest menu and the customer.
USERS = ["allekirjoittaja", "asiakas"]
#: The folded masthead on a phone: one control's line with its padding (the issue's
#: masthead took 190 px there before any content).
PHONE_MASTHEAD_PX = 64

#: How many line boxes each visible control of the masthead takes (its text's client
#: rectangles: a wrapped "Kirjaudu ulos" takes two), and the vertical span of each.
CONTROL_LINES = """() => [...document.querySelectorAll(
    '.masthead a, .masthead button, .masthead input')]
  .filter(control => control.getClientRects().length > 0)
  .map(control => {
    const text = document.createRange();
    text.selectNodeContents(control);
    const box = control.getBoundingClientRect();
    return {
      name: control.textContent.trim() || control.id,
      lines: control.matches('input') ? 1 : new Set(
        [...text.getClientRects()].filter(r => r.width > 1).map(r => Math.round(r.top))).size,
      top: box.top, bottom: box.bottom,
    };
  })"""


@pytest.mark.parametrize("username", USERS)
def test_the_masthead_is_one_line_of_whole_controls_on_a_laptop(
    page, live_server: str, login: Callable[[str], None], username: str
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login(username)
    page.goto(f"{live_server}/")
    controls = page.evaluate(CONTROL_LINES)
    assert {c["name"] for c in controls} >= {"Kirjaudu ulos", "Hae", "header-search"}
    assert [c["name"] for c in controls if c["lines"] != 1] == []
    # One line: every control overlaps every other vertically.
    assert max(c["top"] for c in controls) < min(c["bottom"] for c in controls)
    assert not page.get_by_role("button", name="Valikko").is_visible()
    assert accessibility_violations(page) == []


@pytest.mark.parametrize("username", USERS)
def test_the_masthead_folds_to_one_line_on_a_phone_and_unfolds_by_keyboard(
    page, live_server: str, login: Callable[[str], None], username: str
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login(username)
    page.goto(f"{live_server}/")
    masthead = page.locator("header.masthead")
    box = masthead.bounding_box()
    assert box and box["height"] <= PHONE_MASTHEAD_PX
    assert not page.locator("#header-search").is_visible()
    assert not page.locator("nav.menu").is_visible()
    assert accessibility_violations(page) == []
    # Keyboard: skip link, the lab's name, then the menu button.
    toggle = page.get_by_role("button", name="Valikko")
    for _ in range(3):
        page.keyboard.press("Tab")
    assert toggle.evaluate("button => button === document.activeElement")
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.locator("#header-search").evaluate("input => input === document.activeElement")
    for control in ("Hae", "Kirjaudu ulos"):
        assert page.get_by_role("button", name=control).is_visible()
    assert page.get_by_role("navigation", name="Päävalikko").get_by_role("link").first.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert accessibility_violations(page) == []
    toggle.click()
    assert not page.locator("#header-search").is_visible()
