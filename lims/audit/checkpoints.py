"""Signed checkpoints of the audit chain, in an append-only log outside the database.

A checkpoint states the chain's head at a moment: the newest event's id and hash (and the
key that made the hash, where events name one), the number of events, the time.  It is
signed with the lab's key and appended as one JSON line to a log file kept beside the file
store, not in the database, so an insider who can rewrite the database still cannot rewrite
what the checkpoints say.  Each line also carries the SHA-256 of the line before it, so a
line removed from the middle or altered breaks the log's own chain.

Against the database, a checkpoint shows events rewritten since (the named event's hash
differs), events removed from the end (the chain ends before the named event: a truncation
the chain's own hashes cannot show) and events removed anywhere before it (fewer events).

This is a base module like the rest of ``lims.audit``: signing and checking are passed in
as functions, so it knows no key, certificate or signature format.
"""

import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from lims.audit.models import AuditEvent
from lims.db import utcnow

FORMAT = "lims-audit-checkpoint/1"
LOG_NAME = "audit-checkpoints.jsonl"
#: What the first line of a log names as the line before it.
NO_PREVIOUS_LINE = "0" * 64
_IDS_PER_QUERY = 500

#: Signs a checkpoint's canonical bytes: the signature as text.
Sign = Callable[[bytes], str]
#: Checks a signature over a checkpoint's bytes: why it fails, or None when it holds.
CheckSignature = Callable[[bytes, str], str | None]


@dataclass(frozen=True)
class Checkpoint:
    """One line of the log: the chain's head at ``at``, signed."""

    at: str  # UTC, ISO 8601
    event_id: int
    hash: str
    key_id: str | None
    events: int
    previous_line: str  # SHA-256 of the line before, NO_PREVIOUS_LINE for the first
    signer: str  # SHA-256 of the signing certificate
    signature: str = ""
    format: str = FORMAT

    def signed_bytes(self) -> bytes:
        """What the signature covers: every field but the signature, canonical JSON."""
        fields = asdict(self)
        del fields["signature"]
        return _canonical(fields)

    def line(self) -> bytes:
        return _canonical(asdict(self)) + b"\n"

    @property
    def signed_at(self) -> datetime:
        return datetime.fromisoformat(self.at)

    @property
    def signature_sha256(self) -> str:
        """What the paper record keeps of the signature: its SHA-256."""
        return hashlib.sha256(self.signature.encode()).hexdigest()

    def paper_line(self) -> str:
        """A short line for the quality manager's paper record."""
        return (
            f"audit checkpoint {self.at}: event {self.event_id}, {self.events} events, "
            f"hash {self.hash}, signature SHA-256 {self.signature_sha256[:16]}, "
            f"certificate {self.signer[:16]}"
        )


@dataclass(frozen=True)
class CheckpointWritten:
    checkpoint: Checkpoint | None  # None: the chain has no events yet
    written: bool  # False when the head had not moved since the newest checkpoint


@dataclass
class CheckpointReport:
    """The log checked on its own and against the database."""

    log: str
    checkpoints: int = 0
    latest: Checkpoint | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


def checkpoint(db_session: Session, log: Path, *, sign: Sign, signer: str) -> CheckpointWritten:
    """Append a signed checkpoint of the chain's head, unless the newest one names it or a
    later event."""
    head = _head(db_session)
    if head is None:
        return CheckpointWritten(checkpoint=None, written=False)
    event_id, digest, key_id, events = head
    log.parent.mkdir(parents=True, exist_ok=True)
    # O_APPEND: every write lands at the end whatever else has the file open; the lock keeps
    # two writers (service workers, cron) from linking their lines to the same predecessor.
    descriptor = os.open(log, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
    with os.fdopen(descriptor, "r+b") as file:
        fcntl.flock(file, fcntl.LOCK_EX)
        file.seek(0)
        last = _last_line(file.read())
        newest = _parse(last) if last else None
        # The head has not moved, or a writer that read the chain later (another process, or
        # a PostgreSQL snapshot older than its) got further: the log only ever moves forward.
        if newest and newest.event_id >= event_id:
            return CheckpointWritten(checkpoint=newest, written=False)
        unsigned = Checkpoint(
            at=utcnow().isoformat(),
            event_id=event_id,
            hash=digest,
            key_id=key_id,
            events=events,
            previous_line=_line_hash(last) if last else NO_PREVIOUS_LINE,
            signer=signer,
        )
        signed = Checkpoint(**{**asdict(unsigned), "signature": sign(unsigned.signed_bytes())})
        file.write(signed.line())
        file.flush()
        os.fsync(file.fileno())
    return CheckpointWritten(checkpoint=signed, written=True)


def read_checkpoints(log: Path) -> list[Checkpoint]:
    """The log's checkpoints, oldest first; lines that are not checkpoints are left out."""
    if not log.is_file():
        return []
    return [c for line in log.read_bytes().splitlines() if line and (c := _parse(line))]


def newest_checkpoint_at(log: Path) -> datetime | None:
    checkpoints = read_checkpoints(log)
    return checkpoints[-1].signed_at if checkpoints else None


def verify_checkpoints(
    db_session: Session, log: Path, *, check_signature: CheckSignature
) -> CheckpointReport:
    """Every line's signature and link to the line before, then the database against them."""
    report = CheckpointReport(log=str(log))
    if not log.is_file():
        return report
    previous = NO_PREVIOUS_LINE
    trusted: list[Checkpoint] = []
    for number, line in enumerate(log.read_bytes().splitlines(), start=1):
        checkpoint = _parse(line)
        if checkpoint is None:
            report.problems.append(f"line {number} of {log} is not a checkpoint")
            previous = _line_hash(line)
            continue
        report.checkpoints += 1
        where = f"checkpoint of {checkpoint.at} (line {number})"
        if checkpoint.previous_line != previous:
            report.problems.append(
                f"{where} does not follow the line before it: "
                "a line of the checkpoint log was removed or altered"
            )
        previous = _line_hash(line)
        problem = check_signature(checkpoint.signed_bytes(), checkpoint.signature)
        if problem:
            report.problems.append(f"{where}: its signature {problem}")
            continue
        trusted.append(checkpoint)
    report.latest = trusted[-1] if trusted else None
    report.problems += _against_the_chain(db_session, trusted)
    return report


def _against_the_chain(db_session: Session, checkpoints: list[Checkpoint]) -> list[str]:
    if not checkpoints:
        return []
    problems = []
    last_id = db_session.scalar(select(func.max(col(AuditEvent.id)))) or 0
    hashes = _hashes_of(db_session, {c.event_id for c in checkpoints})
    for checkpoint in checkpoints:
        kept = hashes.get(checkpoint.event_id)
        if checkpoint.event_id > last_id:
            problems.append(
                f"the chain ends at event {last_id} but the checkpoint of {checkpoint.at} "
                f"names event {checkpoint.event_id}: events were removed from its end"
            )
        elif kept is None:
            problems.append(
                f"event {checkpoint.event_id}, named by the checkpoint of {checkpoint.at}, "
                "is missing from the chain: it was removed"
            )
        elif kept != checkpoint.hash:
            problems.append(
                f"event {checkpoint.event_id} no longer has the hash the checkpoint of "
                f"{checkpoint.at} names: the chain was rewritten"
            )
    # Counts only grow, and a removed event lowers every later count: the latest shows it.
    latest = checkpoints[-1]
    events = db_session.scalar(
        select(func.count(col(AuditEvent.id))).where(col(AuditEvent.id) <= latest.event_id)
    )
    if events is not None and events < latest.events:
        problems.append(
            f"the chain holds {events} events up to event {latest.event_id} but the "
            f"checkpoint of {latest.at} counted {latest.events}: events were removed"
        )
    return problems


def _head(db_session: Session) -> tuple[int, str, str | None, int] | None:
    newest = db_session.scalars(
        select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(1)
    ).first()
    if newest is None or newest.id is None:
        return None
    events = db_session.scalar(select(func.count(col(AuditEvent.id)))) or 0
    # The key that made the hash, once events name one.
    key_id = getattr(newest, "key_id", None)
    return newest.id, newest.hash, None if key_id is None else str(key_id), events


def _hashes_of(db_session: Session, event_ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(event_ids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        rows = db_session.execute(
            select(col(AuditEvent.id), col(AuditEvent.hash)).where(col(AuditEvent.id).in_(chunk))
        )
        found.update((event_id, digest) for event_id, digest in rows if event_id is not None)
    return found


def _parse(line: bytes) -> Checkpoint | None:
    try:
        fields = json.loads(line)
        checkpoint = Checkpoint(**fields)
    except (ValueError, TypeError):
        return None
    if checkpoint.format != FORMAT or not isinstance(checkpoint.event_id, int):
        return None
    return checkpoint


def _last_line(content: bytes) -> bytes | None:
    lines = [line for line in content.splitlines() if line]
    return lines[-1] if lines else None


def _line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


def _canonical(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
