"""Exporting a bundle: one job after another into the ZIP, then the index and the manifest.

The whole export reads one cut of the audit chain (events up to the head at the start, which
the manifest names) and, on PostgreSQL, one snapshot of the database.  Every export first
appends a signed checkpoint of the chain's head to the checkpoint log and ends by signing the
manifest with the lab's key; without that key nothing is exported.  Each job's rows are
let go once its files are written, so memory does not grow with the number of jobs.
"""

import posixpath
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import IO, Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from lims.accounts.models import Organisation, User
from lims.accounts.principal import Principal
from lims.config import Settings
from lims.contracts.models import Agreement, PriceList, Quotation
from lims.db import utcnow
from lims.documents import detached
from lims.documents.models import Document
from lims.errors import InvalidInput
from lims.i18n import MASTER_LANGUAGE, UI_LANGUAGES
from lims.jobs.models import Job
from lims.records import pages
from lims.records.bundle import CHECKSUMS, BundleWriter
from lims.records.checkpoints import write_checkpoint
from lims.records.collect import (
    JobRecords,
    StoredFileRef,
    as_record,
    collect_job,
    document_entry,
    safe_name,
)
from lims.records.events import chain_head, events_of
from lims.records.lab import add_lab_sections
from lims.records.scope import Audience, Scope
from lims.storage import FileStore

#: What a customer's bundle leaves out, as the bundle's pages say it.
LEFT_OUT_FOR_CUSTOMERS = (
    "the equipment register, calibrations and certificates of the lab's standards "
    "(the certificate states the equipment and its traceability)",
    "the method library (the certificate names the method and its version)",
    "staff records and authorisations (the certificate names its signatory)",
    "the audit trail, which is the lab's own record (the lab's signature on the manifest "
    "proves the bundle instead)",
    "every other customer's records",
    "results before the job is approved",
)
#: Records of the lab shared by many jobs: their events go once into laboratory/.
LAB_TABLES = frozenset(
    {
        "equipment",
        "calibration",
        "intermediate_check",
        "equipment_log_entry",
        "method",
        "authorisation",
        "user_account",
    }
)
LAB_EVENTS = "laboratory/audit_events.json"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class ExportSummary:
    jobs: int
    files: int
    manifest_sha256: str
    audit_head: str | None


@dataclass
class _Export:
    """The state of one export while it runs."""

    db_session: Session
    actor: Principal
    scope: Scope
    settings: Settings
    store: FileStore
    writer: BundleWriter
    head_id: int
    written_stored: set[str] = field(default_factory=set)
    lab_entities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    jobs: list[dict[str, Any]] = field(default_factory=list)
    contract_document: dict[str, Any] | None = None
    gaps: list[dict[str, Any]] = field(default_factory=list)

    @property
    def for_customer(self) -> bool:
        return self.scope.audience == Audience.CUSTOMER


def export_bundle(
    db_session: Session,
    *,
    actor: Principal,
    scope: Scope,
    settings: Settings,
    store: FileStore,
    target: IO[bytes],
    progress: Progress | None = None,
    language: str | None = None,
) -> ExportSummary:
    """Write the bundle of ``scope`` into ``target``; on any error the target is unfinished
    and the caller throws it away.  Its index page reads in ``language``, by default the
    exporter's (the auditor's) own."""
    signer = detached.lab_detached_signer(settings)
    page_language = _page_language(db_session, actor, language)
    _one_snapshot(db_session)
    exported_at = utcnow()
    head = chain_head(db_session)
    write_checkpoint(db_session, settings)
    writer = BundleWriter(target, written_at=exported_at.astimezone(ZoneInfo(settings.timezone)))
    head_id = head.id if head and head.id else 0
    run = _Export(db_session, actor, scope, settings, store, writer, head_id=head_id)
    try:
        for done, job_id in enumerate(scope.job_ids, start=1):
            _write_job(run, job_id)
            if progress is not None:
                progress(done, len(scope.job_ids))
        if scope.document_id is not None and not scope.job_ids:
            _write_contract_document(run, scope.document_id)
        if run.lab_entities and not run.for_customer:
            writer.add_json(
                LAB_EVENTS,
                events_of(db_session, run.lab_entities, up_to=run.head_id),
            )
        manifest = _manifest(run, exported_at.isoformat(), head.hash if head else None)
        writer.add_text(
            "index.html",
            pages.render(
                "index.html",
                timezone=settings.timezone,
                language=page_language,
                manifest=manifest,
                gaps=run.gaps,
                jobs=run.jobs,
                contract_document=run.contract_document,
                files=writer.files,
                left_out=LEFT_OUT_FOR_CUSTOMERS if run.for_customer else (),
            ),
        )
        manifest_sha256 = writer.finish(manifest, lambda content: detached.sign(content, signer))
    except BaseException:
        writer.abandon()
        raise
    return ExportSummary(
        jobs=len(scope.job_ids),
        files=len(writer.files) + 1,
        manifest_sha256=manifest_sha256,
        audit_head=head.hash if head else None,
    )


def _page_language(db_session: Session, actor: Principal, asked: str | None) -> str:
    """The language asked for, else the exporter's own, else Finnish (the lab's master)."""
    if asked is not None:
        if asked not in UI_LANGUAGES:
            raise InvalidInput(
                "the index page reads in fi, sv or en, not %(language)s",
                code="records.index_language",
                language=asked,
                location=("language",),
            )
        return asked
    user = db_session.get(User, actor.user_id) if actor.user_id is not None else None
    return user.language if user is not None and user.language in UI_LANGUAGES else MASTER_LANGUAGE


def _one_snapshot(db_session: Session) -> None:
    """On PostgreSQL read everything from one snapshot, however long the export runs."""
    if db_session.get_bind().dialect.name != "postgresql":
        return
    # The isolation level can only be chosen at the start of a transaction.
    db_session.rollback()
    db_session.connection(
        execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    )


def _write_job(run: _Export, job_id: int) -> None:
    db_session = run.db_session
    job = db_session.get_one(Job, job_id)
    records = collect_job(db_session, job, run.scope.audience)
    certificates: list[StoredFileRef] = []
    if not run.for_customer:
        certificates = add_lab_sections(
            db_session, records, actor=run.actor, timezone=run.settings.timezone
        )
    for name, value in records.sections.items():
        run.writer.add_json(posixpath.join(records.folder, f"{name}.json"), value)
    _write_stored(run, records.files)
    _write_stored(run, certificates)
    run.gaps += [{"job": job.number, **gap} for gap in records.gaps]
    own, shared = _split_entities(records)
    for table, ids in shared.items():
        run.lab_entities[table].update(ids)
    events = _write_events(run, records.folder, own)
    customer = _organisation_name(db_session, job.organisation_id)
    run.writer.add_text(
        posixpath.join(records.folder, "index.html"),
        pages.render(
            "job.html",
            timezone=run.settings.timezone,
            folder=records.folder,
            sections=records.sections,
            events=events,
            customer=customer,
            audience=run.scope.audience.value,
            left_out=LEFT_OUT_FOR_CUSTOMERS if run.for_customer else (),
        ),
    )
    run.jobs.append(
        {
            "number": job.number,
            "kind": job.kind,
            "status": job.status,
            "customer": customer,
            "folder": records.folder,
            "documents": [document.number for document in records.documents],
        }
    )
    # The job's rows are written: let them go, so a year's export needs one job's memory.
    db_session.expunge_all()


def _split_entities(records: JobRecords) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    own = {table: ids for table, ids in records.entities.items() if table not in LAB_TABLES}
    shared = {table: ids for table, ids in records.entities.items() if table in LAB_TABLES}
    return own, shared


def _write_stored(run: _Export, files: Iterable[StoredFileRef]) -> None:
    """Stream stored files into the bundle; each is checked against its hash on the way."""
    for ref in files:
        if ref.path in run.written_stored:
            continue
        run.writer.add(
            ref.path, run.store.open(ref.sha256), record=ref.record, size=ref.size, compress=False
        )
        run.written_stored.add(ref.path)


def _write_events(run: _Export, folder: str, entities: dict[str, set[str]]) -> list[dict[str, Any]]:
    """The audit events of ``entities`` into ``folder``, for the lab's bundles only.

    Customers have no access to the audit trail (issue #21): its events show records and
    staff acts before the lab released them.  A customer's bundle is proved by the lab's
    signature on its manifest instead.
    """
    if run.for_customer:
        return []
    events = events_of(run.db_session, entities, up_to=run.head_id)
    run.writer.add_json(posixpath.join(folder, "audit_events.json"), events)
    return events


def _organisation_name(db_session: Session, organisation_id: int | None) -> str:
    organisation = db_session.get(Organisation, organisation_id) if organisation_id else None
    return organisation.name if organisation else ""


def _write_contract_document(run: _Export, document_id: int) -> None:
    """A contract document (agreement, quotation, price list): its PDF, record and subject."""
    db_session = run.db_session
    document = db_session.get_one(Document, document_id)
    folder = posixpath.join("contracts", safe_name(document.number))
    entry, pdfs = document_entry(document, folder)
    subject = _subject_of(db_session, document, for_customer=run.for_customer)
    entities = {"document": {str(document.id)}}
    if subject is not None:
        entities[subject[0]] = {str(subject[1].id)}
    run.writer.add_json(posixpath.join(folder, "document.json"), entry)
    run.writer.add_json(
        posixpath.join(folder, "subject.json"),
        {"type": subject[0], "record": as_record(subject[1])} if subject else None,
    )
    _write_stored(run, pdfs)
    events = _write_events(run, folder, entities)
    run.writer.add_text(
        posixpath.join(folder, "index.html"),
        pages.render(
            "document.html",
            timezone=run.settings.timezone,
            folder=folder,
            document=entry,
            events=events,
            audience=run.scope.audience.value,
        ),
    )
    run.contract_document = {"number": document.number, "title": document.title, "folder": folder}


def _subject_of(
    db_session: Session, document: Document, *, for_customer: bool
) -> tuple[str, Agreement | Quotation | PriceList] | None:
    if document.agreement_id is not None:
        agreement = db_session.get(Agreement, document.agreement_id)
        return ("agreement", agreement) if agreement else None
    if document.quotation_id is not None:
        quotation = db_session.get(Quotation, document.quotation_id)
        return ("quotation", quotation) if quotation else None
    if document.price_list_id is not None:
        price_list = db_session.get(PriceList, document.price_list_id)
        # A customer sees a price list once it is published, as the API rules.
        if price_list is None or (for_customer and price_list.published_at is None):
            return None
        return ("price_list", price_list)
    return None


def _manifest(run: _Export, exported_at: str, head_hash: str | None) -> dict[str, Any]:
    actor, scope, lab = run.actor, run.scope, run.settings.lab
    organisation = None
    if scope.organisation_id is not None:
        organisation = {
            "id": scope.organisation_id,
            "name": _organisation_name(run.db_session, scope.organisation_id),
        }
    return {
        "scope": {"kind": scope.kind, "label": scope.label},
        "audience": scope.audience.value,
        "organisation": organisation,
        "exported_at": exported_at,
        "exporter": {
            "username": actor.username,
            "user_id": actor.user_id,
            "roles": sorted(role.value for role in actor.roles),
            "via": actor.via,
        },
        "laboratory": {
            "name": lab.name,
            "accreditation": f"{lab.accreditation_body} {lab.accreditation_number}",
        },
        "audit_chain": {"head_event_id": run.head_id or None, "head_hash": head_hash},
        # What the records lack, said rather than left for the assessor to find.
        "gaps": run.gaps,
        "retention_years": run.settings.retention_years,
        "jobs": [job["number"] for job in run.jobs],
        "audit_event_files": [
            entry.path for entry in run.writer.files if entry.path.endswith("audit_events.json")
        ],
        "index": "index.html",
        "checksums": CHECKSUMS,
    }
