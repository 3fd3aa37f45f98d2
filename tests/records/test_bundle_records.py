"""What an assessor closes a bundle with, without asking (#32): the instrument that measured
each result's room conditions and its status on the day, the intermediate checks, log entries
and certificates of every item used, each review and approval as a staff act with its time,
the gaps said aloud, an index page in the auditor's language that prints on A4, and a bundle
re-zipped by the `zip` tool that still verifies."""

import json
import posixpath
import shutil
import subprocess
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import User
from lims.audit.trail import save
from lims.clock import local_today
from lims.equipment.models import Equipment
from lims.equipment.service import ENVIRONMENT_ROLE
from tests.documents.factories import RING_POINTS, _prepare, issue
from tests.equipment.factories import attach_certificate, make_calibration, make_equipment
from tests.factories import FACTORY_ACTOR
from tests.jobs.factories import MICROMETER, JobDriver, Lab, submit
from tests.records.factories import contents_of, export, reported_job, saved
from tests.test_cli import run_cli


def _calibrated_room_instrument(engine: Engine, lab: Lab, *, certificate: bool) -> Equipment:
    today = local_today(lab.settings.timezone)
    instrument = make_equipment(engine, name="Room logger", kind="thermo_hygrometer")
    calibration = make_calibration(
        engine,
        instrument,
        calibrated_on=(today - timedelta(days=30)).isoformat(),
        next_due_on=(today + timedelta(days=300)).isoformat(),
    )
    if certificate:
        attach_certificate(engine, lab.settings, calibration, b"%PDF-1.7 room logger")
    return instrument


def _staff_post(client: TestClient, lab: Lab, url: str, body: dict[str, Any]) -> None:
    response = client.post(url, json=body, headers=lab.headers(lab.manager))
    assert response.status_code == 201, response.text


def _reported_with_room_instrument(
    client: TestClient, lab: Lab, instrument: Equipment
) -> JobDriver:
    """A ring calibration measured with the room logger, reviewed, returned, reviewed again,
    approved and reported."""
    job = submit(client, lab, "calibration", MICROMETER)
    _prepare(job)
    job.step("in_measurement", lab.technician)
    for size, readings in RING_POINTS.items():
        point = job.plan(
            label=f"{size:g} mm",
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
        )
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id, ENVIRONMENT_ROLE: instrument.id},
            observations={"d_x": readings},
        )
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("in_measurement", lab.reviewer, reason="temperature column checked again")
    job.step("measured", lab.technician)
    job.step("reviewed", lab.reviewer)
    job.step("approved", lab.signatory)
    issue(client, lab, job_id=job.job["id"])
    return job


def _set_language(engine: Engine, user: User, language: str) -> None:
    with Session(engine) as db_session:
        row = db_session.get_one(User, user.id)
        row.language = language
        save(db_session, FACTORY_ACTOR.audit_context(), row)


#: The files written after index.html, which its list of files cannot name.
WRITTEN_AFTER_INDEX = {"index.html", "SHA256SUMS"}
#: The bundle each backend exported, kept as bytes: the tests below only read it.
_EXPORTED: dict[str, dict[str, bytes]] = {}


@pytest.fixture
def bundle(backend: str, request: pytest.FixtureRequest) -> dict[str, bytes]:
    """One exported bundle per backend, shared by the tests that read it (exporting is
    expensive; the records behind it are not needed once its bytes are kept)."""
    if backend not in _EXPORTED:
        _EXPORTED[backend] = _export_the_bundle(
            request.getfixturevalue("client"),
            request.getfixturevalue("engine"),
            request.getfixturevalue("lab"),
            request.getfixturevalue("tmp_path"),
        )
    return _EXPORTED[backend]


def _export_the_bundle(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> dict[str, bytes]:
    yesterday = (local_today(lab.settings.timezone) - timedelta(days=1)).isoformat()
    instrument = _calibrated_room_instrument(engine, lab, certificate=True)
    checks = f"/api/v1/equipment/{lab.ring_gauge.id}"
    _staff_post(
        client,
        lab,
        f"{checks}/checks",
        {"checked_on": yesterday, "procedure": "against check ring 50 mm", "passed": True},
    )
    _staff_post(
        client,
        lab,
        f"{checks}/log",
        {"kind": "maintenance", "happened_on": yesterday, "description": "cleaned and oiled"},
    )
    job = _reported_with_room_instrument(client, lab, instrument)
    files = contents_of(saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path))
    return {**files, "job_folder": f"jobs/{job.job['number']}".encode()}


def _section(bundle: dict[str, bytes], name: str) -> Any:
    return json.loads(bundle[f"{bundle['job_folder'].decode()}/{name}.json"])


def test_each_result_names_its_room_instrument_with_its_calibration_on_the_day(
    bundle: dict[str, bytes],
) -> None:
    environment = _section(bundle, "environment")
    assert len(environment) == len(RING_POINTS)
    for entry in environment:
        instrument = entry["instrument"]
        assert instrument["kind"] == "thermo_hygrometer"
        assert instrument["status_on_day"]["status"] == "in_calibration"
        assert instrument["calibration_certificate"]
    uses = _section(bundle, "equipment")
    room = [use for use in uses if use["roles"] == [ENVIRONMENT_ROLE]]
    assert room and room[0]["certificate_file"]


def test_the_bundle_carries_the_checks_log_and_certificates_of_every_item_used(
    bundle: dict[str, bytes],
) -> None:
    folder = bundle["job_folder"].decode()
    uses = _section(bundle, "equipment")
    ring = next(use for use in uses if "reference" in use["roles"])
    assert [check["procedure"] for check in ring["intermediate_checks"]] == [
        "against check ring 50 mm"
    ]
    assert [entry["description"] for entry in ring["log_entries"]] == ["cleaned and oiled"]
    manifest = json.loads(bundle["manifest.json"])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for use in uses:
        if use["certificate_file"]:
            path = posixpath.normpath(posixpath.join(folder, use["certificate_file"]))
            assert listed[path]["record"].startswith("calibration:")
    tables = {event["entity_type"] for event in json.loads(bundle["laboratory/audit_events.json"])}
    assert {"intermediate_check", "equipment_log_entry"} <= tables


def test_every_review_and_approval_is_a_staff_act_with_its_time(
    bundle: dict[str, bytes],
) -> None:
    acts = [act for person in _section(bundle, "staff") for act in person["acts"]]
    reviews = [act for act in acts if act["what"] == "reviewed the job"]
    approvals = [act for act in acts if act["what"] == "approved the job"]
    issued = [act for act in acts if act["what"].startswith("issued ")]
    assert len(reviews) == 2 and len(approvals) == 1 and len(issued) == 1
    assert reviews[0]["at"] < reviews[1]["at"]
    assert all(act["authorised"] and act["at"] for act in reviews + approvals + issued)


def test_a_calibration_without_its_certificate_file_is_a_gap_in_manifest_and_index(
    bundle: dict[str, bytes],
) -> None:
    manifest = json.loads(bundle["manifest.json"])
    missing = [gap for gap in manifest["gaps"] if gap["kind"] == "certificate_missing"]
    # The lab's ring gauge was recorded without its file; the room logger has its own.
    assert {gap["equipment"] for gap in missing} == {
        use["equipment"]["identification"]
        for use in _section(bundle, "equipment")
        if use["certificate_file"] is None
    }
    assert missing
    index = bundle["index.html"].decode()
    assert "Puutteet tallenteissa" in index
    assert f"laitteen {missing[0]['equipment']} kalibroinnin" in index


def test_a_result_recorded_without_a_room_instrument_shows_not_recorded(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    files = contents_of(saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path))
    environment = json.loads(files[f"jobs/{job.job['number']}/environment.json"])
    assert {entry["instrument"] for entry in environment} == {None}
    gaps = json.loads(files["manifest.json"])["gaps"]
    assert {gap["result_id"] for gap in gaps if gap["kind"].startswith("environment")} == {
        entry["result_id"] for entry in environment
    }


def test_a_room_instrument_of_another_kind_or_not_in_calibration_is_refused(
    client: TestClient, engine: Engine, lab: Lab
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    _prepare(job)
    job.step("in_measurement", lab.technician)
    point = job.plan(
        label="10 mm",
        kind="calibration_point",
        nominal=10,
        lower_limit=-2,
        upper_limit=2,
        unit="um",
        method_id=lab.ring_method.id,
    )
    entry = {"characteristic_id": point["id"], "observations": {"d_x": [0.4, 0.41]}}
    wrong_kind = job.record(
        expect=422,
        equipment={"reference": lab.ring_gauge.id, ENVIRONMENT_ROLE: lab.cmm.id},
        **entry,
    )
    assert wrong_kind["code"] == "equipment.not_an_environment_instrument"
    uncalibrated = make_equipment(engine, name="Room logger", kind="room_logger")
    not_usable = job.record(
        expect=422,
        equipment={"reference": lab.ring_gauge.id, ENVIRONMENT_ROLE: uncalibrated.id},
        **entry,
    )
    assert not_usable["code"] == "equipment.equipment_usable"
    assert uncalibrated.identification in not_usable["detail"]
    unknown = job.record(
        expect=422, equipment={"reference": lab.ring_gauge.id, ENVIRONMENT_ROLE: 999999}, **entry
    )
    assert unknown["code"] == "equipment.equipment_does_exist"


def test_the_index_page_speaks_the_exporters_language_or_the_one_asked_and_prints_on_a4(
    client: TestClient,
    engine: Engine,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    _set_language(engine, lab.manager, "sv")
    swedish = contents_of(
        saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path, "sv.zip")
    )["index.html"].decode()
    assert '<html lang="sv">' in swedish and "Alla filer" in swedish
    asked = export(client, lab, lab.manager, job_id=job.job["id"], language="en")
    english = contents_of(saved(asked, tmp_path, "en.zip"))["index.html"].decode()
    assert '<html lang="en">' in english and "Every file" in english
    assert export(client, lab, lab.manager, job_id=job.job["id"], language="de").status_code == 422
    argv = ("records", "export", "--job", job.job["number"], "--language", "de")
    assert run_cli(*argv, "-o", str(tmp_path / "de.zip")) == 2
    assert "fi, sv or en, not de" in capsys.readouterr().err
    assert not (tmp_path / "de.zip").exists()

    weasyprint = pytest.importorskip("weasyprint")
    pdf = tmp_path / "index.pdf"
    weasyprint.HTML(string=swedish).write_pdf(pdf)
    reader = PdfReader(pdf)
    a4_width_points = 595.28
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - a4_width_points) < 1
    text = "".join(page.extract_text() for page in reader.pages)
    # The widest table is the file list: its last column, every SHA-256, is printed whole.
    manifest = json.loads(contents_of(tmp_path / "sv.zip")["manifest.json"])
    compact = text.replace("\n", "").replace(" ", "")
    listed = [entry for entry in manifest["files"] if entry["path"] not in WRITTEN_AFTER_INDEX]
    for entry in listed:
        assert entry["sha256"] in compact, entry["path"]


@pytest.mark.skipif(shutil.which("zip") is None, reason="the zip tool is not installed")
def test_a_bundle_unpacked_and_packed_again_with_the_zip_tool_verifies(
    client: TestClient, lab: Lab, tmp_path: Path, cli_environment: None
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    original = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(original) as archive:
        archive.extractall(unpacked)
    repacked = tmp_path / "repacked.zip"
    subprocess.run(["zip", "-q", "-r", str(repacked), "."], cwd=unpacked, check=True)
    with zipfile.ZipFile(repacked) as archive:
        assert "jobs/" in archive.namelist()

    assert run_cli("records", "verify", str(repacked)) == 0
