"""The audit trail: every insert, update and delete of an audited record, hash-chained.

A flush hook on every ORM session turns the pending changes of models marked
``__audited__ = True`` into audit events, written on the same connection and therefore in
the same transaction as the change: either both are committed or neither is.  Each event's
hash is HMAC-SHA-256, keyed with the current key of the audit key ring (``lims.audit.keys``,
kept outside the database), over the previous event's hash and the event's canonical JSON
with the key's id.  Editing or removing any event breaks the chain at that point, which
``verify_chain`` reports, and without the key nobody can recompute the hashes after it.

The chain itself says which key comes next: an event is keyed with its predecessor's key,
except after a key rotation event, which names the new key.  Events written before keys
(``key_id`` None) hash with plain SHA-256; the first keyed event's HMAC covers their head.
"""

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, TypeVar

from sqlalchemy import Connection, event, insert, inspect, select, text
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm import UOWTransaction
from sqlmodel import col

from lims.audit.keys import (
    KEY_DIR_VARIABLE,
    AuditKey,
    AuditKeyRing,
    add_key,
    installation_key_dir,
    load_key_ring,
    read_key_ring,
)
from lims.audit.models import AuditEvent, ChainBreak, ChainVerification
from lims.db import persisted_id, utcnow
from lims.errors import ConfigurationError, InvalidInput

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
#: The entity type of a key rotation event: ``changes`` name the new key and the one it
#: retires, and the event is keyed with the retiring key.
KEY_ROTATION = "audit_key"


@dataclass(frozen=True)
class AuditContext:
    """Who is changing records, under which request, and why."""

    actor: str
    actor_id: int | None = None
    request_id: str | None = None
    reason: str | None = None
    #: An erasure of personal data: update events keep the values put in (placeholders),
    #: not the values they replace, so the trail does not store again what was erased.
    forgets_old_values: bool = False


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
    """The hash of an event written before audit keys (``key_id`` None): plain SHA-256."""
    return hashlib.sha256(previous_hash.encode() + canonical_json(fields)).hexdigest()


def keyed_chain_hash(key: AuditKey, previous_hash: str, fields: dict[str, Any]) -> str:
    """HMAC-SHA-256 with ``key`` over the previous hash and ``fields`` with the key's id."""
    message = previous_hash.encode() + canonical_json({**fields, "key_id": key.key_id})
    return hmac.new(key.secret, message, hashlib.sha256).hexdigest()


def hashed_fields(audit_event: AuditEvent) -> dict[str, Any]:
    """The fields of a stored event its hash covers (the key id is added by the keyed hash)."""
    fields = {name: getattr(audit_event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = audit_event.occurred_at.isoformat()
    return fields


def rotated_to(entity_type: str, changes: Any) -> str | None:
    """The new key a key rotation event names; None for any other event."""
    if entity_type != KEY_ROTATION or not isinstance(changes, dict):
        return None
    new = changes.get("key_id")
    return str(new[1]) if isinstance(new, list) and len(new) == 2 else None


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


def _changes(instance: object, action: str, *, forget_old: bool) -> dict[str, list[Any]]:
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
                shown_old = REDACTED if forget_old and old is not None else old
                changes[name] = [_shown(instance, name, shown_old), _shown(instance, name, new)]
    return changes


def _entity_id(instance: object) -> str:
    # The identity key is not yet set inside the flush; the primary key columns are.
    mapper = inspect(instance).mapper
    return "/".join(str(key) for key in mapper.primary_key_from_instance(instance))


def _organisation_of(instance: object) -> int | None:
    field = getattr(type(instance), "__audit_organisation_field__", "organisation_id")
    return getattr(instance, field, None)


def _pending_events(db_session: OrmSession) -> list[tuple[str, object, dict[str, list[Any]]]]:
    context = get_context(db_session)
    forget_old = context is not None and context.forgets_old_values
    pending = []
    for action, instances in (
        ("insert", db_session.new),
        ("update", db_session.dirty),
        ("delete", db_session.deleted),
    ):
        for instance in instances:
            if not _is_audited(instance):
                continue
            changes = _changes(instance, action, forget_old=forget_old)
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
    entries = []
    for action, instance, changes in pending:
        if (
            action != "insert"
            and getattr(instance, "audit_requires_reason", lambda: False)()
            and not context.reason
        ):
            raise InvalidInput(
                "give a reason: this %(local_table)s has been reviewed or issued, and "
                "every change to it must say why",
                code="audit.give_reason_has_been_reviewed",
                local_table=inspect(instance).mapper.local_table.name,
            )
        entries.append(
            {
                "action": action,
                "entity_type": inspect(instance).mapper.local_table.name,
                "entity_id": _entity_id(instance),
                "organisation_id": _organisation_of(instance),
                "changes": changes,
            }
        )
    _append(db_session.connection(), context, entries)


event.listen(OrmSession, "after_flush", _record_changes)


@dataclass(frozen=True)
class _Head:
    id: int
    hash: str
    key_id: str | None
    entity_type: str


def _locked_head(connection: Connection) -> _Head | None:
    """The chain's newest event, read once this transaction alone may append to the chain.

    On SQLite the domain change flushed before the hook already holds the database's single
    write lock; PostgreSQL takes an advisory lock for it.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _CHAIN_LOCK_KEY})
    row = connection.execute(
        select(
            col(AuditEvent.id),
            col(AuditEvent.hash),
            col(AuditEvent.key_id),
            col(AuditEvent.entity_type),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    event_id, digest, key_id, entity_type = row
    return _Head(id=event_id or 0, hash=digest, key_id=key_id, entity_type=entity_type)


def _key_after(connection: Connection, head: _Head | None) -> AuditKey:
    """The key the event after ``head`` is keyed with: the head's own, or the one a key
    rotation names; for the first keyed event the ring's newest, made on first use."""
    directory = installation_key_dir()
    if head is None or head.key_id is None:
        ring = load_key_ring(directory)
        newest = ring.newest or read_key_ring(directory).newest
        return newest or add_key(directory, follows_event=head.id if head else 0)
    wanted = head.key_id
    if head.entity_type == KEY_ROTATION:
        changes = connection.execute(
            select(col(AuditEvent.changes)).where(col(AuditEvent.id) == head.id)
        ).scalar_one()
        wanted = rotated_to(head.entity_type, changes) or head.key_id
    key = load_key_ring(directory).get(wanted) or read_key_ring(directory).get(wanted)
    if key is None:
        raise ConfigurationError(
            "audit events cannot be written: key %(wanted)s is not in the key ring "
            "at %(directory)s (restore the key ring from its backup, or set "
            "%(key_dir_variable)s)",
            code="audit.audit_events_cannot_written_key",
            wanted=wanted,
            directory=directory,
            key_dir_variable=KEY_DIR_VARIABLE,
        )
    return key


def _append(connection: Connection, context: AuditContext, entries: list[dict[str, Any]]) -> None:
    head = _locked_head(connection)
    key = _key_after(connection, head)
    previous = head.hash if head else GENESIS_HASH
    occurred_at = utcnow()
    for entry in entries:
        fields = {
            "occurred_at": occurred_at.isoformat(),
            "actor_id": context.actor_id,
            "actor": context.actor,
            "request_id": context.request_id,
            "reason": context.reason,
            **entry,
        }
        digest = keyed_chain_hash(key, previous, fields)
        row = {
            **fields,
            "occurred_at": occurred_at,
            "previous_hash": previous,
            "hash": digest,
            "key_id": key.key_id,
        }
        connection.execute(insert(AuditEvent), row)
        previous = digest


def rotate_key(db_session: OrmSession, context: AuditContext) -> tuple[AuditKey, AuditKey]:
    """Add a new key to the ring and record the rotation in the chain; returns (retired, new).

    The rotation event is keyed with the key it retires, so only the holder of that key
    could have written it; every later event is keyed with the new one.  The new key is on
    disk before the event commits, so no writer ever meets a rotation to a missing key.
    """
    connection = db_session.connection()
    head = _locked_head(connection)
    retired = _key_after(connection, head)
    new = add_key(installation_key_dir(), follows_event=head.id if head else 0)
    rotation = {
        "action": "insert",
        "entity_type": KEY_ROTATION,
        "entity_id": new.key_id,
        "organisation_id": None,
        "changes": {"key_id": [None, new.key_id], "retired_key_id": [None, retired.key_id]},
    }
    _append(connection, context, [rotation])
    db_session.commit()
    return retired, new


def verify_chain(
    db_session: OrmSession, keys: AuditKeyRing | None = None, *, batch_size: int = 1000
) -> ChainVerification:
    """Recompute every hash in order; report the first event that does not fit.

    ``keys``: the ring to recompute keyed hashes with; by default this installation's, as
    it is on disk now.
    """
    check = _ChainCheck(keys if keys is not None else read_key_ring(installation_key_dir()))
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
            problem = check.problem(audit_event, previous)
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


@dataclass
class _ChainCheck:
    """The rules an event must meet after the events before it."""

    ring: AuditKeyRing
    #: The key the next event must be keyed with; None until the first keyed event.
    next_key: str | None = None

    def problem(self, audit_event: AuditEvent, previous: str) -> str | None:
        if audit_event.previous_hash != previous:
            return (
                f"event {audit_event.id} does not follow the event before it: "
                "an earlier event was removed or altered"
            )
        if audit_event.key_id is None:
            return self._unkeyed_problem(audit_event, previous)
        return self._keyed_problem(audit_event, audit_event.key_id, previous)

    def _unkeyed_problem(self, audit_event: AuditEvent, previous: str) -> str | None:
        written_outside = "it was written or rewritten outside the application"
        if self.next_key is not None:
            return (
                f"event {audit_event.id} has no audit key although an event before it has "
                f"one: {written_outside}"
            )
        legacy_up_to = self.ring.legacy_up_to
        if legacy_up_to is not None and persisted_id(audit_event) > legacy_up_to:
            return (
                f"event {audit_event.id} has no audit key although the key ring at "
                f"{self.ring.directory} keys every event after event {legacy_up_to}: "
                f"{written_outside}"
            )
        if chain_hash(previous, hashed_fields(audit_event)) != audit_event.hash:
            return _altered(audit_event)
        return None

    def _keyed_problem(self, audit_event: AuditEvent, key_id: str, previous: str) -> str | None:
        key = self.ring.get(key_id)
        if key is None:
            return (
                f"event {audit_event.id}: key {key_id} is not in the key ring at "
                f"{self.ring.directory}"
            )
        if self.next_key is not None and key_id != self.next_key:
            return (
                f"event {audit_event.id} is keyed with key {key_id} where the chain's key is "
                f"{self.next_key}: keys change only by a key rotation event"
            )
        if keyed_chain_hash(key, previous, hashed_fields(audit_event)) != audit_event.hash:
            return _altered(audit_event)
        self.next_key = rotated_to(audit_event.entity_type, audit_event.changes) or key_id
        return None


def _altered(audit_event: AuditEvent) -> str:
    return f"event {audit_event.id} was altered: its content no longer matches its hash"


Record = TypeVar("Record")


def save(db_session: OrmSession, context: AuditContext, record: Record) -> Record:
    """Write ``record`` as ``context``'s change, with its audit event, in one commit."""
    set_context(db_session, context)
    db_session.add(record)
    db_session.commit()
    db_session.refresh(record)
    return record
