"""Reported jobs of each kind, exports over HTTP and the CLI, and bundles to tamper with."""

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlmodel import Session

from lims.accounts.models import User
from lims.audit.keys import load_key_ring
from lims.config import Settings
from lims.documents.detached import lab_certificate
from lims.records.verify import BundleVerification, verify_bundle
from tests.documents.factories import approved_calibration, approved_product_job, issue
from tests.jobs.factories import JobDriver, Lab

JOB_KINDS = ("calibration", "inspection", "product_qc", "reference")


def reported_job(client: TestClient, lab: Lab, kind: str) -> tuple[JobDriver, dict[str, Any]]:
    """A job of ``kind`` measured, approved and reported: its certificate or report issued."""
    if kind in ("calibration", "inspection"):
        job = approved_calibration(client, lab, kind)
    else:
        job = approved_product_job(client, lab, kind)
    return job, issue(client, lab, job_id=job.job["id"])


def export(client: TestClient, lab: Lab, user: User, **params: Any) -> Response:
    return client.get("/api/v1/records/export", params=params, headers=lab.headers(user))


def saved(response: Response, folder: Path, name: str = "bundle.zip") -> Path:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    path = folder / name
    path.write_bytes(response.content)
    return path


def manifest_of(bundle: Path) -> dict[str, Any]:
    with zipfile.ZipFile(bundle) as archive:
        return json.loads(archive.read("manifest.json"))


def contents_of(bundle: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(bundle) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def flip_one_byte(bundle: Path, member: str) -> None:
    """Change one byte in the middle of ``member``'s data, leaving the ZIP's structure whole."""
    raw = bytearray(bundle.read_bytes())
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as archive:
        info = archive.getinfo(member)
    header = info.header_offset
    name_length = int.from_bytes(raw[header + 26 : header + 28], "little")
    extra_length = int.from_bytes(raw[header + 28 : header + 30], "little")
    data_start = header + 30 + name_length + extra_length
    raw[data_start + info.compress_size // 2] ^= 0x01
    bundle.write_bytes(bytes(raw))


def rewritten(bundle: Path, changes: dict[str, bytes]) -> None:
    """Replace members and rewrite the manifest's hashes to match, as a careful forger would."""
    files = contents_of(bundle)
    files.update(changes)
    manifest = json.loads(files["manifest.json"])
    for entry in manifest["files"]:
        entry["sha256"] = hashlib.sha256(files[entry["path"]]).hexdigest()
        entry["size"] = len(files[entry["path"]])
    files["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)


def checked(
    bundle: Path, settings: Settings, db_session: Session | None = None, **options: Any
) -> BundleVerification:
    """Verify ``bundle`` as ``lims records verify`` does: against the lab's certificate."""
    return verify_bundle(
        bundle,
        db_session,
        certificates=lambda: [lab_certificate(settings)],
        keys=load_key_ring(settings.resolved_audit_key_dir),
        **options,
    )
