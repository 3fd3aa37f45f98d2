"""The lab signs every bundle's manifest: a bundle edited with all its hashes recomputed no
longer verifies, the manifest's SHA-256 is printed and can be held to the one noted at export,
and every export leaves a signed checkpoint of the audit chain's head behind."""

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lims.audit.checkpoints import read_checkpoints
from lims.config import Settings
from lims.documents.signing import create_demo_signing_key
from lims.records.bundle import CHECKSUMS, MANIFEST, MANIFEST_SIGNATURE
from tests.jobs.factories import Lab
from tests.records.factories import contents_of, export, manifest_of, reported_job, saved
from tests.test_cli import run_cli


@pytest.fixture
def bundle(client: TestClient, lab: Lab, tmp_path: Path) -> Path:
    job, _ = reported_job(client, lab, "calibration")
    return saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)


def zipped(path: Path, files: dict[str, bytes], *, folders: bool = False) -> None:
    """Write ``files`` as a new ZIP, with an entry for every folder when ``folders``, as the
    `zip` tool makes when a bundle is unpacked and packed again."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        written: set[str] = set()
        for name, content in files.items():
            parts = name.split("/")[:-1]
            for depth in range(1, len(parts) + 1) if folders else ():
                folder = "/".join(parts[:depth]) + "/"
                if folder not in written:
                    archive.writestr(zipfile.ZipInfo(folder), b"")
                    written.add(folder)
            archive.writestr(name, content)


def verify(bundle: Path, *options: str) -> int:
    return run_cli("records", "verify", *options, str(bundle))


def test_the_issues_forged_bundle_with_manifest_and_checksums_recomputed_fails(
    bundle: Path, cli_environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    files = contents_of(bundle)
    results_path = next(name for name in files if name.endswith("/results.json"))
    results = json.loads(files[results_path])
    results[0]["value"] = "9.99"
    files[results_path] = json.dumps(results).encode()
    manifest = json.loads(files[MANIFEST])
    listed = {entry["path"]: entry for entry in manifest["files"]}
    sums = "".join(
        f"{hashlib.sha256(files[path]).hexdigest()}  {path}\n"
        for path in listed
        if path != CHECKSUMS
    )
    files[CHECKSUMS] = sums.encode()
    for path, entry in listed.items():
        entry["sha256"] = hashlib.sha256(files[path]).hexdigest()
        entry["size"] = len(files[path])
    files[MANIFEST] = json.dumps(manifest).encode()
    zipped(bundle, files)

    for options in ((), ("--offline",)):
        assert verify(bundle, *options) == 1
        out = capsys.readouterr().out
        assert (
            f"FAILED {MANIFEST_SIGNATURE}: the manifest's signature does not match the signed "
            "content: the content was altered after signing"
        ) in out
        assert "bundle NOT intact" in out


def test_a_bundle_without_its_signature_fails_naming_it(
    bundle: Path, cli_environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    files = contents_of(bundle)
    del files[MANIFEST_SIGNATURE]
    zipped(bundle, files)

    assert verify(bundle, "--offline") == 1
    assert (
        f"FAILED {MANIFEST_SIGNATURE}: is missing: the manifest is not signed by the lab"
        in capsys.readouterr().out
    )


def test_verify_prints_the_manifests_sha256_and_holds_it_to_the_one_noted(
    client: TestClient,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, _ = reported_job(client, lab, "inspection")
    response = export(client, lab, lab.manager, job_id=job.job["id"])
    noted = response.headers["x-manifest-sha256"]
    bundle = saved(response, tmp_path)
    assert hashlib.sha256(contents_of(bundle)[MANIFEST]).hexdigest() == noted

    assert verify(bundle, "--expect-sha256", noted.upper()) == 0
    out = capsys.readouterr().out
    assert f"manifest SHA-256 {noted}" in out
    assert f"manifest signed by {lab.settings.lab.name}" in out

    other = "0" * 64
    assert verify(bundle, "--expect-sha256", other) == 1
    assert (
        f"FAILED {MANIFEST}: has SHA-256 {noted}, not the expected {other}"
        in capsys.readouterr().out
    )
    assert verify(bundle, "--expect-sha256", "abc") == 2
    assert "--expect-sha256 takes 64 hex digits" in capsys.readouterr().err


def test_an_assessors_copy_of_the_labs_certificate_verifies_and_another_labs_does_not(
    bundle: Path,
    settings: Settings,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    copy = tmp_path / "assessor" / "lab.pem"
    copy.parent.mkdir()
    copy.write_bytes(settings.resolved_document_signing_certificate.read_bytes())
    assert verify(bundle, "--offline", "--certificate", str(copy)) == 0

    stranger = Settings(data_dir=tmp_path / "stranger", environment="test")
    create_demo_signing_key(stranger)
    other = str(stranger.resolved_document_signing_certificate)
    assert verify(bundle, "--offline", "--certificate", other) == 1
    assert "the manifest's signature was not made with the trusted certificate" in (
        capsys.readouterr().out
    )
    assert verify(bundle, "--certificate", str(tmp_path / "missing.pem")) == 2
    assert "cannot read the certificate" in capsys.readouterr().err


def test_a_bundle_re_zipped_with_folder_entries_still_verifies(
    bundle: Path, cli_environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    zipped(bundle, contents_of(bundle), folders=True)
    with zipfile.ZipFile(bundle) as archive:
        assert any(info.is_dir() for info in archive.infolist())

    assert verify(bundle) == 0
    assert "bundle intact" in capsys.readouterr().out


def test_a_folder_entry_with_content_is_not_ignored(
    bundle: Path, cli_environment: None, capsys: pytest.CaptureFixture[str]
) -> None:
    files = contents_of(bundle)
    files["jobs/"] = b"hidden"
    zipped(bundle, files)

    assert verify(bundle, "--offline") == 1
    assert "FAILED jobs/: is not in the manifest" in capsys.readouterr().out


def test_every_export_appends_a_signed_checkpoint_of_the_chains_head(
    client: TestClient,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, _ = reported_job(client, lab, "product_qc")
    log = lab.settings.resolved_audit_checkpoint_log
    assert read_checkpoints(log) == []

    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    (checkpoint,) = read_checkpoints(log)
    head = manifest_of(bundle)["audit_chain"]
    assert (checkpoint.event_id, checkpoint.hash) == (head["head_event_id"], head["head_hash"])

    target = tmp_path / "cli.zip"
    assert run_cli("records", "export", "--job", job.job["number"], "-o", str(target)) == 0
    assert read_checkpoints(log) == [checkpoint]  # the head has not moved: no new line
    assert run_cli("audit", "verify") == 0
    assert "audit checkpoints sound: 1" in capsys.readouterr().out


def test_without_the_labs_signing_key_nothing_is_exported(
    client: TestClient,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, _ = reported_job(client, lab, "inspection")
    lab.settings.resolved_document_signing_key.unlink()
    target = tmp_path / "unsigned.zip"

    assert run_cli("records", "export", "--job", job.job["number"], "-o", str(target)) == 2
    assert "Document signing file" in capsys.readouterr().err
    assert not target.exists() and list(tmp_path.glob(".unsigned.zip.*")) == []
