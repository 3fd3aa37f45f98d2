"""Test-piece templates: the features a company machines on a standard test piece, with their
tolerances, from which a B2 job's plan is made (NAS 979, ISO 10791-7, the lab's own BAS)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


class TestPieceFeature(BaseModel):
    """One feature of the test piece: what the machine must achieve, as a characteristic."""

    model_config = ConfigDict(extra="forbid")
    label: str = PydanticField(min_length=1, max_length=100)
    kind: str = PydanticField(default="size", max_length=40)
    nominal: float | None = None
    lower_limit: float | None = None
    upper_limit: float | None = None
    unit: str = PydanticField(min_length=1, max_length=16)
    datums: str | None = PydanticField(default=None, max_length=100)


TEMPLATE_EXAMPLE: JsonDict = {
    "code": "ISO10791-7-M160",
    "name": "Finishing test piece, 160 mm (ISO 10791-7 M-type)",
    "standard": "ISO 10791-7:2020",
    "features": [
        {
            "label": "Circle diameter",
            "kind": "size",
            "nominal": 108.0,
            "lower_limit": 107.98,
            "upper_limit": 108.02,
            "unit": "mm",
        },
        {"label": "Circle roundness", "kind": "roundness", "upper_limit": 0.015, "unit": "mm"},
        {"label": "Square side flatness", "kind": "flatness", "upper_limit": 0.01, "unit": "mm"},
    ],
}


class TestPieceTemplateCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [TEMPLATE_EXAMPLE]})
    code: str = PydanticField(min_length=1, max_length=40)
    name: str = PydanticField(min_length=1, max_length=200)
    standard: str | None = PydanticField(
        default=None, max_length=100, description="NAS 979, ISO 10791-7, or the lab's own BAS"
    )
    features: list[TestPieceFeature] = PydanticField(min_length=1, max_length=500)


class TestPieceTemplate(SQLModel, table=True):
    __tablename__ = "test_piece_template"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)
    standard: str | None = Field(default=None, max_length=100)
    features: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class TestPieceTemplatePublic(TestPieceTemplateCreate):
    id: int
    created_at: datetime


class TestPiecePlan(BaseModel):
    """Plan a B2 job's test piece from a template: one characteristic per feature."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"item_id": 1, "template_id": 1, "method_id": 1}]},
    )
    item_id: int
    template_id: int
    method_id: int = PydanticField(
        description="The lab's method that measures every feature, e.g. CMM measurement"
    )
    parameters: dict[str, float] = PydanticField(
        default_factory=dict,
        description="Values of the method's parameters; each feature's size L defaults to "
        "its nominal",
    )
