"""Methods, their evaluation for a job, accreditation decisions, and the accredited scope
(the rules are in lims.methods)."""

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response

from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.api.uncertainty import in_language
from lims.clock import local_today
from lims.methods import service
from lims.methods.models import (
    AccreditationDecision,
    AccreditationQuestion,
    MethodCreate,
    MethodEvaluation,
    MethodPublic,
    MethodUpdate,
    TemplateCheck,
    TemplateCheckAnswer,
)
from lims.methods.scope import scope_csv
from lims.uncertainty import EvaluationResponse

router = APIRouter(tags=["methods"])
# A decision reads a method and changes nothing: read-only tokens and auditors may ask.
READ_ONLY = {"x-read-only": True}


@router.get("/methods", response_model=list[MethodPublic])
def list_methods(
    actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> list[MethodPublic]:
    today = local_today(settings.timezone)
    return [
        service.describe(method, on_date=today)
        for method in service.list_methods(db_session, actor=actor)
    ]


@router.post("/methods", response_model=MethodPublic, status_code=status.HTTP_201_CREATED)
def create_method(
    body: MethodCreate, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> MethodPublic:
    method = service.create_method(db_session, actor=actor, data=body)
    return service.describe(method, on_date=local_today(settings.timezone))


@router.post(
    "/methods/check",
    response_model=TemplateCheckAnswer,
    summary="Check a draft model, its sources and CMC by the rules of a new method",
    openapi_extra=READ_ONLY,
)
def check_draft(
    body: TemplateCheck, actor: CurrentActor, db_session: SessionDep
) -> TemplateCheckAnswer:
    return TemplateCheckAnswer(names=service.check_draft(db_session, actor=actor, data=body))


@router.get("/methods/{method_id}", response_model=MethodPublic)
def get_method(
    method_id: int, actor: CurrentActor, db_session: SessionDep, settings: SettingsDep
) -> MethodPublic:
    method = service.get_method(db_session, actor=actor, method_id=method_id)
    return service.describe(method, on_date=local_today(settings.timezone))


@router.patch("/methods/{method_id}", response_model=MethodPublic)
def update_method(
    method_id: int,
    body: MethodUpdate,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> MethodPublic:
    method = service.update_method(db_session, actor=actor, method_id=method_id, data=body)
    return service.describe(method, on_date=local_today(settings.timezone))


@router.post(
    "/methods/{method_id}/evaluate",
    response_model=EvaluationResponse,
    summary="The uncertainty budget of the method with a job's equipment and observations",
)
def evaluate_method(
    method_id: int,
    body: MethodEvaluation,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
) -> dict[str, Any]:
    answer = service.evaluate_for_job(db_session, actor=actor, method_id=method_id, data=body)
    return in_language(answer, request)


@router.post(
    "/methods/{method_id}/accreditation",
    response_model=AccreditationDecision,
    summary="May a result of this size and U carry the accreditation? (ILAC-P14)",
    openapi_extra=READ_ONLY,
)
def decide_accreditation(
    method_id: int,
    body: AccreditationQuestion,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> AccreditationDecision:
    return service.decide_accreditation(
        db_session,
        actor=actor,
        method_id=method_id,
        size=body.size,
        expanded_uncertainty=body.expanded_uncertainty,
        on_date=body.on_date,
        below_cmc=settings.below_cmc,
    )


@router.get(
    "/scope",
    response_model=list[MethodPublic],
    summary="The accredited scope (JSON, or a CSV table with format=csv)",
    responses={200: {"content": {"text/csv": {}}}},
)
def accredited_scope(
    _actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
    on: Annotated[date | None, Query(description="Default: today (local)")] = None,
    table: Annotated[Literal["json", "csv"], Query(alias="format")] = "json",
) -> Any:
    day = on or local_today(settings.timezone)
    methods = service.accredited_scope(db_session, on_date=day)
    if table == "csv":
        return Response(
            scope_csv(methods),
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'inline; filename="scope-{day}.csv"'},
        )
    return [service.describe(method, on_date=day) for method in methods]
