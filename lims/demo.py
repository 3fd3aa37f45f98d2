"""Demo data for the quick start: a few customers of the lab.

Loading is idempotent: each record is looked up by its natural key first, so running
``lims demo`` twice changes nothing.
"""

from dataclasses import dataclass

from sqlmodel import Session

from lims.accounts import service as accounts


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


DEMO_ORGANISATIONS = [
    {
        "name": "Konepaja Esimerkki Oy",
        "business_id": "1234567-1",
        "country": "FI",
        "language": "fi",
    },
    {"name": "Tarkkuusosa Ab", "business_id": "7654321-2", "country": "FI", "language": "sv"},
    {"name": "Näidis Tööriist OÜ", "business_id": "10000356", "country": "EE", "language": "et"},
]

# Logins arrive with the accounts issue; the quick start prints whatever is listed here.
DEMO_LOGINS: list[DemoLogin] = []


def load_demo_data(db_session: Session) -> int:
    """Create the demo records that are missing; return how many were created."""
    created = 0
    for fields in DEMO_ORGANISATIONS:
        if accounts.find_organisation_by_business_id(db_session, business_id=fields["business_id"]):
            continue
        accounts.create_organisation(db_session, **fields)
        created += 1
    db_session.commit()
    return created
