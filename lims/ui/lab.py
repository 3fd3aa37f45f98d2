"""The lab's own records: equipment and its calibration status, methods and the accredited
scope."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.api.deps import SessionDep
from lims.equipment import service as equipment_service
from lims.equipment.traceability import chain_of
from lims.methods import service as methods
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)
DUE_WITHIN_DAYS = 30


@router.get("/equipment", response_class=HTMLResponse)
def equipment_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal, today = viewer.principal, lab_today(request)
    register = [
        equipment_service.describe(db_session, equipment=item, on_date=today)
        for item in equipment_service.list_equipment(db_session, actor=principal)
    ]
    due = equipment_service.due_for_calibration(
        db_session, actor=principal, within_days=DUE_WITHIN_DAYS, on_date=today
    )
    return page(
        request, viewer, "equipment_list.html", register=register, due=due,
        due_within=DUE_WITHIN_DAYS,
    )  # fmt: skip


@router.get("/equipment/{equipment_id}", response_class=HTMLResponse)
def equipment_detail(
    request: Request, equipment_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal, today = viewer.principal, lab_today(request)
    item = equipment_service.get_equipment(db_session, actor=principal, equipment_id=equipment_id)
    return page(
        request,
        viewer,
        "equipment_detail.html",
        item=equipment_service.describe(db_session, equipment=item, on_date=today),
        calibrations=equipment_service.list_calibrations(
            db_session, actor=principal, equipment_id=equipment_id
        ),
        checks=equipment_service.list_checks(
            db_session, actor=principal, equipment_id=equipment_id
        ),
        log=equipment_service.list_log(db_session, actor=principal, equipment_id=equipment_id),
        chain=chain_of(db_session, actor=principal, equipment_id=equipment_id, on_date=today),
    )


@router.get("/methods", response_class=HTMLResponse)
def method_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    library = [
        methods.describe(method, on_date=today)
        for method in methods.list_methods(db_session, actor=viewer.principal)
    ]
    return page(request, viewer, "method_list.html", library=library)


@router.get("/methods/{method_id}", response_class=HTMLResponse)
def method_detail(
    request: Request, method_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    method = methods.get_method(db_session, actor=viewer.principal, method_id=method_id)
    return page(
        request,
        viewer,
        "method_detail.html",
        method=methods.describe(method, on_date=lab_today(request)),
    )


@router.get("/scope", response_class=HTMLResponse)
def scope(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    in_scope = [
        methods.describe(method, on_date=today)
        for method in methods.accredited_scope(db_session, on_date=today)
    ]
    return page(request, viewer, "scope.html", methods=in_scope)
