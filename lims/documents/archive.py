"""Archive re-timestamping of issued documents (PAdES B-LTA), one document per transaction.

A timestamp proves a signature only while the TSA's certificate and the algorithms behind it
hold; before they expire an archive adds the validation data of the newest timestamp and a new
document timestamp over the whole file (``timestamping.archive_timestamp``).

What is recorded: the file as issued is never replaced.  Its SHA-256 stays the document's
``sha256``, the hash a customer's copy and the public verification page are checked against.
The re-timestamped bytes are a new file in the store, its own hash in ``archive_sha256`` (with
``archive_size`` and ``archived_at``), an audited change of the document row giving the reason.
Each re-timestamp extends the newest archive copy, so the file as issued stays its unchanged
prefix: cutting ``size`` bytes off the front of an archive copy gives back the issued file.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.principal import system_principal
from lims.audit.trail import because, set_context
from lims.config import Settings
from lims.db import utcnow
from lims.documents.models import Document
from lims.documents.signing import trusted_certificates
from lims.documents.timestamping import (
    TimeStampAuthority,
    archive_timestamp,
    time_stamp_authority,
)
from lims.errors import ConfigurationError, IntegrityFailure, LimsError, NotFound
from lims.storage import FileStore, store_in

MAX_ARCHIVE_BYTES = 256 * 1024 * 1024
REASON = "archive timestamp (PAdES B-LTA)"


@dataclass(frozen=True)
class ArchiveOutcome:
    number: str
    archive_sha256: str | None = None
    problem: str | None = None


def numbers_of_all_documents(db_session: Session) -> list[str]:
    """Every document ever issued, oldest first: superseded and withdrawn ones are records too."""
    return list(db_session.exec(select(Document.number).order_by(col(Document.id))))


def archive_file(document: Document, store: FileStore) -> bytes:
    """The newest archive copy, or the issued file before the first; checked both ways."""
    issued = _checked(store, document.sha256, document.number)
    if document.archive_sha256 is None:
        return issued
    archived = _checked(store, document.archive_sha256, f"the archive copy of {document.number}")
    if not archived.startswith(issued):
        raise IntegrityFailure(
            "the archive copy of %(document)s does not extend its PDF",
            code="documents.archive_copy_does_extend_pdf",
            document=document.number,
        )
    return archived


def required_authority(settings: Settings) -> TimeStampAuthority:
    tsa = time_stamp_authority(settings)
    if tsa is None:
        raise ConfigurationError(
            "archive timestamps need a TSA: set LIMS_DOCUMENT_TSA_URL",
            code="documents.archive_timestamps_need_tsa_set",
        )
    return tsa


def timestamp_documents(
    engine: Engine,
    *,
    numbers: Iterable[str],
    settings: Settings,
    progress: Callable[[ArchiveOutcome], None] = lambda outcome: None,
) -> list[ArchiveOutcome]:
    """Re-timestamp each document in its own transaction; a failure is reported, not raised."""
    tsa = required_authority(settings)
    trusted = trusted_certificates(settings)
    store = store_in(settings.data_dir)
    actor = system_principal("archive-timestamp")
    outcomes = []
    for number in numbers:
        with Session(engine) as db_session:
            try:
                document = db_session.exec(
                    select(Document).where(Document.number == number)
                ).first()
                if document is None:
                    raise NotFound(
                        "no document %(number)s", code="documents.document", number=number
                    )
                renewed = archive_timestamp(archive_file(document, store), tsa, trusted)
                stored = store.put([renewed], max_bytes=MAX_ARCHIVE_BYTES)
                set_context(db_session, actor.audit_context())
                with because(db_session, REASON):
                    document.archive_sha256 = stored.sha256
                    document.archive_size = stored.size
                    document.archived_at = utcnow()
                    db_session.add(document)
                    db_session.commit()
                outcome = ArchiveOutcome(number, archive_sha256=stored.sha256)
            except LimsError as error:
                db_session.rollback()
                outcome = ArchiveOutcome(number, problem=error.message)
        outcomes.append(outcome)
        progress(outcome)
    return outcomes


def _checked(store: FileStore, sha256: str, what: str) -> bytes:
    content = store.read(sha256)
    if hashlib.sha256(content).hexdigest() != sha256:
        raise IntegrityFailure(
            "the stored file of %(what)s does not match its hash",
            code="documents.stored_file_does_match_hash",
            what=what,
        )
    return content
