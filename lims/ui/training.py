"""Training: programmes, courses, sessions, enrolments, attendance, assessments and
completion; and RR studies, entered as a grid, evaluated and recorded as RR tests."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal
from lims.api.deps import SessionDep
from lims.documents import service as documents
from lims.equipment import service as equipment_service
from lims.methods import service as methods
from lims.training import rr_tests, service
from lims.training.models import ProgrammeKind
from lims.ui.commercial import organisation_names
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
# The grid a new RR study opens with: AIAG MSA's example has 10 parts, 3 appraisers and 3
# trials; 5 x 2 x 2 keeps the first screen small, and the numbers change it.
GRID_DEFAULTS = {"parts": 5, "operators": 2, "trials": 2}
GRID_LIMITS = {"parts": 50, "operators": 10, "trials": 10}


def people(db_session: Session, principal: Principal) -> dict[str, list[tuple[int, str]]]:
    """The lab's staff and the customers' people a page may name, by (id, name)."""
    users = [user for user in accounts.list_users(db_session, actor=principal) if user.active]
    return {
        "staff": [(u.id, u.full_name) for u in users if u.id and set(u.roles) & STAFF_ROLES],
        "customers": [(u.id, u.full_name) for u in users if u.id and Role.CUSTOMER in u.roles],
    }


def method_labels(db_session: Session, principal: Principal) -> dict[int, str]:
    return {
        method.id: method.label()
        for method in methods.list_methods(db_session, actor=principal)
        if method.id is not None
    }


@router.get("/training", response_class=HTMLResponse)
def training_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    programmes = service.list_programmes(db_session, actor=principal)
    enrolments = service.list_enrolments(db_session, actor=principal)
    return page(
        request,
        viewer,
        "training_list.html",
        programmes=[service.describe_programme(db_session, p) for p in programmes],
        enrolled={p.id: sum(1 for e in enrolments if e.programme_id == p.id) for p in programmes},
        kinds=[kind.value for kind in ProgrammeKind],
        may_manage=principal.has_any(*service.MANAGERS),
    )


@router.get("/training/programmes/{programme_id}", response_class=HTMLResponse)
def programme_detail(
    request: Request, programme_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    programme = service.get_programme(db_session, actor=principal, programme_id=programme_id)
    described = service.describe_programme(db_session, programme)
    return page(
        request,
        viewer,
        "training_programme.html",
        programme=described,
        enrolments=service.list_enrolments(db_session, actor=principal, programme_id=programme_id),
        organisations=organisation_names(db_session, principal),
        people=people(db_session, principal),
        may_manage=principal.has_any(*service.MANAGERS),
    )


@router.get("/training/enrolments/{enrolment_id}", response_class=HTMLResponse)
def enrolment_detail(
    request: Request, enrolment_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    enrolment = service.get_enrolment(db_session, actor=principal, enrolment_id=enrolment_id)
    # A customer reads its own staff's enrolment, not the lab's programme register.
    programme = (
        service.describe_programme(
            db_session,
            service.get_programme(db_session, actor=principal, programme_id=enrolment.programme_id),
        )
        if principal.reads_everything
        else None
    )
    certificates, _total = documents.list_documents(
        db_session, actor=principal, enrolment_id=enrolment_id
    )
    described = service.describe_enrolment(db_session, enrolment)
    return page(
        request,
        viewer,
        "training_enrolment.html",
        enrolment=described,
        programme=programme,
        courses={course.id: course for course in programme.courses} if programme else {},
        marked={attendance.session_id: attendance for attendance in described.attendance},
        missing=service.missing_for_completion(db_session, enrolment),
        certificates=certificates,
        may_train=principal.has_any(*service.TRAINERS),
        may_manage=principal.has_any(*service.MANAGERS),
    )


@router.get("/rr-tests", response_class=HTMLResponse)
def rr_test_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    return page(
        request,
        viewer,
        "rr_test_list.html",
        rr_tests=rr_tests.list_rr_tests(db_session, actor=principal),
        methods=method_labels(db_session, principal) if principal.reads_everything else {},
        may_record=principal.has_any(*service.TRAINERS),
    )


@router.get("/rr-tests/new", response_class=HTMLResponse)
def rr_test_new(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    return page(
        request,
        viewer,
        "rr_test_new.html",
        methods=method_labels(db_session, principal),
        equipment=[
            (item.id, f"{item.identification} · {item.name}")
            for item in equipment_service.list_equipment(db_session, actor=principal)
        ],
        people=people(db_session, principal),
        organisations=organisation_names(db_session, principal),
        grid=GRID_DEFAULTS,
        limits=GRID_LIMITS,
        may_record=principal.has_any(*service.TRAINERS),
    )


@router.get("/rr-tests/{rr_test_id}", response_class=HTMLResponse)
def rr_test_detail(
    request: Request, rr_test_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    rr_test = rr_tests.get_rr_test(db_session, actor=principal, rr_test_id=rr_test_id)
    return page(
        request,
        viewer,
        "rr_test_detail.html",
        rr_test=rr_tests.describe_rr_test(db_session, rr_test),
        outcome_reason=rr_tests.outcome_reason_in(rr_test, viewer.language),
        evaluation={
            **rr_test.result,
            "warnings": rr_tests.warnings_in(rr_test, viewer.language),
        },
        study=rr_test.request,
        methods=method_labels(db_session, principal) if principal.reads_everything else {},
    )
