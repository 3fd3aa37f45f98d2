"""The keyed audit chain: an insider with the database but not the key ring cannot rewrite
events and have the chain verify (issue #21, item 3a).

Each test tampers as such an insider would, straight in the database, recomputing every
hash after the change as well as can be done without the key, and proves that
``verify_chain`` (and ``lims audit verify``) names the event where the rewrite begins.
"""

import hashlib
import hmac
import json
import secrets
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text
from sqlmodel import Session, col, select

from lims.audit.keys import AuditKey, installation_key_dir, key_id_of, read_key_ring
from lims.audit.models import AuditEvent
from lims.audit.trail import (
    GENESIS_HASH,
    KEY_ROTATION,
    AuditContext,
    canonical_json,
    chain_hash,
    hashed_fields,
    keyed_chain_hash,
    rotate_key,
    verify_chain,
)
from lims.config import Settings
from lims.db import make_engine
from tests.audit.test_trail import run_cli
from tests.conftest import migrated_sqlite_url
from tests.factories import make_organisation

#: How an insider recomputes an event's hash: (previous hash, hashed fields, key id) -> hash.
Rehash = Callable[[str, dict[str, Any], str | None], str]


@dataclass
class Trail:
    engine: Engine
    key_dir: Path

    def events(self) -> list[AuditEvent]:
        with Session(self.engine) as db_session:
            return list(db_session.exec(select(AuditEvent).order_by(col(AuditEvent.id))))

    def verify(self) -> tuple[bool, str]:
        with Session(self.engine) as db_session:
            result = verify_chain(db_session, read_key_ring(self.key_dir))
        return result.intact, result.first_break.problem if result.first_break else ""

    def rewrite(
        self,
        from_id: int,
        rehash: Rehash,
        *,
        key_id: Callable[[AuditEvent], str | None] = lambda event: event.key_id,
        change: Callable[[AuditEvent], None] = lambda event: None,
    ) -> None:
        """Change event ``from_id`` and recompute every hash from it on with ``rehash``."""
        previous = GENESIS_HASH
        with self.engine.begin() as connection:
            for event in self.events():
                if persisted_id(event) >= from_id:
                    if persisted_id(event) == from_id:
                        change(event)
                    new_key_id = key_id(event)
                    digest = rehash(previous, hashed_fields(event), new_key_id)
                    connection.execute(
                        text(
                            "UPDATE audit_event SET actor = :actor, previous_hash = :previous, "
                            "hash = :hash, key_id = :key_id WHERE id = :id"
                        ),
                        {
                            "actor": event.actor,
                            "previous": previous,
                            "hash": digest,
                            "key_id": new_key_id,
                            "id": event.id,
                        },
                    )
                    previous = digest
                else:
                    previous = event.hash


def persisted_id(event: AuditEvent) -> int:
    assert event.id is not None
    return event.id


def plain_sha256_keeping_key_ids(previous: str, fields: dict[str, Any], key_id: str | None) -> str:
    return hashlib.sha256(
        previous.encode() + canonical_json({**fields, "key_id": key_id})
    ).hexdigest()


def unkeyed_chain_hash(previous: str, fields: dict[str, Any], _key_id: str | None) -> str:
    return chain_hash(previous, fields)


def mallory(event: AuditEvent) -> None:
    event.actor = "mallory"


@pytest.fixture
def trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trail]:
    """A migrated SQLite database with three audited changes, keyed by a ring of its own."""
    key_dir = tmp_path / "audit-keys"
    url = migrated_sqlite_url(tmp_path / "lims.sqlite3")
    for variable, value in {
        "LIMS_AUDIT_KEY_DIR": str(key_dir),
        "LIMS_DATA_DIR": str(tmp_path),
        "LIMS_DATABASE_URL": url,
    }.items():
        monkeypatch.setenv(variable, value)
    engine = make_engine(url)
    for _ in range(3):
        make_organisation(engine)
    yield Trail(engine, key_dir)
    engine.dispose()


def test_events_are_keyed_with_the_ring_made_on_first_use(trail: Trail) -> None:
    (key_file,) = trail.key_dir.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(trail.key_dir.stat().st_mode) == 0o700
    (key,) = read_key_ring(trail.key_dir).keys
    assert key_file.name == f"{key.key_id}.json" and key.key_id == key_id_of(key.secret)
    events = trail.events()
    assert {event.key_id for event in events} == {key.key_id}
    previous = GENESIS_HASH
    for event in events:
        assert event.hash == keyed_chain_hash(key, previous, hashed_fields(event))
        previous = event.hash
    assert trail.verify() == (True, "")


def test_the_key_ring_is_where_the_settings_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("LIMS_AUDIT_KEY_DIR", raising=False)
    monkeypatch.delenv("LIMS_DATA_DIR", raising=False)
    assert installation_key_dir() == Settings().resolved_audit_key_dir
    monkeypatch.setenv("LIMS_DATA_DIR", str(tmp_path))
    assert installation_key_dir() == Settings().resolved_audit_key_dir
    assert installation_key_dir() == tmp_path / "secrets" / "audit-keys"
    monkeypatch.setenv("LIMS_AUDIT_KEY_DIR", str(tmp_path / "elsewhere"))
    assert installation_key_dir() == Settings().resolved_audit_key_dir == tmp_path / "elsewhere"


@pytest.mark.parametrize(
    ("rehash", "key_id", "from_id", "named"),
    [
        pytest.param(
            plain_sha256_keeping_key_ids,
            lambda event: event.key_id,
            2,
            "event 2 was altered",
            id="sha256-keeping-key-ids",
        ),
        pytest.param(
            unkeyed_chain_hash,
            lambda event: None,
            2,
            "event 2 has no audit key although an event before it has one",
            id="old-unkeyed-hash-after-a-keyed-event",
        ),
        pytest.param(
            unkeyed_chain_hash,
            lambda event: None,
            1,
            "event 1 has no audit key although the key ring",
            id="whole-chain-rewritten-unkeyed",
        ),
    ],
)
def test_an_event_changed_and_every_later_hash_recomputed_without_the_key_is_caught(
    trail: Trail,
    capsys: pytest.CaptureFixture[str],
    rehash: Rehash,
    key_id: Callable[[AuditEvent], str | None],
    from_id: int,
    named: str,
) -> None:
    trail.rewrite(from_id, rehash, key_id=key_id, change=mallory)
    intact, problem = trail.verify()
    assert not intact and named in problem
    assert run_cli("audit", "verify") == 2
    assert named in capsys.readouterr().err


def test_hashes_recomputed_with_a_wrong_key_are_caught(trail: Trail) -> None:
    stolen_name_wrong_key = AuditKey(key_id=trail.events()[0].key_id or "", secret=b"guess" * 8)
    trail.rewrite(
        2,
        lambda previous, fields, _: keyed_chain_hash(stolen_name_wrong_key, previous, fields),
        change=mallory,
    )
    assert trail.verify() == (False, "event 2 was altered: its content no longer matches its hash")
    own_secret = secrets.token_bytes(32)
    own_key = AuditKey(key_id=key_id_of(own_secret), secret=own_secret)
    trail.rewrite(
        2,
        lambda previous, fields, _: keyed_chain_hash(own_key, previous, fields),
        key_id=lambda event: own_key.key_id,
    )
    assert trail.verify() == (
        False,
        f"event 2: key {own_key.key_id} is not in the key ring at {trail.key_dir.resolve()}",
    )


def test_a_rotated_key_keys_every_later_event_and_the_chain_verifies(
    trail: Trail, capsys: pytest.CaptureFixture[str]
) -> None:
    (old,) = read_key_ring(trail.key_dir).keys
    assert run_cli("audit", "rotate-key", "--reason", "yearly rotation") == 0
    assert "back the key ring up now" in capsys.readouterr().out
    make_organisation(trail.engine)
    ring = read_key_ring(trail.key_dir)
    retired, new = ring.keys
    assert retired.key_id == old.key_id
    *before, rotation, after = trail.events()
    assert {event.key_id for event in before} == {old.key_id}
    assert (rotation.entity_type, rotation.entity_id, rotation.key_id) == (
        KEY_ROTATION,
        new.key_id,
        old.key_id,
    )
    assert rotation.changes == {
        "key_id": [None, new.key_id],
        "retired_key_id": [None, old.key_id],
    }
    assert (rotation.actor, rotation.reason) == ("system:cli", "yearly rotation")
    assert after.key_id == new.key_id
    assert trail.verify() == (True, "")


def test_a_forged_rotation_event_is_caught(trail: Trail) -> None:
    """An insider appends a rotation to a key of their own, then events keyed with it: they
    cannot key the rotation with the current key, so it does not verify."""
    head = trail.events()[-1]
    own_secret = secrets.token_bytes(32)
    own_key = AuditKey(key_id=key_id_of(own_secret), secret=own_secret)
    fields = {
        "occurred_at": datetime.now(UTC).isoformat(),
        "actor_id": None,
        "actor": "system:cli",
        "action": "insert",
        "entity_type": KEY_ROTATION,
        "entity_id": own_key.key_id,
        "organisation_id": None,
        "changes": {"key_id": [None, own_key.key_id], "retired_key_id": [None, head.key_id]},
        "request_id": None,
        "reason": None,
    }
    forged = plain_sha256_keeping_key_ids(head.hash, fields, head.key_id)
    with trail.engine.begin() as connection:
        connection.execute(
            insert(AuditEvent),
            {
                **fields,
                "occurred_at": datetime.fromisoformat(fields["occurred_at"]),
                "previous_hash": head.hash,
                "hash": forged,
                "key_id": head.key_id,
            },
        )
    assert trail.verify() == (False, "event 4 was altered: its content no longer matches its hash")


def test_a_leaked_retired_key_cannot_write_events_after_the_rotation(trail: Trail) -> None:
    (old,) = read_key_ring(trail.key_dir).keys
    with Session(trail.engine) as db_session:
        rotate_key(db_session, AuditContext(actor="system:cli"))
    make_organisation(trail.engine)
    trail.rewrite(
        5,
        lambda previous, fields, _: keyed_chain_hash(old, previous, fields),
        key_id=lambda event: old.key_id,
        change=mallory,
    )
    intact, problem = trail.verify()
    assert not intact
    assert problem.startswith(f"event 5 is keyed with key {old.key_id} where the chain's key is")


def append_legacy_events(engine: Engine, count: int) -> None:
    """Events as versions before 0018 wrote them: plain SHA-256, no key."""
    previous = GENESIS_HASH
    with engine.begin() as connection:
        for number in range(1, count + 1):
            fields = {
                "occurred_at": datetime(2026, 11, 30, 12, number, tzinfo=UTC).isoformat(),
                "actor_id": None,
                "actor": "system:cli",
                "action": "insert",
                "entity_type": "organisation",
                "entity_id": str(1000 + number),
                "organisation_id": 1000 + number,
                "changes": {"name": [None, f"Vanha {number} Oy"]},
                "request_id": None,
                "reason": None,
            }
            digest = chain_hash(previous, fields)
            row = {
                **fields,
                "occurred_at": datetime.fromisoformat(fields["occurred_at"]),
                "previous_hash": previous,
                "hash": digest,
            }
            connection.execute(insert(AuditEvent), row)
            previous = digest


@pytest.fixture
def legacy_trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Trail]:
    """Three events from before keys, then two keyed ones written by this version."""
    key_dir = tmp_path / "audit-keys"
    monkeypatch.setenv("LIMS_AUDIT_KEY_DIR", str(key_dir))
    engine = make_engine(migrated_sqlite_url(tmp_path / "lims.sqlite3"))
    append_legacy_events(engine, 3)
    for _ in range(2):
        make_organisation(engine)
    yield Trail(engine, key_dir)
    engine.dispose()


def test_events_from_before_keys_verify_and_the_first_keyed_event_covers_them(
    legacy_trail: Trail,
) -> None:
    events = legacy_trail.events()
    assert [event.key_id is None for event in events] == [True, True, True, False, False]
    assert read_key_ring(legacy_trail.key_dir).legacy_up_to == 3
    assert legacy_trail.verify() == (True, "")


def test_rewriting_the_events_from_before_keys_is_caught(legacy_trail: Trail) -> None:
    """The unkeyed prefix can be recomputed by anyone, but the first keyed event's HMAC
    covers the prefix's head, so the rewrite shows where the prefix meets it."""
    previous = GENESIS_HASH
    with legacy_trail.engine.begin() as connection:
        for event in legacy_trail.events()[:3]:
            if event.id == 2:
                event.actor = "mallory"
            digest = chain_hash(previous, hashed_fields(event))
            connection.execute(
                text(
                    "UPDATE audit_event SET actor = :a, previous_hash = :p, hash = :h WHERE id = :i"
                ),
                {"a": event.actor, "p": previous, "h": digest, "i": event.id},
            )
            previous = digest
    intact, problem = legacy_trail.verify()
    assert not intact
    assert problem.startswith("event 4 does not follow the event before it")


def test_a_key_file_that_does_not_hold_its_key_is_refused(trail: Trail) -> None:
    (key_file,) = trail.key_dir.iterdir()
    stored = json.loads(key_file.read_text())
    stored["key"] = secrets.token_bytes(32).hex()
    key_file.chmod(0o600)
    key_file.write_text(json.dumps(stored))
    assert run_cli("audit", "verify") == 2


def test_hmac_is_what_the_chain_uses(trail: Trail) -> None:
    """The keyed hash is HMAC-SHA-256 over the previous hash and the canonical JSON with
    the key id: what an independent verifier holding the key recomputes."""
    (key,) = read_key_ring(trail.key_dir).keys
    first = trail.events()[0]
    message = GENESIS_HASH.encode() + canonical_json({**hashed_fields(first), "key_id": key.key_id})
    assert first.hash == hmac.new(key.secret, message, hashlib.sha256).hexdigest()
