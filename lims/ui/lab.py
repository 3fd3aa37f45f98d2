"""The lab's own records: equipment and its calibration status, methods and the accredited
scope."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from lims import labels
from lims.accounts.principal import require_role
from lims.api.deps import SessionDep
from lims.equipment import service as equipment_service
from lims.equipment.models import EquipmentStatus
from lims.equipment.status import CalibrationStatus
from lims.equipment.traceability import chain_of
from lims.i18n import N_
from lims.methods import service as methods
from lims.methods.models import ServiceKind
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)
DUE_WITHIN_DAYS = 30
UNUSABLE = {
    CalibrationStatus.OVERDUE, CalibrationStatus.NOT_CALIBRATED, CalibrationStatus.NOT_FIT_FOR_USE,
}  # fmt: skip
#: Words for the values the equipment and method forms offer (the records keep the values).
WORDS: dict[str, dict[str, str]] = {
    "calibration_kind": {
        "external": N_("External"), "internal": N_("Internal, against our standard"),
    },
    "log_kind": {
        "maintenance": N_("Maintenance"), "damage": N_("Damage"), "malfunction": N_("Malfunction"),
        "modification": N_("Modification"), "repair": N_("Repair"),
    },
    "result_quantity": {
        "measured_value": N_("Measured value"), "deviation": N_("Deviation from nominal"),
        "error_of_indication": N_("Error of indication"),
    },
    "source": {
        "certificate": N_("Certificate of the equipment in a role"),
        "type_a": N_("Observations (Type A)"), "type_b": N_("Fixed (Type B)"),
        "parameter": N_("Parameter of the job or item"),
    },
    # The distributions a fixed Type B input may take (lims.methods.models.TypeBSource).
    "distribution": {
        "normal": N_("Normal"), "rectangular": N_("Rectangular"), "triangular": N_("Triangular"),
        "arcsine": N_("Arcsine (U-shaped)"), "trapezoidal": N_("Trapezoidal"),
    },
}  # fmt: skip


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
    # Overdue first: what may not be used today before what falls due.
    unusable = [item for item in due if item.calibration_status in UNUSABLE]
    return page(
        request, viewer, "equipment_list.html", register=register, unusable=unusable,
        due=[item for item in due if item not in unusable],
        due_within=DUE_WITHIN_DAYS, can_manage=principal.has_any(*equipment_service.MANAGERS),
    )  # fmt: skip


@router.get("/equipment/new", response_class=HTMLResponse)
def equipment_new(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    # Who may register is the service's rule; the page only spares others a form they
    # could not send.
    require_role(viewer.principal, *equipment_service.MANAGERS, doing="register equipment")
    register = equipment_service.list_equipment(db_session, actor=viewer.principal)
    return page(
        request, viewer, "equipment_new.html", kinds=sorted({item.kind for item in register}),
    )  # fmt: skip


@router.get("/equipment/{equipment_id}", response_class=HTMLResponse)
def equipment_detail(
    request: Request, equipment_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal, today = viewer.principal, lab_today(request)
    item = equipment_service.get_equipment(db_session, actor=principal, equipment_id=equipment_id)
    checks = equipment_service.list_checks(db_session, actor=principal, equipment_id=equipment_id)
    return page(
        request,
        viewer,
        "equipment_detail.html",
        can_manage=principal.has_any(*equipment_service.MANAGERS),
        can_check=principal.has_any(*equipment_service.CHECKERS),
        statuses=list(EquipmentStatus),
        words=WORDS,
        standards=[
            other
            for other in equipment_service.list_equipment(db_session, actor=principal)
            if other.id != equipment_id
        ],
        item=equipment_service.describe(db_session, equipment=item, on_date=today),
        status=equipment_service.status_of(db_session, equipment=item, on_date=today),
        calibrations=equipment_service.list_calibrations(
            db_session, actor=principal, equipment_id=equipment_id
        ),
        checks=checks,
        readings=[
            {
                "on": check.checked_on.isoformat(),
                "value": check.value,
                "unit": check.unit,
                "lower": check.lower_limit,
                "upper": check.upper_limit,
                "passed": check.passed,
            }
            for check in checks
            if check.value is not None
        ],
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
    return page(
        request, viewer, "method_list.html", library=library,
        can_manage=viewer.principal.has_any(*methods.MANAGERS),
    )  # fmt: skip


@router.get("/methods/new", response_class=HTMLResponse)
def method_new(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    based_on: Annotated[int | None, Query(alias="from")] = None,
) -> Response:
    require_role(viewer.principal, *methods.MANAGERS, doing="add methods")
    today = lab_today(request)
    base = next_version = None
    if based_on is not None:
        method = methods.get_method(db_session, actor=viewer.principal, method_id=based_on)
        base = methods.describe(method, on_date=today).model_dump(mode="json")
        # A new model or CMC is a new version: the next number after the code's highest.
        next_version = 1 + max(
            other.version
            for other in methods.list_methods(db_session, actor=viewer.principal)
            if other.code == method.code
        )
    return page(
        request, viewer, "method_new.html", base=base, next_version=next_version,
        service_kinds=list(ServiceKind), words=WORDS,
        kind_codes=list(labels.LABELS["equipment_kind"]),
        role_codes=list(labels.LABELS["equipment_role"]),
    )  # fmt: skip


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
        can_manage=viewer.principal.has_any(*methods.MANAGERS),
        words=WORDS,
    )


@router.get("/scope", response_class=HTMLResponse)
def scope(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    in_scope = [
        methods.describe(method, on_date=today)
        for method in methods.accredited_scope(db_session, on_date=today)
    ]
    return page(request, viewer, "scope.html", methods=in_scope)
