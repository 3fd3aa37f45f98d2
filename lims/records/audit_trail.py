"""Reading the audit trail for a signed-in person: one record's history, and the chain's
verification.

The reading rules need the reader's roles, so they live here rather than in ``lims.audit``,
which every domain writes through and which therefore imports none.
"""

import re

from sqlmodel import Session, col, func, select

from lims.accounts.models import STAFF_ROLES, Role
from lims.accounts.principal import Principal, require_role
from lims.audit.keys import AuditKeyRing
from lims.audit.models import AuditEvent, ChainVerification
from lims.audit.trail import verify_chain
from lims.contracts.models import Agreement, Quotation
from lims.documents.models import Document
from lims.equipment.models import Equipment
from lims.jobs.models import Job
from lims.methods.models import Method

HISTORY_LIMIT = 1000
#: A record as the API names it: its table and id, ``job:4``.
ENTITY = re.compile(r"^([a-z_]{1,64}):(\S{1,64})$")
#: What people call a record instead: its number or code, each kind's own column (a newer
#: version of an agreement or a method keeps its number, so the newest is meant).
NUMBERED = (
    ("job", Job, Job.number),
    ("document", Document, Document.number),
    ("equipment", Equipment, Equipment.identification),
    ("agreement", Agreement, Agreement.number),
    ("quotation", Quotation, Quotation.number),
    ("method", Method, Method.code),
)
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


def find_record(db_session: Session, *, actor: Principal, text: str) -> tuple[str, str] | None:
    """The record ``text`` names, as (type, id): ``job:4`` as it stands, or a number or code
    (TY-2026-0004, KT-2026-0003-R1, an equipment's identification) whatever its case;
    None when it names none."""
    require_reader(actor)
    text = text.strip()
    if found := ENTITY.match(text):
        return found[1], found[2]
    if not text or len(text) > 64:
        return None
    for entity_type, table, column in NUMBERED:
        record_id = db_session.exec(
            select(table.id)
            .where(func.lower(column) == text.lower())
            .order_by(col(table.id).desc())
            .limit(1)
        ).first()
        if record_id is not None:
            return entity_type, str(record_id)
    return None


def number_of(db_session: Session, *, entity_type: str, entity_id: str) -> str | None:
    """The number or code the record of ``entity_type`` and ``entity_id`` is known by, for
    a heading; None for a kind without one (or an id that is not a number)."""
    for numbered_type, table, column in NUMBERED:
        if numbered_type == entity_type and entity_id.isdigit():
            return db_session.exec(select(column).where(table.id == int(entity_id))).first()
    return None


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
