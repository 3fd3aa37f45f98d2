"""Characteristics proposed from a model, waiting for a technician to accept or reject them."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


class ProposalState(StrEnum):
    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class CharacteristicProposal(SQLModel, table=True):
    """One tolerance or dimension read from an uploaded model, as the reader found it."""

    __tablename__ = "characteristic_proposal"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    job_id: int = Field(foreign_key="job.id", index=True)
    item_id: int = Field(foreign_key="item.id")
    organisation_id: int = Field(foreign_key="organisation.id")
    source_sha256: str = Field(max_length=64)
    source_name: str = Field(max_length=255)
    source_format: str = Field(max_length=16)
    source_ref: str = Field(max_length=40)
    label: str = Field(max_length=100)
    kind: str = Field(max_length=40)
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = Field(max_length=16)
    datums: str | None = Field(default=None, max_length=100)
    extracted: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    state: str = Field(default=ProposalState.PROPOSED, max_length=16)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class ProposalPublic(BaseModel):
    id: int
    job_id: int
    item_id: int
    source_sha256: str
    source_name: str
    source_format: str
    source_ref: str
    label: str
    kind: str
    nominal: float | None
    lower_limit: float | None
    upper_limit: float | None
    unit: str
    datums: str | None
    extracted: dict[str, Any]
    state: ProposalState


class ModelUpload(BaseModel):
    """What uploading a model gave: the stored file and the proposals made from it."""

    sha256: str
    size: int
    format: str
    warnings: list[str]
    proposals: list[ProposalPublic]


class Acceptance(BaseModel):
    """The technician's review: the method that measures it, and any edits."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"method_id": 1, "label": "D20 H7 (bore)", "upper_limit": 20.021}]
        },
    )
    method_id: int | None = PydanticField(
        default=None, description="Required except in inspection jobs"
    )
    label: str | None = PydanticField(default=None, min_length=1, max_length=100)
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str | None = PydanticField(default=None, min_length=1, max_length=16)
    datums: str | None = PydanticField(default=None, max_length=100)
    parameters: dict[str, float] = PydanticField(
        default_factory=dict,
        description="Values of the method's parameters; the size L defaults to the nominal",
    )


class QifImportRow(BaseModel):
    characteristic: str
    value: float
    unit: str
    cmm_status: str
    lab_decision: str | None
    agrees: bool | None
    devices: list[str]
    note: str | None = None


class QifImport(BaseModel):
    sha256: str
    operator: str | None
    temperature: float | None
    rows: list[QifImportRow]
    unmatched: list[str]
    disagreements: int
