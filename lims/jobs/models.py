"""Tables and schemas of jobs, their items, characteristics, results and transitions."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator
from pydantic import Field as PydanticField
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column, Index, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow
from lims.master_text import Translations, checked


def _timestamp(*, nullable: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable)


class JobKind(StrEnum):
    PRODUCT_QC = "product_qc"  # B1
    REFERENCE = "reference"  # B2
    CALIBRATION = "calibration"  # B3
    INSPECTION = "inspection"  # B3: indication against measured value, no uncertainty claim


class JobStatus(StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    ITEMS_RECEIVED = "items_received"
    IN_MEASUREMENT = "in_measurement"
    MEASURED = "measured"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    REPORTED = "reported"
    CLOSED = "closed"
    ON_HOLD = "on_hold"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"


class ItemKind(StrEnum):
    CUSTOMER_PRODUCT = "customer_product"  # C1
    TEST_PIECE = "test_piece"  # C2
    INSTRUMENT = "instrument"  # B3


class Condition(StrEnum):
    FIT = "fit"
    DAMAGED = "damaged"
    REMARKS = "remarks"


class CharacteristicSource(StrEnum):
    PMI = "pmi"
    DRAWING = "drawing"
    MANUAL = "manual"
    METHOD = "method"


# -- jobs ---------------------------------------------------------------------------------


class Job(SQLModel, table=True):
    __audited__ = True
    # The job board: one status (a customer: its own jobs) in due-date or newest-first order,
    # read from the index in order, so a page costs the same at any size (migration 0012).
    __table_args__ = (
        Index("ix_job_status_due_date", "status", "due_date", "id"),
        Index("ix_job_status_created_at", "status", "created_at", "id"),
        Index("ix_job_organisation_id_status", "organisation_id", "status", "due_date", "id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=16, index=True)
    status: str = Field(default=JobStatus.REQUESTED, max_length=16, index=True)
    held_from: str | None = Field(default=None, max_length=16)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    agreement_id: int = Field(foreign_key="agreement.id")
    order_id: int | None = Field(default=None, foreign_key="customer_order.id")
    customer_reference: str | None = Field(default=None, max_length=100)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_delivery: date | None = None
    due_date: date = Field(index=True)
    priority: str = Field(default=Priority.NORMAL, max_length=8)
    agreed_price: Decimal | None = Field(default=None, sa_column=Column(Numeric(14, 2)))
    reviewed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    reviewed_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    approved_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    approved_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    reason: str | None = Field(
        default=None, max_length=2000, description="of the last hold, cancel or reopening"
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    # The technician whose work queue the job is in (migration 0030); None: anyone's to take.
    assigned_to_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)


class JobTransition(SQLModel, table=True):
    """One step of a job's workflow: who moved it, when, from where to where, and why."""

    __tablename__ = "job_transition"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    from_status: str = Field(max_length=16)
    to_status: str = Field(max_length=16)
    by_id: int | None = Field(default=None, foreign_key="user_account.id")
    by: str = Field(max_length=200)
    at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    reason: str | None = Field(default=None, max_length=2000)
    organisation_id: int = Field(foreign_key="organisation.id")


ITEM_EXAMPLE: JsonDict = {
    "kind": "instrument",
    "description": "External micrometer",
    "identification": "SN 123456",
    "manufacturer": "Mitutoyo",
    "model": "103-137",
    "instrument_type": "external micrometer",
    "range_text": "0-25 mm",
    "resolution": 0.001,
    "resolution_unit": "mm",
    "specification": {"standard": "ISO 3611", "mpe": 0.002, "unit": "mm"},
}


class ItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ITEM_EXAMPLE]})
    kind: ItemKind
    description: str = PydanticField(min_length=1, max_length=300)
    identification: str | None = PydanticField(default=None, max_length=100)
    manufacturer: str | None = PydanticField(default=None, max_length=100)
    model: str | None = PydanticField(default=None, max_length=100)
    instrument_type: str | None = PydanticField(default=None, max_length=100)
    range_text: str | None = PydanticField(default=None, max_length=100)
    resolution: float | None = PydanticField(default=None, gt=0)
    resolution_unit: str | None = PydanticField(default=None, max_length=16)
    specification: dict[str, Any] | None = PydanticField(
        default=None, description="What the instrument is judged against, e.g. its MPE"
    )
    fixtures_and_programs: str | None = PydanticField(
        default=None, max_length=2000, description="Test pieces: the lab's fixtures and programs"
    )
    price_item: str | None = PydanticField(
        default=None,
        max_length=32,
        description="The price list item this is done under (e.g. K-MIK-25), for a job "
        "ordered without a quotation",
    )


class Item(SQLModel, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    kind: str = Field(max_length=20)
    description: str = Field(max_length=300)
    identification: str | None = Field(default=None, max_length=100)
    manufacturer: str | None = Field(default=None, max_length=100)
    model: str | None = Field(default=None, max_length=100)
    instrument_type: str | None = Field(default=None, max_length=100)
    range_text: str | None = Field(default=None, max_length=100)
    resolution: float | None = None
    resolution_unit: str | None = Field(default=None, max_length=16)
    specification: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    fixtures_and_programs: str | None = Field(default=None, max_length=2000)
    # Prices a job ordered without a quotation (the cost recovery): see migration 0024.
    price_item: str | None = Field(default=None, max_length=32)
    files: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    received_on: date | None = None
    received_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    condition: str | None = Field(default=None, max_length=16)
    condition_remarks: str | None = Field(default=None, max_length=2000)
    customer_informed: bool = False
    dispatched_on: date | None = None


class ItemPublic(ItemSpec):
    id: int
    job_id: int
    files: list[dict[str, Any]]
    received_on: date | None
    received_by_id: int | None
    condition: Condition | None
    condition_remarks: str | None
    customer_informed: bool
    dispatched_on: date | None


class Receipt(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"received_on": "2026-11-27", "condition": "fit", "remarks": None}]
        },
    )
    received_on: date
    condition: Condition
    remarks: str | None = PydanticField(default=None, max_length=2000)
    customer_informed: bool = PydanticField(
        default=False, description="The customer was told of problems found on receipt"
    )


class Dispatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"dispatched_on": "2026-12-04"}]}
    )
    dispatched_on: date


# -- plans --------------------------------------------------------------------------------


#: A characteristic's translatable master text and its longest length.
TRANSLATABLE = {"label": 100}


class CharacteristicSpec(BaseModel):
    """A characteristic to measure (B1) or a calibration point (B3)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "item_id": 1,
                    "label": "25 mm",
                    "kind": "calibration_point",
                    "nominal": 25.0,
                    "upper_limit": 2.0,
                    "lower_limit": -2.0,
                    "unit": "um",
                    "method_id": 1,
                    "parameters": {"L": 25.0},
                    "source": "method",
                }
            ]
        },
    )
    item_id: int
    label: str = PydanticField(min_length=1, max_length=100)
    kind: str = PydanticField(
        default="size",
        max_length=40,
        description="size, position, flatness, profile, calibration_point...",
    )
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = PydanticField(min_length=1, max_length=16)
    datums: str | None = PydanticField(default=None, max_length=100)
    source: CharacteristicSource = CharacteristicSource.MANUAL
    method_id: int | None = None
    parameters: dict[str, float] = PydanticField(
        default_factory=dict, description="Values of the method's parameters, e.g. the size L"
    )
    translations: Translations = PydanticField(
        default_factory=dict,
        description="The label in the other document languages, {language: {'label': text}}; "
        "label is the Finnish master",
    )

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations) -> Translations:
        return checked(value, TRANSLATABLE)


class PointsPlan(BaseModel):
    """Calibration points (B3) from a method: its default sizes, or the ones given."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"item_id": 1, "method_id": 1, "parameters": {"alpha": 11.5e-6}}]
        },
    )
    item_id: int
    method_id: int
    points: list[float] | None = PydanticField(
        default=None, max_length=100, description="Sizes L; default: the method's points"
    )
    parameters: dict[str, float] = PydanticField(
        default_factory=dict, description="The method's other parameters, e.g. alpha"
    )


class Characteristic(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("job_id", "label"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    label: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = Field(max_length=16)
    datums: str | None = Field(default=None, max_length=100)
    source: str = Field(max_length=16)
    method_id: int | None = Field(default=None, foreign_key="method.id")
    parameters: dict[str, float] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    translations: dict[str, dict[str, str]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    # Planned from a model (C1): the model file's SHA-256 and the entity's id in it.
    source_sha256: str | None = Field(default=None, max_length=64)
    source_ref: str | None = Field(default=None, max_length=40)
    # A voided characteristic stays on the record (ISO/IEC 17025 7.5), takes no results and
    # is left out of the documents; who voided it, when and why is kept beside it.
    voided_at: datetime | None = Field(default=None, sa_column=_timestamp(nullable=True))
    voided_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    void_reason: str | None = Field(default=None, max_length=2000)

    @property
    def voided(self) -> bool:
        return self.voided_at is not None


class CharacteristicPublic(CharacteristicSpec):
    id: int
    job_id: int
    source_sha256: str | None = None
    source_ref: str | None = None
    voided_at: datetime | None = None
    voided_by_id: int | None = None
    void_reason: str | None = None


class CharacteristicEdit(BaseModel):
    """A correction of a planned characteristic: only the fields sent change, and why."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "upper_limit": 20.021,
                    "parameters": {"L": 20.0},
                    "reason": "Drawing 1234-A rev B: the tolerance is H7",
                }
            ]
        },
    )
    label: str | None = PydanticField(default=None, min_length=1, max_length=100)
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str | None = PydanticField(default=None, min_length=1, max_length=16)
    method_id: int | None = None
    parameters: dict[str, float] | None = None
    translations: Translations | None = None
    reason: str = PydanticField(min_length=1, max_length=2000, description="Why it is corrected")

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations | None) -> Translations | None:
        return None if value is None else checked(value, TRANSLATABLE)


class CharacteristicVoid(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "The customer withdrew this feature"}]},
    )
    reason: str = PydanticField(min_length=1, max_length=2000, description="Why it is voided")


# -- results ------------------------------------------------------------------------------


class AsFoundEntry(BaseModel):
    """B3: the instrument measured as it came in, before an adjustment or repair.

    Evaluated as a result is (the same method, checks, uncertainty and decision); the
    result it belongs to is the instrument as left."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "measured_on": "2026-11-27",
                    "equipment": {"reference": 1},
                    "observations": {"d_x": [3.1, 3.2, 3.1, 3.0, 3.2]},
                    "temperature": 20.1,
                    "humidity": 45,
                }
            ]
        },
    )
    measured_on: date
    equipment: dict[str, int] = PydanticField(
        default_factory=dict, description="Equipment role -> equipment id"
    )
    observations: dict[str, list[float]] = PydanticField(
        default_factory=dict, description="Readings per Type A input of the method"
    )
    value: float | None = PydanticField(
        default=None, description="The measured value where no method model applies"
    )
    unit: str | None = PydanticField(default=None, max_length=16)
    temperature: float | None = PydanticField(default=None, description="°C")
    humidity: float | None = PydanticField(default=None, ge=0, le=100, description="%RH")


class Adjustment(BaseModel):
    """B3: what was done to the instrument between as found and as left, by whom and when."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "description": "Zero set with the setting standard; anvils cleaned",
                    "adjusted_by_id": 3,
                    "adjusted_on": "2026-11-27",
                }
            ]
        },
    )
    description: str = PydanticField(min_length=1, max_length=2000, description="What was done")
    adjusted_by_id: int = PydanticField(description="The member of staff who did it")
    adjusted_on: date


class ResultEntry(BaseModel):
    """What a technician (or a CMM cell) records for one characteristic."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "characteristic_id": 1,
                    "measured_on": "2026-11-27",
                    "equipment": {"reference": 1},
                    "observations": {"e_i": [0.4, 0.5, 0.4, 0.6, 0.5]},
                    "temperature": 20.1,
                    "humidity": 45,
                }
            ]
        },
    )
    characteristic_id: int
    measured_on: date
    equipment: dict[str, int] = PydanticField(
        default_factory=dict, description="Equipment role -> equipment id"
    )
    observations: dict[str, list[float]] = PydanticField(
        default_factory=dict, description="Readings per Type A input of the method"
    )
    value: float | None = PydanticField(
        default=None, description="The measured value where no method model applies"
    )
    unit: str | None = PydanticField(default=None, max_length=16)
    temperature: float | None = PydanticField(default=None, description="°C")
    humidity: float | None = PydanticField(default=None, ge=0, le=100, description="%RH")
    comment: str | None = PydanticField(default=None, max_length=500)
    version: int | None = PydanticField(
        default=None, description="The version being replaced (optimistic locking)"
    )
    reason: str | None = PydanticField(
        default=None, max_length=2000, description="Why a result is replaced"
    )
    late_entry_reason: str | None = PydanticField(
        default=None,
        max_length=2000,
        description="Why the result is entered more than LIMS_LATE_ENTRY_DAYS after measured_on",
    )
    as_found: AsFoundEntry | None = PydanticField(
        default=None, description="B3, with an adjustment: the instrument before it"
    )
    adjustment: Adjustment | None = PydanticField(
        default=None, description="B3: what was done between as found and this result, as left"
    )


class Result(SQLModel, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    characteristic_id: int = Field(foreign_key="characteristic.id", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    value: float
    unit: str = Field(max_length=16)
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    coverage_probability: float | None = None
    observations: dict[str, list[float]] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    equipment: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    uncertainty: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSON), description="The engine's output with its budget"
    )
    decision: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    accredited: bool = False
    accreditation_reason: str = Field(default="", max_length=500)
    temperature: float | None = None
    humidity: float | None = None
    comment: str | None = Field(default=None, max_length=500)
    measured_on: date
    measured_by_id: int = Field(foreign_key="user_account.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    # When this version was entered (recorded_at keeps the first); a late one states why.
    entered_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())
    late_entry_reason: str | None = Field(default=None, max_length=2000)
    version: int = 1
    imported: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="An imported result's origin: file, CMM status, devices, operator",
    )
    # B3 with an adjustment (ISO/IEC 17025 7.8.4.1 d): the result is the instrument as left;
    # as found it was evaluated alike, and is kept whole here beside what was done.
    as_found: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    adjustment_description: str | None = Field(default=None, max_length=2000)
    adjusted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    adjusted_on: date | None = None

    @property
    def adjustment(self) -> Adjustment | None:
        description, by_id, on = self.adjustment_description, self.adjusted_by_id, self.adjusted_on
        if description is None or by_id is None or on is None:
            return None
        return Adjustment(description=description, adjusted_by_id=by_id, adjusted_on=on)


class ResultPublic(BaseModel):
    id: int
    job_id: int
    characteristic_id: int
    value: float
    unit: str
    expanded_uncertainty: float | None
    coverage_factor: float | None
    coverage_probability: float | None
    observations: dict[str, list[float]]
    equipment: dict[str, int]
    uncertainty: dict[str, Any] | None
    decision: dict[str, Any] | None
    accredited: bool
    accreditation_reason: str
    temperature: float | None
    humidity: float | None
    comment: str | None
    measured_on: date
    measured_by_id: int
    entered_at: datetime
    late_entry_reason: str | None
    version: int
    imported: dict[str, Any] | None = None
    as_found: dict[str, Any] | None = None
    adjustment: Adjustment | None = None


class CustomerValueEntry(BaseModel):
    """B2: the company's own value for a characteristic, beside the lab's reference value."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "characteristic_id": 1,
                    "value": 25.0012,
                    "expanded_uncertainty": 0.004,
                    "coverage_factor": 2,
                }
            ]
        },
    )
    characteristic_id: int
    value: float
    expanded_uncertainty: float | None = PydanticField(default=None, gt=0)
    coverage_factor: float | None = PydanticField(default=None, gt=0)
    measuring_instrument: str | None = PydanticField(default=None, max_length=200)


class CustomerValue(SQLModel, table=True):
    __tablename__ = "customer_value"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    characteristic_id: int = Field(foreign_key="characteristic.id", unique=True)
    organisation_id: int = Field(foreign_key="organisation.id")
    value: float
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    measuring_instrument: str | None = Field(default=None, max_length=200)
    reported_by_id: int = Field(foreign_key="user_account.id")
    reported_at: datetime = Field(default_factory=utcnow, sa_column=_timestamp())


class CustomerValuePublic(CustomerValueEntry):
    id: int
    job_id: int
    reported_by_id: int
    reported_at: datetime


# -- submission and the job's public face --------------------------------------------------


class JobSubmission(BaseModel):
    """A job as a customer (or staff for it) submits it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 1,
                    "kind": "calibration",
                    "customer_reference": "PO-4711",
                    "requested_delivery": "2026-12-18",
                    "items": [ITEM_EXAMPLE],
                }
            ]
        },
    )
    organisation_id: int
    kind: JobKind
    items: list[ItemSpec] = PydanticField(min_length=1, max_length=200)
    customer_reference: str | None = PydanticField(default=None, max_length=100)
    requested_delivery: date | None = None
    quotation_id: int | None = PydanticField(
        default=None, description="An accepted quotation this job carries out"
    )
    priority: Priority = Priority.NORMAL
    accept_terms_and_confidentiality: bool = PydanticField(
        default=False, description="Without an agreement: accept the lab's terms (ad hoc)"
    )
    accepted_by: str | None = PydanticField(default=None, max_length=200)


class Transition(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"to": "accepted"},
                {"to": "on_hold", "reason": "Waiting for the customer's drawing"},
            ]
        },
    )
    to: JobStatus
    reason: str | None = PydanticField(default=None, max_length=2000)


class JobAssignment(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"assigned_to_id": 3}, {"assigned_to_id": None}]},
    )
    # Bounded as the user's key is stored (a 32-bit integer), so a larger one is bad input.
    assigned_to_id: int | None = PydanticField(
        ge=1,
        le=2**31 - 1,
        description="The technician whose work queue the job is in; null: nobody's",
    )


class WaitingPublic(BaseModel):
    """What a job waits for (``lims.jobs.actions.Waiting``)."""

    what: str = PydanticField(
        description="acceptance, items, receipt, customer_file, plan, measurement, "
        "measured_mark, review, approval, issue, return, closing or hold"
    )
    person: str | None = PydanticField(description="Who is to do it, where one is named")
    not_by: list[str] = PydanticField(description="Who may not (four eyes: whoever measured)")
    done: int
    of: int
    reason: str | None


class JobActions(BaseModel):
    actions: list[str] = PydanticField(
        description="The statuses the caller may move the job to now, and assign or take"
    )
    waiting_for: WaitingPublic | None = PydanticField(
        description="What the job waits for; null once it is closed or cancelled"
    )


class JobPublic(BaseModel):
    id: int
    number: str
    kind: JobKind
    status: JobStatus
    organisation_id: int
    agreement_id: int
    agreement_number: str
    order_id: int | None
    customer_reference: str | None
    requested_by_id: int
    requested_delivery: date | None
    due_date: date
    priority: Priority
    agreed_price: Decimal | None
    price_list_id: int | None
    reviewed_by_id: int | None
    approved_by_id: int | None
    reason: str | None
    created_at: datetime
    assigned_to_id: int | None = None


class JobTransitionPublic(BaseModel):
    id: int
    from_status: JobStatus
    to_status: JobStatus
    by: str
    at: datetime
    reason: str | None


class JobPage(BaseModel):
    jobs: list[JobPublic]
    total: int
    limit: int
    offset: int
    next_cursor: str | None = PydanticField(
        description="Pass as cursor for the page after this one; null on the last page"
    )
