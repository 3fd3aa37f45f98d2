"""Factories for training and RR-test records, made through the services."""

import itertools
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, select

from lims.accounts.models import Organisation, User
from lims.training import rr_tests, service
from lims.training.models import (
    AssessmentCreate,
    AttendanceRecord,
    CompetenceRecord,
    Completion,
    CourseCreate,
    Enrolment,
    EnrolmentCreate,
    ProgrammeCreate,
    RRTest,
    RRTestCreate,
    SessionCreate,
    TrainingCourse,
    TrainingProgramme,
    TrainingSession,
)
from lims.training.rr import RR_EXAMPLE
from tests.factories import FACTORY_ACTOR

_numbers = itertools.count(1)
STARTS = date(2026, 3, 2)


@dataclass
class Programme:
    programme: TrainingProgramme
    courses: list[TrainingCourse]
    sessions: list[TrainingSession]  # one per course, in the same order

    @property
    def id(self) -> int:
        assert self.programme.id is not None
        return self.programme.id


def make_programme(
    engine: Engine, *, courses: tuple[tuple[str, bool], ...] = (("C1", True), ("C2", False))
) -> Programme:
    """A programme with the given (code, compulsory) courses and one session of each."""
    number = next(_numbers)
    with Session(engine) as db_session:
        programme = service.create_programme(
            db_session,
            actor=FACTORY_ACTOR,
            data=ProgrammeCreate(
                code=f"KOUL-{number}",
                name_fi=f"Mittaustekniikan perusteet {number}",
                name_en=f"Basics of measurement technique {number}",
                kind="adult",
            ),
        )
        made_courses, sessions = [], []
        for code, compulsory in courses:
            course = service.add_course(
                db_session,
                actor=FACTORY_ACTOR,
                programme_id=programme.id,
                data=CourseCreate(
                    code=code,
                    title_fi=f"Kurssi {code}",
                    title_en=f"Course {code}",
                    compulsory=compulsory,
                    hours=8,
                ),
            )
            made_courses.append(course)
            sessions.append(
                service.add_session(
                    db_session,
                    actor=FACTORY_ACTOR,
                    course_id=course.id,
                    data=SessionCreate(
                        starts_on=STARTS, ends_on=STARTS, trainer_name="Tero Kouluttaja"
                    ),
                )
            )
        for record in (programme, *made_courses, *sessions):
            db_session.refresh(record)
        return Programme(programme, made_courses, sessions)


def make_enrolment(
    engine: Engine,
    programme: Programme,
    *,
    user: User | None = None,
    name: str | None = None,
    organisation: Organisation | None = None,
) -> Enrolment:
    with Session(engine) as db_session:
        return service.enrol(
            db_session,
            actor=FACTORY_ACTOR,
            data=EnrolmentCreate(
                programme_id=programme.id,
                user_id=user.id if user else None,
                participant_name=name,
                organisation_id=organisation.id if organisation else None,
                enrolled_on=date(2026, 2, 15),
            ),
        )


def attend(engine: Engine, enrolment: Enrolment, session: TrainingSession) -> None:
    with Session(engine) as db_session:
        service.record_attendance(
            db_session,
            actor=FACTORY_ACTOR,
            enrolment_id=enrolment.id,
            data=AttendanceRecord(session_id=session.id, attended=True),
        )


def assess(
    engine: Engine, enrolment: Enrolment, result: str = "pass", *, course_id: int | None = None
) -> None:
    with Session(engine) as db_session:
        service.record_assessment(
            db_session,
            actor=FACTORY_ACTOR,
            enrolment_id=enrolment.id,
            data=AssessmentCreate(
                course_id=course_id,
                assessed_on=date(2026, 3, 3),
                result=result,
                score=90 if result == "pass" else 40,
            ),
        )


def complete(engine: Engine, enrolment: Enrolment, on: date = date(2026, 3, 3)) -> Enrolment:
    with Session(engine) as db_session:
        return service.complete(
            db_session,
            actor=FACTORY_ACTOR,
            enrolment_id=enrolment.id,
            data=Completion(completed_on=on),
        )


def trained(engine: Engine, programme: Programme, **who: Any) -> Enrolment:
    """An enrolment with every session attended and the final assessment passed."""
    enrolment = make_enrolment(engine, programme, **who)
    for session in programme.sessions:
        attend(engine, enrolment, session)
    assess(engine, enrolment)
    return enrolment


def rr_test_data(**overrides: Any) -> dict[str, Any]:
    """A crossed RR test of the API's example study: operators A and B."""
    values: dict[str, Any] = {
        "title": "Mikrometrin RR-testi / RR test, micrometer",
        "performed_on": "2026-04-20",
        "measurers": [{"operator": "A", "name": "Matti"}, {"operator": "B", "name": "Anna"}],
        "study": RR_EXAMPLE,
    }
    values.update(overrides)
    return values


def make_rr_test(engine: Engine, **overrides: Any) -> RRTest:
    with Session(engine) as db_session:
        return rr_tests.record_rr_test(
            db_session,
            actor=FACTORY_ACTOR,
            data=RRTestCreate.model_validate(rr_test_data(**overrides)),
        )


def competence_record_of(engine: Engine, user: User) -> CompetenceRecord:
    """The competence record an acceptable RR test leaves for ``user`` (operator A)."""
    rr_test = make_rr_test(
        engine,
        measurers=[{"operator": "A", "user_id": user.id}, {"operator": "B", "name": "Anna"}],
    )
    with Session(engine) as db_session:
        record = db_session.exec(
            select(CompetenceRecord).where(CompetenceRecord.rr_test_id == rr_test.id)
        ).one()
        return record
