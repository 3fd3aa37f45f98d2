"""Reading the audit trail: one record's history, and the verification of the chain."""

from sqlmodel import Session, col, select

from lims.accounts.models import Role
from lims.accounts.principal import Principal, require_role
from lims.audit.models import AuditEvent, ChainVerification
from lims.audit.trail import verify_chain

HISTORY_LIMIT = 1000


def history(
    db_session: Session, *, actor: Principal, entity_type: str, entity_id: str
) -> list[AuditEvent]:
    """Events of one record, oldest first; a customer sees only its own organisation's."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id))
        .limit(HISTORY_LIMIT)
    )
    if not actor.reads_everything:
        query = query.where(AuditEvent.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def verify(db_session: Session, *, actor: Principal) -> ChainVerification:
    require_role(
        actor,
        Role.ADMIN,
        Role.QUALITY_MANAGER,
        Role.AUDITOR,
        doing="verify the audit chain",
    )
    return verify_chain(db_session)
