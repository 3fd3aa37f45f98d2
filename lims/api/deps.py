"""Dependencies shared by the routers (in the FastAPI template's ``Annotated`` style)."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy import Engine
from sqlmodel import Session

from lims.accounts import auth
from lims.accounts.auth import API_TOKEN_PREFIX
from lims.accounts.principal import READ_SCOPE, WRITE_SCOPE, Principal
from lims.audit.trail import set_context
from lims.config import Settings
from lims.errors import PermissionDenied
from lims.storage import FileStore, store_in


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_session(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Session]:
    # One session per request; services commit their own unit of work.
    with Session(engine) as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[Engine, Depends(get_engine)]
SessionDep = Annotated[Session, Depends(get_session)]


def get_file_store(settings: SettingsDep) -> FileStore:
    return store_in(settings.data_dir)


FileStoreDep = Annotated[FileStore, Depends(get_file_store)]


# -- who is calling -----------------------------------------------------------------------

SESSION_COOKIE = "lims_session"
CSRF_COOKIE = "lims_csrf"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

OPEN_BEFORE_PASSWORD_CHANGE = "x-open-before-password-change"

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


def required_scope(request: Request) -> str:
    """GETs and routes marked ``x-read-only`` need the read scope, everything else write."""
    route = request.scope.get("route")
    read_only = bool(route is not None and (route.openapi_extra or {}).get("x-read-only"))
    return READ_SCOPE if request.method in SAFE_METHODS or read_only else WRITE_SCOPE


def _open_before_password_change(request: Request) -> bool:
    """Routes marked ``x-open-before-password-change``: changing it, logging out, /auth/me."""
    route = request.scope.get("route")
    return bool(route is not None and (route.openapi_extra or {}).get(OPEN_BEFORE_PASSWORD_CHANGE))


def get_principal(
    request: Request,
    db_session: SessionDep,
    settings: SettingsDep,
    bearer: Annotated[str | None, Depends(oauth2_scheme)],
) -> Principal:
    """The caller, from a bearer token (OAuth2 or API token) or the browser session cookie."""
    if bearer:
        if bearer.startswith(API_TOKEN_PREFIX):
            principal = auth.principal_from_api_token(db_session, bearer)
        else:
            principal = auth.principal_from_access_token(db_session, settings, bearer)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        browser_session, principal = auth.browser_session_for(db_session, cookie)
        if request.method not in SAFE_METHODS and not auth.csrf_token_matches(
            browser_session, request.headers.get(CSRF_HEADER)
        ):
            raise PermissionDenied(
                "the CSRF token is missing or wrong: send the X-CSRF-Token header "
                "given at login with every change",
                code="api.csrf_token_missing_wrong_send",
            )
    else:
        raise auth.Unauthenticated(
            "log in first: send a bearer token or the session cookie",
            code="api.log_first_send_bearer_token",
        )
    scope = required_scope(request)
    if principal.scopes is not None and scope not in principal.scopes:
        raise PermissionDenied(
            "this API token lacks the '%(scope)s' scope",
            code="api.api_token_lacks_scope",
            scope=scope,
        )
    if principal.must_change_password and not _open_before_password_change(request):
        raise PermissionDenied(
            "change your password first: an administrator reset it (POST "
            "/api/v1/auth/password with the temporary one)",
            code="api.change_your_password_first_administrator",
        )
    principal = replace(principal, request_id=getattr(request.state, "request_id", None))
    # Every change made in this request is the caller's, whatever a service flushes first.
    set_context(db_session, principal.audit_context())
    return principal


CurrentActor = Annotated[Principal, Depends(get_principal)]
