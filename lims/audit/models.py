"""The audit event table: written only by the flush hook in ``lims.audit.trail``."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"
    id: int | None = Field(default=None, primary_key=True)
    occurred_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))
    actor_id: int | None = Field(default=None, index=True)
    actor: str = Field(max_length=200, description="username, or system:<what> for the CLI")
    action: str = Field(max_length=16, description="insert, update or delete")
    entity_type: str = Field(max_length=64, index=True)
    entity_id: str = Field(max_length=64, index=True)
    organisation_id: int | None = Field(default=None, index=True)
    changes: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    request_id: str | None = Field(default=None, max_length=64)
    reason: str | None = Field(default=None, max_length=2000)
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    key_id: str | None = Field(
        default=None,
        max_length=16,
        description="the audit key the hash is keyed with; None: plain SHA-256 (before 0018)",
    )


class AuditEventPublic(SQLModel):
    id: int
    occurred_at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    changes: dict[str, Any]
    request_id: str | None
    reason: str | None
    hash: str


class ChainBreak(SQLModel):
    event_id: int
    problem: str


class ChainVerification(SQLModel):
    intact: bool
    events: int
    head: str
    first_break: ChainBreak | None
