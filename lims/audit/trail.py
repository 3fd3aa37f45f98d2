"""The audit trail: every insert, update and delete of an audited record, hash-chained.

A flush hook on every ORM session turns the pending changes of models marked
``__audited__ = True`` into audit events, written on the same connection and therefore in
the same transaction as the change: either both are committed or neither is.  Each event's
hash is SHA-256 over the previous event's hash and the event's canonical JSON, so editing or
removing any event breaks the chain at that point, which ``verify_chain`` reports.
"""

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import event, insert, inspect, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import col

from lims.audit.models import AuditEvent, ChainBreak, ChainVerification
from lims.db import persisted_id, utcnow
from lims.errors import InvalidInput

GENESIS_HASH = "0" * 64
REDACTED = "[redacted]"
# Any fixed number: the PostgreSQL advisory lock that serialises writers of the chain head.
_CHAIN_LOCK_KEY = 1_702_517_025
_CONTEXT_KEY = "audit_context"
HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor",
    "action",
    "entity_type",
    "entity_id",
    "organisation_id",
    "changes",
    "request_id",
    "reason",
)


@dataclass(frozen=True)
class AuditContext:
    """Who is changing records, under which request, and why."""

    actor: str
    actor_id: int | None = None
    request_id: str | None = None
    reason: str | None = None


def set_context(db_session: OrmSession, context: AuditContext) -> None:
    db_session.info[_CONTEXT_KEY] = context


def get_context(db_session: OrmSession) -> AuditContext | None:
    return db_session.info.get(_CONTEXT_KEY)


@contextmanager
def because(db_session: OrmSession, reason: str) -> Iterator[None]:
    """Attach ``reason`` to the audit events written inside the block."""
    context = get_context(db_session)
    if context is None:
        raise RuntimeError("set the audit context before giving a reason")
    set_context(db_session, replace(context, reason=reason))
    try:
        yield
    finally:
        set_context(db_session, context)


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256(previous_hash.encode() + canonical_json(fields)).hexdigest()


def jsonable(value: Any) -> Any:
    """A value as it is kept in an event: JSON-native, and the same after a round trip."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _is_audited(instance: object) -> bool:
    return bool(getattr(type(instance), "__audited__", False))


def _shown(instance: object, field: str, value: Any) -> Any:
    if field in getattr(type(instance), "__audit_redacted__", ()):
        return None if value is None else REDACTED
    return jsonable(value)


def _changes(instance: object, action: str) -> dict[str, list[Any]]:
    state = inspect(instance)
    changes: dict[str, list[Any]] = {}
    for attribute in state.mapper.column_attrs:
        name = attribute.key
        history = state.attrs[name].history
        if action == "insert":
            changes[name] = [None, _shown(instance, name, getattr(instance, name))]
        elif action == "delete":
            old = history.deleted[0] if history.deleted else getattr(instance, name)
            changes[name] = [_shown(instance, name, old), None]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if jsonable(old) != jsonable(new):
                changes[name] = [_shown(instance, name, old), _shown(instance, name, new)]
    return changes


def _entity_id(instance: object) -> str:
    # The identity key is not yet set inside the flush; the primary key columns are.
    mapper = inspect(instance).mapper
    return "/".join(str(key) for key in mapper.primary_key_from_instance(instance))


def _organisation_of(instance: object) -> int | None:
    field = getattr(type(instance), "__audit_organisation_field__", "organisation_id")
    return getattr(instance, field, None)


def _pending_events(db_session: OrmSession) -> list[tuple[str, object, dict[str, list[Any]]]]:
    pending = []
    for action, instances in (
        ("insert", db_session.new),
        ("update", db_session.dirty),
        ("delete", db_session.deleted),
    ):
        for instance in instances:
            if not _is_audited(instance):
                continue
            changes = _changes(instance, action)
            if action == "update" and not changes:
                continue
            pending.append((action, instance, changes))
    return pending


def _record_changes(db_session: OrmSession, _flush: UOWTransaction) -> None:
    pending = _pending_events(db_session)
    if not pending:
        return
    context = get_context(db_session)
    if context is None:
        raise RuntimeError("audited records changed without an audit context (who is acting?)")
    connection = db_session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    previous = connection.execute(
        select(col(AuditEvent.hash)).order_by(col(AuditEvent.id).desc()).limit(1)
    ).scalar_one_or_none()
    previous = previous or GENESIS_HASH
    occurred_at = utcnow()
    for action, instance, changes in pending:
        if (
            action != "insert"
            and getattr(instance, "audit_requires_reason", lambda: False)()
            and not context.reason
        ):
            raise InvalidInput(
                f"give a reason: this {inspect(instance).mapper.local_table.name} "
                "has been reviewed or issued, and every change to it must say why"
            )
        fields = {
            "occurred_at": occurred_at.isoformat(),
            "actor_id": context.actor_id,
            "actor": context.actor,
            "action": action,
            "entity_type": inspect(instance).mapper.local_table.name,
            "entity_id": _entity_id(instance),
            "organisation_id": _organisation_of(instance),
            "changes": changes,
            "request_id": context.request_id,
            "reason": context.reason,
        }
        digest = chain_hash(previous, fields)
        row = {**fields, "occurred_at": occurred_at, "previous_hash": previous, "hash": digest}
        connection.execute(insert(AuditEvent), row)
        previous = digest


event.listen(OrmSession, "after_flush", _record_changes)


def verify_chain(db_session: OrmSession, *, batch_size: int = 1000) -> ChainVerification:
    """Recompute every hash in order; report the first event that does not fit."""
    previous = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        batch = db_session.scalars(
            select(AuditEvent)
            .where(col(AuditEvent.id) > last_id)
            .order_by(col(AuditEvent.id))
            .limit(batch_size)
        ).all()
        if not batch:
            return ChainVerification(intact=True, events=count, head=previous, first_break=None)
        for audit_event in batch:
            problem = _link_problem(audit_event, previous)
            if problem:
                return ChainVerification(
                    intact=False,
                    events=count,
                    head=previous,
                    first_break=ChainBreak(event_id=persisted_id(audit_event), problem=problem),
                )
            previous = audit_event.hash
            count += 1
            last_id = persisted_id(audit_event)
        db_session.expunge_all()


def _link_problem(audit_event: AuditEvent, previous: str) -> str | None:
    if audit_event.previous_hash != previous:
        return (
            f"event {audit_event.id} does not follow the event before it: "
            "an earlier event was removed or altered"
        )
    fields = {name: getattr(audit_event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = audit_event.occurred_at.isoformat()
    if chain_hash(previous, fields) != audit_event.hash:
        return f"event {audit_event.id} was altered: its content no longer matches its hash"
    return None


Record = TypeVar("Record")


def save(db_session: OrmSession, context: AuditContext, record: Record) -> Record:
    """Write ``record`` as ``context``'s change, with its audit event, in one commit."""
    set_context(db_session, context)
    db_session.add(record)
    db_session.commit()
    db_session.refresh(record)
    return record
