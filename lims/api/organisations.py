"""Organisations (the lab's customers) and their contacts."""

from fastapi import APIRouter, Response, status

from lims.accounts import service
from lims.accounts.models import (
    ContactCreate,
    ContactPublic,
    ContactUpdate,
    OrganisationCreate,
    OrganisationErasure,
    OrganisationPublic,
    OrganisationUpdate,
)
from lims.api.deps import CurrentActor, SessionDep, SettingsDep
from lims.records import erasure

router = APIRouter(prefix="/organisations", tags=["organisations"])


@router.get("", response_model=list[OrganisationPublic])
def list_organisations(actor: CurrentActor, db_session: SessionDep) -> list[OrganisationPublic]:
    organisations = service.list_organisations(db_session, actor=actor)
    return [OrganisationPublic.model_validate(o, from_attributes=True) for o in organisations]


@router.post("", response_model=OrganisationPublic, status_code=status.HTTP_201_CREATED)
def create_organisation(
    body: OrganisationCreate, actor: CurrentActor, db_session: SessionDep
) -> OrganisationPublic:
    organisation = service.create_organisation(db_session, actor=actor, data=body)
    return OrganisationPublic.model_validate(organisation, from_attributes=True)


@router.get("/{organisation_id}", response_model=OrganisationPublic)
def get_organisation(
    organisation_id: int, actor: CurrentActor, db_session: SessionDep
) -> OrganisationPublic:
    organisation = service.get_organisation(
        db_session, actor=actor, organisation_id=organisation_id
    )
    return OrganisationPublic.model_validate(organisation, from_attributes=True)


@router.patch("/{organisation_id}", response_model=OrganisationPublic)
def update_organisation(
    organisation_id: int, body: OrganisationUpdate, actor: CurrentActor, db_session: SessionDep
) -> OrganisationPublic:
    organisation = service.update_organisation(
        db_session, actor=actor, organisation_id=organisation_id, data=body
    )
    return OrganisationPublic.model_validate(organisation, from_attributes=True)


@router.post("/{organisation_id}/erasure", response_model=OrganisationPublic)
def erase_person(
    organisation_id: int,
    body: OrganisationErasure,
    actor: CurrentActor,
    db_session: SessionDep,
    settings: SettingsDep,
) -> OrganisationPublic:
    """Erase a private person's data once no kept record needs it (409 names the day)."""
    organisation = erasure.erase_person(
        db_session, actor=actor, organisation_id=organisation_id, data=body, settings=settings
    )
    return OrganisationPublic.model_validate(organisation, from_attributes=True)


@router.get("/{organisation_id}/contacts", response_model=list[ContactPublic])
def list_contacts(
    organisation_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[ContactPublic]:
    contacts = service.list_contacts(db_session, actor=actor, organisation_id=organisation_id)
    return [ContactPublic.model_validate(c, from_attributes=True) for c in contacts]


@router.post(
    "/{organisation_id}/contacts", response_model=ContactPublic, status_code=status.HTTP_201_CREATED
)
def add_contact(
    organisation_id: int, body: ContactCreate, actor: CurrentActor, db_session: SessionDep
) -> ContactPublic:
    contact = service.add_contact(
        db_session, actor=actor, organisation_id=organisation_id, data=body
    )
    return ContactPublic.model_validate(contact, from_attributes=True)


@router.patch("/{organisation_id}/contacts/{contact_id}", response_model=ContactPublic)
def update_contact(
    organisation_id: int,
    contact_id: int,
    body: ContactUpdate,
    actor: CurrentActor,
    db_session: SessionDep,
) -> ContactPublic:
    contact = service.update_contact(
        db_session, actor=actor, organisation_id=organisation_id, contact_id=contact_id, data=body
    )
    return ContactPublic.model_validate(contact, from_attributes=True)


@router.delete("/{organisation_id}/contacts/{contact_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_contact(
    organisation_id: int, contact_id: int, actor: CurrentActor, db_session: SessionDep
) -> Response:
    service.remove_contact(
        db_session, actor=actor, organisation_id=organisation_id, contact_id=contact_id
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)
