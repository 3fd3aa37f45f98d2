"""A job's bundle carries the contract reviews it was accepted on (ISO/IEC 17025 7.1.8): its
own record and the annual agreement's review that covered it, as JSON and on its page."""

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts.models import Role
from tests.factories import make_user
from tests.jobs.factories import MICROMETER, Lab, submit
from tests.records.factories import checked, contents_of, export, saved


@pytest.mark.parametrize("backend", ["sqlite"])  # the bundle's contents, not the store
def test_the_bundle_of_an_accepted_job_holds_its_contract_reviews_and_verifies(
    client: TestClient, engine: Engine, lab: Lab, tmp_path: Path
) -> None:
    job = submit(client, lab, "calibration", MICROMETER)
    job.step("accepted", lab.manager)
    auditor = make_user(engine, Role.AUDITOR)

    bundle = saved(export(client, lab, auditor, job_id=job.job["id"]), tmp_path)

    with Session(engine) as db_session:
        assert checked(bundle, lab.settings, db_session).failures == []
    files = contents_of(bundle)
    folder = f"jobs/{job.job['number']}"
    of_agreement, own = json.loads(files[f"{folder}/contract_review.json"])  # in record order
    assert of_agreement["subject"] == "agreement"
    assert of_agreement["agreement_id"] == job.job["agreement_id"]
    assert of_agreement["decision_rule_agreed"] is True
    assert (own["subject"], own["job_id"]) == ("job", job.job["id"])
    assert own["covered_by_id"] == of_agreement["id"]
    assert own["reviewed_by"] == lab.manager.username
    page = files[f"{folder}/index.html"].decode()
    assert "Contract review" in page and "contract_review.json" in page
    assert f"covered by review {of_agreement['id']}" in page
    events = json.loads(files[f"{folder}/audit_events.json"])
    assert "contract_review" in {event["entity_type"] for event in events}
