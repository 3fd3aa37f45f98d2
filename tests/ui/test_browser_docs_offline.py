"""The API documentation with the internet cut off: every request to another host fails,
and Swagger UI (/docs) and ReDoc (/redoc) still show the API's operations."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]
#: The API's description is large (1.7 MB): a busy test machine takes most of a minute to
#: draw it.
DRAWN_MS = 180_000


def cut_off_from_other_hosts(page, live_server: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Abort every request not to ``live_server``; return the addresses that were tried."""
    elsewhere: list[str] = []

    def only_this_service(route) -> None:  # type: ignore[no-untyped-def]
        url = route.request.url
        if url.startswith(f"{live_server}/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort()

    page.route("**/*", only_this_service)
    return elsewhere


@pytest.mark.parametrize(
    ("path", "operation"),
    [("/docs", ".opblock-summary-path"), ("/redoc", "[role=menuitem], li[data-item-id]")],
)
def test_api_documentation_shows_its_operations_without_the_internet(
    page, live_server: str, path: str, operation: str
) -> None:  # type: ignore[no-untyped-def]
    elsewhere = cut_off_from_other_hosts(page, live_server)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}{path}")
    page.locator(operation).first.wait_for(timeout=DRAWN_MS)
    assert elsewhere == [] and errors == []
