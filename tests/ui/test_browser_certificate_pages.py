"""Pictures of the demo's Finnish certificate, page by page, as Chromium's PDF viewer shows
the issued PDF (``make screenshots``: docs/screenshots/certificate-fi-<page>.png)."""

from collections.abc import Callable

import pytest

from tests.ui.conftest import take_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# An A4 page (210 mm by 297 mm) fitted whole in the viewer, without its toolbar.
A4_VIEW = {"width": 840, "height": 1188}


@pytest.mark.screenshots
def test_take_certificate_pages(page, live_server: str, login: Callable[[str], None]) -> None:  # type: ignore[no-untyped-def]
    login("asiakas")
    documents = page.request.get(f"{live_server}/api/v1/documents").json()
    (certificate,) = [document for document in documents if document["number"] == "KT-2026-0001"]
    page.set_viewport_size(A4_VIEW)
    for number in (1, 2):
        # A new fragment alone is not a new load: the viewer would stay on its page.
        page.goto("about:blank")
        page.goto(
            f"{live_server}/api/v1/documents/{certificate['id']}/pdf?inline=true"
            f"#toolbar=0&view=Fit&page={number}"
        )
        # The viewer draws the page after the load event.
        page.wait_for_timeout(1500)
        take_screenshot(page, f"certificate-fi-{number}")
