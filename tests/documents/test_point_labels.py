"""The certificate of a job planned from a method's sizes writes each point in the
reader's notation (lims/jobs/points.py): 2,5 mm on the Finnish master, not the key 2.5 mm."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from lims.config import Settings
from tests.documents.factories import _approve, download, issue, read_back
from tests.jobs.factories import make_lab
from tests.jobs.test_point_labels import planned_job


@pytest.mark.parametrize("backend", ["sqlite"])  # no SQL of its own: one backend
def test_the_certificate_of_a_planned_job_writes_its_point_in_finnish(
    client: TestClient, engine: Engine, settings: Settings
) -> None:
    lab = make_lab(engine, settings)
    job, points = planned_job(client, lab)
    job.step("in_measurement", lab.technician)
    for point, readings in zip(points, ([0.40, 0.42, 0.41], [1.10, 1.12, 1.11]), strict=True):
        job.record(
            characteristic_id=point["id"],
            equipment={"reference": lab.ring_gauge.id},
            observations={"d_x": readings},
        )
    _approve(job)
    certificate = read_back(download(client, lab, issue(client, lab, job_id=job.job["id"])))
    assert "2,5 mm" in certificate.text
    assert "2.5 mm" not in certificate.text
