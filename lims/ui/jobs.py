"""Job screens: the board, a job's detail (items, plan, results, workflow), submitting a job."""

import math
from datetime import date
from typing import Annotated, Any, TypedDict

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import STAFF_ROLES
from lims.accounts.principal import Principal
from lims.api.deps import SessionDep
from lims.cad import service as cad
from lims.clock import local_today
from lims.contracts import agreements
from lims.db import persisted_id
from lims.equipment import service as equipment_service
from lims.errors import PermissionDenied
from lims.jobs import actions, assignment, service, workflow
from lims.jobs import results as job_results
from lims.jobs.models import ItemKind, JobKind, JobStatus, Priority
from lims.methods import service as methods
from lims.methods.template import sources_of
from lims.ui import comparisons, contract_review, documents
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
PAGE_SIZE = 25
#: Jobs whose due date no longer matters: delivered, finished or called off.
DELIVERED = {JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}
SORTS = ("due_date", "-due_date", "-created_at", "number", "status", "priority")
#: The steps a second person takes: from measured to reviewed, and on to approved.
FOUR_EYES = {JobStatus.MEASURED, JobStatus.REVIEWED}


def _enum_or_none(enum: Any, value: str | None) -> Any:
    # A hand-edited address with an unknown filter shows the unfiltered board, not an error.
    try:
        return enum(value) if value else None
    except ValueError:
        return None


def _date_or_none(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _organisation_names(db_session: Session, principal: Principal) -> dict[int, str]:
    return {
        organisation.id: organisation.name
        for organisation in accounts.list_organisations(db_session, actor=principal)
        if organisation.id is not None
    }


@router.get("/jobs", response_class=HTMLResponse)
def job_board(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    kind: Annotated[str | None, Query(max_length=20)] = None,
    organisation_id: Annotated[str | None, Query(max_length=12)] = None,
    due_before: Annotated[str | None, Query(max_length=10)] = None,
    sort: Annotated[str, Query(max_length=20)] = "due_date",
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    principal = viewer.principal
    filters = {
        "status": _enum_or_none(JobStatus, status),
        "kind": _enum_or_none(JobKind, kind),
        "organisation_id": (
            int(organisation_id) if organisation_id and organisation_id.isdigit() else None
        ),
        "due_before": _date_or_none(due_before),
    }
    sort = sort if sort in SORTS else "due_date"
    found, total, _ = service.list_jobs(
        db_session,
        actor=principal,
        sort=sort,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
        **filters,
    )
    # The filters and order that the page links (pagination) carry along.
    params = {key: str(value) for key, value in filters.items() if value is not None}
    return page(
        request,
        viewer,
        "job_board.html",
        jobs=found,
        total=total,
        page_number=page_number,
        pages=max(1, math.ceil(total / PAGE_SIZE)),
        filters=filters,
        params={**params, "sort": sort},
        sort=sort,
        sorts=SORTS,
        statuses=list(JobStatus),
        kinds=list(JobKind),
        organisations=_organisation_names(db_session, principal),
        items=service.items_of_jobs(
            db_session, actor=principal, job_ids={persisted_id(job) for job in found}
        ),
        waiting=actions.waiting_for_all(db_session, found),
        delivered=DELIVERED,
    )


@router.get("/jobs/new", response_class=HTMLResponse)
def new_job(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    if not (principal.is_customer or principal.is_staff):
        # Auditors change nothing: the service would refuse the submission anyway.
        raise PermissionDenied(
            "customers and the lab's staff submit jobs; auditors read",
            code="ui.customers_lab_staff_submit_jobs",
        )
    return page(
        request,
        viewer,
        "job_new.html",
        organisations=_organisation_names(db_session, principal),
        own_organisation=principal.organisation_id,
        kinds=list(JobKind),
        item_kinds=list(ItemKind),
        priorities=list(Priority),
    )


def _method_facts(db_session: Session, principal: Principal) -> dict[int, dict[str, Any]]:
    """What the result forms need of each method: its roles, series and parameters."""
    if not principal.reads_everything:
        return {}
    facts: dict[int, dict[str, Any]] = {}
    for method in methods.list_methods(db_session, actor=principal):
        sources = sources_of(method)
        facts[persisted_id(method)] = {
            "id": method.id,
            "label": method.label(),
            "title_fi": method.title_fi,
            "title_en": method.title_en,
            "service_kind": method.service_kind,
            "result_unit": method.result_unit,
            "size_unit": method.size_unit,
            "points": method.calibration_points,
            "roles": sorted({s.equipment_role for s in sources if s.source == "certificate"}),
            # The choice of equipment for a role offers only the kinds the role takes.
            "role_kinds": method.equipment_roles,
            "series": [s.name for s in sources if s.source == "type_a"],
            "parameters": [
                {"name": s.name, "unit": s.unit, "description": s.description}
                for s in sources
                if s.source == "parameter"
            ],
            "temperature_min": method.temperature_min,
            "temperature_max": method.temperature_max,
            "humidity_max": method.humidity_max,
        }
    return facts


class Offers(TypedDict):
    can_work: bool
    can_plan: bool
    can_correct: bool
    can_void: bool
    can_upload_model: bool
    can_enter_customer_values: bool
    in_measurement: bool


def _offers(principal: Principal, kind: JobKind, status: JobStatus) -> Offers:
    """Which forms the page offers; the services decide again when one is sent."""
    runs_jobs = principal.has_any(*service.STAFF_WHO_RUN_JOBS)
    open_plan = status not in service.PLAN_FIXED
    return {
        "can_work": runs_jobs,
        "can_plan": runs_jobs and open_plan,
        "can_correct": runs_jobs and status not in service.EDIT_FIXED,
        "can_void": runs_jobs and status not in service.VOID_FIXED,
        "can_upload_model": (principal.is_customer or runs_jobs)
        and kind in cad.PLANNED_FROM_MODELS
        and open_plan,
        "can_enter_customer_values": comparisons.may_enter_company_values(principal, kind, status),
        "in_measurement": status == JobStatus.IN_MEASUREMENT,
    }


@router.get("/jobs/{job_id}", response_class=HTMLResponse)
def job_detail(
    request: Request, job_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    job = service.get_job(db_session, actor=principal, job_id=job_id)
    public = service.describe(db_session, job)
    items = service.list_items(db_session, actor=principal, job_id=job_id)
    characteristics = service.list_characteristics(db_session, actor=principal, job_id=job_id)
    results = job_results.list_results(db_session, actor=principal, job_id=job_id)
    agreement = agreements.get_agreement(db_session, actor=principal, agreement_id=job.agreement_id)
    status = JobStatus(job.status)
    measured_by = {result.measured_by_id for result in results}
    today = local_today(request.app.state.settings.timezone)
    # Only what this person may do now: the services' own checks say (lims.jobs.actions).
    allowed = actions.allowed_actions(db_session, actor=principal, job=job, on=today)
    steps = actions.ordered_steps(allowed, job)
    users = accounts.list_users(db_session, actor=principal)
    people = {user.id: user.full_name for user in users}
    # Who may be named as having adjusted an instrument (B3): the lab's active staff.
    staff = {
        user.id: user.full_name
        for user in users
        if user.active and STAFF_ROLES.intersection(user.roles)
    }
    reads_everything = principal.reads_everything
    return page(
        request,
        viewer,
        "job_detail.html",
        job=public,
        waiting=actions.waiting_for(db_session, job),
        may_assign=actions.ASSIGN in allowed,
        may_take=actions.TAKE in allowed,
        may_give_back=actions.GIVE_BACK in allowed,
        assignees=assignment.eligible_assignees(db_session, actor=principal, job=job, on=today),
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=job.organisation_id
        ),
        agreement=agreement,
        items=items,
        characteristics=characteristics,
        results={result.characteristic_id: result for result in results},
        accreditation_reasons={
            result.id: job_results.accreditation_reason_in(
                result.accreditation_reason, viewer.language
            )
            for result in results
        },
        proposals=cad.list_proposals(db_session, actor=principal, job_id=job_id),
        transitions=service.list_transitions(db_session, actor=principal, job_id=job_id),
        customer_values={
            value.characteristic_id: value
            for value in job_results.list_customer_values(
                db_session, actor=principal, job_id=job_id
            )
        },
        methods=_method_facts(db_session, principal),
        equipment=(
            [
                equipment_service.describe(db_session, equipment=item, on_date=today)
                for item in equipment_service.list_equipment(db_session, actor=principal)
            ]
            if reads_everything
            else []
        ),
        environment_kinds=equipment_service.ENVIRONMENT_KINDS,
        people=people,
        staff=staff,
        late_entry_days=request.app.state.settings.late_entry_days,
        steps=steps,
        # Steps that must say why: holding, cancelling, and returning a job for correction.
        needs_reason={
            step
            for step in steps
            if step in workflow.NEEDS_REASON
            or (step == JobStatus.IN_MEASUREMENT and status in workflow.RETURNABLE)
        },
        returning=status in workflow.RETURNABLE,
        reopening=status in workflow.REOPENABLE,
        # Four eyes: tell the one who measured why the review or approval their role takes
        # is not offered to them.
        four_eyes_blocks=viewer.user.id in measured_by
        and status in FOUR_EYES
        and principal.has_any(*workflow.STEP_ROLES[workflow.FORWARD[status]]),
        **documents.job_documents_offers(db_session, principal, job_id, status),
        **contract_review.of_job(db_session, principal, job, agreement, today),
        **comparisons.job_page_context(db_session, principal, job),
        **_offers(principal, JobKind(job.kind), status),
    )
