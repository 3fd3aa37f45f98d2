"""Reference measurements (service B2): the company's and the lab's values side by side, their
scores and charts, the company's history, and the test-piece templates."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import Role
from lims.accounts.principal import Principal
from lims.api.deps import SessionDep
from lims.comparisons import service
from lims.comparisons.models import TestPieceTemplate
from lims.comparisons.scores import verdict_of_en
from lims.jobs import service as job_service
from lims.jobs.models import Job, JobKind, JobStatus
from lims.ui.commercial import organisation_names
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
#: The reference jobs /comparisons lists, newest first; a company's page shows all of its own.
LISTED_JOBS = 100
#: From these on, the company's values are fixed (lims.jobs.results.record_customer_value).
VALUES_FIXED = {JobStatus.APPROVED, JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}
TEMPLATE_MAKERS = (Role.ADMIN, Role.QUALITY_MANAGER)


def may_enter_company_values(principal: Principal, kind: JobKind, status: JobStatus) -> bool:
    """Whether a page offers the form for the company's own values (the service decides
    again when it is sent): the customer or the lab's staff, on a B2 job not yet approved."""
    return (
        kind == JobKind.REFERENCE
        and status not in VALUES_FIXED
        and (principal.is_customer or principal.has_any(*job_service.STAFF_WHO_RUN_JOBS))
    )


def job_page_context(db_session: Session, principal: Principal, job: Job) -> dict[str, Any]:
    """What the job page's results in/out and test-piece parts need (templates/ui/
    _results_io.html): the templates a B2 plan can start from."""
    templates: list[TestPieceTemplate] = []
    if job.kind == JobKind.REFERENCE and principal.has_any(*job_service.STAFF_WHO_RUN_JOBS):
        templates = service.list_templates(db_session, actor=principal)
    return {"test_piece_templates": templates}


@router.get("/comparisons", response_class=HTMLResponse)
def comparisons_overview(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    """The reference jobs, the companies that have them, and the test-piece templates."""
    principal = viewer.principal
    jobs, total, _ = job_service.list_jobs(
        db_session, actor=principal, kind=JobKind.REFERENCE, sort="-created_at", limit=LISTED_JOBS
    )
    names = organisation_names(db_session, principal)
    companies = sorted(
        {job.organisation_id for job in jobs}, key=lambda organisation_id: names[organisation_id]
    )
    return page(
        request,
        viewer,
        "comparisons.html",
        jobs=jobs,
        total=total,
        names=names,
        companies=companies,
        templates=service.list_templates(db_session, actor=principal),
        can_define_templates=principal.has_any(*TEMPLATE_MAKERS),
    )


@router.get("/comparisons/companies/{organisation_id}", response_class=HTMLResponse)
def company_history(
    request: Request,
    organisation_id: int,
    viewer: ViewerDep,
    db_session: SessionDep,
    characteristic_kind: Annotated[str | None, Query(max_length=40)] = None,
    instrument: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """A company's reference measurements over the years, its trend chart and alerts; the
    series narrowed to one kind of characteristic or one instrument if asked."""
    principal = viewer.principal
    # The choices come from the whole history, so a narrowed page still offers the others.
    everything = service.comparison_history(
        db_session, actor=principal, organisation_id=organisation_id
    )
    chosen = {
        key: value
        for key, value in (("characteristic_kind", characteristic_kind), ("instrument", instrument))
        if value
    }
    history = (
        service.comparison_history(
            db_session, actor=principal, organisation_id=organisation_id, **chosen
        )
        if chosen
        else everything
    )
    history = service.in_language(history, viewer.language)
    for series in history["series"]:
        for point in series["points"]:
            point["verdict"] = verdict_of_en(point["En"])
            point["day"] = date.fromisoformat(point["measured_on"])
    return page(
        request,
        viewer,
        "comparison_company.html",
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=organisation_id
        ),
        history=history,
        alert_after=service.ALERT_AFTER,
        kinds=sorted({series["characteristic_kind"] for series in everything["series"]}),
        instruments=sorted(
            {series["instrument"] for series in everything["series"] if series["instrument"]}
        ),
        chosen=chosen,
    )


@router.get("/jobs/{job_id}/comparison", response_class=HTMLResponse)
def job_comparison(
    request: Request, job_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    """A B2 job: per characteristic the lab's and the company's values, D, En and zeta."""
    principal = viewer.principal
    job = job_service.get_job(db_session, actor=principal, job_id=job_id)
    comparison = service.in_language(
        service.job_comparison(db_session, actor=principal, job_id=job_id), viewer.language
    )
    characteristics = job_service.list_characteristics(db_session, actor=principal, job_id=job_id)
    return page(
        request,
        viewer,
        "comparison_job.html",
        job=job,
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=job.organisation_id
        ),
        comparison=comparison,
        scored=any(row["D"] is not None for row in comparison["characteristics"]),
        open_characteristics=[c for c in characteristics if not c.voided],
        can_enter_values=may_enter_company_values(
            principal, JobKind(job.kind), JobStatus(job.status)
        ),
    )
