"""The uncertainty workbench: a model and its inputs, evaluated by the engine through
POST /api/v1/uncertainty/evaluate, and saved as a new version of a method's model."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.api.deps import SessionDep
from lims.clock import local_today
from lims.methods import service as methods
from lims.ui.session import PageRoute, ViewerDep, page
from lims.uncertainty.schemas import EVALUATION_EXAMPLE

router = APIRouter(route_class=PageRoute)


@router.get("/uncertainty", response_class=HTMLResponse)
def workbench(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    today = local_today(request.app.state.settings.timezone)
    library = [
        methods.describe(method, on_date=today).model_dump(mode="json")
        for method in methods.list_methods(db_session, actor=principal)
    ]
    return page(
        request,
        viewer,
        "workbench.html",
        library=library,
        # The engine's own documented example (EA-4/02 S4's gauge block).
        example=EVALUATION_EXAMPLE,
        max_trials=request.app.state.settings.max_monte_carlo_trials,
        can_save=principal.has_any(*methods.MANAGERS),
    )
