"""Rules for organisations: plain functions taking a ``Session``."""

from sqlmodel import Session, select

from lims.accounts.models import Organisation


def find_organisation_by_business_id(
    db_session: Session, *, business_id: str
) -> Organisation | None:
    return db_session.exec(
        select(Organisation).where(Organisation.business_id == business_id)
    ).first()


def create_organisation(
    db_session: Session, *, name: str, business_id: str, country: str, language: str = "fi"
) -> Organisation:
    organisation = Organisation(
        name=name, business_id=business_id, country=country, language=language
    )
    db_session.add(organisation)
    db_session.flush()
    return organisation
