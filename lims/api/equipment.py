"""The equipment register over HTTP: items, calibrations and certificates, checks, the log,
the calibration planner and traceability chains (the rules are in lims.equipment)."""

import mimetypes
from datetime import date
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import StreamingResponse

from lims.api.deps import CurrentActor, FileStoreDep, SessionDep, SettingsDep
from lims.api.uploads import OptionalFileName, octet_stream_body, receive_upload
from lims.clock import local_today
from lims.equipment import service
from lims.equipment.models import (
    Calibration,
    CalibrationCreate,
    CalibrationPublic,
    EquipmentCreate,
    EquipmentPublic,
    EquipmentUpdate,
    IntermediateCheckCreate,
    IntermediateCheckPublic,
    LogEntryCreate,
    LogEntryPublic,
)
from lims.equipment.status import HorizonError, parse_horizon
from lims.equipment.traceability import TraceabilityChain, chain_of
from lims.errors import InvalidInput

router = APIRouter(prefix="/equipment", tags=["equipment"])

OnDate = Annotated[
    date | None, Query(description="The day the status is derived for; default: today (local)")
]
CERTIFICATE_BODY = octet_stream_body("The certificate file", "%PDF-1.7 certificate M-26-0412")


def _day(settings: SettingsDep, on: date | None) -> date:
    return on or local_today(settings.timezone)


@router.get("", response_model=list[EquipmentPublic])
def list_equipment(
    actor: CurrentActor, db_session: SessionDep, settings: SettingsDep, on: OnDate = None
) -> list[EquipmentPublic]:
    day = _day(settings, on)
    return [
        service.describe(db_session, equipment=equipment, on_date=day)
        for equipment in service.list_equipment(db_session, actor=actor)
    ]


@router.post("", response_model=EquipmentPublic, status_code=status.HTTP_201_CREATED)
def create_equipment(
    body: EquipmentCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> EquipmentPublic:
    equipment = service.create_equipment(db_session, actor=actor, data=body)
    return service.describe(db_session, equipment=equipment, on_date=_day(settings, None))


@router.get(
    "/due",
    response_model=list[EquipmentPublic],
    summary="Calibration planner: items due within a horizon, overdue or never calibrated",
)
def due_for_calibration(
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    within: Annotated[str, Query(description="Horizon: days or weeks, e.g. 30d or 8w")] = "30d",
    on: OnDate = None,
) -> list[EquipmentPublic]:
    try:
        days = parse_horizon(within)
    except HorizonError as error:
        raise InvalidInput(
            "%(reason)s",
            code="api.horizon_invalid",
            reason=error.reason,
            location=("query", "within"),
        ) from None
    return service.due_for_calibration(
        db_session, actor=actor, within_days=days, on_date=_day(settings, on)
    )


@router.get("/{equipment_id}", response_model=EquipmentPublic)
def get_equipment(
    equipment_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    on: OnDate = None,
) -> EquipmentPublic:
    equipment = service.get_equipment(db_session, actor=actor, equipment_id=equipment_id)
    return service.describe(db_session, equipment=equipment, on_date=_day(settings, on))


@router.patch("/{equipment_id}", response_model=EquipmentPublic)
def update_equipment(
    equipment_id: int,
    body: EquipmentUpdate,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> EquipmentPublic:
    equipment = service.update_equipment(
        db_session, actor=actor, equipment_id=equipment_id, data=body
    )
    return service.describe(db_session, equipment=equipment, on_date=_day(settings, None))


@router.get(
    "/{equipment_id}/traceability",
    response_model=TraceabilityChain,
    summary="The traceability chain up to the national metrology institute",
)
def traceability(
    equipment_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    on: OnDate = None,
) -> TraceabilityChain:
    return chain_of(db_session, actor=actor, equipment_id=equipment_id, on_date=_day(settings, on))


# -- calibrations and certificates -------------------------------------------------------------


@router.get("/{equipment_id}/calibrations", response_model=list[CalibrationPublic])
def list_calibrations(
    equipment_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[CalibrationPublic]:
    calibrations = service.list_calibrations(db_session, actor=actor, equipment_id=equipment_id)
    return [CalibrationPublic.model_validate(c, from_attributes=True) for c in calibrations]


@router.post(
    "/{equipment_id}/calibrations",
    response_model=CalibrationPublic,
    status_code=status.HTTP_201_CREATED,
)
def record_calibration(
    equipment_id: int,
    body: CalibrationCreate,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> CalibrationPublic:
    calibration = service.record_calibration(
        db_session,
        actor=actor,
        equipment_id=equipment_id,
        data=body,
        today=_day(settings, None),
    )
    return CalibrationPublic.model_validate(calibration, from_attributes=True)


@router.put(
    "/{equipment_id}/calibrations/{calibration_id}/certificate",
    response_model=CalibrationPublic,
    summary="Attach the certificate file (kept in the file store, its SHA-256 on the record)",
    openapi_extra=CERTIFICATE_BODY,
)
async def attach_certificate(
    equipment_id: int,
    calibration_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
    filename: OptionalFileName,
) -> CalibrationPublic:
    def attach(path: Path) -> Calibration:
        with path.open("rb") as upload:
            return service.attach_certificate(
                db_session,
                actor=actor,
                equipment_id=equipment_id,
                calibration_id=calibration_id,
                content=upload,
                filename=filename,
                store=store,
                max_bytes=settings.max_upload_bytes,
            )

    calibration = await receive_upload(
        request,
        settings,
        may_write=lambda: service.calibration_to_certify(
            db_session, actor=actor, equipment_id=equipment_id, calibration_id=calibration_id
        ),
        keep=attach,
    )
    return CalibrationPublic.model_validate(calibration, from_attributes=True)


@router.get(
    "/{equipment_id}/calibrations/{calibration_id}/certificate",
    response_class=StreamingResponse,
    summary="Download the certificate file (verified against its SHA-256 as it is read)",
)
def download_certificate(
    equipment_id: int,
    calibration_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    store: FileStoreDep,
) -> StreamingResponse:
    sha256, filename = service.certificate_file(
        db_session, actor=actor, equipment_id=equipment_id, calibration_id=calibration_id
    )
    media_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    return StreamingResponse(
        store.open(sha256),
        media_type=media_type,
        headers={
            "content-disposition": f'attachment; filename="{filename}"',
            "x-content-sha256": sha256,
        },
    )


# -- intermediate checks and the log ----------------------------------------------------------


@router.get("/{equipment_id}/checks", response_model=list[IntermediateCheckPublic])
def list_checks(
    equipment_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[IntermediateCheckPublic]:
    checks = service.list_checks(db_session, actor=actor, equipment_id=equipment_id)
    return [IntermediateCheckPublic.model_validate(c, from_attributes=True) for c in checks]


@router.post(
    "/{equipment_id}/checks",
    response_model=IntermediateCheckPublic,
    status_code=status.HTTP_201_CREATED,
)
def record_check(
    equipment_id: int, body: IntermediateCheckCreate, actor: CurrentActor, db_session: SessionDep
) -> IntermediateCheckPublic:
    check = service.record_check(db_session, actor=actor, equipment_id=equipment_id, data=body)
    return IntermediateCheckPublic.model_validate(check, from_attributes=True)


@router.get("/{equipment_id}/log", response_model=list[LogEntryPublic])
def list_log(
    equipment_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[LogEntryPublic]:
    entries = service.list_log(db_session, actor=actor, equipment_id=equipment_id)
    return [LogEntryPublic.model_validate(e, from_attributes=True) for e in entries]


@router.post(
    "/{equipment_id}/log", response_model=LogEntryPublic, status_code=status.HTTP_201_CREATED
)
def add_log_entry(
    equipment_id: int, body: LogEntryCreate, actor: CurrentActor, db_session: SessionDep
) -> LogEntryPublic:
    entry = service.add_log_entry(db_session, actor=actor, equipment_id=equipment_id, data=body)
    return LogEntryPublic.model_validate(entry, from_attributes=True)
