"""The audit chain's checkpoints signed with the lab's key: written at every records export,
on ``lims audit checkpoint`` and daily by the service; checked by ``lims audit verify``.

``lims.audit.checkpoints`` keeps the log and knows no key; this module gives it the lab's
(``lims.documents.detached``).  Only the configured certificate, or the ones a caller names
(an assessor's copy, the lab's previous certificate after a renewal), is trusted.
"""

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from cryptography import x509
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel

from lims.audit import checkpoints
from lims.audit.checkpoints import CheckpointReport, CheckpointWritten
from lims.audit.models import ChainVerification
from lims.config import Settings
from lims.db import utcnow
from lims.documents import detached

#: How often the service looks whether a checkpoint is due.
CHECK_EVERY = timedelta(hours=1)

logger = logging.getLogger(__name__)


def write_checkpoint(db_session: Session, settings: Settings) -> CheckpointWritten:
    """Sign and append the chain's head, unless the newest checkpoint already names it."""
    signer = detached.lab_detached_signer(settings)
    return checkpoints.checkpoint(
        db_session,
        settings.resolved_audit_checkpoint_log,
        sign=lambda payload: detached.sign(payload, signer, embed_certificate=False),
        signer=signer.fingerprint,
    )


def check_checkpoints(
    db_session: Session,
    settings: Settings,
    trusted: Sequence[x509.Certificate] = (),
) -> CheckpointReport:
    """The checkpoint log against its signatures and the database; ``trusted`` defaults to
    the lab's configured certificate and its earlier ones (read only when there is a
    checkpoint to check)."""
    certificates = list(trusted)

    def check(payload: bytes, signature: str) -> str | None:
        if not certificates:
            certificates.extend(detached.trusted_lab_certificates(settings))
        try:
            detached.verify(payload, signature, certificates)
        except detached.SignatureRefused as refused:
            return str(refused)
        return None

    return checkpoints.verify_checkpoints(
        db_session, settings.resolved_audit_checkpoint_log, check_signature=check
    )


class CheckpointSummary(SQLModel):
    """The checkpoint log's verification, as ``GET /audit/verify`` answers it."""

    log: str
    intact: bool
    checkpoints: int
    problems: list[str]
    latest_at: str | None = None
    latest_event_id: int | None = None
    latest_hash: str | None = None

    @classmethod
    def of(cls, report: CheckpointReport) -> "CheckpointSummary":
        latest = report.latest
        return cls(
            log=report.log,
            intact=report.intact,
            checkpoints=report.checkpoints,
            problems=report.problems,
            latest_at=latest.at if latest else None,
            latest_event_id=latest.event_id if latest else None,
            latest_hash=latest.hash if latest else None,
        )


class AuditVerification(ChainVerification):
    """The chain's verification and, beside it, the checkpoints' (``intact`` is the chain's)."""

    checkpoints: CheckpointSummary


def checkpoint_if_due(engine: Engine, settings: Settings) -> CheckpointWritten | None:
    """A checkpoint when the newest is older than the setting allows (or there is none)."""
    newest = checkpoints.newest_checkpoint_at(settings.resolved_audit_checkpoint_log)
    if newest is not None and utcnow() - newest < timedelta(hours=settings.audit_checkpoint_hours):
        return None
    with Session(engine) as db_session:
        return write_checkpoint(db_session, settings)


async def keep_checkpointing(
    engine: Callable[[], Engine],
    settings: Callable[[], Settings],
    *,
    every: timedelta = CHECK_EVERY,
) -> None:
    """While the service runs: look every ``every`` whether a checkpoint is due.

    ``engine`` and ``settings`` are read at each look, since the application may be pointed
    at another database meanwhile.  A failure (no signing key yet, a full disk) is logged and
    tried again at the next look; a crash loses nothing, as the log is appended whole lines.
    """
    while True:
        await asyncio.sleep(every.total_seconds())
        current = settings()
        if current.audit_checkpoint_hours == 0:
            continue
        try:
            written = await asyncio.to_thread(checkpoint_if_due, engine(), current)
        except Exception:
            logger.exception("the daily audit checkpoint failed; trying again in %s", every)
            continue
        if written is not None and written.written and written.checkpoint is not None:
            logger.info("audit checkpoint: %s", written.checkpoint.paper_line())
