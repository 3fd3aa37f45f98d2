"""Server-rendered pages; they read through the same services as the API."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from lims import __version__
from lims.accounts import auth
from lims.accounts.models import User
from lims.api.deps import SESSION_COOKIE
from lims.errors import LimsError
from lims.migrations import PROJECT_ROOT

templates = Jinja2Templates(directory=PROJECT_ROOT / "templates" / "ui")
router = APIRouter(include_in_schema=False)


def _signed_in_user(request: Request) -> User | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    with Session(request.app.state.engine) as db_session:
        try:
            _, principal = auth.browser_session_for(db_session, secret)
        except LimsError:
            return None
        user = db_session.get(User, principal.user_id)
        if user is not None:
            db_session.expunge(user)
        return user


def _page(request: Request, template: str, user: User | None, **context: Any) -> Response:
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        template,
        {"lab": settings.lab, "version": __version__, "user": user, **context},
    )


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> Response:
    user = _signed_in_user(request)
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return _page(request, "index.html", user)


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> Response:
    return _page(request, "login.html", None)
