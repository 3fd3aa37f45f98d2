"""RR tests over HTTP: evaluate a measurement system study and draw its charts (the
statistics are lims.training.rr), and the RR-test records that tie a study to its measurers,
method and instrument (rules in lims.training.rr_tests)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response, status

from lims.api.deps import CurrentActor, SessionDep
from lims.api.uncertainty import in_language
from lims.training import rr_tests
from lims.training.models import RRTestCreate, RRTestPublic
from lims.training.rr import RRRequest, RRResponse, evaluate_rr
from lims.training.rr.charts import ALL_CHARTS, draw

router = APIRouter(tags=["rr tests"])
# Evaluating changes no record: API tokens with the read scope and auditors may run it.
READ_ONLY = {"x-read-only": True}
SVG = "image/svg+xml"
ChartName = Annotated[str, Query(description="One of: " + ", ".join(ALL_CHARTS), max_length=32)]


@router.post(
    "/rr/evaluate",
    response_model=RRResponse,
    summary="Evaluate an RR test: crossed (ANOVA or average and range), nested, type 1 "
    "(Cg, Cgk), linearity and bias",
    openapi_extra=READ_ONLY,
)
def evaluate(body: RRRequest, request: Request, _actor: CurrentActor) -> dict[str, Any]:
    return in_language(evaluate_rr(body), request)


@router.post(
    "/rr/charts",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
    summary="One chart of an RR study, as SVG (components, range, mean, by_part, "
    "by_operator, interaction, run, linearity)",
    openapi_extra=READ_ONLY,
)
def chart(body: RRRequest, chart: ChartName, _actor: CurrentActor) -> Response:
    return Response(draw(body, evaluate_rr(body), chart), media_type=SVG)


@router.get("/rr-tests", response_model=list[RRTestPublic])
def list_rr_tests(actor: CurrentActor, db_session: SessionDep) -> list[RRTestPublic]:
    found = rr_tests.list_rr_tests(db_session, actor=actor)
    return [rr_tests.describe_rr_test(db_session, rr_test) for rr_test in found]


@router.post(
    "/rr-tests",
    response_model=RRTestPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record an RR test: evaluated, judged against the acceptance criteria, and "
    "left as competence evidence for each measurer on the lab's staff",
)
def record_rr_test(body: RRTestCreate, actor: CurrentActor, db_session: SessionDep) -> RRTestPublic:
    rr_test = rr_tests.record_rr_test(db_session, actor=actor, data=body)
    return rr_tests.describe_rr_test(db_session, rr_test)


@router.get("/rr-tests/{rr_test_id}", response_model=RRTestPublic)
def get_rr_test(rr_test_id: int, actor: CurrentActor, db_session: SessionDep) -> RRTestPublic:
    rr_test = rr_tests.get_rr_test(db_session, actor=actor, rr_test_id=rr_test_id)
    return rr_tests.describe_rr_test(db_session, rr_test)


@router.get(
    "/rr-tests/{rr_test_id}/charts/{chart}.svg",
    response_class=Response,
    responses={200: {"content": {SVG: {}}}},
    summary="A chart of a recorded RR test, as SVG",
)
def rr_test_chart(
    rr_test_id: int, chart: str, actor: CurrentActor, db_session: SessionDep
) -> Response:
    svg = rr_tests.rr_test_chart(db_session, actor=actor, rr_test_id=rr_test_id, chart=chart)
    return Response(svg, media_type=SVG)
