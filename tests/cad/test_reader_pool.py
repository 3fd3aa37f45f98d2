"""At most LIMS_MAX_CAD_READERS model readers at once: another upload gets 503 and Retry-After.

Issue 21, item 5: each upload started its own reader process (4 GiB cap) with no limit on how
many ran at once.  The slot is held here through the pool itself, so no test waits on a clock.
"""

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from lims.limits import work_pools
from tests.cad.test_intake import upload
from tests.conftest import row_counts, shared_path
from tests.jobs.factories import PRODUCT, Lab, make_lab
from tests.jobs.test_job_flow import started


def model() -> bytes:
    return shared_path("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp").read_bytes()


@pytest.fixture
def settings(make_settings: Callable[..., Settings], database_url: str) -> Settings:
    return make_settings(
        database_url=database_url,
        qif_schema_dir=shared_path("schemas", "qif"),
        cad_parse_seconds=30,
        max_cad_readers=1,
        busy_wait_seconds=0,
    )


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def test_with_the_one_reader_taken_an_upload_gets_503_with_retry_after_until_it_ends(
    app: FastAPI, client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    readers = work_pools(app.state, settings).cad_readers
    before = row_counts(engine)
    with readers.slot():
        refused = upload(job, lab, model(), "ctc01.stp", expect=503)
    assert refused["type"].endswith("/busy")
    assert refused["limit"] == "LIMS_MAX_CAD_READERS"
    assert "LIMS_MAX_CAD_READERS = 1" in refused["detail"]
    assert row_counts(engine) == before  # nothing stored
    uploaded = upload(job, lab, model(), "ctc01.stp")
    assert len(uploaded["proposals"]) == 14


def test_the_busy_answer_carries_retry_after(
    app: FastAPI, client: TestClient, lab: Lab, settings: Settings
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    item_id = job.items()[0]["id"]
    with work_pools(app.state, settings).cad_readers.slot():
        response = client.post(
            f"{job.url}/items/{item_id}/models",
            params={"filename": "ctc01.stp"},
            content=model(),
            headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
        )
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["retry-after"]) > 0
