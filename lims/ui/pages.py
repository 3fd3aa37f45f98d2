"""Server-rendered pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from lims import __version__
from lims.migrations import PROJECT_ROOT

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates" / "ui")
router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request, "index.html", {"lab": settings.lab, "version": __version__}
    )
