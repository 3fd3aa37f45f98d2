"""Issuing documents: the Finnish master, its translations, revisions and withdrawals.

Issuing one document is one transaction: the number is taken (the series row stays locked
until the commit, so numbers are never shared or skipped), the PDF is rendered, signed and
stored content-addressed, and the document row, the job's step to ``reported`` and their
audit events are committed together.  A failure anywhere leaves no record and gives the
number back; at worst an unreferenced file stays in the store, which holds nothing else.
"""

import copy
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from lims.accounts.models import Role, User
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import because, set_context
from lims.clock import local_day, local_today
from lims.config import Settings
from lims.contracts import agreements, quotations
from lims.contracts.models import Agreement, PriceList, Quotation
from lims.db import persisted_id, utcnow
from lims.documents import content, translations
from lims.documents.changes import record_changes
from lims.documents.customer_details import check_customer_details
from lims.documents.dcc import calibration_dcc, validate_dcc
from lims.documents.models import (
    SUBJECTS,
    Document,
    DocumentKind,
    DocumentState,
    IssueRequest,
    RevisionReasonClass,
    Verification,
)
from lims.documents.pdf import EmbeddedFile, qr_svg_data_uri, read_attachments, render_pdf
from lims.documents.render import image_data_uri, render_html
from lims.documents.signing import (
    SignatureCheck,
    check_signature,
    sign_pdf,
    signer_for,
    trusted_certificates,
)
from lims.documents.timestamping import time_stamp_authority
from lims.documents.visibility import readable, visible_document
from lims.errors import (
    Conflict,
    IntegrityFailure,
    InvalidInput,
    NotFound,
    PermissionDenied,
    problem_template,
)
from lims.i18n import MASTER_LANGUAGE
from lims.jobs import service as jobs
from lims.jobs.models import Job, JobKind, JobStatus
from lims.numbering import formatted, next_number
from lims.storage import FileStore
from lims.training import service as training
from lims.training.rr_tests import check_not_a_measurer_of, get_rr_test

PREFIXES = {
    DocumentKind.CALIBRATION_CERTIFICATE: "KT",
    DocumentKind.INSPECTION_REPORT: "TR",
    DocumentKind.MEASUREMENT_REPORT: "MR",
    DocumentKind.REFERENCE_REPORT: "RM",
    DocumentKind.AGREEMENT: "SOP",
    DocumentKind.QUOTATION: "TAR",
    DocumentKind.PRICE_LIST: "HIN",
    DocumentKind.TRAINING_CERTIFICATE: "KOU",
    DocumentKind.RR_TEST_REPORT: "RRR",
}
TITLES = {
    DocumentKind.CALIBRATION_CERTIFICATE: "Kalibrointitodistus",
    DocumentKind.INSPECTION_REPORT: "Tarkastusraportti",
    DocumentKind.MEASUREMENT_REPORT: "Mittausraportti",
    DocumentKind.REFERENCE_REPORT: "Referenssimittausraportti",
    DocumentKind.AGREEMENT: "Sopimus",
    DocumentKind.QUOTATION: "Tarjous",
    DocumentKind.PRICE_LIST: "Hinnasto",
    DocumentKind.TRAINING_CERTIFICATE: "Koulutustodistus",
    DocumentKind.RR_TEST_REPORT: "RR-testin raportti",
}
JOB_KINDS = set(content.KIND_OF_JOB.values())
#: A job's certificate is issued once the job is approved; a revision may follow later.
#: A reported or closed job takes a new master only when its last one was withdrawn.
ISSUABLE_JOB_STATES = {JobStatus.APPROVED, JobStatus.REPORTED, JobStatus.CLOSED}
ISSUERS = (Role.SIGNATORY,)
CONTRACT_ISSUERS = (Role.ADMIN, Role.QUALITY_MANAGER, Role.SIGNATORY)
REVISION_SUFFIX = re.compile(r"-R\d+$")
TRANSLATORS = (Role.ADMIN, Role.QUALITY_MANAGER, Role.TECHNICIAN, Role.SIGNATORY)
PREVIEWERS = (*TRANSLATORS, Role.AUDITOR)
MAX_PDF_BYTES = 200 * 1024 * 1024


@dataclass
class Subject:
    """What a document is about: the record's kind of subject, its id, and the record."""

    kind: DocumentKind
    name: str  # one of models.SUBJECTS: the document's <name>_id points at the record
    record_id: int
    organisation_id: int | None
    state: str | None
    record: Any

    @property
    def key(self) -> str:
        return f"{self.name}:{self.record_id}"

    @property
    def job(self) -> Job | None:
        return self.record if self.name == "job" else None


# -- reading ------------------------------------------------------------------------------


def get_document(db_session: Session, *, actor: Principal, document_id: int) -> Document:
    document = db_session.get(Document, document_id)
    return visible_document(actor, document, f"document {document_id}")


def list_documents(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int | None = None,
    agreement_id: int | None = None,
    organisation_id: int | None = None,
    enrolment_id: int | None = None,
    kind: DocumentKind | None = None,
    state: DocumentState | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Document], int]:
    query = readable(select(Document), actor)
    if organisation_id is not None:
        query = query.where(Document.organisation_id == organisation_id)
    if job_id is not None:
        query = query.where(Document.job_id == job_id)
    if agreement_id is not None:
        query = query.where(Document.agreement_id == agreement_id)
    if enrolment_id is not None:
        query = query.where(Document.enrolment_id == enrolment_id)
    if kind is not None:
        query = query.where(Document.kind == kind)
    if state is not None:
        query = query.where(Document.state == state)
    total = db_session.exec(select(func.count()).select_from(query.subquery())).one()
    page = db_session.exec(
        query.order_by(col(Document.issued_at).desc(), col(Document.id).desc())
        .offset(offset)
        .limit(limit)
    )
    return list(page), int(total)


def related_documents(
    db_session: Session, *, actor: Principal, document: Document
) -> list[Document]:
    """Every document about the same record (its revisions and translations), oldest first."""
    name, value = _subject_key(document).split(":")
    query = readable(select(Document), actor).where(getattr(Document, f"{name}_id") == int(value))
    return list(db_session.exec(query.order_by(col(Document.id))))


def pdf_of(
    db_session: Session, *, actor: Principal, document_id: int, store: FileStore
) -> tuple[Document, bytes]:
    """The issued PDF, checked against its recorded hash."""
    document = get_document(db_session, actor=actor, document_id=document_id)
    pdf = store.read(document.sha256)
    if hashlib.sha256(pdf).hexdigest() != document.sha256:
        raise IntegrityFailure(
            "the stored PDF of %(document)s does not match its hash",
            code="documents.stored_pdf_does_match_hash",
            document=document.number,
        )
    return document, pdf


def signature_of(document: Document, *, store: FileStore, settings: Settings) -> SignatureCheck:
    """What the signature of the file kept for ``document`` proves (its newest archive copy,
    else the file as issued): signer, times, validation data and PAdES level."""
    pdf = store.read(document.archive_sha256 or document.sha256)
    return check_signature(pdf, trusted_certificates(settings))


def verify(db_session: Session, *, number: str, sha256: str | None, timezone: str) -> Verification:
    """What anyone may learn from a number (and a file's hash): valid, superseded, withdrawn;
    the issue date is the lab's day (``timezone``), the one the document prints."""
    document = db_session.exec(select(Document).where(Document.number == number)).first()
    if document is None:
        return Verification(
            number=number, found=False, message=f"no document {number} has been issued"
        )
    matches = None if sha256 is None else sha256.lower() == document.sha256
    superseded_by = (
        db_session.get(Document, document.superseded_by_id) if document.superseded_by_id else None
    )
    master = db_session.get(Document, document.master_id) if document.master_id else None
    messages = {
        DocumentState.ISSUED: f"{number} is valid",
        DocumentState.SUPERSEDED: f"{number} has been replaced"
        + (f" by {superseded_by.number}" if superseded_by else ""),
        DocumentState.WITHDRAWN: f"{number} has been withdrawn and is not valid",
    }
    message = messages[DocumentState(document.state)]
    if matches is False:
        message += "; the file checked is NOT the issued one"
    elif matches:
        message += "; the file checked is the issued one"
    return Verification(
        number=number,
        found=True,
        state=DocumentState(document.state),
        kind=DocumentKind(document.kind),
        language=document.language,
        issued_on=local_day(document.issued_at, timezone),
        laboratory=document.data.get("lab", {}).get("name"),
        sha256_matches=matches,
        superseded_by=superseded_by.number if superseded_by else None,
        master_number=master.number if master else None,
        master_sha256=master.sha256 if master else None,
        message=message,
    )


# -- issuing ------------------------------------------------------------------------------


def issue(
    db_session: Session,
    *,
    actor: Principal,
    request: IssueRequest,
    settings: Settings,
    store: FileStore,
) -> Document:
    """Issue the Finnish master of a job's certificate or report, or of a contract."""
    if request.job_id is not None:
        jobs.get_job(db_session, actor=actor, job_id=request.job_id)
        jobs.lock_job(db_session, request.job_id)
    subject = _subject(db_session, actor, request)
    today = local_today(settings.timezone)
    _check_issuer(db_session, actor, subject, today)
    _check_no_valid_master(db_session, subject)
    data = _data(db_session, actor, subject, settings, request.signatory_function, today)
    _check_customer(subject, data)
    year = today.year
    number = formatted(
        PREFIXES[subject.kind],
        year,
        next_number(db_session, series=f"document-{subject.kind}", year=year),
    )
    return _issue_master(db_session, actor, subject, data, number, settings, store)


def preview(
    db_session: Session,
    *,
    actor: Principal,
    request: IssueRequest,
    settings: Settings,
) -> bytes:
    """The document as it would be issued now, marked DRAFT, unnumbered and unsigned."""
    subject = _subject(db_session, actor, request)
    require_role(actor, *PREVIEWERS, doing="preview a document before issue")
    today = local_today(settings.timezone)
    data = _data(db_session, actor, subject, settings, request.signatory_function, today)
    return produce(data, MASTER_LANGUAGE, data["free_text"], settings, draft=True)


def translate(
    db_session: Session,
    *,
    actor: Principal,
    document_id: int,
    language: str,
    settings: Settings,
    store: FileStore,
) -> Document:
    """Issue a translation of a Finnish master: its own document, naming the master."""
    master = _under_job_lock(
        db_session, get_document(db_session, actor=actor, document_id=document_id)
    )
    require_role(actor, *_issuers_of(DocumentKind(master.kind)), doing="issue a translation")
    if master.language != MASTER_LANGUAGE:
        raise InvalidInput(
            "%(master)s is a translation; translate its Finnish master",
            code="documents.translation_translate_finnish_master",
            master=master.number,
        )
    if master.state != DocumentState.ISSUED:
        raise Conflict(
            "%(master)s is %(state)s: only a valid document is translated",
            code="documents.only_valid_document_translated",
            master=master.number,
            state=master.state,
        )
    number = f"{master.number}-{language.upper()}"
    if db_session.exec(select(Document.id).where(Document.number == number)).first():
        raise Conflict(
            "the %(language)s translation %(number)s has already been issued",
            code="documents.translation_has_already_been_issued",
            language=language,
            number=number,
        )
    texts = translations.texts_in(
        db_session, subject=_subject_key(master), data=master.data, language=language
    )
    data = copy.deepcopy(master.data)
    data["number"], data["language"] = number, language
    pdf = produce(
        data,
        language,
        texts,
        settings,
        master={"number": master.number, "sha256": master.sha256},
        dcc=_master_dcc(master, store),
        # The translation names the master's signatory: their own key only in their hands.
        signed_by=actor.username if actor.username == master.issued_by else None,
    )
    document = _record(
        _master_fields(master),
        data=data,
        number=number,
        language=language,
        pdf=pdf,
        store=store,
        actor=actor,
    )
    document.master_id = master.id
    set_context(db_session, actor.audit_context())
    db_session.add(document)
    db_session.commit()
    db_session.refresh(document)
    return document


def revise(
    db_session: Session,
    *,
    actor: Principal,
    document_id: int,
    reason: str,
    signatory_function: str | None,
    settings: Settings,
    store: FileStore,
    reason_class: RevisionReasonClass = RevisionReasonClass.RECORD_CHANGED,
) -> Document:
    """A corrected master that supersedes ``document_id`` and says why (ISO/IEC 17025 7.8.8).

    A revision for a changed record lists what changed since ``document_id`` was issued and
    is refused when nothing did; an editorial correction leaves the record as it was."""
    old = _under_job_lock(
        db_session, get_document(db_session, actor=actor, document_id=document_id)
    )
    if old.language != MASTER_LANGUAGE:
        raise InvalidInput(
            "%(old)s is a translation: revise its Finnish master",
            code="documents.translation_revise_finnish_master",
            old=old.number,
        )
    if old.state != DocumentState.ISSUED:
        raise Conflict(
            "%(old)s is %(state)s: only the valid revision can be revised",
            code="documents.only_valid_revision_can_revised",
            old=old.number,
            state=old.state,
        )
    subject = _subject_of(db_session, actor, old)
    today = local_today(settings.timezone)
    _check_issuer(db_session, actor, subject, today)
    data = _data(db_session, actor, subject, settings, signatory_function, today)
    _check_customer(subject, data)
    changes = record_changes(old.data, data)
    if reason_class == RevisionReasonClass.RECORD_CHANGED and not changes:
        raise Conflict(
            "nothing on the record changed since %(old)s; an editorial correction "
            'needs reason_class "editorial"',
            code="documents.nothing_record_changed_since_editorial",
            old=old.number,
        )
    revision = old.revision + 1
    data["revision"] = revision
    data["supersedes"] = {
        "number": old.number,
        "reason": reason,
        "reason_class": reason_class.value,
        "changes": changes,
        # The DCC names the replaced certificate by its PDF's hash (previousReport).
        "sha256": old.sha256,
    }
    data["free_text"]["revision_reason"] = reason
    number = f"{REVISION_SUFFIX.sub('', old.number)}-R{revision}"
    with because(_with_context(db_session, actor), reason):
        document = _issue_master(
            db_session, actor, subject, data, number, settings, store, supersedes=old
        )
    return document


def withdraw(db_session: Session, *, actor: Principal, document_id: int, reason: str) -> Document:
    """Withdraw a document (and a master's translations with it); nothing is deleted."""
    document = _under_job_lock(
        db_session, get_document(db_session, actor=actor, document_id=document_id)
    )
    require_role(actor, *CONTRACT_ISSUERS, doing="withdraw a document")
    if document.state != DocumentState.ISSUED:
        raise Conflict(
            "%(document)s is already %(state)s",
            code="documents.already",
            document=document.number,
            state=document.state,
        )
    affected = [document, *_translations_of(db_session, document)]
    with because(_with_context(db_session, actor), reason):
        for each in affected:
            if each.state != DocumentState.ISSUED:
                continue
            each.state = DocumentState.WITHDRAWN
            each.withdrawn_at = utcnow()
            each.withdrawn_by = actor.username
            each.withdrawal_reason = reason
            db_session.add(each)
        db_session.commit()
    db_session.refresh(document)
    return document


def free_text_subject(
    db_session: Session, *, actor: Principal, document_id: int, changing: bool
) -> Document:
    """The master whose free text is translated: the lab's staff translate, auditors read."""
    document = get_document(db_session, actor=actor, document_id=document_id)
    if changing:
        require_role(actor, *TRANSLATORS, doing="translate free text")
    elif not actor.reads_everything:
        raise PermissionDenied(
            "the lab's staff and auditors see the texts to translate",
            code="documents.lab_staff_auditors_see_texts",
        )
    if document.language != MASTER_LANGUAGE:
        raise InvalidInput(
            "%(document)s is a translation: its master holds the texts",
            code="documents.translation_master_holds_texts",
            document=document.number,
        )
    return document


def subject_key(document: Document) -> str:
    return _subject_key(document)


# -- the steps ----------------------------------------------------------------------------


def _issue_master(
    db_session: Session,
    actor: Principal,
    subject: Subject,
    data: dict[str, Any],
    number: str,
    settings: Settings,
    store: FileStore,
    *,
    supersedes: Document | None = None,
) -> Document:
    if db_session.exec(select(Document.id).where(Document.number == number)).first():
        raise Conflict(
            "document %(number)s already exists",
            code="documents.document_already_exists",
            number=number,
        )
    data["number"] = number
    pdf = produce(data, MASTER_LANGUAGE, data["free_text"], settings, signed_by=actor.username)
    document = _record(
        {
            "kind": subject.kind,
            "title": TITLES[subject.kind],
            "organisation_id": subject.organisation_id,
            f"{subject.name}_id": subject.record_id,
            "subject_state": subject.state,
            "accredited": bool(data.get("accredited")),
            "signatory_name": data["signatory"]["name"],
            "signatory_function": data["signatory"]["function"],
        },
        data=data,
        number=number,
        language=MASTER_LANGUAGE,
        pdf=pdf,
        store=store,
        actor=actor,
    )
    _with_context(db_session, actor)
    if supersedes is not None:
        document.revision = data["revision"]
        document.supersedes_id = supersedes.id
        document.revision_reason = data["supersedes"]["reason"]
        document.revision_reason_class = data["supersedes"]["reason_class"]
        document.revision_changes = data["supersedes"]["changes"]
    db_session.add(document)
    db_session.flush()
    if supersedes is not None:
        for old in [supersedes, *_translations_of(db_session, supersedes)]:
            if old.state == DocumentState.ISSUED:
                old.state = DocumentState.SUPERSEDED
                old.superseded_by_id = document.id
                db_session.add(old)
    job = subject.job
    if job is not None and job.status == JobStatus.APPROVED:
        # transition() commits: the document, its number and the step land together.
        jobs.transition(
            db_session,
            actor=actor,
            job_id=persisted_id(job),
            to=JobStatus.REPORTED,
            reason=None,
            settings=settings,
        )
    else:
        db_session.commit()
    db_session.refresh(document)
    return document


def _record(
    fields: dict[str, Any],
    *,
    data: dict[str, Any],
    number: str,
    language: str,
    pdf: bytes,
    store: FileStore,
    actor: Principal,
) -> Document:
    stored = store.put([pdf], max_bytes=MAX_PDF_BYTES)
    return Document(
        **fields,
        number=number,
        language=language,
        sha256=stored.sha256,
        size=stored.size,
        data=data,
        issued_by_id=actor.user_id,
        issued_by=actor.username,
    )


def _master_dcc(master: Document, store: FileStore) -> bytes | None:
    """The DCC attached to a master certificate's PDF, which its translations carry."""
    if master.kind != DocumentKind.CALIBRATION_CERTIFICATE:
        return None
    pdf = store.read(master.sha256)
    if hashlib.sha256(pdf).hexdigest() != master.sha256:
        raise IntegrityFailure(
            "the stored PDF of %(master)s does not match its hash",
            code="documents.stored_pdf_does_match_hash_2",
            master=master.number,
        )
    dcc = read_attachments(pdf).get("dcc.xml")
    if dcc is None:
        raise IntegrityFailure(
            "%(master)s carries no DCC for its translation to carry",
            code="documents.carries_dcc_translation_carry",
            master=master.number,
        )
    return dcc


def _master_fields(master: Document) -> dict[str, Any]:
    """What a translation shares with its master."""
    return {
        name: getattr(master, name)
        for name in (
            "kind",
            "title",
            "organisation_id",
            *(f"{name}_id" for name in SUBJECTS),
            "subject_state",
            "revision",
            "accredited",
            "signatory_name",
            "signatory_function",
        )
    }


def verification_url(settings: Settings, number: str) -> str:
    """Where the document ``number``'s QR code and text send a reader to check it."""
    return f"{settings.public_url.rstrip('/')}/verify/{number}"


def produce(
    data: dict[str, Any],
    language: str,
    texts: dict[str, str],
    settings: Settings,
    *,
    master: dict[str, str] | None = None,
    draft: bool = False,
    signed_by: str | None = None,
    dcc: bytes | None = None,
) -> bytes:
    """Render, attach the machine-readable record, and sign (drafts are not signed): with
    ``signed_by``'s own key when one is configured for that username, else the lab's."""
    verify_url = None if draft else verification_url(settings, data["number"])
    html = render_html(
        data,
        language=language,
        texts=texts,
        verify_url=verify_url,
        qr_data_uri=qr_svg_data_uri(verify_url) if verify_url else None,
        logo_data_uri=image_data_uri(settings.lab.logo) if settings.lab.logo else None,
        master=master,
        draft=draft,
    )
    attachments = [
        EmbeddedFile(
            name="data.json",
            content=json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True).encode(),
            media_type="application/json",
            description="The document's data, machine-readable",
        )
    ]
    # A draft is for reading; its DCC is made (and validated) when it is issued.  A
    # translation carries its master's DCC as it is (``dcc``): one DCC per certificate.
    if data["kind"] == DocumentKind.CALIBRATION_CERTIFICATE and not draft:
        attachments.append(_dcc_file(dcc if dcc is not None else _dcc(data, settings)))
    pdf = render_pdf(html, attachments=attachments)
    if draft:
        return pdf
    signatory = data["signatory"]
    return sign_pdf(
        pdf,
        signer_for(settings, username=signed_by, full_name=signatory["name"]),
        signatory=", ".join(
            part
            for part in (signatory["name"], texts.get("signatory.function", signatory["function"]))
            if part
        ),
        reason=f"{data['number']}",
        location=settings.lab.address,
        tsa=time_stamp_authority(settings),
    )


def _dcc(data: dict[str, Any], settings: Settings) -> bytes:
    """The master's DCC: Finnish, the catalog's fixed wording in every document language and
    the lab's own wording in those it is already translated into (``known_translations``)."""
    dcc_input = {**data, "texts": data.get("known_translations") or {}}
    try:
        xml = calibration_dcc(dcc_input)
    except ValueError as error:
        raise InvalidInput(
            "the Digital Calibration Certificate cannot be made: %(error)s",
            code="documents.digital_calibration_certificate_cannot_made",
            error=error,
        ) from None
    if settings.dcc_schema_dir is not None:
        errors = validate_dcc(xml, settings.dcc_schema_dir)
        if errors:
            raise IntegrityFailure(
                "the DCC does not validate: %(names)s",
                code="documents.dcc_does_validate",
                names="; ".join(errors[:3]),
            )
    return xml


def _dcc_file(xml: bytes) -> EmbeddedFile:
    return EmbeddedFile(
        name="dcc.xml",
        content=xml,
        media_type="application/xml",
        description="Digital Calibration Certificate (PTB DCC)",
        relationship="Alternative",
    )


def _data(
    db_session: Session,
    actor: Principal,
    subject: Subject,
    settings: Settings,
    signatory_function: str | None,
    today: date,
) -> dict[str, Any]:
    user = db_session.get(User, actor.user_id) if actor.user_id else None
    # The function is the signatory's own (their staff record), never one for everybody; a
    # person with none recorded is named without one.
    signatory = {
        "name": user.full_name if user else actor.username,
        "function": signatory_function or (user.job_title if user else None) or "",
    }
    if subject.name == "job":
        agreement = db_session.get_one(Agreement, subject.record.agreement_id)
        data = content.job_data(
            db_session,
            actor=actor,
            job=subject.record,
            agreement=agreement,
            settings=settings,
            signatory=signatory,
            issued_on=today,
        )
    elif subject.name == "agreement":
        data = content.agreement_data(
            db_session,
            agreement=subject.record,
            settings=settings,
            signatory=signatory,
            issued_on=today,
        )
    elif subject.name == "quotation":
        data = content.quotation_data(
            db_session, quotation=subject.record, settings=settings, signatory=signatory
        )
        data["issued_on"] = today.isoformat()
    elif subject.name == "price_list":
        data = content.price_list_data(
            price_list=subject.record, settings=settings, signatory=signatory, issued_on=today
        )
    elif subject.name == "enrolment":
        data = content.training_data(
            db_session,
            actor=actor,
            enrolment_id=subject.record_id,
            settings=settings,
            signatory=signatory,
            issued_on=today,
        )
    else:
        data = content.rr_test_data(
            db_session,
            actor=actor,
            rr_test_id=subject.record_id,
            settings=settings,
            signatory=signatory,
            issued_on=today,
        )
    if signatory["function"]:
        data["free_text"]["signatory.function"] = signatory["function"]
    return data


def _subject(db_session: Session, actor: Principal, request: IssueRequest) -> Subject:
    if request.job_id is not None:
        job = jobs.get_job(db_session, actor=actor, job_id=request.job_id)
        kind = content.KIND_OF_JOB[JobKind(job.kind)]
        return Subject(kind, "job", request.job_id, job.organisation_id, job.status, job)
    if request.enrolment_id is not None:
        enrolment = training.get_enrolment(
            db_session, actor=actor, enrolment_id=request.enrolment_id
        )
        return Subject(
            DocumentKind.TRAINING_CERTIFICATE,
            "enrolment",
            request.enrolment_id,
            enrolment.organisation_id,
            enrolment.state,
            enrolment,
        )
    if request.rr_test_id is not None:
        rr_test = get_rr_test(db_session, actor=actor, rr_test_id=request.rr_test_id)
        return Subject(
            DocumentKind.RR_TEST_REPORT,
            "rr_test",
            request.rr_test_id,
            rr_test.organisation_id,
            rr_test.outcome,
            rr_test,
        )
    if request.price_list_id is not None:
        price_list = db_session.get(PriceList, request.price_list_id)
        if price_list is None:
            raise NotFound(
                "no price list %(price_list_id)s",
                code="documents.price_list",
                price_list_id=request.price_list_id,
            )
        state = "published" if price_list.published_at else "draft"
        return Subject(
            DocumentKind.PRICE_LIST, "price_list", request.price_list_id, None, state, price_list
        )
    contract: Agreement | Quotation
    if request.agreement_id is not None:
        name, kind, record_id = "agreement", DocumentKind.AGREEMENT, request.agreement_id
        contract = agreements.get_agreement(db_session, actor=actor, agreement_id=record_id)
    elif request.quotation_id is not None:
        name, kind, record_id = "quotation", DocumentKind.QUOTATION, request.quotation_id
        contract = quotations.get_quotation(db_session, actor=actor, quotation_id=record_id)
    else:
        raise InvalidInput(
            "name what to issue: give exactly one of the subject ids",
            code="documents.name_what_issue_give_exactly",
        )
    return Subject(kind, name, record_id, contract.organisation_id, contract.state, contract)


def _subject_of(db_session: Session, actor: Principal, document: Document) -> Subject:
    ids = {f"{name}_id": getattr(document, f"{name}_id") for name in SUBJECTS}
    return _subject(db_session, actor, IssueRequest(**ids))


def _subject_key(document: Document) -> str:
    for name in SUBJECTS:
        value = getattr(document, f"{name}_id")
        if value is not None:
            return f"{name}:{value}"
    raise AssertionError(f"document {document.number} is about nothing")


def _issuers_of(kind: DocumentKind) -> tuple[Role, ...]:
    return ISSUERS if kind in JOB_KINDS else CONTRACT_ISSUERS


#: Issuing each kind, as a refusal says who may ("only … may issue a quotation": ``doing``).
ISSUE_DOING: dict[DocumentKind, str] = {
    DocumentKind.CALIBRATION_CERTIFICATE: problem_template("issue a calibration certificate"),
    DocumentKind.INSPECTION_REPORT: problem_template("issue an inspection report"),
    DocumentKind.MEASUREMENT_REPORT: problem_template("issue a measurement report"),
    DocumentKind.REFERENCE_REPORT: problem_template("issue a reference report"),
    DocumentKind.AGREEMENT: problem_template("issue an agreement"),
    DocumentKind.QUOTATION: problem_template("issue a quotation"),
    DocumentKind.PRICE_LIST: problem_template("issue a price list"),
    DocumentKind.TRAINING_CERTIFICATE: problem_template("issue a training certificate"),
    DocumentKind.RR_TEST_REPORT: problem_template("issue a gauge R&R report"),
}


def _check_issuer(db_session: Session, actor: Principal, subject: Subject, today: date) -> None:
    """Job documents: an authorised signatory other than the measurer, on an approved job."""
    require_role(actor, *_issuers_of(subject.kind), doing=ISSUE_DOING[subject.kind])
    if subject.name == "rr_test":
        check_not_a_measurer_of(db_session, actor=actor, rr_test=subject.record)
    job = subject.job
    if job is None:
        return
    if job.status not in ISSUABLE_JOB_STATES:
        raise Conflict(
            "job %(job)s is %(status)s: a certificate or report is issued once the job is approved",
            code="documents.job_certificate_report_issued_once",
            job=job.number,
            status=job.status,
        )
    jobs.check_second_person(db_session, actor=actor, job=job, to=JobStatus.APPROVED, on=today)


def _check_customer(subject: Subject, data: dict[str, Any]) -> None:
    """A job's certificate or report names its customer's address and contact (7.8.2.1 e)."""
    if subject.kind in JOB_KINDS:
        check_customer_details(data, subject.organisation_id)


def valid_master(db_session: Session, *, job_id: int, kind: DocumentKind) -> Document | None:
    """The job's issued (not superseded, not withdrawn) Finnish master of ``kind``, if any."""
    return db_session.exec(
        select(Document).where(
            Document.job_id == job_id,
            Document.kind == kind,
            Document.language == MASTER_LANGUAGE,
            Document.state == DocumentState.ISSUED,
        )
    ).first()


def _check_no_valid_master(db_session: Session, subject: Subject) -> None:
    """One valid master per job and kind: a second issue would leave two valid documents."""
    if subject.job is None:
        return
    existing = valid_master(db_session, job_id=subject.record_id, kind=subject.kind)
    if existing is not None:
        raise Conflict(
            "%(existing)s is the job's valid %(kind)s: a correction is a revision "
            "of it (POST /api/v1/documents/%(id)s/revisions), not a second document",
            code="documents.job_valid_correction_revision_post",
            existing=existing.number,
            kind=subject.kind,
            id=existing.id,
        )


def _under_job_lock(db_session: Session, document: Document) -> Document:
    """``document`` read again under its job's lock: a job's documents are issued, revised
    and withdrawn one request at a time (``jobs.lock_job``).  Other documents as they are."""
    if document.job_id is not None:
        jobs.lock_job(db_session, document.job_id)
        db_session.refresh(document)
    return document


def _translations_of(db_session: Session, document: Document) -> list[Document]:
    return list(db_session.exec(select(Document).where(Document.master_id == document.id)))


def _with_context(db_session: Session, actor: Principal) -> Session:
    set_context(db_session, actor.audit_context())
    return db_session
