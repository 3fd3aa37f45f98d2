"""Reading the audit trail for a signed-in person: one record's history, and the chain's
verification.

The reading rules need the reader's roles, so they live here rather than in ``lims.audit``,
which every domain writes through and which therefore imports none.
"""

from sqlmodel import Session, col, select

from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal, require_role
from lims.audit.keys import AuditKeyRing
from lims.audit.models import AuditEvent, ChainVerification
from lims.audit.trail import verify_chain

HISTORY_LIMIT = 1000
#: An event shows a record as it was at every step, before the lab released it (a result
#: before its review, the technician who measured it), so the trail is the lab's and its
#: auditors' to read: a customer reads its records through the screens that show what has
#: been released.
READERS = (*sorted(STAFF_ROLES), Role.AUDITOR)


def require_reader(actor: Principal) -> None:
    require_role(actor, *READERS, doing="read the audit trail")


def history(
    db_session: Session, *, actor: Principal, entity_type: str, entity_id: str
) -> list[AuditEvent]:
    """Events of one record, oldest first."""
    require_reader(actor)
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id))
        .limit(HISTORY_LIMIT)
    )
    return list(db_session.exec(query))


def verify(
    db_session: Session, *, actor: Principal, keys: AuditKeyRing | None = None
) -> ChainVerification:
    require_role(
        actor,
        Role.ADMIN,
        Role.QUALITY_MANAGER,
        Role.AUDITOR,
        doing="verify the audit chain",
    )
    return verify_chain(db_session, keys)
