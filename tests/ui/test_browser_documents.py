"""Documents in a real browser: a signatory issues a certificate; a customer submits a B1 job
with a STEP file and, once the lab has measured it, downloads the report."""

import hashlib
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lims.clock import local_today
from lims.config import Settings
from tests.conftest import shared_path
from tests.ui.conftest import password_of
from tests.ui.test_browser import STEP_FILE, open_first_job

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class Api:
    """The lab's part of a job, done over HTTP as the demo users whose roles fit."""

    def __init__(self, page, live_server: str) -> None:  # type: ignore[no-untyped-def]
        self.request, self.base, self.tokens = page.request, live_server, {}

    def _headers(self, username: str) -> dict[str, str]:
        if username not in self.tokens:
            answer = self.request.post(
                f"{self.base}/api/v1/auth/token",
                form={"username": username, "password": password_of(username)},
            )
            assert answer.ok, answer.text()
            self.tokens[username] = answer.json()["access_token"]
        return {"authorization": f"Bearer {self.tokens[username]}"}

    def call(self, username: str, method: str, path: str, body: Any = None) -> Any:
        answer = self.request.fetch(
            f"{self.base}/api/v1{path}", method=method, data=body, headers=self._headers(username)
        )
        assert answer.ok, f"{method} {path}: {answer.text()}"
        return answer.json()

    def step(self, username: str, job_id: int, to: str) -> None:
        self.call(username, "POST", f"/jobs/{job_id}/transitions", {"to": to})


def test_signatory_issues_the_certificate_of_an_approved_job(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("allekirjoittaja")
    job = open_first_job(page, live_server, "approved")
    preview = page.request.get(f"{job}/preview.pdf")
    assert preview.ok and preview.body().startswith(b"%PDF")
    page.fill("#issue-document input[name=signatory_function]", "Laboratorion johtaja")
    with page.expect_navigation():
        page.click("#issue-document button[type=submit]")
    row = page.locator("#documents table.documents tbody tr").first
    number = row.locator("td").first.inner_text()
    assert re.fullmatch(r"KT-\d{4}-\d{4}", number), number
    assert page.locator(".status-line .badge-reported").is_visible()
    # One valid master per job: a correction is its revision, not a second issue.
    assert page.locator("#issue-document").count() == 0
    assert page.locator("#revise-document").count() == 1

    with page.expect_download() as download:
        row.locator("a.download").click()
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    page.goto(f"{live_server}/verify/{number}?sha256={hashlib.sha256(pdf).hexdigest()}")
    verdict = page.locator("main.verify section.outcome").inner_text()
    assert "Tiedosto vastaa annettua" in verdict and f"{number} on voimassa." in verdict


def test_customer_submits_a_b1_job_with_a_step_file_and_downloads_the_report(
    page, live_server: str, login: Callable[[str], None], make_settings: Callable[..., Settings]
) -> None:  # type: ignore[no-untyped-def]
    step_file = shared_path(*STEP_FILE)
    login("asiakas")
    page.goto(f"{live_server}/jobs/new")
    page.select_option("#kind", "product_qc")
    page.fill("#customer_reference", "PO-2026-119")
    page.fill("[data-name=description]", "Kiinnityslevy CTC-01")
    page.set_input_files("[data-name=file]", str(step_file))
    page.click("#new-job button[type=submit]")
    page.wait_for_url(re.compile(r"/jobs/\d+$"))
    job_url = page.url
    job_id = int(job_url.rsplit("/", 1)[-1])
    assert page.locator("#proposals table.proposals tbody tr").count() > 0

    # The lab measures one of the drawing's sizes on the CMM and approves the job.
    api = Api(page, live_server)
    # The lab's day, not the machine's: after 22:00 UTC Helsinki is already on the next one.
    today = local_today(make_settings().timezone).isoformat()
    api.step("laatu", job_id, "accepted")
    item = api.call("mittaaja", "GET", f"/jobs/{job_id}/items")[0]
    cmm = next(m for m in api.call("laatu", "GET", "/methods") if m["code"] == "DIM-CMM-01")
    planned = api.call(
        "laatu",
        "POST",
        f"/jobs/{job_id}/characteristics",
        {
            "item_id": item["id"],
            "label": "D35",
            "nominal": 0,
            "lower_limit": -20,
            "upper_limit": 20,
            "unit": "um",
            "method_id": cmm["id"],
            "parameters": {"L": 35, "alpha": 11.5e-6},
        },
    )
    api.call(
        "mittaaja",
        "POST",
        f"/jobs/{job_id}/items/{item['id']}/receipt",
        {"received_on": today, "condition": "fit"},
    )
    api.step("mittaaja", job_id, "items_received")
    api.step("mittaaja", job_id, "in_measurement")
    api.call(
        "mittaaja",
        "POST",
        f"/jobs/{job_id}/results",
        {
            "characteristic_id": planned["id"],
            "measured_on": today,
            "observations": {"y": [1.2, 1.4, 1.3]},
            "temperature": 20.1,
            "humidity": 45,
        },
    )
    api.step("mittaaja", job_id, "measured")
    api.step("laatu", job_id, "reviewed")
    api.step("allekirjoittaja", job_id, "approved")
    report = api.call("allekirjoittaja", "POST", "/documents", {"job_id": job_id})

    # The customer finds the report on its job and downloads it.
    page.goto(job_url)
    row = page.locator("#documents table.documents tbody tr", has_text=report["number"])
    with page.expect_download() as download:
        row.locator("a.download").click()
    pdf = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == report["sha256"]
    assert page.locator("#issue-document").count() == 0  # customers issue nothing
    page.goto(f"{live_server}/documents")
    assert report["number"] in page.locator("table.documents").inner_text()


def test_auditor_downloads_a_jobs_records_bundle(
    page, live_server: str, login: Callable[[str], None]
) -> None:  # type: ignore[no-untyped-def]
    login("arvioija")
    open_first_job(page, live_server, "reported")
    with page.expect_download() as download:
        page.click("#export-records")
    with zipfile.ZipFile(download.value.path()) as bundle:
        names = bundle.namelist()
        manifest = json.loads(bundle.read("manifest.json"))
    assert "index.html" in names
    assert any(name.endswith(".pdf") for name in names)  # the issued certificate
    assert manifest["files"]
