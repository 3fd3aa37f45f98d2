"""The FastAPI application factory."""

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from lims import __version__
from lims.api import (
    agreements,
    audit,
    auth,
    cad,
    comparisons,
    contract_reviews,
    documents,
    equipment,
    health,
    invoicing,
    jobs,
    methods,
    organisations,
    prices,
    quotations,
    records,
    rr,
    search,
    staff,
    training,
    uncertainty,
    users,
)
from lims.api.docs import install_docs
from lims.api.middleware import (
    BodySizeLimitMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from lims.api.problems import PROBLEM_RESPONSES, install_problem_handlers
from lims.api.strict import strict_request
from lims.api.uploads import remove_interrupted_uploads
from lims.config import Settings, get_settings
from lims.db import make_engine
from lims.logs import configure_logging
from lims.records.checkpoints import keep_checkpointing
from lims.records.retention import keep_records
from lims.ui import pages, verification

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application for ``settings`` (the environment's when not given)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    app = FastAPI(
        title=f"{settings.lab.name} LIMS",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        # Their own routes (lims.api.docs) serve Swagger UI and ReDoc without a CDN.
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    bind_settings(app, settings)
    install_docs(app, f"{API_PREFIX}/openapi.json")

    api = APIRouter(
        prefix=API_PREFIX, responses=PROBLEM_RESPONSES, dependencies=[Depends(strict_request)]
    )
    for router in (
        health.router,
        auth.router,
        organisations.router,
        users.router,
        audit.router,
        uncertainty.router,
        agreements.router,
        prices.router,
        quotations.router,
        invoicing.router,
        contract_reviews.router,
        equipment.router,
        methods.router,
        staff.router,
        jobs.router,
        cad.router,
        comparisons.router,
        training.router,
        rr.router,
        documents.router,
        records.router,
        search.router,
    ):
        api.include_router(router)
    app.include_router(api)
    # The public verification page and the web UI take text (a number, a form, a filter) too.
    strict = [Depends(strict_request)]
    app.include_router(verification.verify_router, responses=PROBLEM_RESPONSES, dependencies=strict)
    app.include_router(pages.router, dependencies=strict)
    app.mount(
        "/static", StaticFiles(directory=Path(pages.__file__).parent / "static"), name="static"
    )

    install_problem_handlers(app)
    app.add_middleware(
        BodySizeLimitMiddleware,
        max_request_bytes=settings.max_request_bytes,
        max_upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(RequestIdMiddleware)
    # Outermost: even a 413 from the size limit carries the security headers.
    app.add_middleware(SecurityHeadersMiddleware)
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    """While the service runs it checkpoints the audit chain daily (lims.records.checkpoints)."""
    task = asyncio.create_task(
        keep_checkpointing(lambda: app.state.engine, lambda: app.state.settings)
    )
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def bind_settings(app: FastAPI, settings: Settings) -> None:
    """Point ``app`` at the database and files of ``settings``: requests read both from the
    application's state, never from the build.  The test suite points one built
    application at each test's database this way."""
    settings.check()
    remove_interrupted_uploads(settings.data_dir)
    app.state.settings = settings
    app.state.engine = make_engine(settings.resolved_database_url)
    keep_records(app.state.engine, settings.retention_years)
