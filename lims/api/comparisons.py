"""B2 comparisons over HTTP: scores of a round, a company's own uncertainty, a reference job's
comparison with its charts, a company's history, and test-piece templates (the statistics
are lims.comparisons)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from lims.api.deps import CurrentActor, SessionDep
from lims.api.problems import request_language
from lims.api.uncertainty import in_language
from lims.comparisons import (
    OwnUncertaintyRequest,
    OwnUncertaintyResponse,
    ScoreRequest,
    ScoreResponse,
    charts,
    own_uncertainty,
    score,
    service,
)
from lims.comparisons.models import (
    TestPiecePlan,
    TestPieceTemplateCreate,
    TestPieceTemplatePublic,
)
from lims.jobs.models import CharacteristicPublic

router = APIRouter(tags=["comparisons"])
# Scoring changes no record: API tokens with the read scope and auditors may run it.
READ_ONLY = {"x-read-only": True}
SVG = "image/svg+xml"


@router.post(
    "/comparisons/score",
    response_model=ScoreResponse,
    summary="Score a comparison: D, D%, PA, z, z', zeta, En (ISO 13528, ISO/IEC 17043)",
    openapi_extra=READ_ONLY,
)
def score_round(body: ScoreRequest, request: Request, _actor: CurrentActor) -> dict[str, Any]:
    return in_language(score(body), request)


@router.post(
    "/comparisons/own-uncertainty",
    response_model=OwnUncertaintyResponse,
    summary="A company's own uncertainty from a calibrated piece (ISO 15530-3)",
    openapi_extra=READ_ONLY,
)
def own_uncertainty_of_company(
    body: OwnUncertaintyRequest, request: Request, _actor: CurrentActor
) -> dict[str, Any]:
    return in_language(own_uncertainty(body), request)


# -- a reference job's comparison and a company's history ---------------------------------


@router.get(
    "/jobs/{job_id}/comparison",
    summary="B2: the company's values against the lab's, per characteristic (D, En, zeta)",
)
def job_comparison(
    job_id: int, request: Request, actor: CurrentActor, db_session: SessionDep
) -> dict[str, Any]:
    return service.in_language(
        service.job_comparison(db_session, actor=actor, job_id=job_id), request_language(request)
    )


@router.get(
    "/jobs/{job_id}/comparison/deviations.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
    summary="Deviation chart with the lab's and the company's uncertainty bars",
)
def deviation_chart(job_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    comparison = service.job_comparison(db_session, actor=actor, job_id=job_id)
    return Response(charts.deviation_chart(comparison), media_type=SVG)


@router.get(
    "/jobs/{job_id}/comparison/en.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
    summary="En chart with the limits +-1",
)
def en_chart(job_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    comparison = service.job_comparison(db_session, actor=actor, job_id=job_id)
    return Response(charts.en_chart(comparison), media_type=SVG)


@router.get(
    "/organisations/{organisation_id}/comparison-history",
    summary="A company's reference measurements over the years, with alerts",
)
def comparison_history(
    organisation_id: int,
    request: Request,
    actor: CurrentActor,
    db_session: SessionDep,
    characteristic_kind: Annotated[str | None, Query(max_length=40)] = None,
    instrument: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    history = service.comparison_history(
        db_session,
        actor=actor,
        organisation_id=organisation_id,
        characteristic_kind=characteristic_kind,
        instrument=instrument,
    )
    return service.in_language(history, request_language(request))


@router.get(
    "/organisations/{organisation_id}/comparison-history.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
    summary="Trend chart of En and deviation over the years",
)
def comparison_trend_chart(
    organisation_id: int,
    actor: CurrentActor,
    db_session: SessionDep,
    characteristic_kind: Annotated[str | None, Query(max_length=40)] = None,
    instrument: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    history = service.comparison_history(
        db_session,
        actor=actor,
        organisation_id=organisation_id,
        characteristic_kind=characteristic_kind,
        instrument=instrument,
    )
    return Response(charts.trend_chart(history), media_type=SVG)


# -- test-piece templates -------------------------------------------------------------------


@router.get("/test-piece-templates", response_model=list[TestPieceTemplatePublic])
def list_test_piece_templates(
    actor: CurrentActor, db_session: SessionDep
) -> list[TestPieceTemplatePublic]:
    found = service.list_templates(db_session, actor=actor)
    return [TestPieceTemplatePublic.model_validate(t, from_attributes=True) for t in found]


@router.post(
    "/test-piece-templates",
    response_model=TestPieceTemplatePublic,
    status_code=status.HTTP_201_CREATED,
    summary="Define a test-piece template (NAS 979, ISO 10791-7, the lab's BAS)",
)
def create_test_piece_template(
    body: TestPieceTemplateCreate, actor: CurrentActor, db_session: SessionDep
) -> TestPieceTemplatePublic:
    template = service.create_template(db_session, actor=actor, data=body)
    return TestPieceTemplatePublic.model_validate(template, from_attributes=True)


@router.post(
    "/jobs/{job_id}/characteristics/from-test-piece",
    response_model=list[CharacteristicPublic],
    status_code=status.HTTP_201_CREATED,
    summary="B2: plan a machined test piece from a template, one characteristic per feature",
)
def plan_test_piece(
    job_id: int, body: TestPiecePlan, actor: CurrentActor, db_session: SessionDep
) -> list[CharacteristicPublic]:
    planned = service.plan_test_piece(db_session, actor=actor, job_id=job_id, plan=body)
    return [CharacteristicPublic.model_validate(c, from_attributes=True) for c in planned]
