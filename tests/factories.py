"""Factories for test records, made through the services as the application makes them."""

import itertools
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine, text
from sqlmodel import Session

from lims.accounts import identifiers
from lims.accounts import service as accounts
from lims.accounts.auth import issue_access_token
from lims.accounts.models import (
    Contact,
    ContactCreate,
    Country,
    Organisation,
    OrganisationCreate,
    Role,
    User,
    UserCreate,
)
from lims.accounts.principal import system_principal
from lims.config import Settings
from lims.db import persisted_id

PASSWORD = "correct-horse-battery-42"
_numbers = itertools.count(1000001)
FACTORY_ACTOR = system_principal("tests")


def next_y_tunnus() -> str:
    """A fresh valid Finnish business ID: the validator, not this helper, knows the rule."""
    while True:
        body = f"{next(_numbers):07d}"
        for check in range(10):
            try:
                return identifiers.finnish_business_id(f"{body}-{check}")
            except ValueError:
                continue


def make_organisation(
    engine: Engine, *, name: str | None = None, with_address: bool = True
) -> Organisation:
    with Session(engine) as db_session:
        business_id = next_y_tunnus()
        address = {"street_address": "Mittakatu 1", "postal_code": "00100", "city": "Helsinki"}
        return accounts.create_organisation(
            db_session,
            actor=FACTORY_ACTOR,
            data=OrganisationCreate(
                name=name or f"Asiakas {business_id} Oy",
                country=Country.FI,
                business_id=business_id,
                **(address if with_address else {}),
            ),
        )


def make_contact(engine: Engine, organisation: Organisation, **fields: str) -> Contact:
    with Session(engine) as db_session:
        return accounts.add_contact(
            db_session,
            actor=FACTORY_ACTOR,
            organisation_id=persisted_id(organisation),
            data=ContactCreate(
                **{"name": "Kaisa Kontakti", "email": "kaisa@asiakas.example", **fields}
            ),
        )


def make_user(
    engine: Engine,
    *roles: Role,
    organisation: Organisation | None = None,
    username: str | None = None,
    full_name: str | None = None,
    password: str = PASSWORD,
    job_title: str | None = None,
) -> User:
    username = username or f"user{next(_numbers)}"
    with Session(engine) as db_session:
        return accounts.create_user(
            db_session,
            actor=FACTORY_ACTOR,
            data=UserCreate(
                username=username,
                full_name=full_name or username.title(),
                job_title=job_title,
                password=password,
                roles=list(roles),
                organisation_id=organisation.id if organisation else None,
            ),
        )


def bearer(settings: Settings, user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_access_token(settings, user).token}"}


def usernames(users: Iterable[User]) -> set[str]:
    return {user.username for user in users}


@contextmanager
def behind_the_application(engine: Engine) -> Iterator[Connection]:
    """A connection of an insider editing the database directly, in one transaction.

    On PostgreSQL the tables' owner (the suite's role) first disables the refusing triggers
    on ``audit_event``, as anyone owning the table can (the role split in the README's
    database roles exists to deny the service that), and enables them again afterwards.
    """
    with engine.begin() as connection:
        guarded = connection.dialect.name == "postgresql"
        if guarded:
            connection.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
        yield connection
        if guarded:
            connection.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
