"""Every upload route takes its body one way (``lims.api.uploads.receive_upload``): a caller who
may not change the record, or a file name that is not a plain name, is refused before a single
byte of the body is read."""

import asyncio
import os
import time
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.accounts.models import Role, User
from lims.app import create_app
from lims.config import Settings
from tests.equipment.factories import make_calibration, make_equipment
from tests.factories import bearer, make_organisation, make_user
from tests.jobs.factories import MICROMETER, PRODUCT, make_lab, submit

UPLOAD_MEDIA_TYPES = ("application/octet-stream", "text/csv")
CHUNK = b"%PDF-1.7\n" + b"0" * (64 * 1024 - 9)


@dataclass(frozen=True)
class Upload:
    method: str
    path: str
    query: dict[str, str]
    writer: str  # who may upload here: "technician" or "manager"
    media_type: str = "application/octet-stream"

    @property
    def names_a_file(self) -> bool:
        return "filename" in self.query


UPLOADS = [
    Upload(
        "PUT",
        "/api/v1/equipment/{equipment_id}/calibrations/{calibration_id}/certificate",
        {"filename": "certificate.pdf"},
        "manager",
    ),
    Upload(
        "PUT",
        "/api/v1/jobs/{job_id}/items/{item_id}/files",
        {"filename": "drawing.pdf", "role": "drawing"},
        "technician",
    ),
    Upload(
        "POST", "/api/v1/jobs/{job_id}/items/{item_id}/models", {"filename": "m.stp"}, "technician"
    ),
    Upload("POST", "/api/v1/jobs/{job_id}/results/qif", {"equipment_id": "1"}, "technician"),
    Upload(
        "POST",
        "/api/v1/jobs/{job_id}/results/import",
        {"dry_run": "true"},
        "technician",
        media_type="text/csv",
    ),
]


@dataclass
class World:
    ids: dict[str, int]
    users: dict[str, User]


@pytest.fixture
def world(client: TestClient, engine: Engine, settings: Settings) -> World:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "product_qc", PRODUCT)
    calibration = make_calibration(engine, make_equipment(engine))
    stranger = make_user(engine, Role.CUSTOMER, organisation=make_organisation(engine))
    return World(
        ids={
            "equipment_id": calibration.equipment_id,
            "calibration_id": calibration.id,
            "job_id": job.job["id"],
            "item_id": job.items()[0]["id"],
        },
        users={
            "technician": lab.technician,
            "manager": lab.manager,
            "auditor": make_user(engine, Role.AUDITOR),
            "customer of another organisation": stranger,
        },
    )


async def _answer(app: FastAPI, upload: Upload, path: str, headers: dict[str, str]) -> list[int]:
    """Send the upload with a body produced only when read: its status, then how many body
    chunks the application read before it answered."""
    chunks = [CHUNK] * 3
    status = [0, 0]
    query = "&".join(f"{name}={value}" for name, value in upload.query.items())

    async def receive() -> dict[str, Any]:
        if status[0] == 0:
            status[1] += 1
        if chunks:
            return {"type": "http.request", "body": chunks.pop(), "more_body": bool(chunks)}
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status[0] = message["status"]

    scope = {
        "type": "http",
        # 2.4: responses do not listen for a disconnect, so every read here is the body's.
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": upload.method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "root_path": "",
        "headers": [
            (b"content-type", upload.media_type.encode()),
            (b"content-length", str(len(CHUNK) * 3).encode()),
            *((name.lower().encode(), value.encode()) for name, value in headers.items()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    return status


def route(upload: Upload) -> str:
    return upload.path.rsplit("/", 1)[-1]


def answer(
    app: FastAPI, settings: Settings, world: World, upload: Upload, caller: str
) -> tuple[int, int]:
    path = upload.path.format(**world.ids)
    status, read = asyncio.run(_answer(app, upload, path, bearer(settings, world.users[caller])))
    return status, read


def test_every_upload_route_is_listed_here(app: FastAPI) -> None:
    found = {
        (method.upper(), path)
        for path, item in app.openapi()["paths"].items()
        for method, spec in item.items()
        if set(spec.get("requestBody", {}).get("content", {})) & set(UPLOAD_MEDIA_TYPES)
    }
    assert found == {(upload.method, upload.path) for upload in UPLOADS}


@pytest.mark.parametrize("caller", ["auditor", "customer of another organisation"])
@pytest.mark.parametrize("upload", UPLOADS, ids=route)
def test_a_caller_who_may_not_change_the_record_is_refused_before_the_body_is_read(
    client: TestClient, app: FastAPI, settings: Settings, world: World, upload: Upload, caller: str
) -> None:
    status, read = answer(app, settings, world, upload, caller)
    assert status in (403, 404)
    assert read == 0


@pytest.mark.parametrize("upload", [u for u in UPLOADS if u.names_a_file], ids=route)
def test_a_file_name_with_a_folder_is_refused_before_the_body_is_read(
    client: TestClient, app: FastAPI, settings: Settings, world: World, upload: Upload
) -> None:
    under_a_folder = Upload(
        upload.method, upload.path, {**upload.query, "filename": "..%2Fup.pdf"}, upload.writer
    )
    status, read = answer(app, settings, world, under_a_folder, upload.writer)
    assert status == 422
    assert read == 0


def upload_to_item(
    app: FastAPI, settings: Settings, ids: dict[str, int], user: User
) -> tuple[int, int]:
    files = UPLOADS[1]
    path = files.path.format(**ids)
    status, read = asyncio.run(_answer(app, files, path, bearer(settings, user)))
    return status, read


def test_files_are_attached_to_items_of_open_jobs_only(
    client: TestClient, app: FastAPI, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "inspection", MICROMETER)
    job.step("accepted", lab.manager)
    job.receive_all()
    job.step("items_received", lab.technician)
    point = job.plan(
        label="25 mm", kind="indication", nominal=25, lower_limit=24.998, upper_limit=25.002,
        unit="mm",
    )  # fmt: skip
    job.step("in_measurement", lab.technician)
    ids = {"job_id": job.job["id"], "item_id": job.items()[0]["id"]}
    assert upload_to_item(app, settings, ids, lab.customer_user)[0] == 200
    job.record(characteristic_id=point["id"], value=25.001, unit="mm")
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    job.step("reported", lab.signatory)
    files_before = job.items()[0]["files"]
    stored_before = sorted((settings.data_dir / "files").rglob("*"))
    for user in (lab.customer_user, lab.technician):
        status, read = upload_to_item(app, settings, ids, user)
        assert (status, read) == (409, 0)
    assert job.items()[0]["files"] == files_before
    assert sorted((settings.data_dir / "files").rglob("*")) == stored_before


def test_a_customer_cannot_attach_files_to_a_cancelled_job(
    client: TestClient, app: FastAPI, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "product_qc", PRODUCT)
    job.step("cancelled", lab.customer_user, reason="ordered by mistake")
    ids = {"job_id": job.job["id"], "item_id": job.items()[0]["id"]}
    assert upload_to_item(app, settings, ids, lab.customer_user) == (409, 0)


def test_leftovers_of_interrupted_uploads_are_removed_at_start(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    incoming = settings.data_dir / "incoming"
    incoming.mkdir(parents=True)
    killed, in_progress, other = (
        incoming / "tmpkilled.upload",
        incoming / "tmpbusy.upload",
        incoming / "README",
    )
    for path in (killed, in_progress, other):
        path.write_bytes(b"0" * 1024)
    two_hours_ago = time.time() - 2 * 3600
    for path in (killed, other):
        os.utime(path, (two_hours_ago, two_hours_ago))
    application = create_app(settings)  # its JSON log goes to stderr
    application.state.engine.dispose()
    assert not killed.exists()
    assert in_progress.exists() and other.exists()  # another worker's upload; not a spool
    assert "removed 1 interrupted uploads" in capsys.readouterr().err


def test_a_model_for_a_job_not_planned_from_models_is_refused_before_the_body_is_read(
    client: TestClient, app: FastAPI, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job = submit(client, lab, "calibration", MICROMETER)
    models = UPLOADS[2]
    path = models.path.format(job_id=job.job["id"], item_id=job.items()[0]["id"])
    status, read = asyncio.run(_answer(app, models, path, bearer(settings, lab.technician)))
    assert (status, read) == (422, 0)
