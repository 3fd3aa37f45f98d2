"""Bad requests get a sentence a person can act on and leave no bundle, partial or whole,
over HTTP and on the command line."""

import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lims.config import Settings
from lims.records.service import TEMPORARY_FOLDER
from lims.storage import store_in
from tests.jobs.factories import Lab
from tests.records.factories import export, reported_job
from tests.test_cli import run_cli

BAD_REQUESTS = [
    ({"job_id": 987654}, 404, "job 987654 does not exist"),
    ({"document": "KT-2026-9999"}, 404, "document KT-2026-9999 does not exist"),
    ({"period": "2001-01-01..2001-12-31"}, 404, "no job was opened or reported"),
    ({"period": "2026-06-30..2026-01-01"}, 422, "ends before it begins"),
    ({"period": "2016-01-01..2026-06-30"}, 422, "longer than 10 years"),
    ({"period": "2026-02-30..2026-03-01"}, 422, "impossible date"),
    ({"period": "last year"}, 422, "YYYY-MM-DD..YYYY-MM-DD"),
    ({}, 422, "exactly one of"),
    ({"job_id": 1, "period": "2026-01-01..2026-06-30"}, 422, "exactly one of"),
]


def leftovers(settings: Settings, *folders: Path) -> list[Path]:
    spool = settings.data_dir / TEMPORARY_FOLDER
    return [path for folder in (spool, *folders) if folder.exists() for path in folder.iterdir()]


@pytest.mark.parametrize(("params", "status", "message"), BAD_REQUESTS)
def test_bad_requests_over_http_get_a_clear_problem_and_no_bundle(
    params: dict[str, object],
    status: int,
    message: str,
    client: TestClient,
    lab: Lab,
    settings: Settings,
) -> None:
    response = export(client, lab, lab.manager, **params)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert message in response.json()["detail"]
    assert leftovers(settings) == []


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--job", "TY-2026-9999"], "job TY-2026-9999 does not exist"),
        (["--document", "KT-2026-9999"], "document KT-2026-9999 does not exist"),
        (["--period", "2001-01-01..2001-12-31"], "no job was opened or reported"),
        (["--period", "2016-01-01..2026-06-30"], "longer than 10 years"),
        (["--period", "2026-06-30..2026-01-01"], "ends before it begins"),
        ([], "exactly one of"),
        (["--job", "TY-2026-0001", "--as", "nobody"], "no active user nobody"),
    ],
)
def test_bad_requests_on_the_cli_print_one_line_exit_2_and_write_nothing(
    argv: list[str],
    message: str,
    lab: Lab,
    settings: Settings,
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert run_cli("records", "export", *argv, "-o", str(out / "bundle.zip")) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("lims: ") and len(err.splitlines()) == 1
    assert message in err
    assert leftovers(settings, out) == []


def test_a_stored_file_failing_its_hash_stops_the_export_and_leaves_nothing(
    client: TestClient,
    lab: Lab,
    settings: Settings,
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, document = reported_job(client, lab, "calibration")
    stored = store_in(settings.data_dir)._path_for(document["sha256"])
    stored.write_bytes(stored.read_bytes().replace(b"%PDF", b"%PDX", 1))
    out = tmp_path / "out"
    out.mkdir()

    assert run_cli("records", "export", "--job", job.job["number"], "-o", str(out / "b.zip")) == 2
    assert "does not match its hash" in capsys.readouterr().err
    response = export(client, lab, lab.manager, job_id=job.job["id"])
    assert response.status_code == 500
    assert "does not match its hash" in response.json()["detail"]
    assert leftovers(settings, out) == []


def test_an_existing_file_is_not_overwritten(
    client: TestClient,
    lab: Lab,
    cli_environment: None,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, _ = reported_job(client, lab, "inspection")
    target = tmp_path / "kept.zip"
    target.write_bytes(b"an earlier bundle")
    assert run_cli("records", "export", "--job", job.job["number"], "-o", str(target)) == 2
    assert "already exists" in capsys.readouterr().err
    assert target.read_bytes() == b"an earlier bundle"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"not a zip at all", "not a readable ZIP"),
        ("empty zip", "has no manifest.json"),
    ],
)
def test_verify_refuses_what_is_not_a_bundle_with_exit_2(
    content: bytes | str | None,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "bundle.zip"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("readme.txt", "hello")
    assert run_cli("records", "verify", "--offline", str(path)) == 2
    err = capsys.readouterr().err
    assert err.startswith("lims: ") and message in err
