"""CAD/PMI intake over HTTP: upload a model, review its proposals, QIF Results in and out."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from lims.api.deps import CurrentActor, FileStoreDep, SessionDep, SettingsDep
from lims.api.uploads import FileName, octet_stream_body, receive_upload
from lims.cad import service
from lims.cad.models import Acceptance, ModelUpload, ProposalPublic, QifImport
from lims.clock import local_today
from lims.jobs import results as job_results
from lims.jobs.models import CharacteristicPublic
from lims.limits import work_pools

router = APIRouter(prefix="/jobs", tags=["cad"])
MODEL_BODY = octet_stream_body(
    "A STEP AP242 file (plain or gzip) or a QIF 3.0 document", "ISO-10303-21; ..."
)
QIF_BODY = octet_stream_body(
    "A QIF 3.0 Results document", '<QIFDocument xmlns="http://qifstandards.org/xsd/qif3" ...>'
)


@router.post(
    "/{job_id}/items/{item_id}/models",
    response_model=ModelUpload,
    status_code=status.HTTP_201_CREATED,
    summary="Upload a CAD model with PMI (STEP AP242) or a QIF plan: propose characteristics",
    openapi_extra=MODEL_BODY,
)
async def upload_model(
    job_id: int,
    item_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
    filename: FileName,
) -> ModelUpload:
    # Looked up here, in the event loop, where the pools are made without a race.
    readers = work_pools(request.app.state, settings).cad_readers
    return await receive_upload(
        request,
        settings,
        may_write=lambda: service.item_for_model(
            db_session, actor=actor, job_id=job_id, item_id=item_id
        ),
        keep=lambda path: service.upload_model(
            db_session,
            actor=actor,
            job_id=job_id,
            item_id=item_id,
            path=path,
            filename=filename,
            store=store,
            settings=settings,
            readers=readers,
        ),
    )


@router.get("/{job_id}/proposals", response_model=list[ProposalPublic])
def list_proposals(
    job_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[ProposalPublic]:
    found = service.list_proposals(db_session, actor=actor, job_id=job_id)
    return [ProposalPublic.model_validate(p, from_attributes=True) for p in found]


@router.post(
    "/{job_id}/proposals/{proposal_id}/accept",
    response_model=CharacteristicPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Accept a proposed characteristic, with the technician's edits",
)
def accept_proposal(
    job_id: int, proposal_id: int, body: Acceptance, actor: CurrentActor, db_session: SessionDep
) -> CharacteristicPublic:
    characteristic = service.accept_proposal(
        db_session, actor=actor, job_id=job_id, proposal_id=proposal_id, data=body
    )
    return CharacteristicPublic.model_validate(characteristic, from_attributes=True)


@router.post("/{job_id}/proposals/{proposal_id}/reject", response_model=ProposalPublic)
def reject_proposal(
    job_id: int, proposal_id: int, actor: CurrentActor, db_session: SessionDep
) -> ProposalPublic:
    proposal = service.reject_proposal(
        db_session, actor=actor, job_id=job_id, proposal_id=proposal_id
    )
    return ProposalPublic.model_validate(proposal, from_attributes=True)


@router.post(
    "/{job_id}/results/qif",
    response_model=QifImport,
    summary="Import a CMM's QIF Results: the CMM's status kept beside the lab's decision",
    openapi_extra=QIF_BODY,
)
async def import_qif_results(
    job_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
    equipment_id: Annotated[
        int, Query(description="The CMM that measured (its calibration is checked)")
    ],
    measured_on: date | None = None,
    temperature: Annotated[float | None, Query(description="°C, if the QIF has none")] = None,
    humidity: Annotated[float | None, Query(ge=0, le=100, description="%RH")] = None,
    late_entry_reason: Annotated[
        str | None,
        Query(max_length=2000, description="Why, if entered over LIMS_LATE_ENTRY_DAYS late"),
    ] = None,
    reference_workpiece_id: Annotated[
        int | None,
        Query(
            description="A calibrated workpiece measured in the same file (its serial number "
            "or identification on its results): U by ISO 15530-3 where it has repeats"
        ),
    ] = None,
) -> QifImport:
    # Looked up here, in the event loop, where the pools are made without a race.
    readers = work_pools(request.app.state, settings).cad_readers
    return await receive_upload(
        request,
        settings,
        may_write=lambda: job_results.job_for_import(db_session, actor=actor, job_id=job_id),
        keep=lambda path: service.import_qif_results(
            db_session,
            actor=actor,
            job_id=job_id,
            path=path,
            measured_on=measured_on or local_today(settings.timezone),
            equipment_id=equipment_id,
            temperature=temperature,
            humidity=humidity,
            late_entry_reason=late_entry_reason,
            reference_workpiece_id=reference_workpiece_id,
            store=store,
            settings=settings,
            readers=readers,
        ),
    )


@router.get(
    "/{job_id}/results.qif",
    summary="The job's plan and results as QIF 3.0 Results (validated; line profiles left out)",
    response_class=Response,
    responses={200: {"content": {"application/xml": {}}}},
)
def export_qif_results(
    job_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> Response:
    document = service.export_qif_results(db_session, actor=actor, job_id=job_id, settings=settings)
    return Response(content=document, media_type="application/xml")
