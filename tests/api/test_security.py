"""Security over HTTP: headers, HSTS behind TLS, CSRF on cookie sessions, uploads' content
and names."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from lims.accounts.models import Role
from lims.api.middleware import CONTENT_SECURITY_POLICY
from lims.app import create_app
from lims.config import Settings
from lims.db import make_engine
from lims.storage import store_in
from tests.conftest import migrated_sqlite_url, row_counts
from tests.equipment.factories import make_calibration, make_equipment
from tests.factories import PASSWORD, bearer, make_user
from tests.jobs.factories import PRODUCT, JobDriver, Lab, make_lab, submit
from tests.test_cli import run_cli

PDF = b"%PDF-1.7\n% drawing 1234-A\n" + b"\x00" * 1000
PAGE = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/users')</script></body></html>"
OCTETS = {"content-type": "application/octet-stream"}


@dataclass
class Site:
    """One application on one SQLite database for the whole module: these tests change
    nothing the others look at, and migrating a database per test would dominate their time."""

    app: FastAPI
    client: TestClient
    engine: Engine
    settings: Settings
    lab: Lab


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    folder = tmp_path_factory.mktemp("security")
    database_url = migrated_sqlite_url(folder / "lims.sqlite3")
    settings = Settings(data_dir=folder / "data", database_url=database_url, environment="test")
    application = create_app(settings)
    engine = make_engine(database_url)
    with TestClient(application, raise_server_exceptions=False) as client:
        yield Site(application, client, engine, settings, make_lab(engine, settings))
    engine.dispose()
    application.state.engine.dispose()


@pytest.fixture
def client(site: Site) -> TestClient:
    site.client.cookies.clear()
    return site.client


@pytest.fixture
def job(site: Site, client: TestClient) -> JobDriver:
    return submit(client, site.lab, "product_qc", PRODUCT)


def stored_files(site: Site) -> int:
    return len(list(store_in(site.settings.data_dir).objects()))


@pytest.mark.parametrize(
    "path", ["/api/v1/health", "/api/v1/no-such-route", "/login", "/static/lims.css"]
)
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert directive in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-frame-options"] == "DENY"
    assert "strict-transport-security" not in headers


def test_only_the_api_documentation_may_run_an_inline_script(client: TestClient) -> None:
    policy = client.get("/docs").headers["content-security-policy"]
    assert "'unsafe-inline'" in policy and "frame-ancestors 'none'" in policy
    assert "https:" not in policy
    assert "unsafe" not in client.get("/api/v1/health").headers["content-security-policy"]


def test_hsts_is_sent_only_over_tls(site: Site) -> None:
    with TestClient(site.app, base_url="https://lims.example") as over_tls:
        assert over_tls.get("/api/v1/health").headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )


@pytest.mark.parametrize(("trusted", "hsts"), [("testclient", True), ("10.0.0.9", False)])
def test_hsts_follows_x_forwarded_proto_only_from_a_trusted_proxy(
    site: Site, trusted: str, hsts: bool
) -> None:
    behind_proxy = ProxyHeadersMiddleware(site.app, trusted_hosts=trusted)
    with TestClient(behind_proxy) as client:  # type: ignore[arg-type]
        response = client.get("/api/v1/health", headers={"x-forwarded-proto": "https"})
    assert ("strict-transport-security" in response.headers) is hsts


def test_serve_trusts_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    started: dict[str, Any] = {}
    monkeypatch.setattr("uvicorn.run", lambda *_, **options: started.update(options))
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LIMS_FORWARDED_ALLOW_IPS", "10.0.0.2,10.0.0.3")
    assert run_cli("serve", "--workers", "3") == 0
    assert started["proxy_headers"] is True
    assert started["forwarded_allow_ips"] == "10.0.0.2,10.0.0.3"
    assert started["workers"] == 3


# -- uploads ------------------------------------------------------------------------------


def upload(
    client: TestClient, job: JobDriver, filename: str, content: bytes, headers: dict[str, str]
) -> Response:
    item = job.items()[0]
    return client.put(
        f"{job.url}/items/{item['id']}/files",
        params={"filename": filename, "role": "drawing"},
        content=content,
        headers={**OCTETS, **headers},
    )


@pytest.mark.parametrize(
    ("filename", "content"),
    [("drawing.pdf", PAGE), ("drawing.pdf", b"MZ\x90\x00"), ("model.stp", PDF), ("x.svg", PAGE)],
)
def test_upload_whose_bytes_contradict_its_name_is_refused_and_nothing_kept(
    site: Site, client: TestClient, job: JobDriver, filename: str, content: bytes
) -> None:
    before, files_before = row_counts(site.engine), stored_files(site)
    response = upload(client, job, filename, content, site.lab.headers(site.lab.technician))
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert (row_counts(site.engine), stored_files(site)) == (before, files_before)


@pytest.mark.parametrize(
    "filename", ["..", "x\x00.pdf", "a\r\nb.pdf", "\u202efdp.exe", "../up.pdf"]
)
def test_upload_under_a_path_or_a_name_with_control_characters_is_refused(
    site: Site, client: TestClient, job: JobDriver, filename: str
) -> None:
    before, files_before = row_counts(site.engine), stored_files(site)
    response = upload(client, job, filename, PDF, site.lab.headers(site.lab.technician))
    assert response.status_code == 422, response.text
    assert (row_counts(site.engine), stored_files(site)) == (before, files_before)


def test_upload_that_is_what_it_says_is_kept_under_its_name(
    site: Site, client: TestClient, job: JobDriver
) -> None:
    response = upload(
        client, job, "piirustus 1234-A.pdf", PDF, site.lab.headers(site.lab.technician)
    )
    assert response.status_code == 200, response.text
    assert response.json()["files"][0]["name"] == "piirustus 1234-A.pdf"


def test_upload_with_the_session_cookie_but_no_csrf_token_is_refused(
    site: Site, client: TestClient, job: JobDriver
) -> None:
    login = client.post(
        "/api/v1/auth/login",
        json={"username": site.lab.technician.username, "password": PASSWORD},
    )
    assert login.status_code == 200, login.text
    files_before = stored_files(site)
    refused = upload(client, job, "drawing.pdf", PDF, {})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert stored_files(site) == files_before
    accepted = upload(client, job, "drawing.pdf", PDF, {"x-csrf-token": login.json()["csrf_token"]})
    assert accepted.status_code == 200, accepted.text


def test_calibration_certificate_must_be_a_document_and_is_named_by_its_content(
    site: Site, client: TestClient
) -> None:
    standard = make_equipment(site.engine)
    calibration = make_calibration(site.engine, standard)
    manager = bearer(site.settings, make_user(site.engine, Role.QUALITY_MANAGER))
    url = f"/api/v1/equipment/{standard.id}/calibrations/{calibration.id}/certificate"
    page = client.put(
        url, params={"filename": "cert.html"}, content=PAGE, headers={**manager, **OCTETS}
    )
    assert page.status_code == 415
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    kept = client.put(url, content=png, headers={**manager, **OCTETS})
    assert kept.status_code == 200, kept.text
    assert kept.json()["certificate_filename"].endswith(".png")
    downloaded = client.get(url, headers=manager)
    assert downloaded.headers["content-type"] == "image/png"
    assert downloaded.headers["x-content-type-options"] == "nosniff"
