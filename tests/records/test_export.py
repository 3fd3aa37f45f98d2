"""Exported bundles of every kind of job hold every record behind it, verify, and fail
verification, naming the file, once anything in them is changed."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlmodel import Session

from lims.accounts.models import Role
from lims.config import Settings
from lims.records.bundle import MANIFEST_SIGNATURE
from lims.records.events import chain_head
from tests.conftest import row_counts
from tests.documents.factories import issue
from tests.factories import behind_the_application, make_user
from tests.jobs.factories import Lab
from tests.records.factories import (
    JOB_KINDS,
    checked,
    contents_of,
    export,
    flip_one_byte,
    manifest_of,
    reported_job,
    rewritten,
    saved,
)
from tests.test_cli import run_cli

JOB_FILES = (
    "job.json",
    "contract.json",
    "items.json",
    "plan.json",
    "results.json",
    "customer_values.json",
    "environment.json",
    "equipment.json",
    "methods.json",
    "staff.json",
    "documents.json",
    "audit_events.json",
    "index.html",
)


def verified(bundle: Path, engine: Engine, settings: Settings) -> None:
    with Session(engine) as db_session:
        verification = checked(bundle, settings, db_session)
    assert verification.failures == []
    assert verification.live and verification.events > 0


@pytest.mark.parametrize("kind", JOB_KINDS)
def test_a_reported_job_of_each_kind_exports_everything_behind_it_and_verifies(
    kind: str, client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, document = reported_job(client, lab, kind)
    auditor = make_user(engine, Role.AUDITOR)
    bundle = saved(export(client, lab, auditor, job_id=job.job["id"]), tmp_path)

    verified(bundle, engine, lab.settings)
    files = contents_of(bundle)
    folder = f"jobs/{job.job['number']}"
    assert {f"{folder}/{name}" for name in JOB_FILES} <= files.keys()
    pdf = f"{folder}/documents/{document['number']}.pdf"
    assert (
        files[pdf]
        == client.get(
            f"/api/v1/documents/{document['id']}/pdf", headers=lab.headers(auditor)
        ).content
    )
    results = json.loads(files[f"{folder}/results.json"])
    assert len(results) == 2 if kind in ("product_qc", "reference") else len(results) == 3
    assert all(r["decision"] is not None for r in results)
    if kind != "inspection":
        assert all(r["uncertainty"]["budget"] for r in results)
    equipment = json.loads(files[f"{folder}/equipment.json"])
    assert equipment and all(use["calibration_on_day"] for use in equipment)
    staff = json.loads(files[f"{folder}/staff.json"])
    acts = [act for person in staff for act in person["acts"]]
    assert {act["activity"] for act in acts} == {"perform", "review", "sign"}
    assert all(act["authorised"] for act in acts)
    events = json.loads(files[f"{folder}/audit_events.json"])
    assert {"job", "item", "characteristic", "result", "document"} <= {
        e["entity_type"] for e in events
    }
    if kind == "reference":
        assert len(json.loads(files[f"{folder}/customer_values.json"])) == 2


def test_the_manifest_names_scope_time_exporter_and_the_chain_head_and_the_index_links_all(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    auditor = make_user(engine, Role.AUDITOR)
    bundle = saved(export(client, lab, auditor, job_id=job.job["id"]), tmp_path)
    with Session(engine) as db_session:
        head = chain_head(db_session)
    manifest = manifest_of(bundle)
    assert manifest["scope"] == {"kind": "job", "label": job.job["number"]}
    assert manifest["exporter"]["username"] == auditor.username
    assert manifest["exported_at"].endswith("+00:00")
    assert head is not None
    assert manifest["audit_chain"] == {"head_event_id": head.id, "head_hash": head.hash}
    assert manifest["retention_years"] == 10
    files = contents_of(bundle)
    index = files["index.html"].decode()
    linked = [entry["path"] for entry in manifest["files"] if entry["path"] != "index.html"]
    assert all(f'href="{path}"' in index for path in linked)
    sums = files["SHA256SUMS"].decode().splitlines()
    assert len(sums) == len(manifest["files"]) - 1  # all but SHA256SUMS itself


def test_exporting_changes_no_record(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "reference")
    auditor = make_user(engine, Role.AUDITOR)
    before = row_counts(engine)
    saved(export(client, lab, auditor, job_id=job.job["id"]), tmp_path)
    assert row_counts(engine) == before


def test_a_document_exports_the_records_behind_it(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, document = reported_job(client, lab, "product_qc")
    agreement_document = issue(client, lab, lab.manager, agreement_id=job.job["agreement_id"])
    auditor = make_user(engine, Role.AUDITOR)

    bundle = saved(export(client, lab, auditor, document=document["number"]), tmp_path)
    assert manifest_of(bundle)["jobs"] == [job.job["number"]]
    contract = saved(
        export(client, lab, auditor, document=agreement_document["number"]), tmp_path, "sop.zip"
    )
    verified(contract, engine, lab.settings)
    files = contents_of(contract)
    folder = f"contracts/{agreement_document['number']}"
    assert json.loads(files[f"{folder}/subject.json"])["type"] == "agreement"
    assert f"{folder}/documents/{agreement_document['number']}.pdf" in files


def test_flipping_one_byte_fails_verification_naming_the_file(
    client: TestClient,
    engine: Engine,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    job, document = reported_job(client, lab, "calibration")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    pdf = f"jobs/{job.job['number']}/documents/{document['number']}.pdf"
    assert run_cli("records", "verify", str(bundle)) == 0

    flip_one_byte(bundle, pdf)

    capsys.readouterr()
    assert run_cli("records", "verify", str(bundle)) == 1
    out = capsys.readouterr().out
    assert f"FAILED {pdf}:" in out
    assert out.count("FAILED") == 1
    assert run_cli("records", "verify", "--offline", str(bundle)) == 1


def test_an_altered_audit_event_is_caught_even_with_the_manifest_rewritten(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "inspection")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    events_path = f"jobs/{job.job['number']}/audit_events.json"
    events = json.loads(contents_of(bundle)[events_path])
    events[0]["actor"] = "someone-else"
    rewritten(bundle, {events_path: json.dumps(events).encode()})

    with Session(engine) as db_session:
        offline = checked(bundle, lab.settings)
        live = checked(bundle, lab.settings, db_session)
    for verification in (offline, live):
        # The manifest's signature fails too; the event's own hash catches it regardless.
        assert [f.path for f in verification.failures] == [MANIFEST_SIGNATURE, events_path]
        assert "was altered" in verification.failures[1].problem


def test_a_forged_pdf_with_a_rewritten_manifest_is_not_the_labs_document(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, document = reported_job(client, lab, "calibration")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    pdf = f"jobs/{job.job['number']}/documents/{document['number']}.pdf"
    rewritten(bundle, {pdf: b"%PDF-1.7 forged"})

    with Session(engine) as db_session:
        verification = checked(bundle, lab.settings, db_session)
    # The manifest's signature fails too; the live record's hash catches it regardless.
    assert [f.path for f in verification.failures] == [MANIFEST_SIGNATURE, pdf]
    assert f"document:{document['number']}" in verification.failures[1].problem


def test_a_chain_cut_short_after_export_fails_verification(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    bundle = saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path)
    head_id = manifest_of(bundle)["audit_chain"]["head_event_id"]
    with behind_the_application(engine) as connection:
        connection.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": head_id})

    with Session(engine) as db_session:
        verification = checked(bundle, lab.settings, db_session)
    assert any(
        f.path == "manifest.json" and f"event {head_id}" in f.problem for f in verification.failures
    )


def test_cli_exports_a_period_with_a_progress_bar_and_verifies_it(
    client: TestClient,
    lab: Lab,
    tmp_path: Path,
    cli_environment: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first, _ = reported_job(client, lab, "calibration")
    second, _ = reported_job(client, lab, "product_qc")
    year = first.job["number"].split("-")[1]
    target = tmp_path / "period.zip"

    assert (
        run_cli("records", "export", "--period", f"{year}-01-01..{year}-12-31", "-o", str(target))
        == 0
    )

    captured = capsys.readouterr()
    assert "Exporting jobs" in captured.err
    assert f"records bundle {target}: 2 jobs" in captured.out
    assert manifest_of(target)["jobs"] == [first.job["number"], second.job["number"]]
    assert run_cli("records", "verify", str(target)) == 0
    assert "bundle intact" in capsys.readouterr().out
