"""Tables and schemas of invoicing exports: which delivered jobs went to accounting, when,
by whom, and with the amounts and billing details as exported."""

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import Column, Numeric
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


def _money() -> Column[Decimal]:
    return Column(Numeric(14, 2), nullable=False)


class InvoicingExport(SQLModel, table=True):
    """One export of a period's delivered jobs (``LP-2026-0001``).  Cancelling it (with a
    reason) keeps the record and releases its jobs for the next export."""

    __tablename__ = "invoicing_export"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    period: str = Field(max_length=32)
    first_day: date
    last_day: date
    net_total: Decimal = Field(sa_column=_money())
    vat_total: Decimal = Field(sa_column=_money())
    gross_total: Decimal = Field(sa_column=_money())
    created_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    created_by: str = Field(max_length=200)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )
    cancelled_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    cancelled_by: str | None = Field(default=None, max_length=200)
    cancelled_at: datetime | None = Field(default=None, sa_column=Column(UTCDateTime()))
    cancellation_reason: str | None = Field(default=None, max_length=2000)


class InvoicingExportLine(SQLModel, table=True):
    """A job as it was exported: its amounts, VAT treatment and the customer's billing
    details on the day of the export, so that the record reads as accounting received it."""

    __tablename__ = "invoicing_export_line"
    id: int | None = Field(default=None, primary_key=True)
    export_id: int = Field(foreign_key="invoicing_export.id", index=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    job_number: str = Field(max_length=32)
    delivered_on: date
    price_basis: str = Field(max_length=16)
    quotation_number: str | None = Field(default=None, max_length=32)
    customer_reference: str | None = Field(default=None, max_length=100)
    organisation_id: int = Field(foreign_key="organisation.id")
    customer_name: str = Field(max_length=200)
    business_id: str | None = Field(default=None, max_length=32)
    vat_number: str | None = Field(default=None, max_length=16)
    street_address: str | None = Field(default=None, max_length=200)
    postal_code: str | None = Field(default=None, max_length=16)
    city: str | None = Field(default=None, max_length=100)
    country: str = Field(max_length=2)
    billing_email: str | None = Field(default=None, max_length=320)
    vat_rule: str = Field(max_length=16)
    vat_rate: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    vat_statement: str | None = Field(default=None, max_length=32)
    net: Decimal = Field(sa_column=_money())
    vat: Decimal = Field(sa_column=_money())
    gross: Decimal = Field(sa_column=_money())


class ExportRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"period": "2026-11"}]}
    )
    period: str = PydanticField(
        min_length=1,
        max_length=32,
        description="A month (2026-11), a quarter (2026-Q4), a year (2026) or days "
        "(2026-11-01..2026-11-15), on the lab's calendar",
    )


class ExportCancellation(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Exported before the price was corrected."}]},
    )
    reason: str = PydanticField(min_length=3, max_length=2000)


class BasisLine(BaseModel):
    """A delivered job at its agreed price, with its VAT and the customer's billing details."""

    job_id: int
    job_number: str
    delivered_on: date
    price_basis: str
    quotation_number: str | None
    customer_reference: str | None
    organisation_id: int
    customer_name: str
    business_id: str | None
    vat_number: str | None
    street_address: str | None
    postal_code: str | None
    city: str | None
    country: str
    billing_email: str | None
    vat_rule: str
    vat_rate: Decimal
    vat_statement: str | None
    net: Decimal
    vat: Decimal
    gross: Decimal


class UnpricedJob(BaseModel):
    """A delivered job nothing prices: not exported until it has a price."""

    job_id: int
    job_number: str
    delivered_on: date
    reason: str


class InvoicingBasis(BaseModel):
    """A period's delivered jobs not yet exported: what an export would take (a dry run)."""

    period: str
    first_day: date
    last_day: date
    lines: list[BasisLine]
    unpriced: list[UnpricedJob]
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal


class ExportPublic(BaseModel):
    id: int
    number: str
    status: str = PydanticField(description="exported or cancelled")
    period: str
    first_day: date
    last_day: date
    job_count: int
    net_total: Decimal
    vat_total: Decimal
    gross_total: Decimal
    created_by: str
    created_at: datetime
    cancelled_by: str | None
    cancelled_at: datetime | None
    cancellation_reason: str | None
    lines: list[BasisLine] | None = PydanticField(
        default=None, description="The jobs as exported (one export's answer only)"
    )
    unpriced: list[UnpricedJob] | None = PydanticField(
        default=None, description="Delivered jobs of the period left out for want of a price"
    )
