"""Users and their roles."""

from fastapi import APIRouter, Response, status
from pydantic import BaseModel, Field

from lims.accounts import service
from lims.accounts.models import UserCreate, UserPublic, UserUpdate
from lims.api.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/users", tags=["users"])


class PasswordReset(BaseModel):
    user: UserPublic
    temporary_password: str = Field(
        description="Shown once: give it to the user, who must choose a new one at login"
    )


@router.get("", response_model=list[UserPublic])
def list_users(actor: CurrentActor, db_session: SessionDep) -> list[UserPublic]:
    users = service.list_users(db_session, actor=actor)
    return [UserPublic.model_validate(user, from_attributes=True) for user in users]


@router.post("", response_model=UserPublic, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, actor: CurrentActor, db_session: SessionDep) -> UserPublic:
    user = service.create_user(db_session, actor=actor, data=body)
    return UserPublic.model_validate(user, from_attributes=True)


@router.get("/{user_id}", response_model=UserPublic)
def get_user(user_id: int, actor: CurrentActor, db_session: SessionDep) -> UserPublic:
    user = service.get_user(db_session, actor=actor, user_id=user_id)
    return UserPublic.model_validate(user, from_attributes=True)


@router.patch("/{user_id}", response_model=UserPublic)
def update_user(
    user_id: int, body: UserUpdate, actor: CurrentActor, db_session: SessionDep
) -> UserPublic:
    user = service.update_user(db_session, actor=actor, user_id=user_id, data=body)
    return UserPublic.model_validate(user, from_attributes=True)


@router.post(
    "/{user_id}/password-reset",
    response_model=PasswordReset,
    summary="An administrator resets another user's password",
)
def reset_password(user_id: int, actor: CurrentActor, db_session: SessionDep) -> PasswordReset:
    """Revokes every credential of the user and sets a random temporary password, returned
    once; until the user changes it, their sign-ins can only change it."""
    user, temporary = service.reset_password(db_session, actor=actor, user_id=user_id)
    return PasswordReset(
        user=UserPublic.model_validate(user, from_attributes=True), temporary_password=temporary
    )


@router.delete("/{user_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_user(user_id: int, actor: CurrentActor, db_session: SessionDep) -> Response:
    service.delete_user(db_session, actor=actor, user_id=user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
