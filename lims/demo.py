"""Demo data for the quick start: customers of the lab, and one user of each role.

Loading is idempotent: each record is looked up by its natural key first, so running
``lims demo`` twice changes nothing.  The demo passwords are public (README); they exist
only in the demo data, never as defaults of a real installation.
"""

from dataclasses import dataclass

from sqlmodel import Session, select

from lims.accounts import service as accounts
from lims.accounts.models import Country, Language, OrganisationCreate, Role, User, UserCreate
from lims.accounts.principal import system_principal
from lims.clock import local_today
from lims.config import Settings
from lims.contracts.demo import load_contract_demo
from lims.documents.demo import load_document_demo
from lims.equipment.demo import load_equipment_demo
from lims.jobs.demo import load_job_demo
from lims.methods.demo import load_method_demo
from lims.training.demo import load_training_demo


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
    OrganisationCreate(name="Konepaja Esimerkki Oy", country=Country.FI, business_id="1234567-1"),
    OrganisationCreate(
        name="Tarkkuusosa Ab", country=Country.FI, business_id="7654321-2", language=Language.SV
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
    DemoUser("asiakas", "Kalle Konepaja", (Role.CUSTOMER,), "1234567-1"),
    DemoUser("kund", "Karin Kund", (Role.CUSTOMER,), "7654321-2"),
]


def load_demo_data(db_session: Session, settings: Settings) -> int:
    """Create the demo records that are missing; return how many were created."""
    actor = system_principal("demo")
    created = 0
    for organisation in DEMO_ORGANISATIONS:
        if accounts.find_organisation_by_business_id(
            db_session, business_id=organisation.business_id
        ):
            continue
        accounts.create_organisation(db_session, actor=actor, data=organisation)
        created += 1
    for demo_user in DEMO_USERS:
        if db_session.exec(select(User).where(User.username == demo_user.username)).first():
            continue
        organisation_id = None
        if demo_user.organisation_business_id:
            owner = accounts.find_organisation_by_business_id(
                db_session, business_id=demo_user.organisation_business_id
            )
            organisation_id = owner.id if owner else None
        accounts.create_user(
            db_session,
            actor=actor,
            data=UserCreate(
                username=demo_user.username,
                full_name=demo_user.full_name,
                password=demo_user.password,
                roles=list(demo_user.roles),
                organisation_id=organisation_id,
            ),
        )
        created += 1
    created += load_contract_demo(
        db_session, actor=actor, settings=settings, today=local_today(settings.timezone)
    )
    created += load_equipment_demo(db_session, actor=actor)
    created += load_method_demo(db_session, actor=actor)
    created += load_training_demo(db_session, actor=actor)
    created += load_job_demo(db_session, settings=settings)
    created += load_document_demo(db_session, settings=settings)
    return created
