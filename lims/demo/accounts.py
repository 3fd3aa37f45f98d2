"""The demo's customers of the lab, and one user of each role.

The demo passwords are public (README); they exist only in the demo data, never as defaults of
a real installation.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from lims.accounts import service as accounts
from lims.accounts.auth import principal_for
from lims.accounts.models import (
    ContactCreate,
    Country,
    Language,
    Organisation,
    OrganisationCreate,
    Role,
    User,
    UserCreate,
)
from lims.accounts.principal import Principal
from lims.db import persisted_id

ANNUAL_CUSTOMER = "1234567-1"  # business ID of the customer with an annual agreement
AD_HOC_CUSTOMER = "7654321-2"  # business ID of the customer who orders ad hoc
ESTONIAN_CUSTOMER = "10000356"  # registry code of the Estonian company (reverse charge)


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    roles: tuple[Role, ...]
    organisation_business_id: str | None = None
    job_title: str | None = None
    language: Language = Language.FI

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"


DEMO_ORGANISATIONS = [
    OrganisationCreate(
        name="Konepaja Esimerkki Oy",
        country=Country.FI,
        business_id=ANNUAL_CUSTOMER,
        vat_registered=True,
        street_address="Teollisuuskatu 5",
        postal_code="33100",
        city="Tampere",
    ),
    OrganisationCreate(
        name="Tarkkuusosa Ab",
        country=Country.FI,
        business_id=AD_HOC_CUSTOMER,
        language=Language.SV,
        street_address="Verkstadsgatan 2",
        postal_code="65100",
        city="Vaasa",
    ),
    OrganisationCreate(
        name="Näidis Tööriist OÜ",
        country=Country.EE,
        business_id=ESTONIAN_CUSTOMER,
        # Registered for VAT in Estonia: its quotations are reverse-charged (lims.contracts.vat).
        vat_number="EE100000007",
        language=Language.ET,
        street_address="Tööstuse 12",
        postal_code="10416",
        city="Tallinn",
    ),
]
# The person each customer's certificates name as its contact (ISO/IEC 17025 7.8.2.1 e).
DEMO_CONTACTS = {
    ANNUAL_CUSTOMER: ContactCreate(
        name="Kalle Konepaja", title="Laatupäällikkö", email="kalle@konepaja.example"
    ),
    AD_HOC_CUSTOMER: ContactCreate(
        name="Karin Kund", title="Kvalitetschef", email="karin@tarkkuusosa.example"
    ),
    ESTONIAN_CUSTOMER: ContactCreate(
        name="Mari Mõõtja", title="Kvaliteedijuht", email="mari@toorist.example"
    ),
}

DEMO_USERS = [
    DemoUser("admin", "Aino Admin", (Role.ADMIN,), job_title="Järjestelmän pääkäyttäjä"),
    DemoUser(
        "laatu",
        "Laura Laatupäällikkö",
        (Role.QUALITY_MANAGER, Role.SIGNATORY),
        job_title="Laatupäällikkö",
    ),
    DemoUser("mittaaja", "Matti Mittaaja", (Role.TECHNICIAN,), job_title="Mittausteknikko"),
    DemoUser(
        "allekirjoittaja",
        "Anna Allekirjoittaja",
        (Role.SIGNATORY, Role.TECHNICIAN),
        job_title="Laboratorion johtaja",
    ),
    DemoUser("arvioija", "Arvo Arvioija", (Role.AUDITOR,)),
    DemoUser("asiakas", "Kalle Konepaja", (Role.CUSTOMER,), ANNUAL_CUSTOMER),
    DemoUser("kund", "Karin Kund", (Role.CUSTOMER,), AD_HOC_CUSTOMER),
    # Tarkkuusosa Ab speaks Swedish: its buyer reads the portal in Swedish.
    DemoUser(
        "inkopare", "Ingrid Inköpare", (Role.CUSTOMER,), AD_HOC_CUSTOMER, language=Language.SV
    ),
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
        business_id = str(organisation.business_id)  # every demo customer has one
        if demo_customer(db_session, business_id) is None:
            customer = accounts.create_organisation(db_session, actor=actor, data=organisation)
            accounts.add_contact(
                db_session,
                actor=actor,
                organisation_id=persisted_id(customer),
                data=DEMO_CONTACTS[business_id],
            )
            created += 2
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
        job_title=user.job_title,
        password=user.password,
        roles=list(user.roles),
        organisation_id=owner.id if owner else None,
        language=user.language,
    )
