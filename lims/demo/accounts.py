"""The demo's customers of the lab, and one user of each role.

The demo passwords are public (README); they exist only in the demo data, never as defaults of
a real installation.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from lims.accounts import service as accounts
from lims.accounts.auth import principal_for
from lims.accounts.models import (
    Country,
    Language,
    Organisation,
    OrganisationCreate,
    Role,
    User,
    UserCreate,
)
from lims.accounts.principal import Principal

ANNUAL_CUSTOMER = "1234567-1"  # business ID of the customer with an annual agreement
AD_HOC_CUSTOMER = "7654321-2"  # business ID of the customer who orders ad hoc


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[Role, ...]
    organisation_business_id: str | None = None

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"


DEMO_ORGANISATIONS = [
    OrganisationCreate(
        name="Konepaja Esimerkki Oy", country=Country.FI, business_id=ANNUAL_CUSTOMER
    ),
    OrganisationCreate(
        name="Tarkkuusosa Ab", country=Country.FI, business_id=AD_HOC_CUSTOMER, language=Language.SV
    ),
    OrganisationCreate(
        name="Näidis Tööriist OÜ", country=Country.EE, business_id="10000356", language=Language.ET
    ),
]

DEMO_USERS = [
    DemoUser("admin", "Aino Admin", (Role.ADMIN,)),
    DemoUser("laatu", "Laura Laatupäällikkö", (Role.QUALITY_MANAGER, Role.SIGNATORY)),
    DemoUser("mittaaja", "Matti Mittaaja", (Role.TECHNICIAN,)),
    DemoUser("allekirjoittaja", "Anna Allekirjoittaja", (Role.SIGNATORY, Role.TECHNICIAN)),
    DemoUser("arvioija", "Arvo Arvioija", (Role.AUDITOR,)),
    DemoUser("asiakas", "Kalle Konepaja", (Role.CUSTOMER,), ANNUAL_CUSTOMER),
    DemoUser("kund", "Karin Kund", (Role.CUSTOMER,), AD_HOC_CUSTOMER),
]


def demo_user(db_session: Session, username: str) -> User | None:
    return db_session.exec(select(User).where(User.username == username)).first()


def acting_as(user: User) -> Principal:
    """The demo user as the actor of a step, so the record shows who would have taken it."""
    return principal_for(user, via="demo")


def demo_customer(db_session: Session, business_id: str) -> Organisation | None:
    return accounts.find_organisation_by_business_id(db_session, business_id=business_id)


def load_accounts(db_session: Session, *, actor: Principal) -> int:
    """Create the demo organisations and users that are missing; return how many."""
    created = 0
    for organisation in DEMO_ORGANISATIONS:
        if demo_customer(db_session, organisation.business_id) is None:
            accounts.create_organisation(db_session, actor=actor, data=organisation)
            created += 1
    for user in DEMO_USERS:
        if demo_user(db_session, user.username) is None:
            accounts.create_user(db_session, actor=actor, data=_user_create(db_session, user))
            created += 1
    return created


def _user_create(db_session: Session, user: DemoUser) -> UserCreate:
    owner = (
        demo_customer(db_session, user.organisation_business_id)
        if user.organisation_business_id
        else None
    )
    return UserCreate(
        username=user.username,
        full_name=user.full_name,
        password=user.password,
        roles=list(user.roles),
        organisation_id=owner.id if owner else None,
    )
