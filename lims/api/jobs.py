"""Jobs over HTTP: submission, the job board, items, plans, results and the workflow."""

from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status

from lims.api.deps import CurrentActor, FileStoreDep, SessionDep, SettingsDep
from lims.api.problems import request_language
from lims.api.uploads import FileName, octet_stream_body, receive_upload
from lims.clock import local_today
from lims.jobs import actions, assignment, results, service, worksheet
from lims.jobs.models import (
    CharacteristicEdit,
    CharacteristicPublic,
    CharacteristicSpec,
    CharacteristicVoid,
    CustomerValueEntry,
    CustomerValuePublic,
    Dispatch,
    Item,
    ItemPublic,
    ItemSpec,
    JobActions,
    JobAssignment,
    JobKind,
    JobPage,
    JobPublic,
    JobStatus,
    JobSubmission,
    JobTransitionPublic,
    PointsPlan,
    Receipt,
    ResultEntry,
    ResultPublic,
    Transition,
    WaitingPublic,
)

router = APIRouter(prefix="/jobs", tags=["jobs"])
FILE_BODY = octet_stream_body(
    "The file's bytes (a drawing, a CAD model with PMI, a QIF document)", "ISO-10303-21; ..."
)
CSV_BODY = {
    "requestBody": {
        "required": True,
        "description": "Results as CSV (see lims/jobs/results_csv.py for the columns)",
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": (
                    "characteristic,observations,unit,measured_on\n25 mm,0.4|0.5,um,2026-11-27\n"
                ),
            }
        },
    }
}


def _item(item: Any) -> ItemPublic:
    return ItemPublic.model_validate(item, from_attributes=True)


@router.get("", response_model=JobPage, summary="The job board: filter, sort, page")
def list_jobs(
    actor: CurrentActor,
    db_session: SessionDep,
    status_: Annotated[JobStatus | None, Query(alias="status")] = None,
    kind: JobKind | None = None,
    organisation_id: int | None = None,
    due_before: date | None = None,
    sort: Annotated[
        str, Query(max_length=20, description="due_date, -created_at, ...")
    ] = "due_date",
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512,
            description="Continue after the page whose next_cursor this is (same sort); "
            "use it instead of offset to walk a long board",
        ),
    ] = None,
) -> JobPage:
    jobs, total, next_cursor = service.list_jobs(
        db_session,
        actor=actor,
        status=status_,
        kind=kind,
        organisation_id=organisation_id,
        due_before=due_before,
        sort=sort,
        limit=limit,
        offset=offset,
        cursor=cursor,
    )
    return JobPage(
        jobs=service.describe_all(db_session, jobs),
        total=total,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
    )


@router.post(
    "", response_model=JobPublic, status_code=status.HTTP_201_CREATED, summary="Submit a job"
)
def submit_job(
    body: JobSubmission, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> JobPublic:
    job = service.submit_job(db_session, actor=actor, data=body, settings=settings)
    return service.describe(db_session, job)


@router.get("/{job_id}", response_model=JobPublic)
def get_job(job_id: int, actor: CurrentActor, db_session: SessionDep) -> JobPublic:
    return service.describe(db_session, service.get_job(db_session, actor=actor, job_id=job_id))


@router.get("/{job_id}/transitions", response_model=list[JobTransitionPublic])
def list_transitions(
    job_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[JobTransitionPublic]:
    steps = service.list_transitions(db_session, actor=actor, job_id=job_id)
    return [JobTransitionPublic.model_validate(step, from_attributes=True) for step in steps]


@router.post("/{job_id}/transitions", response_model=JobPublic, summary="Move the job one step")
def transition(
    job_id: int,
    body: Transition,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> JobPublic:
    job = service.transition(
        db_session, actor=actor, job_id=job_id, to=body.to, reason=body.reason, settings=settings
    )
    return service.describe(db_session, job)


@router.put(
    "/{job_id}/assignment",
    response_model=JobPublic,
    summary="Assign the job to a technician, or to nobody",
    description="A quality manager, an administrator or a signatory assigns an open job to an "
    "active technician authorised for the methods its plan uses; a technician takes an "
    "unassigned job for themselves (their own user id) or gives back their own (null). Asking "
    "for the assignment the job already has answers it as it is (200, nothing recorded).",
)
def assign(
    job_id: int,
    body: JobAssignment,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> JobPublic:
    job = assignment.assign(db_session, actor=actor, job_id=job_id, data=body, settings=settings)
    return service.describe(db_session, job)


@router.get(
    "/{job_id}/actions",
    response_model=JobActions,
    summary="What the caller may do on the job now, and what the job waits for",
)
def job_actions(
    job_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> JobActions:
    job = service.get_job(db_session, actor=actor, job_id=job_id)
    allowed = actions.allowed_actions(
        db_session, actor=actor, job=job, on=local_today(settings.timezone)
    )
    waiting = actions.waiting_for(db_session, job)
    return JobActions(
        actions=sorted(allowed),
        waiting_for=WaitingPublic.model_validate(asdict(waiting)) if waiting else None,
    )


# -- items --------------------------------------------------------------------------------


@router.get("/{job_id}/items", response_model=list[ItemPublic])
def list_items(job_id: int, actor: CurrentActor, db_session: SessionDep) -> list[ItemPublic]:
    return [_item(item) for item in service.list_items(db_session, actor=actor, job_id=job_id)]


@router.post("/{job_id}/items", response_model=ItemPublic, status_code=status.HTTP_201_CREATED)
def add_item(
    job_id: int, body: ItemSpec, actor: CurrentActor, db_session: SessionDep
) -> ItemPublic:
    return _item(service.add_item(db_session, actor=actor, job_id=job_id, spec=body))


@router.post("/{job_id}/items/{item_id}/receipt", response_model=ItemPublic)
def receive_item(
    job_id: int, item_id: int, body: Receipt, actor: CurrentActor, db_session: SessionDep
) -> ItemPublic:
    return _item(
        service.receive_item(db_session, actor=actor, job_id=job_id, item_id=item_id, data=body)
    )


@router.post("/{job_id}/items/{item_id}/dispatch", response_model=ItemPublic)
def dispatch_item(
    job_id: int, item_id: int, body: Dispatch, actor: CurrentActor, db_session: SessionDep
) -> ItemPublic:
    return _item(
        service.dispatch_item(db_session, actor=actor, job_id=job_id, item_id=item_id, data=body)
    )


@router.put(
    "/{job_id}/items/{item_id}/files",
    response_model=ItemPublic,
    summary="Attach a file (drawing, CAD model with PMI, QIF) to an item",
    openapi_extra=FILE_BODY,
)
async def attach_file(
    job_id: int,
    item_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
    filename: FileName,
    role: Literal["drawing", "cad", "qif", "other"] = "other",
) -> ItemPublic:
    def attach(path: Path) -> Item:
        with path.open("rb") as upload:
            return service.attach_file(
                db_session,
                actor=actor,
                job_id=job_id,
                item_id=item_id,
                content=upload,
                filename=filename,
                role=role,
                store=store,
                max_bytes=settings.max_upload_bytes,
            )

    item = await receive_upload(
        request,
        settings,
        may_write=lambda: service.item_for_upload(
            db_session, actor=actor, job_id=job_id, item_id=item_id
        ),
        keep=attach,
    )
    return _item(item)


# -- plans and results --------------------------------------------------------------------


@router.get("/{job_id}/characteristics", response_model=list[CharacteristicPublic])
def list_characteristics(
    job_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[CharacteristicPublic]:
    found = service.list_characteristics(db_session, actor=actor, job_id=job_id)
    return [CharacteristicPublic.model_validate(c, from_attributes=True) for c in found]


@router.post(
    "/{job_id}/characteristics",
    response_model=CharacteristicPublic,
    status_code=status.HTTP_201_CREATED,
)
def add_characteristic(
    job_id: int, body: CharacteristicSpec, actor: CurrentActor, db_session: SessionDep
) -> CharacteristicPublic:
    characteristic = service.add_characteristic(db_session, actor=actor, job_id=job_id, spec=body)
    return CharacteristicPublic.model_validate(characteristic, from_attributes=True)


@router.patch(
    "/{job_id}/characteristics/{characteristic_id}",
    response_model=CharacteristicPublic,
    summary="Correct a characteristic before its results are approved, saying why",
)
def edit_characteristic(
    job_id: int,
    characteristic_id: int,
    body: CharacteristicEdit,
    actor: CurrentActor,
    db_session: SessionDep,
) -> CharacteristicPublic:
    characteristic = service.edit_characteristic(
        db_session, actor=actor, job_id=job_id, characteristic_id=characteristic_id, edit=body
    )
    return CharacteristicPublic.model_validate(characteristic, from_attributes=True)


@router.post(
    "/{job_id}/characteristics/{characteristic_id}/void",
    response_model=CharacteristicPublic,
    summary="Void a characteristic with a reason: it stays on the record and takes no results",
)
def void_characteristic(
    job_id: int,
    characteristic_id: int,
    body: CharacteristicVoid,
    actor: CurrentActor,
    db_session: SessionDep,
) -> CharacteristicPublic:
    characteristic = service.void_characteristic(
        db_session,
        actor=actor,
        job_id=job_id,
        characteristic_id=characteristic_id,
        reason=body.reason,
    )
    return CharacteristicPublic.model_validate(characteristic, from_attributes=True)


@router.post(
    "/{job_id}/characteristics/from-method",
    response_model=list[CharacteristicPublic],
    status_code=status.HTTP_201_CREATED,
    summary="Plan calibration points from a method (its default sizes, or those given)",
)
def plan_calibration_points(
    job_id: int, body: PointsPlan, actor: CurrentActor, db_session: SessionDep
) -> list[CharacteristicPublic]:
    planned = service.plan_calibration_points(db_session, actor=actor, job_id=job_id, plan=body)
    return [CharacteristicPublic.model_validate(c, from_attributes=True) for c in planned]


@router.get("/{job_id}/results", response_model=list[ResultPublic])
def list_results(job_id: int, actor: CurrentActor, db_session: SessionDep) -> list[ResultPublic]:
    found = results.list_results(db_session, actor=actor, job_id=job_id)
    return [ResultPublic.model_validate(r, from_attributes=True) for r in found]


@router.post(
    "/{job_id}/results",
    response_model=ResultPublic,
    summary="Record (or, with its version and a reason, replace) a result",
)
def record_result(
    job_id: int,
    body: ResultEntry,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> ResultPublic:
    result = results.record_result(
        db_session, actor=actor, job_id=job_id, entry=body, settings=settings
    )
    return ResultPublic.model_validate(result, from_attributes=True)


@router.post(
    "/{job_id}/results/worksheet",
    response_model=list[ResultPublic],
    summary="Record the results of many planned points at once (a worksheet): all or none",
)
def record_worksheet(
    job_id: int,
    body: worksheet.WorksheetEntry,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> list[ResultPublic]:
    try:
        recorded = worksheet.record_worksheet(
            db_session, actor=actor, job_id=job_id, sheet=body, settings=settings
        )
    except worksheet.WorksheetRefused as refused:
        # Each row's error in the reader's language, as the problem's own detail is.
        refused.worded_in(request_language(request))
        raise
    return [ResultPublic.model_validate(result, from_attributes=True) for result in recorded]


@router.post(
    "/{job_id}/results/import",
    summary="Import results from CSV; with dry_run nothing is written",
    openapi_extra=CSV_BODY,
)
async def import_results(
    job_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    dry_run: bool = True,
    late_entry_reason: Annotated[
        str | None,
        Query(max_length=2000, description="Why, for rows entered over LIMS_LATE_ENTRY_DAYS late"),
    ] = None,
) -> dict[str, Any]:
    report = await receive_upload(
        request,
        settings,
        may_write=lambda: results.job_for_import(db_session, actor=actor, job_id=job_id),
        keep=lambda path: results.import_results(
            db_session,
            actor=actor,
            job_id=job_id,
            data=path.read_bytes(),
            dry_run=dry_run,
            settings=settings,
            max_rows=settings.max_import_rows,
            late_entry_reason=late_entry_reason,
        ),
    )
    return report.worded_in(request_language(request))


@router.get("/{job_id}/customer-values", response_model=list[CustomerValuePublic])
def list_customer_values(
    job_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[CustomerValuePublic]:
    found = results.list_customer_values(db_session, actor=actor, job_id=job_id)
    return [CustomerValuePublic.model_validate(v, from_attributes=True) for v in found]


@router.post(
    "/{job_id}/customer-values",
    response_model=CustomerValuePublic,
    summary="B2: the company's value",
)
def record_customer_value(
    job_id: int, body: CustomerValueEntry, actor: CurrentActor, db_session: SessionDep
) -> CustomerValuePublic:
    value = results.record_customer_value(db_session, actor=actor, job_id=job_id, entry=body)
    return CustomerValuePublic.model_validate(value, from_attributes=True)
