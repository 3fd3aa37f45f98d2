"""Staff competence over HTTP: a person's authorisations per method (rules in
lims.competence)."""

from fastapi import APIRouter, status

from lims.api.deps import CurrentActor, SessionDep
from lims.competence import service
from lims.competence.models import (
    AuthorisationCreate,
    AuthorisationPublic,
    AuthorisationWithdrawal,
)

router = APIRouter(prefix="/staff", tags=["staff"])


@router.get("/{staff_id}/authorisations", response_model=list[AuthorisationPublic])
def list_authorisations(
    staff_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[AuthorisationPublic]:
    authorisations = service.list_authorisations(db_session, actor=actor, staff_id=staff_id)
    return [AuthorisationPublic.model_validate(a, from_attributes=True) for a in authorisations]


@router.post(
    "/{staff_id}/authorisations",
    response_model=AuthorisationPublic,
    status_code=status.HTTP_201_CREATED,
)
def grant_authorisation(
    staff_id: int, body: AuthorisationCreate, actor: CurrentActor, db_session: SessionDep
) -> AuthorisationPublic:
    authorisation = service.grant_authorisation(
        db_session, actor=actor, staff_id=staff_id, data=body
    )
    return AuthorisationPublic.model_validate(authorisation, from_attributes=True)


@router.post(
    "/{staff_id}/authorisations/{authorisation_id}/withdraw",
    response_model=AuthorisationPublic,
)
def withdraw_authorisation(
    staff_id: int,
    authorisation_id: int,
    body: AuthorisationWithdrawal,
    actor: CurrentActor,
    db_session: SessionDep,
) -> AuthorisationPublic:
    authorisation = service.withdraw_authorisation(
        db_session,
        actor=actor,
        staff_id=staff_id,
        authorisation_id=authorisation_id,
        data=body,
    )
    return AuthorisationPublic.model_validate(authorisation, from_attributes=True)
