"""Liveness and readiness, for load balancers and the quick start."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from lims import __version__, migrations
from lims.api.deps import EngineDep, SettingsDep
from lims.api.problems import ProblemResponse, problem

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Readiness(BaseModel):
    status: Literal["ready"]
    database: str
    migration: str | None


@router.get("/health", response_model=Health, summary="The process is up")
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get(
    "/ready",
    response_model=Readiness,
    summary="The database is reachable and migrated to head",
    responses={503: {"description": "Not ready; the problem says why"}},
)
def ready(
    request: Request, engine: EngineDep, settings: SettingsDep
) -> Readiness | ProblemResponse:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        current = migrations.current_revision(engine)
    except SQLAlchemyError:
        return problem(request, 503, "The database cannot be reached.", slug="not-ready")
    head = migrations.head_revision(settings.resolved_database_url)
    if current != head:
        return problem(
            request,
            503,
            f"The database is at migration {current or 'none'}, not at head {head}; "
            "run `lims db upgrade`.",
            slug="not-ready",
        )
    return Readiness(status="ready", database=engine.dialect.name, migration=current)
