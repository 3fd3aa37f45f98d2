"""The invoicing basis over HTTP: a period's delivered jobs, exported once for accounting."""

from typing import Annotated

from fastapi import APIRouter, Query, Response, status

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.invoicing import formats, service
from lims.invoicing.models import ExportCancellation, ExportPublic, ExportRequest, InvoicingBasis
from lims.invoicing.periods import PERIOD_FORMAT

router = APIRouter(prefix="/invoicing", tags=["invoicing"])


@router.get(
    "/basis",
    response_model=InvoicingBasis,
    summary="A dry run: the period's delivered jobs an export would take now, nothing marked",
)
def invoicing_basis(
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    period: Annotated[str, Query(max_length=32, description=PERIOD_FORMAT)],
) -> InvoicingBasis:
    return service.invoicing_basis(db_session, actor=actor, period=period, settings=settings)


@router.post(
    "/exports",
    response_model=ExportPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Export the period's delivered jobs not yet exported, and mark them exported",
)
def create_export(
    body: ExportRequest, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> ExportPublic:
    record, basis = service.create_export(
        db_session, actor=actor, period=body.period, settings=settings
    )
    return service.public(record).model_copy(update={"unpriced": basis.unpriced})


@router.get("/exports", response_model=list[ExportPublic], summary="Exports, newest first")
def list_exports(actor: CurrentActor, db_session: SessionDep) -> list[ExportPublic]:
    return [
        service.public(record, with_lines=False)
        for record in service.list_exports(db_session, actor=actor)
    ]


@router.get(
    "/exports/{export_id}.csv",
    summary="An export as CSV for the accounting system (see the README for the format)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
def export_csv(export_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    record = service.get_export(db_session, actor=actor, export_id=export_id)
    lines = [service.as_basis_line(line) for line in record.lines]
    return Response(
        formats.as_csv(record.export.number, lines),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{record.export.number}.csv"'},
    )


@router.get(
    "/exports/{export_id}.json",
    summary="An export as a JSON file to download",
    response_class=Response,
    responses={200: {"content": {"application/json": {}}}},
)
def export_json(export_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    record = service.get_export(db_session, actor=actor, export_id=export_id)
    return Response(
        formats.as_json(service.public(record)),
        media_type="application/json",
        headers={"content-disposition": f'attachment; filename="{record.export.number}.json"'},
    )


@router.get("/exports/{export_id}", response_model=ExportPublic, summary="An export and its jobs")
def get_export(export_id: int, actor: CurrentActor, db_session: SessionDep) -> ExportPublic:
    return service.public(service.get_export(db_session, actor=actor, export_id=export_id))


@router.post(
    "/exports/{export_id}/cancellation",
    response_model=ExportPublic,
    summary="Cancel an export with a reason: its jobs go to the next export of their period",
)
def cancel_export(
    export_id: int, body: ExportCancellation, actor: CurrentActor, db_session: SessionDep
) -> ExportPublic:
    record = service.cancel_export(db_session, actor=actor, export_id=export_id, reason=body.reason)
    return service.public(record)
