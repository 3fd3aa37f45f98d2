"""The lab's logo (``LIMS_LAB_LOGO``): on every document when set, refused at start when wrong."""

import io
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pydantic import ValidationError
from pypdf import PdfReader
from sqlalchemy import Engine

from lims.config import LOGO_MAX_BYTES, LabProfile, Settings
from tests.documents.factories import approved_calibration, download, issue
from tests.jobs.factories import make_lab
from tests.test_cli import run_cli

LOGO_SIZE = (120, 40)


def make_logo(folder: Path, image_format: str = "PNG") -> Path:
    path = folder / f"logo.{image_format.lower()}"
    Image.new("RGB", LOGO_SIZE, (0, 70, 140)).save(path, format=image_format)
    return path


@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_the_lab_logo_heads_the_issued_certificate(
    client: TestClient, engine: Engine, settings: Settings, tmp_path: Path, image_format: str
) -> None:
    settings.lab = LabProfile(logo=make_logo(tmp_path, image_format))
    lab = make_lab(engine, settings)
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    first_page = PdfReader(io.BytesIO(download(client, lab, certificate))).pages[0]
    assert [image.image.size for image in first_page.images] == [LOGO_SIZE]


def test_without_a_logo_the_certificate_has_no_image(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    certificate = issue(client, lab, job_id=approved_calibration(client, lab).job["id"])
    assert not PdfReader(io.BytesIO(download(client, lab, certificate))).pages[0].images


@pytest.mark.parametrize(
    ("content", "complaint"),
    [
        (None, "is not a file"),
        (b"Tervetuloa laboratorioon\n", "is not a PNG or JPEG image"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>', "is not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + bytes(LOGO_MAX_BYTES), "is larger than 1024 KiB"),
    ],
    ids=["missing", "text", "svg", "huge"],
)
def test_a_logo_that_is_not_a_small_png_or_jpeg_is_refused_at_start(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    content: bytes | None,
    complaint: str,
) -> None:
    logo = tmp_path / "logo.png"
    if content is not None:
        logo.write_bytes(content)
    with pytest.raises(ValidationError, match=complaint):
        LabProfile(logo=logo)
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIMS_LAB_LOGO", str(logo))
    assert run_cli("db", "upgrade") == 2
    error = capsys.readouterr().err
    assert error.startswith("lims: ") and complaint in error and error.count("\n") == 1
    assert not (tmp_path / "data").exists()
