"""The equipment register (ISO/IEC 17025 6.4): standards, instruments and their calibrations.

What 6.4.13 asks to be recorded lives here: identity (with software/firmware version),
manufacturer, type and serial number, location, acceptance check, calibrations with their
results, acceptance criteria and next due date, intermediate checks, and a log of maintenance,
damage, malfunction, modification and repair.  The calibration status is never stored: it is
derived from these records (``lims.equipment.status``).
"""

from datetime import date, datetime
from enum import StrEnum

from pydantic import field_validator
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from lims.accounts.models import timestamp
from lims.db import utcnow
from lims.master_text import Translations, checked


class EquipmentStatus(StrEnum):
    """What the quality manager decides; the calibration status is derived, not chosen."""

    IN_SERVICE = "in_service"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"


class CalibrationKind(StrEnum):
    EXTERNAL = "external"
    INTERNAL = "internal"


class LogEntryKind(StrEnum):
    """The events of 6.4.13 g) and h)."""

    MAINTENANCE = "maintenance"
    DAMAGE = "damage"
    MALFUNCTION = "malfunction"
    MODIFICATION = "modification"
    REPAIR = "repair"


# -- equipment -----------------------------------------------------------------------------


#: The equipment's translatable master text and its longest length.
TRANSLATABLE = {"name": 200}


class EquipmentBase(SQLModel):
    identification: str = Field(
        min_length=1, max_length=64, description="The lab's own unique identifier, e.g. GB-REF-50"
    )
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(
        min_length=1,
        max_length=64,
        description="gauge_block, cmm, ring_gauge, laser_interferometer, thermometer, ...",
    )
    manufacturer: str | None = Field(default=None, max_length=200)
    model: str | None = Field(default=None, max_length=200)
    serial_number: str | None = Field(default=None, max_length=100)
    location: str | None = Field(default=None, max_length=200)
    software_version: str | None = Field(
        default=None, max_length=100, description="Software or firmware version (6.4.13 a)"
    )
    calibration_interval_months: int = Field(
        gt=0, le=120, description="Gives the next due date of a calibration that states none"
    )
    due_soon_days: int = Field(
        default=30, ge=0, le=365, description="Days before the due date that count as due soon"
    )
    acceptance_check: str | None = Field(
        default=None,
        max_length=2000,
        description="Evidence it met the specified requirements when received (6.4.13 c)",
    )
    acceptance_criteria: str | None = Field(
        default=None,
        max_length=2000,
        description="What a calibration result must meet for the item to be fit for use",
    )
    maintenance_plan: str | None = Field(default=None, max_length=2000)
    translations: Translations = Field(
        default_factory=dict,
        sa_column=Column(JSON, nullable=False),
        description="The name in the other document languages, {language: {'name': text}}; "
        "name is the Finnish master",
    )

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations) -> Translations:
        return checked(value, TRANSLATABLE)


class Equipment(EquipmentBase, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    identification: str = Field(max_length=64, unique=True, index=True)
    # Kept as a plain string: database enum types would need a migration per new value.
    status: str = Field(default=EquipmentStatus.IN_SERVICE.value, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


EQUIPMENT_EXAMPLE: JsonDict = {
    "identification": "GB-REF-50",
    "name": "Reference gauge block 50 mm, steel, grade K",
    "kind": "gauge_block",
    "manufacturer": "Mitutoyo",
    "model": "611611-531",
    "serial_number": "0412-50",
    "location": "Length laboratory, cabinet 2",
    "calibration_interval_months": 24,
    "acceptance_criteria": "deviation from nominal within +/-0.20 um (ISO 3650 grade K)",
}


class EquipmentCreate(EquipmentBase):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [EQUIPMENT_EXAMPLE]}}
    status: EquipmentStatus = EquipmentStatus.IN_SERVICE


class EquipmentUpdate(SQLModel):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {"examples": [{"location": "CMM room", "software_version": "6.8"}]},
    }
    name: str | None = Field(default=None, min_length=1, max_length=200)
    location: str | None = Field(default=None, max_length=200)
    software_version: str | None = Field(default=None, max_length=100)
    status: EquipmentStatus | None = None
    calibration_interval_months: int | None = Field(default=None, gt=0, le=120)
    due_soon_days: int | None = Field(default=None, ge=0, le=365)
    acceptance_criteria: str | None = Field(default=None, max_length=2000)
    maintenance_plan: str | None = Field(default=None, max_length=2000)
    translations: Translations | None = None
    reason: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="Why, kept in the audit trail (the page asks one for taking an item out "
        "of service or retiring it)",
    )

    @field_validator("translations")
    @classmethod
    def _translations(cls, value: Translations | None) -> Translations | None:
        return None if value is None else checked(value, TRANSLATABLE)


class EquipmentPublic(EquipmentBase):
    id: int
    status: EquipmentStatus
    created_at: datetime
    calibration_status: str = Field(description="Derived on the day asked (today by default)")
    calibration_status_reason: str
    last_calibrated_on: date | None
    next_due_on: date | None


# -- calibrations --------------------------------------------------------------------------


class CalibrationResult(SQLModel):
    """One calibrated point of a certificate: the value found and its expanded uncertainty."""

    model_config = {"extra": "forbid"}
    quantity: str = Field(
        min_length=1, max_length=200, description="What was calibrated, e.g. 'central length'"
    )
    nominal: float | None = Field(default=None, description="Nominal size, in nominal_unit")
    nominal_unit: str | None = Field(default=None, max_length=16)
    value: float = Field(description="The value found (e.g. the deviation from nominal)")
    unit: str = Field(min_length=1, max_length=16, description="Unit of value and U")
    expanded_uncertainty: float = Field(gt=0, description="U, in unit")
    coverage_factor: float = Field(gt=0, description="k of U")


class CalibrationBase(SQLModel):
    kind: CalibrationKind
    calibrated_on: date
    calibrating_lab: str = Field(min_length=1, max_length=200)
    accreditation_body: str | None = Field(default=None, max_length=100)
    accreditation_number: str | None = Field(default=None, max_length=64)
    performed_by_nmi: bool = Field(
        default=False,
        description="The calibrating lab is a national metrology institute (top of the chain)",
    )
    traceable_to: str | None = Field(
        default=None,
        max_length=200,
        description="The national metrology institute the certificate states traceability to",
    )
    reference_equipment_id: int | None = Field(
        default=None, description="The standard used, when it is in our own register"
    )
    certificate_number: str = Field(min_length=1, max_length=100)
    fit_for_use: bool = Field(description="The decision against the acceptance criteria")
    decision_note: str | None = Field(default=None, max_length=2000)
    next_due_on: date | None = Field(
        default=None, description="Default: calibrated_on plus the equipment's interval"
    )
    certificate_to_follow: str | None = Field(
        default=None,
        min_length=1,
        max_length=500,
        description="Why the certificate file is not attached yet (e.g. the calibrating lab "
        "sends it by post): an explicit, audited gap the records bundle and the equipment "
        "page show until the file is attached",
    )


class Calibration(CalibrationBase, table=True):
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    equipment_id: int = Field(foreign_key="equipment.id", index=True)
    kind: str = Field(max_length=16)  # type: ignore[assignment]  # text column, not a DB enum
    reference_equipment_id: int | None = Field(default=None, foreign_key="equipment.id")
    results: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    next_due_on: date
    certificate_sha256: str | None = Field(default=None, max_length=64)
    certificate_filename: str | None = Field(default=None, max_length=255)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class CalibrationCreate(CalibrationBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "external",
                    "calibrated_on": "2026-03-10",
                    "calibrating_lab": "VTT MIKES Metrology",
                    "performed_by_nmi": True,
                    "certificate_number": "M-26-0412",
                    "results": [
                        {
                            "quantity": "central length deviation",
                            "nominal": 50,
                            "nominal_unit": "mm",
                            "value": 20,
                            "unit": "nm",
                            "expanded_uncertainty": 30,
                            "coverage_factor": 2,
                        }
                    ],
                    "fit_for_use": True,
                    "next_due_on": "2028-03-10",
                }
            ]
        },
    }
    results: list[CalibrationResult] = Field(
        min_length=1, description="Every certificate states at least one result with U and k"
    )


class CalibrationPublic(CalibrationBase):
    id: int
    equipment_id: int
    kind: CalibrationKind
    results: list[CalibrationResult]
    next_due_on: date
    certificate_sha256: str | None
    certificate_filename: str | None
    recorded_at: datetime


# -- intermediate checks and the equipment log -----------------------------------------------


class IntermediateCheckBase(SQLModel):
    checked_on: date
    procedure: str = Field(
        min_length=1, max_length=500, description="What was checked and against what"
    )
    observed: str | None = Field(
        default=None, max_length=500, description="What was found, with units"
    )
    value: float | None = Field(
        default=None, description="The reading as a number, in unit: its trend is charted"
    )
    unit: str | None = Field(default=None, max_length=16, description="Unit of the reading")
    lower_limit: float | None = Field(default=None, description="Smallest acceptable reading")
    upper_limit: float | None = Field(default=None, description="Largest acceptable reading")
    passed: bool
    note: str | None = Field(default=None, max_length=2000)


class IntermediateCheck(IntermediateCheckBase, table=True):
    __tablename__ = "intermediate_check"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    equipment_id: int = Field(foreign_key="equipment.id", index=True)
    checked_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    checked_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class IntermediateCheckCreate(IntermediateCheckBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "checked_on": "2026-09-01",
                    "procedure": "zero check against the 50 mm check block",
                    "observed": "+0.02 um",
                    "passed": True,
                }
            ]
        },
    }


class IntermediateCheckPublic(IntermediateCheckBase):
    id: int
    equipment_id: int
    checked_by: str
    recorded_at: datetime


class LogEntryBase(SQLModel):
    kind: LogEntryKind
    happened_on: date
    description: str = Field(min_length=1, max_length=2000)


class EquipmentLogEntry(LogEntryBase, table=True):
    __tablename__ = "equipment_log_entry"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    equipment_id: int = Field(foreign_key="equipment.id", index=True)
    kind: str = Field(max_length=32)  # type: ignore[assignment]  # text column, not a DB enum
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class LogEntryCreate(LogEntryBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "kind": "repair",
                    "happened_on": "2026-06-12",
                    "description": "probe stylus replaced after a collision; requalified",
                }
            ]
        },
    }


class LogEntryPublic(LogEntryBase):
    id: int
    equipment_id: int
    recorded_by: str
    recorded_at: datetime
