"""Tables and schemas of agreements, price models, price lists, quotations and orders."""

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column, Numeric, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


class Service(StrEnum):
    PRODUCT_QC = "product_qc"  # B1
    REFERENCE = "reference"  # B2
    CALIBRATION = "calibration"  # B3
    INSPECTION = "inspection"  # B3, no uncertainty claim
    TRAINING = "training"  # F


class AgreementKind(StrEnum):
    ANNUAL = "annual"
    AD_HOC = "ad_hoc"


class AgreementState(StrEnum):
    """Stored states; ``expired`` and ``superseded`` are derived (see agreements.status_on)."""

    DRAFT = "draft"
    SIGNED = "signed"
    ACTIVE = "active"
    TERMINATED = "terminated"


class DecisionRule(StrEnum):
    """The rules of the uncertainty engine's ``decide`` (ILAC-G8:09/2019)."""

    SIMPLE_ACCEPTANCE = "simple_acceptance"
    GUARD_BAND_U = "guard_band_U"
    GUARD_BAND_RU = "guard_band_rU"
    CUSTOMER = "customer"


class QuotationState(StrEnum):
    """Stored states; ``expired`` is derived from the validity date."""

    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class QuotationRequestStatus(StrEnum):
    """Derived: a request is answered once the lab's quotation names it."""

    REQUESTED = "requested"
    QUOTED = "quoted"


def money_column(*, nullable: bool = False) -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=nullable)


# -- agreements ---------------------------------------------------------------------------


class ScopeItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    service: Service
    accredited: bool = False
    delivery_days: int = PydanticField(ge=0, le=250, description="Standard delivery, working days")


class Signature(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = PydanticField(min_length=1, max_length=200)
    title: str = PydanticField(min_length=1, max_length=200)
    signed_on: date


class ConfidentialityClause(SQLModel, table=True):
    __tablename__ = "confidentiality_clause"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    version: int = Field(unique=True)
    text_fi: str = Field(max_length=10_000)
    text_en: str = Field(max_length=10_000)
    effective_from: date
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ConfidentialityClauseCreate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "text_fi": "Laboratorio pitää asiakkaan tiedot luottamuksellisina.",
                    "text_en": "The laboratory keeps the customer's information confidential.",
                    "effective_from": "2026-01-01",
                }
            ]
        },
    }
    text_fi: str = Field(min_length=1, max_length=10_000)
    text_en: str = Field(min_length=1, max_length=10_000)
    effective_from: date


class AgreementTerms(SQLModel):
    """What both parties agree on; copied into each amendment."""

    valid_from: date
    valid_until: date
    scope: list[ScopeItem] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False), min_length=1
    )
    decision_rule: DecisionRule = DecisionRule.SIMPLE_ACCEPTANCE
    decision_rule_r: float | None = Field(default=None, description="r of guard band w = r*U")
    decision_rule_text: str | None = Field(
        default=None, max_length=2000, description="A customer rule, stated in words"
    )
    languages: list[str] = Field(
        default_factory=list,
        sa_column=Column(JSON, nullable=False),
        description="Document languages wanted beside Finnish",
    )
    customer_reference_rule: str | None = Field(
        default=None, max_length=500, description="e.g. 'purchase order number on every order'"
    )


class Agreement(AgreementTerms, table=True):
    __table_args__ = (UniqueConstraint("number", "version"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, index=True)
    version: int = 1
    kind: str = Field(max_length=16)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    state: str = Field(default=AgreementState.DRAFT, max_length=16)
    decision_rule: str = Field(default=DecisionRule.SIMPLE_ACCEPTANCE, max_length=32)  # type: ignore[assignment]  # text column, not a DB enum
    # Stored as JSON-ready dicts (ScopeItem.model_dump); AgreementPublic reads them back.
    scope: list[dict[str, Any]] = Field(  # type: ignore[assignment]  # JSON-ready dicts, see above
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    confidentiality_clause_id: int = Field(foreign_key="confidentiality_clause.id")
    confidentiality_accepted_by: str | None = Field(default=None, max_length=200)
    confidentiality_accepted_on: date | None = None
    lab_signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    customer_signature: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    supersedes_id: int | None = Field(default=None, foreign_key="agreement.id")
    amendment_reason: str | None = Field(default=None, max_length=2000)
    superseded_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    terminated_on: date | None = None
    termination_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


AGREEMENT_EXAMPLE: JsonDict = {
    "valid_from": "2027-01-01",
    "valid_until": "2027-12-31",
    "scope": [
        {"service": "calibration", "accredited": True, "delivery_days": 10},
        {"service": "product_qc", "accredited": False, "delivery_days": 15},
    ],
    "decision_rule": "guard_band_U",
    "languages": ["en"],
    "customer_reference_rule": "purchase order number on every order",
}


class AgreementCreate(AgreementTerms):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [{**AGREEMENT_EXAMPLE, "kind": "annual", "organisation_id": 1}]
        },
    }
    kind: AgreementKind
    organisation_id: int


class AgreementUpdate(SQLModel):
    """Terms of a draft; a signed agreement changes only by amendment."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"languages": ["en", "sv"]}]},
    }
    valid_from: date | None = None
    valid_until: date | None = None
    scope: list[ScopeItem] | None = Field(default=None, min_length=1)
    decision_rule: DecisionRule | None = None
    decision_rule_r: float | None = None
    decision_rule_text: str | None = Field(default=None, max_length=2000)
    languages: list[str] | None = None
    customer_reference_rule: str | None = Field(default=None, max_length=500)


class AgreementSigning(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lab_signature": {
                        "name": "Laura Laatupäällikkö",
                        "title": "Laatupäällikkö",
                        "signed_on": "2026-11-27",
                    },
                    "customer_signature": {
                        "name": "Kalle Konepaja",
                        "title": "Toimitusjohtaja",
                        "signed_on": "2026-11-27",
                    },
                }
            ]
        },
    )
    lab_signature: Signature
    customer_signature: Signature


class ConfidentialityAcceptance(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"accepted_by": "Kalle Konepaja", "accepted_on": "2026-11-27"}]
        },
    )
    accepted_by: str = PydanticField(min_length=1, max_length=200)
    accepted_on: date


class Reason(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "The customer ended its business."}]},
    )
    reason: str = PydanticField(min_length=3, max_length=2000)


class AgreementAmendment(AgreementUpdate):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {"reason": "Training added to the scope", "languages": ["en"]},
            ]
        },
    }
    reason: str = Field(min_length=3, max_length=2000)


class AgreementPublic(AgreementTerms):
    id: int
    number: str
    version: int
    kind: AgreementKind
    organisation_id: int
    status: str
    decision_rule: DecisionRule
    confidentiality_clause_id: int
    confidentiality_accepted_by: str | None
    confidentiality_accepted_on: date | None
    lab_signature: Signature | None
    customer_signature: Signature | None
    supersedes_id: int | None
    amendment_reason: str | None
    terminated_on: date | None
    termination_reason: str | None
    created_at: datetime


# -- prices -------------------------------------------------------------------------------


class CostPoolSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = PydanticField(min_length=1, max_length=100)
    amount: Decimal = PydanticField(max_digits=14, decimal_places=2, description="EUR per year")
    shares: dict[str, Decimal] = PydanticField(
        description="Resource code -> fraction of this pool (the fractions add up to 1)"
    )


class ResourceSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = PydanticField(pattern=r"^[a-z0-9_]{1,32}$")
    name: str = PydanticField(min_length=1, max_length=100)
    planned_hours: Decimal = PydanticField(max_digits=8, decimal_places=1)


class PriceModel(SQLModel, table=True):
    __tablename__ = "price_model"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    year: int = Field(unique=True)
    cost_pools: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    resources: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


PRICE_MODEL_EXAMPLE: JsonDict = {
    "year": 2027,
    "cost_pools": [
        {"name": "leasing and maintenance", "amount": "60000.00", "shares": {"cmm": "1"}},
        {"name": "rent", "amount": "24000.00", "shares": {"cmm": "0.5", "bench": "0.5"}},
    ],
    "resources": [
        {"code": "cmm", "name": "CMM", "planned_hours": "800"},
        {"code": "bench", "name": "Calibration bench", "planned_hours": "600"},
    ],
}


class PriceModelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [PRICE_MODEL_EXAMPLE]})
    year: int = PydanticField(ge=2000, le=2100)
    cost_pools: list[CostPoolSpec] = PydanticField(min_length=1)
    resources: list[ResourceSpec] = PydanticField(min_length=1)


class ResourceRate(BaseModel):
    code: str
    name: str
    planned_hours: Decimal
    allocated_cost: Decimal
    hourly_rate: Decimal


class PriceModelPublic(BaseModel):
    id: int
    year: int
    cost_pools: list[CostPoolSpec]
    resources: list[ResourceRate]
    created_at: datetime


class PriceListItemSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = PydanticField(min_length=1, max_length=32)
    description_fi: str = PydanticField(min_length=1, max_length=300)
    description_en: str = PydanticField(min_length=1, max_length=300)
    service: Service
    resource: str = PydanticField(min_length=1, max_length=32)
    hours: Decimal = PydanticField(gt=0, max_digits=6, decimal_places=2)
    delivery_days: int = PydanticField(ge=0, le=250)


class PriceListItem(PriceListItemSpec):
    price: Decimal


class PriceList(SQLModel, table=True):
    __tablename__ = "price_list"
    __table_args__ = (UniqueConstraint("price_model_id", "version"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    price_model_id: int = Field(foreign_key="price_model.id", index=True)
    version: int = 1
    title: str = Field(max_length=200)
    items: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    published_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class PriceListCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "price_model_id": 1,
                    "title": "Hinnasto 2027",
                    "items": [
                        {
                            "code": "K-MIK-25",
                            "description_fi": "Ulkomikrometri 0-25 mm, kalibrointi",
                            "description_en": "External micrometer 0-25 mm, calibration",
                            "service": "calibration",
                            "resource": "bench",
                            "hours": "1.2",
                            "delivery_days": 10,
                        }
                    ],
                }
            ]
        },
    )
    price_model_id: int
    title: str = PydanticField(min_length=1, max_length=200)
    items: list[PriceListItemSpec] = PydanticField(min_length=1)


class PriceListPublic(BaseModel):
    id: int
    price_model_id: int
    version: int
    title: str
    items: list[PriceListItem]
    published_at: datetime | None
    created_at: datetime


class LabClosure(SQLModel, table=True):
    """A day the lab is closed beside the public holidays (delivery dates skip it)."""

    __tablename__ = "lab_closure"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    day: date = Field(unique=True)
    reason: str = Field(max_length=200)


class LabClosureCreate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"day": "2027-07-30", "reason": "Kesäsulku"}]},
    }
    day: date
    reason: str = Field(min_length=1, max_length=200)


# -- quotations and orders ----------------------------------------------------------------


class QuotationLineSpec(BaseModel):
    """A line from the price list (``item_code``) or hours at a resource's rate."""

    model_config = ConfigDict(extra="forbid")
    item_code: str | None = PydanticField(default=None, max_length=32)
    description: str | None = PydanticField(default=None, max_length=300)
    resource: str | None = PydanticField(default=None, max_length=32)
    hours: Decimal | None = PydanticField(default=None, gt=0, max_digits=8, decimal_places=2)
    quantity: int = PydanticField(default=1, ge=1, le=10_000)


class QuotationLine(BaseModel):
    description: str
    resource: str
    hours: Decimal
    quantity: int
    unit_price: Decimal
    line_total: Decimal
    item_code: str | None = None
    vat_rule: str = PydanticField(
        description="domestic, reverse_charge or outside_scope (lims.contracts.vat)"
    )
    vat_rate: Decimal = PydanticField(description="VAT percent charged on the line")


class Quotation(SQLModel, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    agreement_id: int | None = Field(default=None, foreign_key="agreement.id")
    price_list_id: int | None = Field(default=None, foreign_key="price_list.id")
    price_model_id: int = Field(foreign_key="price_model.id")
    service: str = Field(max_length=16)
    state: str = Field(default=QuotationState.DRAFT, max_length=16)
    lines: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    # The treatment on the quotation's date (lims.contracts.vat): the rule, the percent
    # charged, and the VAT numbers a reverse-charge document prints.
    vat_rule: str = Field(default="domestic", max_length=16)
    vat_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    customer_vat_number: str | None = Field(default=None, max_length=16)
    lab_vat_number: str | None = Field(default=None, max_length=16)
    net_total: Decimal = Field(sa_column=money_column())
    vat_amount: Decimal = Field(sa_column=money_column())
    total: Decimal = Field(sa_column=money_column())
    issued_on: date
    valid_until: date
    delivery_days: int
    customer_reference: str | None = Field(default=None, max_length=100)
    accepted_on: date | None = None
    accepted_by: str | None = Field(default=None, max_length=200)
    rejection_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class QuotationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 1,
                    "service": "calibration",
                    "issued_on": "2026-11-27",
                    "valid_until": "2026-12-31",
                    "lines": [{"item_code": "K-MIK-25", "quantity": 3}],
                    "customer_reference": "PO-4711",
                }
            ]
        },
    )
    organisation_id: int
    service: Service
    issued_on: date
    valid_until: date
    lines: list[QuotationLineSpec] = PydanticField(min_length=1, max_length=500)
    price_list_id: int | None = None
    delivery_days: int | None = PydanticField(default=None, ge=0, le=250)
    customer_reference: str | None = PydanticField(default=None, max_length=100)
    request_id: int | None = PydanticField(
        default=None, description="The customer's quotation request this quotation answers"
    )


class QuotationRejection(BaseModel):
    """The customer's decline; the reason is the customer's to give or not."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Budjetti ei riitä tänä vuonna"}]},
    )
    reason: str | None = PydanticField(default=None, min_length=3, max_length=2000)


class QuotationAcceptance(BaseModel):
    """The customer's acceptance; without an agreement it also accepts the terms (ad hoc)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "accepted_by": "Kalle Konepaja",
                    "accepted_on": "2026-11-27",
                    "customer_reference": "PO-4711",
                }
            ]
        },
    )
    accepted_by: str = PydanticField(min_length=1, max_length=200)
    accepted_on: date
    customer_reference: str | None = PydanticField(default=None, max_length=100)
    accept_terms_and_confidentiality: bool = PydanticField(
        default=False,
        description="Needed when no agreement covers the order: an ad-hoc agreement is made",
    )


class QuotationPublic(BaseModel):
    id: int
    number: str
    organisation_id: int
    agreement_id: int | None
    price_list_id: int | None
    service: Service
    status: str
    lines: list[QuotationLine]
    vat_rule: str
    vat_rate: Decimal
    customer_vat_number: str | None
    lab_vat_number: str | None
    net_total: Decimal
    vat_amount: Decimal
    total: Decimal
    issued_on: date
    valid_until: date
    delivery_days: int
    customer_reference: str | None
    accepted_on: date | None
    accepted_by: str | None
    rejection_reason: str | None


class QuotationRequest(SQLModel, table=True):
    """A customer asks for a quotation in its own words; the lab answers with a priced
    quotation (``quotation_id``), which makes the request answered."""

    __tablename__ = "quotation_request"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    service: str = Field(max_length=16)
    description: str = Field(max_length=4000)
    customer_reference: str | None = Field(default=None, max_length=100)
    requested_by_id: int = Field(foreign_key="user_account.id")
    requested_on: date
    quotation_id: int | None = Field(default=None, foreign_key="quotation.id", unique=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class QuotationRequestCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 1,
                    "service": "calibration",
                    "description": "3 ulkomikrometriä 0-25 mm ja työntömitta 0-150 mm",
                    "customer_reference": "RFQ-12",
                }
            ]
        },
    )
    organisation_id: int
    service: Service
    description: str = PydanticField(min_length=3, max_length=4000)
    customer_reference: str | None = PydanticField(default=None, max_length=100)


class QuotationRequestPublic(BaseModel):
    id: int
    organisation_id: int
    service: Service
    description: str
    customer_reference: str | None
    requested_by_id: int
    requested_on: date
    quotation_id: int | None
    status: QuotationRequestStatus


class Order(SQLModel, table=True):
    """An accepted order: the job it becomes is opened under this (jobs issue)."""

    __tablename__ = "customer_order"  # "order" is a reserved word in SQL
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    agreement_id: int = Field(foreign_key="agreement.id")
    quotation_id: int | None = Field(default=None, foreign_key="quotation.id", unique=True)
    service: str = Field(max_length=16)
    ordered_on: date
    agreed_price: Decimal | None = Field(default=None, sa_column=money_column(nullable=True))
    delivery_date: date
    customer_reference: str | None = Field(default=None, max_length=100)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class OrderCreate(BaseModel):
    """An order without a quotation (priced by the agreement's price list later)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "organisation_id": 1,
                    "service": "calibration",
                    "ordered_on": "2026-11-27",
                    "customer_reference": "PO-4712",
                }
            ]
        },
    )
    organisation_id: int
    service: Service
    ordered_on: date
    customer_reference: str | None = PydanticField(default=None, max_length=100)
    accept_terms_and_confidentiality: bool = False
    accepted_by: str | None = PydanticField(default=None, max_length=200)


class OrderPublic(BaseModel):
    id: int
    organisation_id: int
    agreement_id: int
    quotation_id: int | None
    service: Service
    ordered_on: date
    agreed_price: Decimal | None
    delivery_date: date
    customer_reference: str | None


class CostRecoveryRow(BaseModel):
    resource: str
    name: str
    allocated_cost: Decimal
    delivered: Decimal = PydanticField(description="Delivered work at its agreed price, net of VAT")
    surplus: Decimal


class PriceBasis(StrEnum):
    QUOTATION = "quotation"  # the accepted quotation's lines: the order's agreed price
    PRICE_LIST = "price_list"  # the items' price list items, from the list of the job's year


class NoPriceReason(StrEnum):
    NOT_PRICED = "not_priced"  # no quotation, and no item names a price list item
    ITEM_NOT_PRICED = "item_not_priced"  # some items name a price list item, others none
    NO_PRICE_LIST = "no_price_list"  # the job's year has no published price list
    UNKNOWN_PRICE_ITEM = "unknown_price_item"  # an item names a code the list does not have


class DeliveredJob(BaseModel):
    """A job reported in the year; ``net`` is None when nothing prices it (listed, not zero)."""

    job_id: int
    number: str
    reported_on: date
    price_basis: PriceBasis | None
    net: Decimal | None
    no_price_reason: NoPriceReason | None = None


class Pipeline(BaseModel):
    """Quotations of the year's price model not yet delivered, net of VAT, as of today."""

    accepted_not_delivered: Decimal
    accepted_count: int
    open: Decimal
    open_count: int


class CostRecovery(BaseModel):
    year: int
    rows: list[CostRecoveryRow]
    allocated_cost: Decimal
    delivered: Decimal
    surplus: Decimal
    recovery_percent: Decimal | None = PydanticField(
        description="Delivered / allocated cost, in per cent to one decimal"
    )
    jobs: list[DeliveredJob]
    pipeline: Pipeline
