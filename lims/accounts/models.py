"""Organisations: the lab's customers."""

from datetime import datetime

from sqlalchemy import Column
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    business_id: str = Field(
        max_length=32, description="Finnish Y-tunnus or Estonian registry code"
    )
    country: str = Field(min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code")
    language: str = Field(default="fi", max_length=8, description="Preferred document language")


class Organisation(OrganisationBase, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: str = Field(max_length=32, unique=True, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(UTCDateTime(), nullable=False)
    )


class OrganisationPublic(OrganisationBase):
    id: int
    created_at: datetime
