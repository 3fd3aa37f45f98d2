"""Jobs ready for their documents, issuing through the API, and reading PDFs back."""

import io
import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Organisation, User
from lims.audit.trail import save
from lims.config import Settings
from lims.documents.models import Document
from lims.documents.pdf import read_attachments
from lims.storage import store_in
from tests.factories import FACTORY_ACTOR
from tests.jobs.factories import MICROMETER, PRODUCT, JobDriver, Lab, submit

_numbers = itertools.count(9000)

# Readings of the setting-ring method's d_x (um) at three sizes: one inside the
# permissible error of +-2 um, one near it and one outside.
RING_POINTS = {10.0: [0.40, 0.42, 0.41], 25.0: [1.10, 1.12, 1.11], 50.0: [2.50, 2.52, 2.51]}


def _prepare(job: JobDriver) -> None:
    job.step("accepted", job.lab.manager)
    job.receive_all()
    job.step("items_received", job.lab.technician)


def _approve(job: JobDriver) -> JobDriver:
    job.step("measured", job.lab.technician)
    job.step("reviewed", job.lab.reviewer)
    job.step("approved", job.lab.signatory)
    return job


def approved_calibration(client: TestClient, lab: Lab, kind: str = "calibration") -> JobDriver:
    """A micrometer calibrated at three points with the ring method, approved."""
    job = submit(client, lab, kind, MICROMETER)
    _prepare(job)
    points = [
        job.plan(
            label=f"{size:g} mm",
            kind="calibration_point",
            nominal=size,
            lower_limit=-2,
            upper_limit=2,
            unit="um",
            method_id=lab.ring_method.id,
        )
        for size in RING_POINTS
    ]
    job.step("in_measurement", lab.technician)
    for point, readings in zip(points, RING_POINTS.values(), strict=True):
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": readings},
        )
    return _approve(job)


def approved_product_job(client: TestClient, lab: Lab, kind: str = "product_qc") -> JobDriver:
    """B1 (or B2): two sizes of a flange measured on the CMM, one inside its tolerance."""
    job = submit(client, lab, kind, PRODUCT)
    _prepare(job)
    inside = job.plan(
        label="D20",
        nominal=20,
        lower_limit=19.95,
        upper_limit=20.05,
        unit="mm",
        method_id=lab.cmm_method.id,
    )
    outside = job.plan(
        label="D10",
        nominal=10,
        lower_limit=9.99,
        upper_limit=10.0,
        unit="mm",
        method_id=lab.cmm_method.id,
    )
    job.step("in_measurement", lab.technician)
    cmm = {"cmm": lab.cmm.id}
    job.record(
        characteristic_id=inside["id"],
        equipment=cmm,
        observations={"x": [20.0010, 20.0012, 20.0014]},
    )
    job.record(
        characteristic_id=outside["id"],
        equipment=cmm,
        observations={"x": [10.0005, 10.0007, 10.0006]},
    )
    if kind == "reference":
        for characteristic, value in ((inside, 20.004), (outside, 10.001)):
            response = client.post(
                f"{job.url}/customer-values",
                json={
                    "characteristic_id": characteristic["id"],
                    "value": value,
                    "expanded_uncertainty": 0.004,
                    "coverage_factor": 2,
                },
                headers=lab.headers(lab.customer_user),
            )
            assert response.status_code in (200, 201), response.text
    return _approve(job)


def issue(
    client: TestClient, lab: Lab, user: User | None = None, expect: int = 201, **subject: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/v1/documents", json=subject, headers=lab.headers(user or lab.signatory)
    )
    assert response.status_code == expect, response.text
    return response.json()


def download(client: TestClient, lab: Lab, document: dict[str, Any], user: User | None = None):
    response = client.get(
        f"/api/v1/documents/{document['id']}/pdf", headers=lab.headers(user or lab.signatory)
    )
    assert response.status_code == 200, response.text
    return response.content


@dataclass
class ReadBack:
    """A PDF as a reader sees it: its text, pages, attachments and XMP metadata."""

    pages: int
    text: str
    attachments: dict[str, bytes]
    xmp: str


def read_back(pdf: bytes) -> ReadBack:
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.trailer["/Root"].get("/Metadata")
    return ReadBack(
        pages=len(reader.pages),
        text="\n".join(page.extract_text() for page in reader.pages),
        attachments=read_attachments(pdf),
        xmp=metadata.get_object().get_data().decode("utf-8") if metadata else "",
    )


def make_document(
    engine: Engine, settings: Settings, organisation: Organisation, **fields: Any
) -> Document:
    """An issued document row of ``organisation`` with a stored file, without rendering."""
    store = store_in(settings.data_dir)
    stored = store.put([b"%PDF-1.7\n% a stand-in for an issued certificate\n"], max_bytes=1024)
    values: dict[str, Any] = {
        "number": f"KT-2026-{next(_numbers):04d}",
        "kind": "calibration_certificate",
        "language": "fi",
        "title": "Kalibrointitodistus",
        "organisation_id": organisation.id,
        "sha256": stored.sha256,
        "size": stored.size,
        "data": {
            "lab": {"name": settings.lab.name},
            "free_text": {"items.1.description": f"{organisation.name} mikrometri"},
        },
        "issued_by": "factory",
        "signatory_name": "Anna Allekirjoittaja",
        "signatory_function": "Laboratorion johtaja",
        **fields,
    }
    with Session(engine) as db_session:
        return save(db_session, FACTORY_ACTOR.audit_context(), Document(**values))
