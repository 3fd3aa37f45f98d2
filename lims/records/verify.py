"""Verifying a bundle: the manifest's signature, the manifest against every file, every
audit event against its own hash, and, given a live database, the events and stored files
against the lab's records.

What each check catches:
- a bundle edited with every hash recomputed (``SHA256SUMS`` and the manifest rewritten):
  the lab's signature of the manifest no longer verifies against the lab's certificate (or
  the one the caller trusts), or is missing;
- a manifest exchanged for another signed one: its SHA-256 is not the one noted at export
  (``expect_sha256``);
- a file changed, removed or added after export: its SHA-256 or size differs from the
  manifest, it is missing, or the manifest does not list it;
- an audit event edited in the bundle: it no longer recomputes to its hash (even when the
  manifest was rewritten to match);
- a bundle made up or edited with its hashes recomputed: its events are not the live
  chain's, its documents' and certificates' hashes are not the ones the database keeps;
- a live chain cut short or rewritten since the export: the head event the manifest names
  is gone or different, or the chain no longer verifies.
The JSON records themselves are checked by the manifest only: they are read from live
records that may rightly change after the export (a job closes, a revision is issued).
"""

import hashlib
import json
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from sqlmodel import Session, col, select

from lims.audit.keys import AuditKeyRing
from lims.audit.models import AuditEvent
from lims.audit.trail import verify_chain
from lims.documents import detached
from lims.documents.models import Document
from lims.equipment.models import Calibration
from lims.errors import InvalidInput
from lims.jobs.models import Item
from lims.records.bundle import FORMAT, MANIFEST, MANIFEST_SIGNATURE
from lims.records.events import hash_problem, link_problems, recomputable

_IDS_PER_QUERY = 500
#: The certificates a manifest may be signed with, read once the file is known to be a bundle
#: (so a file that is not one is named as such before a missing certificate is).
TrustedCertificates = Callable[[], Sequence[x509.Certificate]]


@dataclass(frozen=True)
class BundledEvent:
    """What the live check needs of an event in the bundle: where it is, its id and hash."""

    path: str
    event_id: Any
    hash: Any


@dataclass(frozen=True)
class Failure:
    path: str  # the file of the bundle that fails, or what else does
    problem: str


@dataclass
class BundleVerification:
    manifest: dict[str, Any]
    manifest_sha256: str
    signed_by: detached.SignedBy | None = None
    files: int = 0
    events: int = 0
    #: Keyed events whose key this verifier lacks: only their links were checked.
    events_not_recomputed: int = 0
    live: bool = False
    failures: list[Failure] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.failures

    def fail(self, path: str, problem: str) -> None:
        self.failures.append(Failure(path, problem))


def verify_bundle(
    path: Path,
    db_session: Session | None,
    *,
    certificates: TrustedCertificates,
    expect_sha256: str | None = None,
    keys: AuditKeyRing | None = None,
) -> BundleVerification:
    """Check the bundle at ``path``, its manifest signed by one of ``certificates``; against
    the live database when a session is given.  Keyed audit events are recomputed only with
    ``keys``, the lab's audit key ring."""
    archive = _open(path)
    with archive:
        content, manifest = _manifest(archive, path)
        verification = BundleVerification(
            manifest=manifest, manifest_sha256=hashlib.sha256(content).hexdigest()
        )
        _check_signature(archive, content, certificates(), verification)
        if expect_sha256 is not None and expect_sha256.lower() != verification.manifest_sha256:
            verification.fail(
                MANIFEST,
                f"has SHA-256 {verification.manifest_sha256}, not the expected {expect_sha256}",
            )
        events = _check_files(archive, verification, keys)
        if db_session is not None:
            verification.live = True
            _check_live_events(db_session, events, verification)
            _check_live_files(db_session, verification)
    return verification


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise InvalidInput(
            "cannot read %(path)s: no such file", code="cli.cannot_read_such_file", path=path
        )
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise InvalidInput(
            "%(path)s is not a readable ZIP file: %(error)s",
            code="records.readable_zip_file",
            path=path,
            error=error,
        ) from None


def _manifest(archive: zipfile.ZipFile, path: Path) -> tuple[bytes, dict[str, Any]]:
    """The manifest's bytes (what the signature covers) and its content."""
    try:
        content = archive.read(MANIFEST)
        manifest = json.loads(content)
    except KeyError:
        raise InvalidInput(
            "%(path)s is not a records bundle: it has no %(manifest)s",
            code="records.records_bundle_has",
            path=path,
            manifest=MANIFEST,
        ) from None
    except (ValueError, zipfile.BadZipFile, zlib.error) as error:
        raise InvalidInput(
            "%(path)s: %(manifest)s cannot be read: %(error)s",
            code="records.cannot_read",
            path=path,
            manifest=MANIFEST,
            error=error,
        ) from None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if manifest.get("format") != FORMAT or not isinstance(files, list):
        raise InvalidInput(
            "%(path)s is not a records bundle of format %(format)s",
            code="records.records_bundle_format",
            path=path,
            format=FORMAT,
        )
    if not all(isinstance(f, dict) and {"path", "sha256", "size"} <= f.keys() for f in files):
        raise InvalidInput(
            "%(path)s: %(manifest)s lists a file without path, sha256 and size",
            code="records.lists_file_without_path_sha256",
            path=path,
            manifest=MANIFEST,
        )
    return content, manifest


def _check_signature(
    archive: zipfile.ZipFile,
    content: bytes,
    certificates: Sequence[x509.Certificate],
    verification: BundleVerification,
) -> None:
    try:
        signature = archive.read(MANIFEST_SIGNATURE).decode("ascii").strip()
    except KeyError:
        verification.fail(MANIFEST_SIGNATURE, "is missing: the manifest is not signed by the lab")
        return
    except (UnicodeDecodeError, zipfile.BadZipFile, zlib.error) as error:
        verification.fail(MANIFEST_SIGNATURE, f"cannot be read: {error}")
        return
    try:
        verification.signed_by = detached.verify(content, signature, certificates)
    except detached.SignatureRefused as refused:
        verification.fail(MANIFEST_SIGNATURE, f"the manifest's signature {refused}")


# -- the bundle on its own ------------------------------------------------------------------


def _check_files(
    archive: zipfile.ZipFile, verification: BundleVerification, keys: AuditKeyRing | None
) -> list[BundledEvent]:
    """Every file against the manifest; the audit events read on the way."""
    # A folder entry (the `zip` tool adds them when re-zipping) holds no content to alter.
    names = [
        info.filename for info in archive.infolist() if not (info.is_dir() and not info.file_size)
    ]
    for name in sorted({n for n in names if names.count(n) > 1}):
        verification.fail(name, "appears more than once in the ZIP: entries were added")
    listed = {entry["path"]: entry for entry in verification.manifest["files"]}
    for name in sorted(set(names) - listed.keys() - {MANIFEST, MANIFEST_SIGNATURE}):
        verification.fail(name, "is not in the manifest: it was added after the export")
    event_files = set(verification.manifest.get("audit_event_files", []))
    events: list[BundledEvent] = []
    for entry_path, entry in listed.items():
        verification.files += 1
        if entry_path not in names:
            verification.fail(entry_path, "is listed in the manifest but missing from the ZIP")
            continue
        keep = entry_path in event_files
        content = _check_file(archive, entry, verification, keep=keep)
        if content is not None and keep:
            events += _events_in(entry_path, content, verification, keys)
    return events


def _check_file(
    archive: zipfile.ZipFile, entry: dict[str, Any], verification: BundleVerification, *, keep: bool
) -> bytes | None:
    """Hash one file in chunks; its content is kept only when it holds audit events."""
    path = entry["path"]
    digest, size, kept = hashlib.sha256(), 0, bytearray()
    try:
        with archive.open(path) as source:
            for chunk in _chunks(source):
                digest.update(chunk)
                size += len(chunk)
                if keep:
                    kept += chunk
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        verification.fail(path, f"is damaged in the ZIP ({error}): altered after the export")
        return None
    if digest.hexdigest() != entry["sha256"] or size != entry["size"]:
        verification.fail(path, "does not match its SHA-256 in the manifest: altered after export")
        return None
    return bytes(kept)


def _chunks(source: Any) -> Iterator[bytes]:
    while chunk := source.read(1024 * 1024):
        yield chunk


def _events_in(
    path: str, content: bytes, verification: BundleVerification, keys: AuditKeyRing | None
) -> list[BundledEvent]:
    """Check each event against its own hash; keep only what the live check needs."""
    try:
        events = json.loads(content)
    except ValueError as error:
        verification.fail(path, f"is not valid JSON: {error}")
        return []
    if not isinstance(events, list):
        verification.fail(path, "does not hold a list of audit events")
        return []
    for event in events:
        verification.events += 1
        problem = (
            hash_problem(event, keys) if isinstance(event, dict) else "an entry is not an event"
        )
        if problem:
            verification.fail(path, problem)
        elif not recomputable(event, keys):
            verification.events_not_recomputed += 1
    for problem in link_problems([event for event in events if isinstance(event, dict)]):
        verification.fail(path, problem)
    return [
        BundledEvent(path, event.get("id"), event.get("hash"))
        for event in events
        if isinstance(event, dict)
    ]


# -- against the live database --------------------------------------------------------------


def _check_live_events(
    db_session: Session, events: list[BundledEvent], verification: BundleVerification
) -> None:
    """The bundle's events, and the head at export, are in the live chain, which is intact."""
    chain = verify_chain(db_session)
    if not chain.intact and chain.first_break is not None:
        verification.fail("audit chain", f"the live chain is broken: {chain.first_break.problem}")
    head = verification.manifest.get("audit_chain") or {}
    if head.get("head_event_id") is not None:
        live_head = db_session.get(AuditEvent, head["head_event_id"])
        if live_head is None or live_head.hash != head.get("head_hash"):
            verification.fail(
                MANIFEST,
                f"the chain's head at export (event {head['head_event_id']}) is no longer in "
                "the live chain: the chain was cut short or rewritten since",
            )
    live = _live_hashes(
        db_session, sorted({e.event_id for e in events if isinstance(e.event_id, int)})
    )
    for event in events:
        if event.event_id not in live:
            verification.fail(event.path, f"event {event.event_id} is not in the live audit chain")
        elif live[event.event_id] != event.hash:
            verification.fail(event.path, f"event {event.event_id} differs from the live chain's")


def _live_hashes(db_session: Session, event_ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    for start in range(0, len(event_ids), _IDS_PER_QUERY):
        chunk = event_ids[start : start + _IDS_PER_QUERY]
        rows = db_session.exec(
            select(AuditEvent.id, AuditEvent.hash).where(col(AuditEvent.id).in_(chunk))
        )
        found.update((event_id, digest) for event_id, digest in rows if event_id is not None)
    return found


def _check_live_files(db_session: Session, verification: BundleVerification) -> None:
    """Stored files (PDFs, certificates, drawings) have the hash their records keep."""
    for entry in verification.manifest["files"]:
        record = entry.get("record")
        if not record:
            continue
        kind, _, key = str(record).partition(":")
        kept = _kept_hashes(db_session, kind, key)
        if entry["sha256"] not in kept:
            verification.fail(
                entry["path"], f"is not the file the lab's record {record} keeps (SHA-256 differs)"
            )


def _kept_hashes(db_session: Session, kind: str, key: str) -> set[str]:
    if kind == "document":
        document = db_session.exec(select(Document).where(Document.number == key)).first()
        if document is None:
            return set()
        # The file as issued, and its newest archive copy (lims.documents.archive).
        return {document.sha256} | ({document.archive_sha256} if document.archive_sha256 else set())
    if not key.isdigit():
        return set()
    if kind == "calibration":
        calibration = db_session.get(Calibration, int(key))
        certificate = calibration.certificate_sha256 if calibration else None
        return {certificate} if certificate else set()
    if kind == "item":
        item = db_session.get(Item, int(key))
        return {stored["sha256"] for stored in item.files} if item else set()
    return set()
