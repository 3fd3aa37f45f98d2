"""The API documentation works offline: /docs (Swagger UI) and /redoc (ReDoc) load every
script, style and icon from the service itself, never from a CDN."""

import re

import pytest
from fastapi.testclient import TestClient

REFERENCE = re.compile(r"""(?:src|href|url)\s*[=:(]\s*['"]?([^'"\s)>]+)""")


def references(html: str) -> list[str]:
    return REFERENCE.findall(html)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_page_references_nothing_outside_the_service(
    client: TestClient, page: str
) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert not re.search(r"https?://", response.text)
    assert references(response.text)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_every_asset_of_a_documentation_page_is_served(client: TestClient, page: str) -> None:
    assets = [url for url in references(client.get(page).text) if url.startswith("/")]
    assert any(url.endswith(".js") for url in assets)
    for url in assets:
        assert client.get(url).status_code == 200, url


def test_swagger_ui_reads_the_api_description_of_this_service(client: TestClient) -> None:
    assert "'/api/v1/openapi.json'" in client.get("/docs").text
    assert client.get("/api/v1/openapi.json").status_code == 200


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_documentation_pages_are_allowed_no_other_host(client: TestClient, page: str) -> None:
    policy = client.get(page).headers["content-security-policy"]
    assert "http" not in policy and "frame-ancestors 'none'" in policy


def test_an_asset_path_cannot_climb_out_of_the_asset_folder(client: TestClient) -> None:
    for path in ("/docs-assets/../core.py", "/docs-assets/%2e%2e/core.py", "/docs-assets/"):
        assert client.get(path).status_code == 404, path
