"""Twenty identical voids of one characteristic at once against a real ``lims serve``: the
job's lock lets one through and refuses the rest with 409, one audit event recorded."""

import pytest
from sqlmodel import Session, select

from lims.audit.models import AuditEvent
from tests.documents.factories import approved_calibration
from tests.production.test_serialised_workflow import Site, assert_one_success, site

pytestmark = pytest.mark.slow
__all__ = ["site"]  # the served process per backend, shared with the workflow storms


def test_twenty_parallel_voids_void_the_characteristic_once(site: Site) -> None:
    job = approved_calibration(site.client, site.lab)
    headers = site.lab.headers(site.lab.manager)
    point = site.client.get(f"{job.url}/characteristics", headers=headers).json()[1]

    answers = site.storm(
        f"/jobs/{job.job['id']}/characteristics/{point['id']}/void",
        {"reason": "The 25 mm point was calibrated in error."},
    )

    assert assert_one_success(answers, 200)["void_reason"] == (
        "The 25 mm point was calibrated in error."
    )
    with Session(site.engine) as db_session:
        voids = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "characteristic",
                AuditEvent.entity_id == str(point["id"]),
                AuditEvent.action == "update",
            )
        ).all()
    assert len(voids) == 1
