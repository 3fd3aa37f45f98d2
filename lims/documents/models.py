"""Issued documents, their revisions and translations, and human translations of free text."""

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow
from lims.i18n import LANGUAGES


class DocumentKind(StrEnum):
    CALIBRATION_CERTIFICATE = "calibration_certificate"
    INSPECTION_REPORT = "inspection_report"
    MEASUREMENT_REPORT = "measurement_report"  # B1
    REFERENCE_REPORT = "reference_report"  # B2
    AGREEMENT = "agreement"
    QUOTATION = "quotation"
    PRICE_LIST = "price_list"
    TRAINING_CERTIFICATE = "training_certificate"
    RR_TEST_REPORT = "rr_test_report"


class DocumentState(StrEnum):
    ISSUED = "issued"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class RevisionReasonClass(StrEnum):
    """Why a revision is issued (ISO/IEC 17025 7.8.8): the record changed since the last
    issue, or the wording of the document itself is corrected while the record stands."""

    RECORD_CHANGED = "record_changed"
    EDITORIAL = "editorial"


class Document(SQLModel, table=True):
    """One issued PDF: a Finnish master, or a translation of one.

    Nothing here is ever deleted and the PDF is never replaced: a correction is a new
    revision that supersedes this one (ISO/IEC 17025 7.8.8), a withdrawal only changes state.
    """

    __audited__ = True
    # Newest first, the order of every document listing (migration 0012).
    __table_args__ = (Index("ix_document_issued_at", "issued_at", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=48, unique=True)
    kind: str = Field(max_length=32, index=True)
    language: str = Field(max_length=8)
    revision: int = 0
    state: str = Field(default=DocumentState.ISSUED, max_length=16, index=True)
    title: str = Field(max_length=300)
    # What the document is about: a job, an agreement, a quotation or a price list.
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id", index=True)
    quotation_id: int | None = Field(default=None, foreign_key="quotation.id", index=True)
    price_list_id: int | None = Field(default=None, foreign_key="price_list.id", index=True)
    enrolment_id: int | None = Field(default=None, foreign_key="training_enrolment.id", index=True)
    rr_test_id: int | None = Field(default=None, foreign_key="rr_test.id", index=True)
    subject_state: str | None = Field(
        default=None, max_length=32, description="The job's (or contract's) state when issued"
    )
    master_id: int | None = Field(default=None, foreign_key="document.id", index=True)
    supersedes_id: int | None = Field(default=None, foreign_key="document.id")
    superseded_by_id: int | None = Field(default=None, foreign_key="document.id")
    revision_reason: str | None = Field(default=None, max_length=2000)
    revision_reason_class: str | None = Field(default=None, max_length=16)
    # What the record says now that the superseded revision printed otherwise:
    # [{"what": "customer.name", "old": ..., "new": ...}] (migration 0016).
    revision_changes: list[dict[str, Any]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    accredited: bool = False
    sha256: str = Field(max_length=64)
    size: int
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    issued_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    issued_by: str = Field(max_length=200)
    issued_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    signatory_name: str = Field(max_length=200)
    signatory_function: str = Field(max_length=200)
    withdrawn_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    withdrawn_by: str | None = Field(default=None, max_length=200)
    withdrawal_reason: str | None = Field(default=None, max_length=2000)
    # The newest archive copy: the issued PDF, an unchanged prefix, with validation data and
    # document timestamps appended (PAdES B-LTA, `lims documents timestamp`; migration 0027).
    archive_sha256: str | None = Field(default=None, max_length=64)
    archive_size: int | None = None
    archived_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))


class TextTranslation(SQLModel, table=True):
    """A person's translation of one piece of free text (an item description, a remark).

    ``source`` is the Finnish text that was translated: when the Finnish text changes the
    translation no longer counts, so a stale wording never reaches a document.
    """

    __tablename__ = "text_translation"
    __table_args__ = (UniqueConstraint("subject", "key", "language"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    subject: str = Field(max_length=48, index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id")
    key: str = Field(max_length=100)
    language: str = Field(max_length=8)
    source: str = Field(max_length=10_000)
    text: str = Field(max_length=10_000)
    translated_by: str = Field(max_length=200)
    translated_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


# -- requests and answers ------------------------------------------------------------------


#: What a document can be about; each has a ``<name>_id`` on the document and the request.
SUBJECTS = ("job", "agreement", "quotation", "price_list", "enrolment", "rr_test")


class IssueRequest(BaseModel):
    """Issue the Finnish master of a job's certificate or report, or of a contract document."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"job_id": 1, "signatory_function": "Laboratorion johtaja"},
                {"agreement_id": 1},
            ]
        },
    )
    job_id: int | None = None
    agreement_id: int | None = None
    quotation_id: int | None = None
    price_list_id: int | None = None
    enrolment_id: int | None = None
    rr_test_id: int | None = None
    signatory_function: str | None = PydanticField(
        default=None,
        max_length=200,
        description="The signatory's function as printed; default: the job title on the "
        "signatory's own staff record",
    )

    @model_validator(mode="after")
    def _one_subject(self) -> "IssueRequest":
        given = [name for name in SUBJECTS if getattr(self, f"{name}_id") is not None]
        if len(given) != 1:
            named = ", ".join(f"{name}_id" for name in SUBJECTS)
            raise ValueError(f"give exactly one of {named}")
        return self


class TranslationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"language": "en"}]})
    language: str = PydanticField(pattern="^(" + "|".join(LANGUAGES[1:]) + ")$")


class RevisionRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"reason": "The result of point 25 mm was corrected after re-measurement."},
                {"reason": "A typing error in the title.", "reason_class": "editorial"},
            ]
        },
    )
    reason: str = PydanticField(min_length=5, max_length=2000)
    reason_class: RevisionReasonClass = PydanticField(
        default=RevisionReasonClass.RECORD_CHANGED,
        description="record_changed: the record changed since the last issue (the revision "
        "lists what); editorial: a correction of the document's wording alone",
    )
    signatory_function: str | None = PydanticField(default=None, max_length=200)


class WithdrawalRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Issued for the wrong instrument."}]},
    )
    reason: str = PydanticField(min_length=5, max_length=2000)


class TextTranslationsEntry(BaseModel):
    """Translations of a subject's free text into one language, keyed as the document lists."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"language": "en", "texts": {"items.1.description": "External micrometer"}}
            ]
        },
    )
    language: str = PydanticField(pattern="^(" + "|".join(LANGUAGES[1:]) + ")$")
    texts: dict[
        Annotated[str, StringConstraints(max_length=100)],
        Annotated[str, StringConstraints(max_length=10_000)],
    ] = PydanticField(min_length=1, max_length=500)


class FreeText(BaseModel):
    key: str
    source: str
    translation: str | None


class FreeTextStatus(BaseModel):
    subject: str
    language: str
    texts: list[FreeText]
    missing: list[str]


class RecordChange(BaseModel):
    """One thing the record says now that the superseded revision printed otherwise."""

    what: str
    old: Any
    new: Any


class DocumentPublic(BaseModel):
    id: int
    number: str
    kind: DocumentKind
    language: str
    revision: int
    state: DocumentState
    title: str
    organisation_id: int | None
    job_id: int | None
    agreement_id: int | None
    quotation_id: int | None
    price_list_id: int | None
    enrolment_id: int | None
    rr_test_id: int | None
    subject_state: str | None
    master_id: int | None
    master_number: str | None = None
    supersedes_id: int | None
    superseded_by_id: int | None
    revision_reason: str | None
    revision_reason_class: RevisionReasonClass | None = None
    revision_changes: list[RecordChange] | None = None
    accredited: bool
    sha256: str
    size: int
    issued_by: str
    issued_at: datetime
    signatory_name: str
    signatory_function: str
    withdrawn_at: datetime | None
    withdrawal_reason: str | None


class Verification(BaseModel):
    """What anyone holding a document may learn: nothing about the customer."""

    number: str
    found: bool
    state: DocumentState | None = None
    kind: DocumentKind | None = None
    language: str | None = None
    issued_on: date | None = None
    laboratory: str | None = None
    sha256_matches: bool | None = None
    superseded_by: str | None = None
    master_number: str | None = None
    master_sha256: str | None = None
    message: str
