"""The web UI's router: the login and start pages, and the screens of each area.

Pages read through the same service functions as the API, with the caller's principal, and
their scripts change records through the same /api/v1 endpoints; no rule lives here.  The
one form posted here, putting away the first-steps hint, calls its service function too.
"""

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from lims.accounts import service as accounts
from lims.accounts.models import Role
from lims.api.deps import SessionDep
from lims.documents import service as documents_service
from lims.documents.models import DocumentState
from lims.equipment import service as equipment_service
from lims.jobs import queues
from lims.jobs import service as job_service
from lims.jobs.models import JobStatus
from lims.ui import (
    account,
    admin,
    agreements,
    audit,
    commercial,
    comparisons,
    competence,
    customers,
    documents,
    invoicing,
    jobs,
    lab,
    search,
    training,
    workbench,
)
from lims.ui.first_steps import first_step
from lims.ui.session import PageRoute, ViewerDep, lab_today, page, require_csrf_token, safe_next

router = APIRouter(include_in_schema=False, route_class=PageRoute)
DUE_SOON_DAYS = 30


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    """Where each role starts: the first-steps hint until it is put away, the work waiting
    for the person (``lims.jobs.queues``; a customer's documents too), its jobs by status and,
    for the lab, equipment falling due."""
    principal = viewer.principal
    counts = {
        status: job_service.list_jobs(db_session, actor=principal, status=status, limit=1)[1]
        for status in JobStatus
    }
    due = (
        equipment_service.due_for_calibration(
            db_session, actor=principal, within_days=DUE_SOON_DAYS, on_date=lab_today(request)
        )
        if principal.reads_everything
        else []
    )
    documents_ready, documents_total = (
        documents_service.list_documents(
            db_session,
            actor=principal,
            organisation_id=principal.organisation_id,
            state=DocumentState.ISSUED,
            limit=queues.SHOWN,
        )
        if principal.is_customer
        else ([], 0)
    )
    return page(
        request,
        viewer,
        "index.html",
        work=queues.my_work(db_session, actor=principal, on=lab_today(request)),
        documents_ready=documents_ready,
        documents_total=documents_total,
        counts=counts,
        due=due,
        due_soon_days=DUE_SOON_DAYS,
        can_submit=principal.is_customer or principal.is_staff,
        is_auditor=principal.has_any(Role.AUDITOR),
        first_step=(
            first_step(db_session, principal)
            if viewer.user.first_steps_dismissed_at is None
            else None
        ),
        csrf_token=viewer.browser_session.csrf_token,
    )


@router.post("/first-steps/dismiss")
def dismiss_first_steps(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    """The hint's "Got it": a plain form post, so it works without scripts, then back to the
    start page."""
    require_csrf_token(viewer, csrf_token)
    principal = replace(viewer.principal, request_id=getattr(request.state, "request_id", None))
    accounts.dismiss_first_steps(db_session, actor=principal)
    return RedirectResponse("/", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_page(
    request: Request,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    next_: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
) -> Response:
    settings = request.app.state.settings
    return page(
        request,
        None,
        "login.html",
        language=lang or settings.default_language,
        next=safe_next(next_),
    )


for area in (
    account,
    jobs,
    documents,
    customers,
    agreements,
    commercial,
    invoicing,
    lab,
    competence,
    training,
    comparisons,
    audit,
    admin,
    workbench,
    search,
):
    router.include_router(area.router)
