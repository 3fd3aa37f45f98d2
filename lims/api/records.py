"""Records for auditors over HTTP: one ZIP bundle of a job, a document or a period."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from lims.api.deps import CurrentActor, FileStoreDep, SessionDep, SettingsDep
from lims.records import scope as scopes
from lims.records import service

router = APIRouter(prefix="/records", tags=["records"])
ZIP_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/zip": {}}, "description": "The bundle"}
}


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses=ZIP_RESPONSE,
    summary="A verifiable ZIP of every record behind a job, a document or a period's jobs",
)
def export_records(
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    store: FileStoreDep,
    job_id: Annotated[int | None, Query(description="One job, by its id")] = None,
    document: Annotated[
        str | None,
        Query(max_length=64, description="The job or contract behind a document, by number"),
    ] = None,
    period: Annotated[
        str | None,
        Query(
            max_length=32,
            description=f"Jobs opened or reported in a period: {scopes.PERIOD_FORMAT}",
        ),
    ] = None,
    language: Annotated[
        Literal["fi", "sv", "en"] | None,
        Query(description="The index page's language; default: the exporter's own"),
    ] = None,
) -> StreamingResponse:
    """Staff and auditors get every record; a customer only its own jobs, without the lab's
    internal records (see README, "Records for auditors").  Exactly one of the three."""
    scope = scopes.resolve(
        db_session,
        actor=actor,
        timezone=settings.timezone,
        job_id=job_id,
        document_number=document,
        period=period,
    )
    bundle, summary = service.export_spooled(
        db_session, actor=actor, scope=scope, settings=settings, store=store, language=language
    )
    size = bundle.seek(0, 2)
    bundle.seek(0)
    return StreamingResponse(
        service.chunks_of(bundle),
        media_type="application/zip",
        headers={
            "content-disposition": f'attachment; filename="{service.bundle_name(scope)}"',
            "content-length": str(size),
            "x-manifest-sha256": summary.manifest_sha256,
        },
    )
