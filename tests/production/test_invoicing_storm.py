"""Twenty identical invoicing exports of one period at once against a real ``lims serve``,
on both backends: the export's number series row is taken first and held to the commit, so
one export is made and the other nineteen find its jobs exported (409)."""

import pytest
from sqlmodel import Session, col, select

from lims.audit.trail import set_context
from lims.clock import local_today
from lims.contracts.models import PriceModel
from lims.invoicing.models import InvoicingExport, InvoicingExportLine
from lims.jobs.models import Item
from tests.contracts.factories import make_price_list, make_price_model
from tests.documents.factories import approved_calibration, issue
from tests.factories import FACTORY_ACTOR
from tests.production.test_serialised_workflow import STORM, Site, assert_one_success, site

pytestmark = pytest.mark.slow
__all__ = ["site"]  # the served process per backend, shared with the workflow storms


def delivered_priced_job(site: Site) -> int:
    """A micrometer calibration reported by issuing its certificate, priced from the list
    of the year it was opened (K-MIK-25)."""
    job = approved_calibration(site.client, site.lab)
    issue(site.client, site.lab, job_id=job.job["id"])
    year = local_today(site.lab.settings.timezone).year
    with Session(site.engine) as db_session:
        known = db_session.exec(select(PriceModel).where(PriceModel.year == year)).first()
    if known is None:
        make_price_list(site.engine, make_price_model(site.engine, year))
    with Session(site.engine) as db_session:
        set_context(db_session, FACTORY_ACTOR.audit_context())
        for item in db_session.exec(select(Item).where(Item.job_id == job.job["id"])):
            item.price_item = "K-MIK-25"
            db_session.add(item)
        db_session.commit()
    return int(job.job["id"])


def test_twenty_parallel_exports_of_a_period_export_its_jobs_once(site: Site) -> None:
    job_id = delivered_priced_job(site)
    period = local_today(site.lab.settings.timezone).strftime("%Y-%m")

    answers = site.storm("/invoicing/exports", {"period": period}, by=site.lab.manager)

    winner = assert_one_success(answers, 201)
    assert job_id in [line["job_id"] for line in winner["lines"]]
    assert [answer.json()["code"] for answer in answers if answer.status_code == 409] == [
        "invoicing.nothing_to_export"
    ] * (STORM - 1)
    with Session(site.engine) as db_session:
        exports = db_session.exec(select(InvoicingExport)).all()
        lines = db_session.exec(
            select(InvoicingExportLine).where(col(InvoicingExportLine.job_id) == job_id)
        ).all()
    assert [export.number for export in exports] == [winner["number"]]
    assert len(lines) == 1
