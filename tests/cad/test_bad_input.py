"""Hostile and broken uploads: refused with a clear message, in bounded time, nothing stored."""

import asyncio
import gzip
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.app import create_app
from lims.cad.worker import Limits, read_bounded
from lims.config import Settings
from lims.errors import InvalidInput
from tests.conftest import row_counts, shared_path
from tests.factories import bearer
from tests.jobs.factories import PRODUCT, Lab, make_lab
from tests.jobs.test_job_flow import started

HEADER = b"ISO-10303-21;HEADER;FILE_SCHEMA(('AP242_MANAGED_MODEL_BASED_3D_ENGINEERING_MIM_LF'));"
XML_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE QIFDocument [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>
<QIFDocument xmlns="http://qifstandards.org/xsd/qif3">&d;&d;&d;&d;&d;&d;&d;&d;</QIFDocument>"""


def _ctc01() -> bytes:
    return shared_path("fixtures", "cad", "step", "nist_ctc_01_asme1_ap242-e1.stp").read_bytes()


def _failing_qif() -> bytes:
    data = shared_path("fixtures", "cad", "qif", "testPython30.qif").read_bytes()
    return data.replace(b"<Value>0.023</Value>", b"<Value>lots</Value>")


BAD_FILES = {
    "pdf": (lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "not a STEP (ISO 10303-21) or QIF file"),
    "truncated": (lambda: _ctc01()[:200_000], "truncated"),
    "unterminated string": (
        lambda: HEADER + b"ENDSEC;DATA;#1=DATUM('A,$,#2,.F.,'A');\n#2=X();ENDSEC;",
        "unterminated string",
    ),
    "record loop": (
        lambda: (
            HEADER + b"ENDSEC;DATA;#2=PERPENDICULARITY_TOLERANCE('P','',$,#9,(#3));"
            b"#3=DATUM_SYSTEM('',$,#9,.F.,(#4));"
            b"#4=DATUM_REFERENCE_COMPARTMENT('',$,#9,.F.,COMMON_DATUM_LIST((#4)),$);"
            b"#9=SHAPE_ASPECT('','',#9,.T.);ENDSEC;END-ISO-10303-21;"
        ),
        "record loop",
    ),
    "gzip bomb": (lambda: gzip.compress(b"\0" * 5_000_000), "decompresses to more than"),
    "xml bomb": (lambda: XML_BOMB, "declares a DTD"),
    "schema failure": (_failing_qif, "fails the QIF 3.0 schema: line"),
    "no semantic PMI": (
        lambda: shared_path(
            "fixtures", "cad", "step", "nist_ftc_08_asme1_ap242-e1-tg.stp"
        ).read_bytes(),
        "carries no semantic PMI",
    ),
}


@pytest.fixture
def settings(make_settings: Any, database_url: str) -> Settings:
    return make_settings(
        database_url=database_url,
        qif_schema_dir=shared_path("schemas", "qif"),
        cad_max_decompressed_bytes=1_000_000,
        cad_parse_seconds=30,
    )


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    return make_lab(engine, settings)


def stored_files(settings: Settings) -> list[Path]:
    return sorted((settings.data_dir / "files").rglob("*")) if settings.data_dir.exists() else []


@pytest.mark.slow
def test_each_bad_upload_is_refused_and_nothing_is_stored(
    client: TestClient, lab: Lab, engine: Engine, settings: Settings
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    item_id = job.items()[0]["id"]
    before, files_before = row_counts(engine), stored_files(settings)
    for name, (make, message) in BAD_FILES.items():
        started_at = time.perf_counter()
        response = client.post(
            f"{job.url}/items/{item_id}/models",
            params={"filename": "upload.stp"},
            content=make(),
            headers={"content-type": "application/octet-stream", **lab.headers(lab.technician)},
        )
        assert response.status_code == 422, (name, response.text)
        assert response.headers["content-type"] == "application/problem+json"
        assert message in response.json()["detail"], (name, response.json()["detail"])
        assert time.perf_counter() - started_at < 10, name
    assert row_counts(engine) == before
    assert stored_files(settings) == files_before
    assert list((settings.data_dir / "incoming").iterdir()) == []


@pytest.mark.parametrize("backend", ["sqlite"])  # the words, not the store, are tested
def test_an_unreadable_step_file_is_refused_in_finnish_through_and_through(
    client: TestClient, lab: Lab
) -> None:
    job = started(client, lab, "product_qc", PRODUCT)
    response = client.post(
        f"{job.url}/items/{job.items()[0]['id']}/models",
        params={"filename": "upload.stp"},
        content=b"ISO-10303-21;HEADER;ENDSEC;",
        headers={
            "content-type": "application/octet-stream",
            "accept-language": "fi",
            **lab.headers(lab.technician),
        },
    )
    assert response.status_code == 422
    assert response.json()["detail"] == (
        "STEP-tiedostoa ei voi lukea: tiedostossa ei ole HEADER- tai DATA-osaa"
    )
    assert response.json()["code"] == "cad.model_unreadable"


def test_a_reader_that_runs_too_long_is_stopped(tmp_path: Path) -> None:
    """The worker is killed at the timeout: here a timeout too short for any real read."""
    model = tmp_path / "ctc01.stp"
    model.write_bytes(_ctc01())
    limits = Limits(
        max_bytes=10**7, max_decompressed_bytes=10**7, max_memory_bytes=2**32, timeout_seconds=0.01
    )
    with pytest.raises(InvalidInput, match=r"took longer than 0\.01 s and was stopped"):
        read_bounded(model, limits)


@pytest.mark.slow
def test_a_reader_beyond_its_memory_cap_is_refused(tmp_path: Path) -> None:
    model = tmp_path / "ctc01.stp.gz"
    model.write_bytes(gzip.compress(_ctc01() * 300, compresslevel=1))  # 119 MB of STEP text
    limits = Limits(
        max_bytes=10**8,
        max_decompressed_bytes=10**9,
        max_memory_bytes=250 * 1024 * 1024,
        timeout_seconds=30,
    )
    with pytest.raises(InvalidInput, match=r"more memory than|stopped without an answer"):
        read_bounded(model, limits)


def _endless_upload(chunks_sent: list[int], chunk: bytes, total: int) -> Iterator[bytes]:
    """2 GB of body, produced lazily: never materialised."""
    for _ in range(total // len(chunk)):
        chunks_sent[0] += 1
        yield chunk


def test_a_2_gb_upload_is_cut_off_at_the_limit(
    make_settings: Any, database_url: str, engine: Engine
) -> None:
    """Streams a lazily produced 2 GB body through the ASGI app (middleware and route)."""
    settings = make_settings(database_url=database_url, max_upload_bytes=1_000_000)
    lab = make_lab(engine, settings)
    app: FastAPI = create_app(settings)
    with TestClient(app) as client:
        job = started(client, lab, "product_qc", PRODUCT)
        item_id = job.items()[0]["id"]
    before = row_counts(engine)
    sent = [0]
    chunk = b"ISO-10303-21;" + b" " * (64 * 1024 - 13)
    body = _endless_upload(sent, chunk, 2 * 1024**3)
    status = asyncio.run(
        _post_stream(app, f"/api/v1/jobs/{job.job['id']}/items/{item_id}/models", body,
                     bearer(settings, lab.technician))
    )  # fmt: skip
    app.state.engine.dispose()
    assert status == 413
    assert sent[0] * len(chunk) <= 1_000_000 + 2 * len(chunk)  # stopped at the limit
    assert row_counts(engine) == before


async def _post_stream(
    app: FastAPI, path: str, body: Iterator[bytes], headers: dict[str, str]
) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"filename=big.stp",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/octet-stream"),
            *((k.lower().encode(), v.encode()) for k, v in headers.items()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    answer: dict[str, int] = {}

    async def receive() -> dict[str, Any]:
        chunk = next(body, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]

    await app(scope, receive, send)
    return answer["status"]
