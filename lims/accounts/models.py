"""Organisations (customers), their contacts, users with roles, API tokens and login state."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import EmailStr, model_validator
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.db import UTCDateTime, utcnow


def timestamp(*, nullable: bool = False, index: bool = False) -> Column[datetime]:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Role(StrEnum):
    ADMIN = "admin"
    QUALITY_MANAGER = "quality_manager"
    TECHNICIAN = "technician"
    SIGNATORY = "signatory"
    CUSTOMER = "customer"
    AUDITOR = "auditor"


STAFF_ROLES = frozenset({Role.ADMIN, Role.QUALITY_MANAGER, Role.TECHNICIAN, Role.SIGNATORY})


class Language(StrEnum):
    FI = "fi"
    SV = "sv"
    EN = "en"
    ET = "et"


class Country(StrEnum):
    """The countries whose business identifiers the lab checks by their own rules; a
    customer may be in any country of ISO 3166-1 (``lims.accounts.countries``)."""

    FI = "FI"
    EE = "EE"


class CustomerKind(StrEnum):
    COMPANY = "company"
    RESEARCH = "research"  # a research organisation or a public body
    PERSON = "person"  # a private person: only the personal data the work needs


# -- organisations -------------------------------------------------------------------------


class OrganisationBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    kind: CustomerKind = Field(
        default=CustomerKind.COMPANY,
        description="company, research (research organisation or public body) or person "
        "(private person); decides which identifiers it has and its VAT treatment",
    )
    country: str = Field(
        min_length=2, max_length=2, description="ISO 3166-1 alpha-2 code, e.g. FI, EE, SE, NO"
    )
    business_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=32,
        description="Finnish Y-tunnus (1234567-1), Estonian registry code, or elsewhere the "
        "registry id as the customer gives it; none for a private person",
    )
    vat_number: str | None = Field(
        default=None,
        min_length=4,
        max_length=16,
        description="EU VAT number with its country prefix (FI01120389, EE100000007), checked "
        "offline against its member state's format; none for a private person",
    )
    email: EmailStr | None = Field(
        default=None, max_length=320, description="A private person's e-mail address"
    )
    language: Language = Field(default=Language.FI, description="Preferred document language")
    # The postal address its certificates and reports print (ISO/IEC 17025 7.8.2.1 e); the
    # address is in ``country`` above.
    street_address: str | None = Field(default=None, min_length=1, max_length=200)
    postal_code: str | None = Field(default=None, min_length=1, max_length=16)
    city: str | None = Field(default=None, min_length=1, max_length=100)


class Organisation(OrganisationBase, table=True):
    __audited__ = True
    __audit_organisation_field__ = "id"
    id: int | None = Field(default=None, primary_key=True)
    # Kept as plain strings: database enum types would need a migration per new value.
    kind: str = Field(default="company", max_length=16)  # type: ignore[assignment]  # text column, not a DB enum
    country: str = Field(max_length=2)
    language: str = Field(default="fi", max_length=8)  # type: ignore[assignment]  # text column, not a DB enum
    # Unique where given: both SQLite and PostgreSQL let a unique index hold many NULLs.
    business_id: str | None = Field(default=None, max_length=32, unique=True, index=True)
    vat_number: str | None = Field(default=None, max_length=16)
    email: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    # A private person's data replaced by a placeholder (lims.records.erasure).
    erased_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class OrganisationCreate(OrganisationBase):
    vat_registered: bool = Field(
        default=False,
        description="A Finnish customer registered for VAT: its VAT number is FI and the "
        "Y-tunnus digits (elsewhere give vat_number)",
    )
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "name": "Konepaja Esimerkki Oy",
                    "kind": "company",
                    "country": "FI",
                    "business_id": "0112038-9",
                    "vat_registered": True,
                    "language": "fi",
                    "street_address": "Teollisuuskatu 5",
                    "postal_code": "33100",
                    "city": "Tampere",
                },
                {
                    "name": "Näidis Tööriist OÜ",
                    "kind": "company",
                    "country": "EE",
                    "business_id": "10000356",
                    "vat_number": "EE100000007",
                    "language": "et",
                },
                {
                    "name": "Pekka Yksityinen",
                    "kind": "person",
                    "country": "FI",
                    "email": "pekka@example.fi",
                    "street_address": "Kotikatu 1",
                    "postal_code": "20100",
                    "city": "Turku",
                },
            ]
        },
    }


class OrganisationUpdate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"name": "Konepaja Esimerkki Oyj"}]},
    }
    name: str | None = Field(default=None, min_length=1, max_length=200)
    language: Language | None = None
    street_address: str | None = Field(default=None, min_length=1, max_length=200)
    postal_code: str | None = Field(default=None, min_length=1, max_length=16)
    city: str | None = Field(default=None, min_length=1, max_length=100)
    vat_number: str | None = Field(default=None, min_length=4, max_length=16)
    email: EmailStr | None = Field(default=None, max_length=320)


class OrganisationPublic(OrganisationBase):
    id: int
    created_at: datetime
    erased_at: datetime | None = None


class OrganisationErasure(SQLModel):
    """Why a private person's data is erased (GDPR art. 17), recorded in the audit trail."""

    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"reason": "Asiakkaan pyyntö 3.12.2026"}]},
    }
    reason: str = Field(min_length=3, max_length=2000)


class ContactBase(SQLModel):
    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)


class Contact(ContactBase, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True)
    email: str | None = Field(default=None, max_length=320)


class ContactCreate(ContactBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {"name": "Maija Mittaaja", "title": "Laatupäällikkö", "email": "maija@example.fi"}
            ]
        },
    }


class ContactUpdate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"title": "Tuotantopäällikkö"}]},
    }
    name: str | None = Field(default=None, min_length=1, max_length=200)
    title: str | None = Field(default=None, max_length=200)
    email: EmailStr | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)


class ContactPublic(ContactBase):
    id: int
    organisation_id: int


# -- users ---------------------------------------------------------------------------------


class User(SQLModel, table=True):
    __tablename__ = "user_account"  # "user" is a reserved word in PostgreSQL
    __audited__ = True
    __audit_redacted__ = frozenset({"password_hash"})
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64, unique=True, index=True)
    full_name: str = Field(max_length=200)
    # The person's function in the lab, printed beside their name when they sign a document.
    job_title: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    password_hash: str | None = Field(default=None, max_length=255)
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    language: str = Field(default="fi", max_length=8)
    active: bool = True
    # Raising it invalidates every access token, browser session and API token issued before.
    token_generation: int = 0
    # Set by an administrator's password reset: until the person chooses a new password, their
    # credentials reach only what changing it needs.
    must_change_password: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    deleted_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    # When the person put away the start page's first-steps hint; until then it is shown.
    first_steps_dismissed_at: datetime | None = Field(
        default=None, sa_column=timestamp(nullable=True)
    )


class UserCreate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "username": "tuomas.teknikko",
                    "full_name": "Tuomas Teknikko",
                    "email": "tuomas@lab.example",
                    "password": "kalibrointi-2026!",
                    "roles": ["technician"],
                }
            ]
        },
    }
    username: str = Field(
        max_length=256,
        description="Latin letters, digits . _ -; stored lower-cased and NFKC-normalised",
    )
    full_name: str = Field(min_length=1, max_length=200)
    job_title: str | None = Field(
        default=None, min_length=1, max_length=200, description="Printed beside a signature"
    )
    email: EmailStr | None = None
    password: str = Field(min_length=12, max_length=256)
    roles: list[Role] = Field(min_length=1)
    organisation_id: int | None = Field(default=None, description="Required for customers")
    language: Language = Language.FI


class UserUpdate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"full_name": "Tuomas Teknikko-Virtanen"}]},
    }
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    job_title: str | None = Field(default=None, min_length=1, max_length=200)
    email: EmailStr | None = None
    language: Language | None = None
    roles: list[Role] | None = Field(default=None, min_length=1)
    organisation_id: int | None = None
    active: bool | None = None

    @model_validator(mode="before")
    @classmethod
    def _password_has_its_own_routes(cls, data: Any) -> Any:
        # Said plainly rather than as an unknown field: a client sending it meant something.
        if isinstance(data, dict) and "password" in data:
            raise PydanticCustomError(
                "password_route",
                "a password is changed with POST /api/v1/auth/password giving the current "
                "one; an administrator resets another's with POST "
                "/api/v1/users/{id}/password-reset",
            )
        return data


class UserPublic(SQLModel):
    id: int
    username: str
    full_name: str
    job_title: str | None = None
    email: str | None
    roles: list[Role]
    organisation_id: int | None
    language: str
    active: bool
    must_change_password: bool = False
    created_at: datetime


# -- machine clients and login state --------------------------------------------------------


class ApiToken(SQLModel, table=True):
    """A revocable token for a machine client; only the SHA-256 of its secret is kept."""

    __tablename__ = "api_token"
    __audited__ = True
    __audit_redacted__ = frozenset({"token_hash"})
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    name: str = Field(max_length=200)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    scopes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    revoked_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    # The user's token generation when the token was made: a password or role change,
    # disabling or deleting the user raises the user's, and the token dies with it.
    token_generation: int = 0


class BrowserSession(SQLModel, table=True):
    """A signed-in browser: the cookie holds a random secret, the table its SHA-256."""

    __tablename__ = "browser_session"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    secret_hash: str = Field(max_length=64, unique=True, index=True)
    csrf_token: str = Field(max_length=64)
    token_generation: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())
    expires_at: datetime = Field(sa_column=timestamp())
    ended_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))


class LoginThrottle(SQLModel, table=True):
    """Recent failed logins under one key: a username (whether or not the account exists),
    a client address, or the two together (``lims.accounts.throttle`` names the keys)."""

    __tablename__ = "login_throttle"
    __table_args__ = (UniqueConstraint("throttle_key"),)
    id: int | None = Field(default=None, primary_key=True)
    throttle_key: str = Field(max_length=400)
    failures: int = 0
    last_failure_at: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
    locked_until: datetime | None = Field(default=None, sa_column=timestamp(nullable=True))
