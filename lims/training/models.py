"""Training (ISO/IEC 17025 6.2.2, 6.2.5): programmes with their compulsory and optional
courses, sessions with dates and trainers, enrolments of the lab's staff and of customers'
staff, attendance, assessment and completion; the competence records that completions and RR
tests leave; and RR-test records, which tie a measurement system study to its measurers, the
method and the instrument."""

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from pydantic.json_schema import JsonDict
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from lims.accounts.models import timestamp
from lims.competence.models import Activity
from lims.db import utcnow
from lims.training.rr.schemas import RR_EXAMPLE, RRRequest


class ProgrammeKind(StrEnum):
    DEGREE = "degree"  # part of a degree: engineering measurements, calibration, apprenticeship
    ADULT = "adult"  # adult training and coaching for companies


class EnrolmentState(StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


class AssessmentResult(StrEnum):
    PASS = "pass"
    FAIL = "fail"


class CompetenceSource(StrEnum):
    TRAINING = "training"
    RR_TEST = "rr_test"


class RRTestOutcome(StrEnum):
    ACCEPTABLE = "acceptable"
    CONDITIONALLY_ACCEPTABLE = "conditionally_acceptable"
    NOT_ACCEPTABLE = "not_acceptable"


# -- programmes and courses -----------------------------------------------------------------


class ProgrammeBase(SQLModel):
    code: str = Field(min_length=1, max_length=32, description="e.g. KOUL-3D-PERUS")
    name_fi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    kind: ProgrammeKind
    description: str = Field(default="", max_length=4000)


class TrainingProgramme(ProgrammeBase, table=True):
    __tablename__ = "training_programme"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32, unique=True)
    kind: str = Field(max_length=16)  # type: ignore[assignment]  # text column, not a DB enum
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class ProgrammeCreate(ProgrammeBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "code": "KOUL-3D-PERUS",
                    "name_fi": "3D-koordinaattimittauksen perusteet",
                    "name_en": "3D coordinate measuring machine basics",
                    "kind": "adult",
                    "description": "Two days on the CMM: probing, alignment, reporting.",
                }
            ]
        },
    }


class CourseBase(SQLModel):
    code: str = Field(min_length=1, max_length=32)
    title_fi: str = Field(min_length=1, max_length=200)
    title_en: str = Field(min_length=1, max_length=200)
    compulsory: bool = Field(default=True, description="Compulsory for completion, or optional")
    hours: float | None = Field(default=None, gt=0, le=2000)


class TrainingCourse(CourseBase, table=True):
    __tablename__ = "training_course"
    __table_args__ = (UniqueConstraint("programme_id", "code"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="training_programme.id", index=True)


class CourseCreate(CourseBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "code": "CMM-1",
                    "title_fi": "Mittauskoneen käyttö ja koordinaatistot",
                    "title_en": "Operating the CMM and coordinate systems",
                    "compulsory": True,
                    "hours": 8,
                }
            ]
        },
    }


class CoursePublic(CourseBase):
    id: int
    programme_id: int


class SessionBase(SQLModel):
    starts_on: date
    ends_on: date
    trainer_id: int | None = Field(default=None, description="A user of the lab, or null")
    trainer_name: str | None = Field(
        default=None, max_length=200, description="An outside trainer; null: the user's name"
    )
    location: str = Field(default="", max_length=200)


class TrainingSession(SessionBase, table=True):
    __tablename__ = "training_session"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(foreign_key="training_course.id", index=True)
    trainer_id: int | None = Field(default=None, foreign_key="user_account.id")
    trainer_name: str = Field(max_length=200)


class SessionCreate(SessionBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "starts_on": "2026-03-02",
                    "ends_on": "2026-03-03",
                    "trainer_id": None,
                    "trainer_name": "Tero Kouluttaja",
                    "location": "Turku, mittaushalli",
                }
            ]
        },
    }


class SessionPublic(SessionBase):
    id: int
    course_id: int
    trainer_name: str


class ProgrammePublic(ProgrammeBase):
    id: int
    active: bool
    created_at: datetime
    courses: list[CoursePublic] = PydanticField(default_factory=list)
    sessions: list[SessionPublic] = PydanticField(default_factory=list)


# -- enrolments, attendance, assessment, completion -----------------------------------------


class EnrolmentBase(SQLModel):
    programme_id: int
    user_id: int | None = Field(default=None, description="The trainee's user, if they have one")
    participant_name: str | None = Field(
        default=None, max_length=200, description="The trainee's name; null: the user's name"
    )
    organisation_id: int | None = Field(
        default=None, description="The customer whose staff the trainee is; null: the lab's own"
    )
    enrolled_on: date


class Enrolment(EnrolmentBase, table=True):
    __tablename__ = "training_enrolment"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    programme_id: int = Field(foreign_key="training_programme.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="user_account.id", index=True)
    participant_name: str = Field(max_length=200)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    state: str = Field(default=EnrolmentState.ENROLLED.value, max_length=16)
    completed_on: date | None = None
    completion_confirmed_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    completion_confirmed_by: str | None = Field(default=None, max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class EnrolmentCreate(EnrolmentBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "programme_id": 1,
                    "user_id": None,
                    "participant_name": "Eeva Esimerkki",
                    "organisation_id": 1,
                    "enrolled_on": "2026-02-15",
                }
            ]
        },
    }


class Attendance(SQLModel, table=True):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("enrolment_id", "session_id"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="training_enrolment.id", index=True)
    session_id: int = Field(foreign_key="training_session.id")
    attended: bool
    recorded_by: str = Field(max_length=64)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class AttendanceRecord(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"session_id": 1, "attended": True}]}
    )
    session_id: int
    attended: bool


class AttendancePublic(BaseModel):
    id: int
    session_id: int
    attended: bool
    recorded_by: str
    recorded_at: datetime


class AssessmentBase(SQLModel):
    course_id: int | None = Field(
        default=None, description="A course's assessment; null: the programme's final one"
    )
    assessed_on: date
    result: AssessmentResult
    score: float | None = Field(default=None, ge=0, le=100, description="Per cent, if scored")
    notes: str = Field(default="", max_length=2000)


class Assessment(AssessmentBase, table=True):
    __tablename__ = "training_assessment"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    enrolment_id: int = Field(foreign_key="training_enrolment.id", index=True)
    course_id: int | None = Field(default=None, foreign_key="training_course.id")
    result: str = Field(max_length=8)  # type: ignore[assignment]  # text column, not a DB enum
    assessor_id: int | None = Field(default=None, foreign_key="user_account.id")
    assessor: str = Field(max_length=200)
    recorded_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class AssessmentCreate(AssessmentBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "course_id": None,
                    "assessed_on": "2026-03-03",
                    "result": "pass",
                    "score": 86,
                    "notes": "Practical test on the CMM: alignment and report correct.",
                }
            ]
        },
    }


class AssessmentPublic(AssessmentBase):
    id: int
    assessor: str
    recorded_at: datetime


class Completion(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"completed_on": "2026-03-03"}]}
    )
    completed_on: date


class EnrolmentPublic(EnrolmentBase):
    id: int
    participant_name: str
    state: EnrolmentState
    completed_on: date | None
    completion_confirmed_by: str | None
    attendance: list[AttendancePublic] = PydanticField(default_factory=list)
    assessments: list[AssessmentPublic] = PydanticField(default_factory=list)


# -- competence records ---------------------------------------------------------------------


class CompetenceRecord(SQLModel, table=True):
    """Evidence of a staff member's competence: a completed programme or an RR test.

    A record is evidence only: an authorisation is still granted by a person
    (lims.competence), citing the record as its basis.
    """

    __tablename__ = "competence_record"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    source: str = Field(max_length=16)
    enrolment_id: int | None = Field(default=None, foreign_key="training_enrolment.id")
    rr_test_id: int | None = Field(default=None, foreign_key="rr_test.id")
    method_id: int | None = Field(
        default=None, foreign_key="method.id", description="The method an RR test names"
    )
    description: str = Field(max_length=500)
    achieved_on: date
    supports_authorisation: bool = Field(
        description="False for an RR test whose outcome, or the operator's own, was not acceptable"
    )
    basis: dict[str, Any] | None = Field(
        default=None,
        sa_column=Column(JSON),
        description="An RR test's: the study, the method, the operator's figures and the limits",
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class CompetenceRecordPublic(BaseModel):
    id: int
    user_id: int
    source: CompetenceSource
    enrolment_id: int | None
    rr_test_id: int | None
    method_id: int | None
    description: str
    achieved_on: date
    supports_authorisation: bool
    basis: dict[str, Any] | None
    created_at: datetime


class AuthorisationFromRecord(BaseModel):
    """What the person granting the authorisation decides; the basis comes from the record."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "method_id": 1,
                    "activity": "perform",
                    "granted_on": "2026-05-01",
                    "valid_until": "2028-04-30",
                }
            ]
        },
    )
    method_id: int
    activity: Activity
    granted_on: date
    valid_until: date | None = None


# -- RR tests -------------------------------------------------------------------------------


class AcceptanceCriteria(BaseModel):
    """The lab's acceptance criteria for an RR test (defaults: AIAG MSA 4th ed., VDA 5)."""

    model_config = ConfigDict(extra="forbid")
    grr_basis: str = PydanticField(
        default="study_variation",
        pattern="^(study_variation|tolerance)$",
        description="%GRR of the study variation or of the tolerance",
    )
    grr_acceptable_below: float = PydanticField(default=10, gt=0, le=100)
    grr_conditional_below: float = PydanticField(default=30, gt=0, le=100)
    ndc_minimum: int = PydanticField(default=5, ge=1)
    cg_minimum: float = PydanticField(default=1.33, gt=0)
    cgk_minimum: float = PydanticField(default=1.33, gt=0)
    significance: float = PydanticField(
        default=0.05, gt=0, lt=1, description="Linearity: slope and intercept tested at this"
    )


class MeasurerSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    operator: str | None = PydanticField(
        default=None, max_length=100, description="The operator label in the study's data"
    )
    user_id: int | None = None
    name: str | None = PydanticField(
        default=None, max_length=200, description="The measurer's name when not a user"
    )


RR_TEST_EXAMPLE: JsonDict = {
    "title": "Ulkomikrometrin RR-testi / RR test, external micrometer",
    "performed_on": "2026-04-20",
    "method_id": 1,
    "equipment_id": 1,
    "organisation_id": None,
    "enrolment_id": None,
    "measurers": [{"operator": "A", "name": "Matti Mittaaja"}, {"operator": "B", "name": "Anna"}],
    "study": RR_EXAMPLE,
    "acceptance": {"grr_acceptable_below": 10, "grr_conditional_below": 30, "ndc_minimum": 5},
}


class RRTestCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RR_TEST_EXAMPLE]})
    title: str = PydanticField(min_length=1, max_length=200)
    performed_on: date
    method_id: int | None = None
    equipment_id: int | None = PydanticField(default=None, description="The instrument studied")
    organisation_id: int | None = PydanticField(
        default=None, description="The customer whose staff measured; null: the lab's own"
    )
    enrolment_id: int | None = PydanticField(
        default=None, description="The training enrolment the RR test belongs to"
    )
    measurers: list[MeasurerSpec] = PydanticField(min_length=1, max_length=50)
    study: RRRequest
    acceptance: AcceptanceCriteria = PydanticField(default_factory=AcceptanceCriteria)


class RRTest(SQLModel, table=True):
    __tablename__ = "rr_test"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    number: str = Field(max_length=32, unique=True)
    title: str = Field(max_length=200)
    performed_on: date
    design: str = Field(max_length=16)
    method_id: int | None = Field(default=None, foreign_key="method.id", index=True)
    equipment_id: int | None = Field(default=None, foreign_key="equipment.id", index=True)
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    enrolment_id: int | None = Field(default=None, foreign_key="training_enrolment.id")
    request: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    result: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    acceptance: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    grr_percent: float | None = None
    ndc: int | None = None
    outcome: str = Field(max_length=32)
    outcome_reason: str = Field(max_length=500)
    recorded_by_id: int | None = Field(default=None, foreign_key="user_account.id")
    recorded_by: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class RRTestMeasurer(SQLModel, table=True):
    __tablename__ = "rr_test_measurer"
    __table_args__ = (UniqueConstraint("rr_test_id", "operator_label"),)
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    rr_test_id: int = Field(foreign_key="rr_test.id", index=True)
    operator_label: str | None = Field(default=None, max_length=100)
    user_id: int | None = Field(default=None, foreign_key="user_account.id")
    name: str = Field(max_length=200)
    outcome: str | None = Field(default=None, max_length=32)
    figures: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))


class MeasurerPublic(BaseModel):
    operator: str | None
    user_id: int | None
    name: str
    outcome: RRTestOutcome | None = PydanticField(
        default=None, description="The operator judged on their own figures"
    )
    figures: dict[str, Any] | None = PydanticField(
        default=None, description="The operator's repeatability, bias and the reason"
    )


class OperatorLimitsBase(SQLModel):
    """The lab's limits for judging each operator of an RR test of one method, in per cent."""

    repeatability_acceptable_below: float = Field(
        default=10, gt=0, le=100, description="%EV of the operator, as the study's %GRR basis"
    )
    repeatability_conditional_below: float = Field(default=30, gt=0, le=100)
    bias_acceptable_below: float = Field(
        default=10, gt=0, le=100, description="|bias| of the operator as % of the tolerance"
    )


class RROperatorLimit(OperatorLimitsBase, table=True):
    __tablename__ = "rr_operator_limit"
    __audited__ = True
    id: int | None = Field(default=None, primary_key=True)
    method_id: int = Field(foreign_key="method.id", unique=True)
    set_by: str = Field(max_length=64)
    set_at: datetime = Field(default_factory=utcnow, sa_column=timestamp())


class OperatorLimitsUpdate(OperatorLimitsBase):
    model_config = {
        "extra": "forbid",
        "json_schema_extra": {
            "examples": [
                {
                    "repeatability_acceptable_below": 10,
                    "repeatability_conditional_below": 20,
                    "bias_acceptable_below": 10,
                }
            ]
        },
    }


class OperatorLimitsPublic(OperatorLimitsBase):
    method_id: int
    source: str = PydanticField(description="The lab's, or the defaults and their source")


class RRTestPublic(BaseModel):
    id: int
    number: str
    title: str
    performed_on: date
    design: str
    method_id: int | None
    equipment_id: int | None
    organisation_id: int | None
    enrolment_id: int | None
    measurers: list[MeasurerPublic]
    grr_percent: float | None
    ndc: int | None
    outcome: RRTestOutcome
    outcome_reason: str
    acceptance: dict[str, Any]
    recorded_by: str
    created_at: datetime
    charts: list[str] = PydanticField(description="Chart names for .../charts/{chart}.svg")
    evaluation: dict[str, Any] = PydanticField(description="The full evaluation, as evaluate")
