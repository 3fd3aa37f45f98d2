"""Twenty identical worksheets at once against a real ``lims serve``: the job's lock lets
one record its three points and refuses the rest with 409 (each finds every point measured),
never a 5xx, "database is locked" or a second result for a point."""

import pytest
from sqlmodel import Session, select

from lims.audit.models import AuditEvent
from lims.jobs.models import Result
from tests.jobs.test_worksheet import sheet, three_points
from tests.production.test_serialised_workflow import Site, assert_one_success, site

pytestmark = pytest.mark.slow
__all__ = ["site"]  # the served process per backend, shared with the workflow storms


def test_twenty_parallel_identical_worksheets_record_one_set(site: Site) -> None:
    job, points = three_points(site.client, site.lab)

    answers = site.storm(
        f"/jobs/{job.job['id']}/results/worksheet",
        sheet(job, site.lab, points),
        by=site.lab.technician,
    )

    recorded = assert_one_success(answers, 200)
    assert sorted(result["characteristic_id"] for result in recorded) == sorted(
        point["id"] for point in points
    )
    ids = [point["id"] for point in points]
    with Session(site.engine) as db_session:
        results = db_session.exec(
            select(Result).where(Result.characteristic_id.in_(ids))  # type: ignore[attr-defined]
        ).all()
        inserts = db_session.exec(
            select(AuditEvent).where(
                AuditEvent.entity_type == "result", AuditEvent.action == "insert"
            )
        ).all()
    assert len(results) == len(points)
    assert len([e for e in inserts if int(e.entity_id) in {r.id for r in results}]) == len(points)
