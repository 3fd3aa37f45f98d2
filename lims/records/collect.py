"""A job's own records, as they are stored: the job and its steps, the agreement and the
quotation it runs under, items and their receipt, the plan, results with their budgets and
decisions, the customer's values (B2), the environment, and every issued document.

A customer's bundle holds what the customer may read through the API and nothing more:
results only once the job is approved (as ``lims.jobs.results`` rules), and no limits from
the lab's method library.  The lab's equipment, methods and staff are in ``lims.records.lab``.
"""

import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, SQLModel, col, select

from lims.audit.trail import jsonable
from lims.contracts.agreements import status_on
from lims.contracts.models import Agreement, ConfidentialityClause, Order, Quotation
from lims.documents.models import Document
from lims.jobs.contract_review import reviews_of_job
from lims.jobs.models import (
    Characteristic,
    CustomerValue,
    Item,
    Job,
    JobStatus,
    JobTransition,
    Result,
)
from lims.jobs.results import VISIBLE_TO_CUSTOMERS
from lims.methods.models import Method
from lims.records.scope import Audience


@dataclass(frozen=True)
class StoredFileRef:
    """A file of the file store that goes into the bundle, and the record keeping its hash."""

    path: str
    sha256: str
    record: str
    size: int | None = None


@dataclass
class JobRecords:
    """What the bundle holds of one job: JSON sections and stored files by bundle path."""

    job: Job
    folder: str
    sections: dict[str, Any] = field(default_factory=dict)
    files: list[StoredFileRef] = field(default_factory=list)
    # The rows the lab's sections (equipment, methods, staff) are found from.
    characteristics: list[Characteristic] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    transitions: list[JobTransition] = field(default_factory=list)
    # What an assessor would find missing (a certificate to follow, a room instrument not
    # recorded): listed in the manifest and on the index page, never silently left out.
    gaps: list[dict[str, Any]] = field(default_factory=list)
    # The records whose audit events go into the bundle: table -> primary keys.
    entities: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def involve(self, table: str, *ids: int | None) -> None:
        self.entities[table].update(str(key) for key in ids if key is not None)


def as_record(row: SQLModel) -> dict[str, Any]:
    """A stored row as JSON: every column, with dates, decimals and enums as text."""
    return jsonable(row.model_dump())


def safe_name(name: str) -> str:
    """A file name safe inside a ZIP on every system: no folders, no odd characters."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", name.rsplit("/", 1)[-1]).strip("._")
    return cleaned[:120] or "file"


def job_folder(job: Job) -> str:
    return posixpath.join("jobs", safe_name(job.number))


def collect_job(db_session: Session, job: Job, audience: Audience) -> JobRecords:
    records = JobRecords(job=job, folder=job_folder(job))
    records.involve("job", job.id)
    _job_and_steps(db_session, records)
    _contract(db_session, records)
    _contract_reviews(db_session, records)
    _items(db_session, records)
    _plan(db_session, records)
    _results(db_session, records, audience)
    _customer_values(db_session, records)
    _environment(db_session, records, audience)
    _documents(db_session, records)
    return records


def _job_and_steps(db_session: Session, records: JobRecords) -> None:
    steps = db_session.exec(
        select(JobTransition)
        .where(JobTransition.job_id == records.job.id)
        .order_by(col(JobTransition.id))
    ).all()
    records.involve("job_transition", *(step.id for step in steps))
    records.transitions = list(steps)
    records.sections["job"] = {
        "job": as_record(records.job),
        "transitions": [as_record(step) for step in steps],
    }


def _contract(db_session: Session, records: JobRecords) -> None:
    """The agreement version the job was opened under, and the order and quotation."""
    job = records.job
    agreement = db_session.get_one(Agreement, job.agreement_id)
    versions = db_session.exec(
        select(Agreement)
        .where(
            Agreement.number == agreement.number,
            Agreement.organisation_id == agreement.organisation_id,
        )
        .order_by(col(Agreement.version))
    ).all()
    clause = db_session.get(ConfidentialityClause, agreement.confidentiality_clause_id)
    order = db_session.get(Order, job.order_id) if job.order_id else None
    quotation = (
        db_session.get(Quotation, order.quotation_id) if order and order.quotation_id else None
    )
    records.involve("agreement", agreement.id)
    records.involve("customer_order", order.id if order else None)
    records.involve("quotation", quotation.id if quotation else None)
    opened_on = job.created_at.date()
    records.sections["contract"] = {
        "agreement": as_record(agreement),
        "agreement_status_when_job_opened": status_on(agreement, opened_on),
        "agreement_versions": [
            {"id": version.id, "version": version.version, "state": version.state}
            for version in versions
        ],
        "confidentiality_clause": as_record(clause) if clause else None,
        "order": as_record(order) if order else None,
        "quotation": as_record(quotation) if quotation else None,
    }


def _contract_reviews(db_session: Session, records: JobRecords) -> None:
    """The contract reviews the job was accepted on (ISO/IEC 17025 7.1.8): its own, its
    order's, and the agreement version's review its own names when that covered it."""
    reviews = reviews_of_job(db_session, records.job)
    records.involve("contract_review", *(review.id for review in reviews))
    records.sections["contract_review"] = [as_record(review) for review in reviews]
    if not reviews and records.job.status not in (JobStatus.REQUESTED, JobStatus.CANCELLED):
        records.gaps.append(
            {
                "kind": "contract_review_missing",
                "what": "the job was accepted without a contract review on record",
            }
        )


def _items(db_session: Session, records: JobRecords) -> None:
    """Items with their receipt and dispatch, and the drawings and models delivered."""
    items = db_session.exec(
        select(Item).where(Item.job_id == records.job.id).order_by(col(Item.id))
    ).all()
    listed = []
    for item in items:
        records.involve("item", item.id)
        entry = as_record(item)
        for number, (stored, shown) in enumerate(zip(item.files, entry["files"], strict=True)):
            path = posixpath.join(
                records.folder, "items", str(item.id), f"{number + 1}-{safe_name(stored['name'])}"
            )
            records.files.append(
                StoredFileRef(path, stored["sha256"], f"item:{item.id}", stored.get("size"))
            )
            shown["bundle_path"] = posixpath.relpath(path, records.folder)
        listed.append(entry)
    records.sections["items"] = listed


def _plan(db_session: Session, records: JobRecords) -> None:
    characteristics = db_session.exec(
        select(Characteristic)
        .where(Characteristic.job_id == records.job.id)
        .order_by(col(Characteristic.id))
    ).all()
    records.involve("characteristic", *(c.id for c in characteristics))
    records.sections["plan"] = [as_record(c) for c in characteristics]
    records.characteristics = list(characteristics)


def results_visible(job: Job, audience: Audience) -> bool:
    return audience == Audience.LABORATORY or JobStatus(job.status) in VISIBLE_TO_CUSTOMERS


def _results(db_session: Session, records: JobRecords, audience: Audience) -> None:
    """Results with their observations, uncertainty budget, decision and accreditation."""
    if not results_visible(records.job, audience):
        records.sections["results"] = []
        return
    results = db_session.exec(
        select(Result).where(Result.job_id == records.job.id).order_by(col(Result.id))
    ).all()
    records.involve("result", *(result.id for result in results))
    records.sections["results"] = [as_record(result) for result in results]
    records.results = list(results)


def _customer_values(db_session: Session, records: JobRecords) -> None:
    values = db_session.exec(
        select(CustomerValue)
        .where(CustomerValue.job_id == records.job.id)
        .order_by(col(CustomerValue.id))
    ).all()
    records.involve("customer_value", *(value.id for value in values))
    records.sections["customer_values"] = [as_record(value) for value in values]


def _environment(db_session: Session, records: JobRecords, audience: Audience) -> None:
    """The room's conditions of every result; for the lab, against the method's limits."""
    by_id = {c.id: c for c in records.characteristics}
    conditions = []
    for result in records.results:
        characteristic = by_id[result.characteristic_id]
        entry: dict[str, Any] = {
            "result_id": result.id,
            "characteristic": characteristic.label,
            "measured_on": result.measured_on.isoformat(),
            "temperature_c": result.temperature,
            "humidity_percent": result.humidity,
        }
        method_id = characteristic.method_id
        method = db_session.get(Method, method_id) if method_id is not None else None
        if audience == Audience.LABORATORY and method is not None:
            entry["method"] = method.label()
            entry["limits"] = {
                "temperature_min_c": method.temperature_min,
                "temperature_max_c": method.temperature_max,
                "humidity_max_percent": method.humidity_max,
            }
            entry["within_limits"] = _within(result, method)
        conditions.append(entry)
    records.sections["environment"] = conditions


def _within(result: Result, method: Method) -> bool | None:
    checks = []
    if result.temperature is not None:
        if method.temperature_min is not None:
            checks.append(result.temperature >= method.temperature_min)
        if method.temperature_max is not None:
            checks.append(result.temperature <= method.temperature_max)
    if result.humidity is not None and method.humidity_max is not None:
        checks.append(result.humidity <= method.humidity_max)
    return all(checks) if checks else None


def _documents(db_session: Session, records: JobRecords) -> None:
    """Every document issued for the job: masters, translations, revisions, withdrawn ones."""
    documents = db_session.exec(
        select(Document).where(Document.job_id == records.job.id).order_by(col(Document.id))
    ).all()
    records.documents = list(documents)
    listed = []
    for document in documents:
        entry, pdfs = document_entry(document, records.folder)
        records.files.extend(pdfs)
        records.involve("document", document.id)
        listed.append(entry)
    records.sections["documents"] = listed


def document_entry(document: Document, folder: str) -> tuple[dict[str, Any], list[StoredFileRef]]:
    """A document's record, and its PDF (with its newest archive copy, when re-timestamped)
    to go under ``folder/documents/``."""
    path = posixpath.join(folder, "documents", f"{safe_name(document.number)}.pdf")
    pdfs = [StoredFileRef(path, document.sha256, f"document:{document.number}", document.size)]
    entry = {**as_record(document), "bundle_path": posixpath.relpath(path, folder)}
    if document.archive_sha256 is not None:
        archive = posixpath.join(folder, "documents", f"{safe_name(document.number)}-archive.pdf")
        pdfs.append(
            StoredFileRef(
                archive,
                document.archive_sha256,
                f"document:{document.number}",
                document.archive_size,
            )
        )
        entry["archive_bundle_path"] = posixpath.relpath(archive, folder)
    return entry, pdfs
