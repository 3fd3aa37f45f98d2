"""Authorisations: a person may perform, review or sign a method, granted by someone, on a
basis, from a day and until a day (ISO/IEC 17025 6.2.5 and 6.2.6)."""

from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Field, SQLModel

from lims.accounts.models import timestamp
from lims.db import utcnow


class Activity(StrEnum):
    PERFORM = "perform"
    REVIEW = "review"
    SIGN = "sign"


class Basis(StrEnum):
    TRAINING = "training"
    RR_TEST = "rr_test"
    SUPERVISED_WORK = "supervised_work"


class AuthorisationBase(SQLModel):
    method_id: int
    activity: Activity
    basis: Basis
    basis_reference: str = Field(
        min_length=1,
        max_length=500,
        description="The evidence: course, RR test result, supervised jobs",
    )
    granted_on: date
    valid_until: date | None = Field(default=None, description="Last valid day; null: no end")


class Authorisation(AuthorisationBase, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    method_id: int = Field(foreign_key="method.id", index=True)
    activity: str = Field(max_length=16)  # type: ignore[assignment]  # text column, not a DB enum
    basis: str = Field(max_length=32)  # type: ignore[assignment]  # text column, not a DB enum
    granted_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    granted_by: str = Field(max_length=64)
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = Field(default=None, max_length=2000)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())

    def valid_on(self, on_date: date) -> bool:
        if on_date < self.granted_on:
            return False
        if self.valid_until is not None and on_date > self.valid_until:
            return False
        return self.withdrawn_on is None or on_date < self.withdrawn_on


class AuthorisationCreate(AuthorisationBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "method_id": 1,
                    "activity": "perform",
                    "basis": "training",
                    "basis_reference": "course K-2026-02 and 10 supervised calibrations",
                    "granted_on": "2026-05-01",
                    "valid_until": "2028-04-30",
                }
            ]
        },
    }


class AuthorisationWithdrawal(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [{"withdrawn_on": "2026-11-27", "reason": "moved to another team"}]
        },
    }
    withdrawn_on: date
    reason: str = Field(min_length=1, max_length=2000)


class AuthorisationPublic(AuthorisationBase):
    id: int
    user_id: int
    granted_by: str
    withdrawn_on: date | None
    withdrawal_reason: str | None
    recorded_at: datetime
