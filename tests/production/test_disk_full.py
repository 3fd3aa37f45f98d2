"""A full disk while storing a file: a clean 507 problem, no half file, nothing recorded."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from lims.storage import store_in
from tests.conftest import row_counts
from tests.documents.factories import approved_calibration, issue
from tests.jobs.factories import PRODUCT, make_lab, submit
from tests.production.full_disk import fill_disk_under

DRAWING = b"%PDF-1.7\n% drawing 1234-A, revision C\n" + b"0" * 50_000


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def assert_storage_full(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 507, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "the file store is full: nothing was stored" in response.json()["detail"]


def test_upload_onto_a_full_disk_answers_507_and_records_nothing(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "product_qc", PRODUCT)
    item = job.items()[0]
    store = store_in(settings.data_dir)
    before = row_counts(engine)

    fill_disk_under(monkeypatch, store.root)
    response = client.put(
        f"{job.url}/items/{item['id']}/files",
        params={"filename": "drawing.pdf", "role": "drawing"},
        content=DRAWING,
        headers={**lab.headers(lab.technician), "content-type": "application/octet-stream"},
    )

    assert_storage_full(response)
    assert files_in(store.root) == []
    assert row_counts(engine) == before
    assert job.items()[0]["files"] == []


@pytest.mark.slow
def test_issuing_onto_a_full_disk_answers_507_and_gives_the_number_back(
    client: TestClient,
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = make_lab(engine, settings)
    job = approved_calibration(client, lab)
    store = store_in(settings.data_dir)
    before = row_counts(engine)

    with monkeypatch.context() as full:
        fill_disk_under(full, store.root)
        assert_storage_full(
            client.post(
                "/api/v1/documents",
                json={"job_id": job.job["id"]},
                headers=lab.headers(lab.signatory),
            )
        )
        assert files_in(store.root / "objects") == []
        assert files_in(store.root / "incoming") == []
        assert row_counts(engine) == before
        assert (
            client.get(job.url, headers=lab.headers(lab.signatory)).json()["status"] == "approved"
        )

    # Space freed: the same job is issued, with the number the failed attempt gave back.
    document = issue(client, lab, job_id=job.job["id"])
    assert document["number"].endswith("-0001")
