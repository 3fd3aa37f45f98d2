"""Refusals in the page's language (#25 H7): a Finnish page shows the service's refusal in
Finnish, naming the record by its code and the field by its label, never an internal id,
a path or English."""

from collections.abc import Callable

import pytest

from lims.i18n import gettext
from tests.ui.conftest import (
    PHONE,
    SCREENSHOT_VIEWPORT,
    accessibility_violations,
    fits_a_phone,
    take_screenshot,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def finnish(template: str, **params: object) -> str:
    return gettext("problems", "fi", template) % params


def register_a_second(page, live_server: str, identification: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/equipment/new")
    form = page.locator("#equipment-new")
    form.locator("[name=identification]").fill(identification)
    form.locator("[name=name]").fill("Toinen <b>mittapala</b>")
    form.locator("[name=kind]").fill("gauge_block")
    form.locator("[name=calibration_interval_months]").fill("24")
    form.locator("button[type=submit]").click()


def test_a_duplicate_equipment_code_is_refused_in_finnish_naming_the_code(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("laatu")
    register_a_second(page, live_server, "GB-REF")
    alert = page.locator("#equipment-new .form-error")
    expected = finnish(
        "equipment %(identification)s is already registered", identification="GB-REF"
    )
    alert.filter(has_text=expected).wait_for()
    text = alert.inner_text()
    assert text.startswith("Ei mahdollista tässä tilassa: ")
    assert "already registered" not in text
    assert "identification:" not in text  # a field is named by its label, not its path
    assert accessibility_violations(page) == []


def test_the_login_refusal_is_in_finnish(page, live_server: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/login?lang=fi")
    page.fill("#username", "mittaaja")
    page.fill("#password", "not-the-password")
    page.click("#login button[type=submit]")
    error = page.locator("#login-error")
    error.filter(has_text=finnish("wrong username or password")).wait_for()
    assert "wrong username" not in error.inner_text()
    assert accessibility_violations(page) == []


def test_a_page_a_role_may_not_open_says_so_in_finnish_on_a_phone(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(PHONE)
    login("mittaaja")
    response = page.goto(f"{live_server}/equipment/new")
    assert response is not None and response.status == 403
    main = page.locator("main").inner_text()
    # Who may and what, in Finnish words (the roles and the deed translated with the sentence).
    assert gettext("problems", "fi", "register equipment") in main
    assert "register equipment" not in main
    assert "quality_manager" not in main
    assert fits_a_phone(page)
    assert accessibility_violations(page) == []


@pytest.mark.screenshots
def test_screenshot_a_finnish_refusal(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size(SCREENSHOT_VIEWPORT)
    login("laatu")
    register_a_second(page, live_server, "GB-REF")
    page.locator("#equipment-new .form-error:not(:empty)").wait_for()
    page.locator("#equipment-new .form-error").scroll_into_view_if_needed()
    take_screenshot(page, "messages-refusal-fi")
