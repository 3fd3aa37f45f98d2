"""A customer's bundle: its own jobs only, none of the lab's internal records, nothing of any
other customer; another customer's job answers exactly as a job that does not exist."""

import json
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from lims.config import Settings
from lims.contracts.models import Service
from lims.equipment.service import latest_calibration
from tests.contracts.factories import make_agreement
from tests.equipment.factories import attach_certificate
from tests.factories import make_organisation, make_user
from tests.jobs.factories import MEASURED_ON, PRODUCT, Lab, make_lab, submit
from tests.records.factories import checked, contents_of, export, reported_job, saved
from tests.test_cli import run_cli

SECRET_OF_B = "Salainen Kilpailija B Oy"
LAB_CERTIFICATE = b"%PDF-1.7 certificate of the lab's own ring gauge"
INTERNAL_TEXTS = ("course T-2026-01", "basis_reference", "acceptance_criteria")


@pytest.fixture
def lab(engine: Engine, settings: Settings) -> Lab:
    lab = make_lab(engine, settings)
    with Session(engine) as db_session:
        calibration = latest_calibration(
            db_session, equipment_id=lab.ring_gauge.id, on_date=MEASURED_ON
        )
    assert calibration is not None
    attach_certificate(engine, settings, calibration, content=LAB_CERTIFICATE)
    return lab


@pytest.fixture
def lab_of_b(engine: Engine, settings: Settings, lab: Lab) -> Lab:
    """The same lab, seen from a second customer with a job of its own."""
    organisation = make_organisation(engine, name=SECRET_OF_B)
    make_agreement(
        engine, organisation, services=(Service.PRODUCT_QC,), valid_until=date(2099, 12, 31)
    )
    customer_user = make_user(engine, Role.CUSTOMER, organisation=organisation)
    return Lab(**{**vars(lab), "customer": organisation, "customer_user": customer_user})


def test_a_customers_bundle_holds_its_records_and_nothing_internal_or_of_others(
    client: TestClient, engine: Engine, lab: Lab, lab_of_b: Lab, tmp_path: Path
) -> None:
    own, document = reported_job(client, lab, "calibration")
    other = submit(client, lab_of_b, "product_qc", {**PRODUCT, "description": SECRET_OF_B})
    year = own.job["number"].split("-")[1]

    bundle = saved(
        export(client, lab, lab.customer_user, period=f"{year}-01-01..{year}-12-31"), tmp_path
    )

    files = contents_of(bundle)
    folder = f"jobs/{own.job['number']}"
    assert f"{folder}/documents/{document['number']}.pdf" in files
    assert json.loads(files[f"{folder}/results.json"]), (
        "an approved job's results are the customer's"
    )
    internal = [
        name
        for name in files
        if name.startswith("laboratory/")
        or name.endswith(("/equipment.json", "/methods.json", "/staff.json"))
    ]
    assert internal == []
    everything = b"\n".join(files.values())
    for secret in (SECRET_OF_B, other.job["number"], *INTERNAL_TEXTS):
        assert secret.encode() not in everything, secret
    assert LAB_CERTIFICATE not in everything
    # Customers have no access to the audit trail (issue #21); the signed manifest proves it.
    assert not [name for name in files if name.endswith("audit_events.json")]
    manifest = json.loads(files["manifest.json"])
    assert manifest["audience"] == "customer"
    assert manifest["jobs"] == [own.job["number"]]
    with Session(engine) as db_session:
        assert checked(bundle, lab.settings, db_session).failures == []


def test_the_labs_bundle_of_the_same_job_holds_the_internal_records(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    own, _ = reported_job(client, lab, "calibration")
    bundle = saved(export(client, lab, lab.manager, job_id=own.job["id"]), tmp_path)
    files = contents_of(bundle)
    assert LAB_CERTIFICATE in files.values()
    assert b"course T-2026-01" in files[f"jobs/{own.job['number']}/staff.json"]
    lab_events = json.loads(files["laboratory/audit_events.json"])
    assert {"equipment", "calibration", "method", "authorisation"} <= {
        e["entity_type"] for e in lab_events
    }


def test_another_customers_job_answers_as_a_job_that_does_not_exist(
    client: TestClient, lab: Lab, lab_of_b: Lab
) -> None:
    other = submit(client, lab_of_b, "product_qc", PRODUCT)
    asked = export(client, lab, lab.customer_user, job_id=other.job["id"])
    missing = export(client, lab, lab.customer_user, job_id=987654)
    assert asked.status_code == missing.status_code == 404
    assert asked.headers["content-type"] == "application/problem+json"
    assert asked.json()["detail"].replace(str(other.job["id"]), "N") == missing.json()[
        "detail"
    ].replace("987654", "N")
    assert SECRET_OF_B not in asked.text


def test_on_the_cli_another_customers_job_is_one_line_and_no_file(
    client: TestClient,
    lab: Lab,
    lab_of_b: Lab,
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LIMS_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("LIMS_DATA_DIR", str(settings.data_dir))
    other = submit(client, lab_of_b, "product_qc", PRODUCT)
    number = other.job["number"]
    out = tmp_path / "out"
    out.mkdir()
    argv = ["records", "export", "--job", number, "--as", lab.customer_user.username]
    assert run_cli(*argv, "-o", str(out / "b.zip")) == 2
    assert capsys.readouterr().err == f"lims: job {number} does not exist\n"
    assert list(out.iterdir()) == []


def test_a_customer_cannot_export_another_customers_document(
    client: TestClient, lab: Lab, lab_of_b: Lab
) -> None:
    _, document = reported_job(client, lab, "calibration")
    asked = export(client, lab_of_b, lab_of_b.customer_user, document=document["number"])
    missing = export(client, lab_of_b, lab_of_b.customer_user, document="KT-2026-9999")
    assert asked.status_code == missing.status_code == 404
    assert document["number"] in asked.json()["detail"]


def test_a_reopened_job_shows_the_customer_no_results_until_approved_again(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "product_qc")
    job.step("in_measurement", lab.manager, reason="The customer disputes D10")
    bundle = saved(export(client, lab, lab.customer_user, job_id=job.job["id"]), tmp_path)
    files = contents_of(bundle)
    folder = f"jobs/{job.job['number']}"
    assert json.loads(files[f"{folder}/results.json"]) == []
    assert f"{folder}/audit_events.json" not in files
