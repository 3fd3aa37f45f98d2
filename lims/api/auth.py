"""Login for API clients (OAuth2 password flow, API tokens) and for the browser (cookie)."""

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field

from lims.accounts import auth, service
from lims.accounts.models import Language, User, UserPublic
from lims.accounts.principal import SCOPES
from lims.api.deps import (
    CSRF_COOKIE,
    OPEN_BEFORE_PASSWORD_CHANGE,
    SESSION_COOKIE,
    CurrentActor,
    EngineDep,
    SessionDep,
    SettingsDep,
)

router = APIRouter(prefix="/auth", tags=["login"])
OPEN_BEFORE_PASSWORD_CHANGE_EXTRA = {OPEN_BEFORE_PASSWORD_CHANGE: True}


def client_address(request: Request) -> str | None:
    """The caller's address; behind a trusted proxy uvicorn has set it from X-Forwarded-For."""
    return request.client.host if request.client else None


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class Credentials(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"username": "admin", "password": "demo-admin-2026"}]},
    )
    username: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class BrowserLogin(BaseModel):
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every change")
    expires_at: datetime
    user: UserPublic


class PasswordChange(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"current_password": "demo-mittaaja-2026", "new_password": "kolme-sanaa-mittaa-42"}
            ]
        },
    )
    current_password: str = Field(min_length=1, max_length=1024)
    new_password: str = Field(min_length=12, max_length=256)


class OwnLanguage(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"language": "sv"}]})
    language: Language = Field(
        description="The language the UI speaks to you: fi, sv, en or et (Estonian: the "
        "customer portal; staff screens not yet translated read in English)"
    )


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "CMM cell 2", "scopes": ["read", "write"]}]},
    )
    name: str = Field(min_length=1, max_length=200)
    scopes: list[str] = Field(min_length=1, description=f"from {sorted(SCOPES)}")
    user_id: int | None = Field(default=None, description="Whose token; yourself by default")
    expires_at: datetime | None = None


class ApiTokenPublic(BaseModel):
    id: int
    user_id: int
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(ApiTokenPublic):
    token: str = Field(description="The secret: shown once, never again")


@router.post("/token", response_model=TokenResponse, summary="OAuth2 password flow")
def issue_token(
    request: Request,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    engine: EngineDep,
    settings: SettingsDep,
) -> TokenResponse:
    user = auth.authenticate_password(
        engine,
        settings,
        username=form.username,
        password=form.password,
        client_address=client_address(request),
    )
    issued = auth.issue_access_token(settings, user)
    return TokenResponse(access_token=issued.token, expires_in=issued.expires_in)


@router.post("/login", response_model=BrowserLogin, summary="Browser login (session cookie)")
def login(
    request: Request,
    credentials: Credentials,
    response: Response,
    engine: EngineDep,
    db_session: SessionDep,
    settings: SettingsDep,
) -> BrowserLogin:
    user = auth.authenticate_password(
        engine,
        settings,
        username=credentials.username,
        password=credentials.password,
        client_address=client_address(request),
    )
    started = _start_session(db_session, settings, user, response)
    return BrowserLogin(
        csrf_token=started.csrf_token,
        expires_at=started.expires_at,
        user=UserPublic.model_validate(user, from_attributes=True),
    )


def _start_session(
    db_session: SessionDep, settings: SettingsDep, user: User, response: Response
) -> auth.StartedSession:
    started = auth.start_browser_session(db_session, settings, user)
    secure = settings.environment == "production"
    max_age = settings.session_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        started.secret,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    # Readable by the page's script, which echoes it in X-CSRF-Token (double submit).
    response.set_cookie(
        CSRF_COOKIE,
        started.csrf_token,
        max_age=max_age,
        httponly=False,
        samesite="lax",
        secure=secure,
    )
    return started


@router.post(
    "/password",
    response_model=UserPublic,
    summary="Change your own password, giving the current one",
    openapi_extra=OPEN_BEFORE_PASSWORD_CHANGE_EXTRA,
)
def change_password(
    body: PasswordChange,
    request: Request,
    response: Response,
    actor: CurrentActor,
    engine: EngineDep,
    db_session: SessionDep,
    settings: SettingsDep,
) -> UserPublic:
    """Every token and session issued before dies; a browser gets a fresh session at once,
    an API client logs in again."""
    user = service.change_own_password(
        db_session,
        engine,
        settings,
        actor=actor,
        current_password=body.current_password,
        new_password=body.new_password,
        client_address=client_address(request),
    )
    if actor.via == "session":
        _start_session(db_session, settings, user, response)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="End the browser session",
    openapi_extra=OPEN_BEFORE_PASSWORD_CHANGE_EXTRA,
)
def logout(request: Request, _actor: CurrentActor, db_session: SessionDep) -> Response:
    if cookie := request.cookies.get(SESSION_COOKIE):
        auth.end_browser_session(db_session, cookie)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    response.delete_cookie(SESSION_COOKIE)
    response.delete_cookie(CSRF_COOKIE)
    return response


@router.get(
    "/me",
    response_model=UserPublic,
    summary="The user you are logged in as",
    openapi_extra=OPEN_BEFORE_PASSWORD_CHANGE_EXTRA,
)
def me(actor: CurrentActor, db_session: SessionDep) -> UserPublic:
    user_id = actor.person_id(doing="look up their own account")
    user = service.get_user(db_session, actor=actor, user_id=user_id)
    return UserPublic.model_validate(user, from_attributes=True)


@router.patch(
    "/me",
    response_model=UserPublic,
    summary="Choose the language of your own user interface",
)
def choose_own_language(
    body: OwnLanguage, actor: CurrentActor, db_session: SessionDep
) -> UserPublic:
    """Remembered on the account, so every later session reads it too; an auditor may, as
    may anyone, though an auditor changes no record of the lab's."""
    user = service.choose_own_language(db_session, actor=actor, language=body.language)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/api-tokens",
    response_model=ApiTokenCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Create an API token for a machine client",
)
def create_api_token(
    body: ApiTokenCreate, actor: CurrentActor, db_session: SessionDep
) -> ApiTokenCreated:
    token, secret = service.create_api_token(
        db_session,
        actor=actor,
        name=body.name,
        scopes=body.scopes,
        user_id=body.user_id,
        expires_at=body.expires_at,
    )
    return ApiTokenCreated(**token.model_dump(), token=secret)


@router.get("/api-tokens", response_model=list[ApiTokenPublic], summary="API tokens")
def list_api_tokens(
    actor: CurrentActor, db_session: SessionDep, user_id: int | None = None
) -> list[ApiTokenPublic]:
    """Your own tokens; an administrator or an auditor sees everyone's, or one user's with
    ``user_id``."""
    return [
        ApiTokenPublic(**token.model_dump())
        for token in service.list_api_tokens(db_session, actor=actor, user_id=user_id)
    ]


@router.delete("/api-tokens/{token_id}", response_model=ApiTokenPublic, summary="Revoke")
def revoke_api_token(token_id: int, actor: CurrentActor, db_session: SessionDep) -> ApiTokenPublic:
    token = service.revoke_api_token(db_session, actor=actor, token_id=token_id)
    return ApiTokenPublic(**token.model_dump())
