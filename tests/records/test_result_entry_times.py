"""The records export shows when each result was entered and why a late one was late
(ISO/IEC 17025 7.5): an auditor reads both beside the measurement date."""

import json
from pathlib import Path

from fastapi.testclient import TestClient

from tests.jobs.factories import MEASURED_ON, Lab
from tests.records.factories import contents_of, export, reported_job, saved


def test_the_records_export_lists_when_each_result_was_entered(
    client: TestClient, lab: Lab, tmp_path: Path
) -> None:
    job, _ = reported_job(client, lab, "calibration")
    files = contents_of(saved(export(client, lab, lab.manager, job_id=job.job["id"]), tmp_path))
    folder = f"jobs/{job.job['number']}"
    results = json.loads(files[f"{folder}/results.json"])
    assert results and all(r["entered_at"] and r["late_entry_reason"] is None for r in results)
    for result in results:
        assert f"{MEASURED_ON}; {result['entered_at']}".encode() in files[f"{folder}/index.html"]
