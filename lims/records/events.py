"""Audit events in a bundle: every field the chain hashes, with the hashes themselves.

An event in a bundle can be checked on its own (its hash recomputes from its fields and the
previous hash; a keyed event only with the lab's audit key, which an outside auditor lacks:
the signed manifest covers the file instead) and against a live database (the event with its
id still has that hash).
Only events up to the chain's head at the start of the export are taken, so the bundle is
one consistent cut of the chain however long the export runs.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from sqlmodel import Session, col, select

from lims.audit.keys import AuditKeyRing
from lims.audit.models import AuditEvent
from lims.audit.trail import HASHED_FIELDS, chain_hash, keyed_chain_hash

# Enough ids per query for speed, few enough for every backend's parameter limit.
_IDS_PER_QUERY = 500


def chain_head(db_session: Session) -> AuditEvent | None:
    return db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)).first()


def as_json(event: AuditEvent) -> dict[str, Any]:
    fields = {name: getattr(event, name) for name in HASHED_FIELDS}
    fields["occurred_at"] = event.occurred_at.isoformat()
    return {
        "id": event.id,
        **fields,
        "key_id": event.key_id,
        "previous_hash": event.previous_hash,
        "hash": event.hash,
    }


def hash_problem(event: Mapping[str, Any], keys: AuditKeyRing | None) -> str | None:
    """Why a bundled event does not recompute to its own hash, or None when it does (or when
    it is keyed with a key ``keys`` lacks, so that it cannot be recomputed here)."""
    try:
        fields = {name: event[name] for name in HASHED_FIELDS}
        key_id = event.get("key_id")
        if key_id is None:
            recomputed = chain_hash(event["previous_hash"], fields)
        else:
            key = keys.get(str(key_id)) if keys is not None else None
            if key is None:
                return None
            recomputed = keyed_chain_hash(key, event["previous_hash"], fields)
    except (KeyError, TypeError) as error:
        return f"event {event.get('id')} is incomplete ({error})"
    if recomputed != event["hash"]:
        return f"event {event.get('id')} was altered: its content no longer matches its hash"
    return None


def recomputable(event: Mapping[str, Any], keys: AuditKeyRing | None) -> bool:
    """Whether this verifier can recompute the event's hash: an unkeyed event anyone can, a
    keyed one only with its key in ``keys``."""
    key_id = event.get("key_id")
    return key_id is None or (keys is not None and keys.get(str(key_id)) is not None)


def link_problems(events: list[Mapping[str, Any]]) -> list[str]:
    """Events of the bundle that are neighbours in the chain (ids n and n + 1) and do not
    link: what can be checked of keyed events without their key."""
    by_id: dict[int, Mapping[str, Any]] = {
        event["id"]: event for event in events if isinstance(event.get("id"), int)
    }
    problems = []
    for event_id, event in sorted(by_id.items()):
        before = by_id.get(event_id - 1)
        if before is not None and event.get("previous_hash") != before.get("hash"):
            problems.append(
                f"event {event_id} does not follow event {event_id - 1}: one of them was altered"
            )
    return problems


def events_of(
    db_session: Session,
    entities: Mapping[str, set[str]],
    *,
    up_to: int,
) -> list[dict[str, Any]]:
    """The events of the records named (table -> ids), oldest first."""
    found: dict[int, AuditEvent] = {}
    for entity_type, ids in sorted(entities.items()):
        for chunk in _chunks(sorted(ids)):
            query = select(AuditEvent).where(
                AuditEvent.entity_type == entity_type,
                col(AuditEvent.entity_id).in_(chunk),
                col(AuditEvent.id) <= up_to,
            )
            found.update((event.id, event) for event in db_session.exec(query) if event.id)
    return [as_json(found[event_id]) for event_id in sorted(found)]


def _chunks(ids: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(ids), _IDS_PER_QUERY):
        yield ids[start : start + _IDS_PER_QUERY]
