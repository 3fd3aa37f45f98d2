"""Demo training for the quick start: the adult course "3D measuring machine basics" with a
compulsory and an optional course, Matti Mittaaja trained and assessed by Anna
Allekirjoittaja (his completion is a competence record), a customer's employee enrolled, and
one RR test of the CMM by the two of them.  The RR readings are invented for the demo.  The
course ran about nine months, and the RR test seven, before the day the demo is loaded.
"""

from datetime import date

from sqlmodel import Session, select

from lims.accounts.models import User
from lims.accounts.principal import Principal
from lims.competence.models import Activity
from lims.db import persisted_id
from lims.demo.accounts import demo_user
from lims.demo.dates import Ago
from lims.demo.methods import demo_method
from lims.equipment import service as equipment_register
from lims.methods import service as methods
from lims.training import competence_records, rr_tests, service
from lims.training.models import (
    AssessmentCreate,
    AssessmentResult,
    AttendanceRecord,
    AuthorisationFromRecord,
    CompetenceRecord,
    Completion,
    CourseCreate,
    Enrolment,
    EnrolmentCreate,
    ProgrammeCreate,
    ProgrammeKind,
    RRTest,
    RRTestCreate,
    SessionCreate,
)

PROGRAMME = ProgrammeCreate(
    code="KOUL-3D-PERUS",
    name_fi="3D-koordinaattimittauksen perusteet",
    name_en="3D coordinate measuring machine basics",
    kind=ProgrammeKind.ADULT,
    description="Kaksi päivää mittauskoneella: koordinaatistot, anturointi, raportointi.",
)
COURSES = [
    (
        CourseCreate(
            code="CMM-1",
            title_fi="Mittauskoneen käyttö ja koordinaatistot",
            title_en="Operating the CMM and coordinate systems",
            compulsory=True,
            hours=8,
        ),
        Ago(months=9, days=1),
    ),
    (
        CourseCreate(
            code="CMM-2",
            title_fi="Vaativat mittaukset: muoto ja asema",
            title_en="Demanding measurements: form and position",
            compulsory=False,
            hours=8,
        ),
        Ago(months=9),
    ),
]
ENROLLED = Ago(months=9, days=15)
COMPLETED = Ago(months=9)  # assessed and completed on the last course day
CUSTOMER_ENROLLED = Ago(months=9, days=11)
RR_PERFORMED = Ago(months=7)
TRAINER = "allekirjoittaja"
TRAINEE = "mittaaja"
CUSTOMER_TRAINEE = "asiakas"
RR_TITLE = "CMM-01 reiän halkaisija / CMM-01 bore diameter, RR test"
# Bore diameters of five parts (mm), three readings each by operators A and B.
RR_READINGS = {
    "A": [
        (25.0121, 25.0118, 25.0124),
        (24.9922, 24.9919, 24.9925),
        (25.0209, 25.0213, 25.0207),
        (25.0031, 25.0028, 25.0034),
        (24.9851, 24.9848, 24.9853),
    ],
    "B": [
        (25.0126, 25.0122, 25.0127),
        (24.9924, 24.9928, 24.9923),
        (25.0214, 25.0211, 25.0216),
        (25.0035, 25.0033, 25.0030),
        (24.9855, 24.9852, 24.9857),
    ],
}


def load_training(db_session: Session, *, actor: Principal, today: date) -> int:
    """Create the demo training and RR test that are missing; return how many records."""
    trainer, trainee = demo_user(db_session, TRAINER), demo_user(db_session, TRAINEE)
    if trainer is None or trainee is None:
        return 0
    created = 0
    programme = service.find_programme(db_session, code=PROGRAMME.code)
    if programme is None:
        programme = service.create_programme(db_session, actor=actor, data=PROGRAMME)
        created += 1
        sessions = []
        for course_data, ago in COURSES:
            day = ago.before(today)
            course = service.add_course(
                db_session, actor=actor, programme_id=persisted_id(programme), data=course_data
            )
            sessions.append(
                service.add_session(
                    db_session,
                    actor=actor,
                    course_id=persisted_id(course),
                    data=SessionCreate(
                        starts_on=day, ends_on=day, trainer_id=trainer.id, location="Turku"
                    ),
                )
            )
            created += 2
        enrolment = service.enrol(
            db_session,
            actor=actor,
            data=EnrolmentCreate(
                programme_id=persisted_id(programme),
                user_id=trainee.id,
                enrolled_on=ENROLLED.before(today),
            ),
        )
        for session in sessions:
            service.record_attendance(
                db_session,
                actor=actor,
                enrolment_id=persisted_id(enrolment),
                data=AttendanceRecord(session_id=persisted_id(session), attended=True),
            )
        service.record_assessment(
            db_session,
            actor=actor,
            enrolment_id=persisted_id(enrolment),
            data=AssessmentCreate(
                assessed_on=COMPLETED.before(today),
                result=AssessmentResult.PASS,
                score=88,
                notes="Harjoitustyö: laipan mittaus ja raportti oikein.",
            ),
        )
        service.complete(
            db_session,
            actor=actor,
            enrolment_id=persisted_id(enrolment),
            data=Completion(completed_on=COMPLETED.before(today)),
        )
        # The enrolment, its attendances, the assessment and the competence record.
        created += 1 + len(sessions) + 1 + 1
    created += _enrol_customer(db_session, actor, persisted_id(programme), today)
    if db_session.exec(select(RRTest).where(RRTest.title == RR_TITLE)).first() is None:
        rr_test = rr_tests.record_rr_test(
            db_session, actor=actor, data=_rr_test(db_session, trainer, trainee, today)
        )
        created += 5  # the test, its two measurers and their two competence records
        created += _authorise_from_rr_test(db_session, actor, rr_test, trainee)
    return created


def _authorise_from_rr_test(
    db_session: Session, actor: Principal, rr_test: RRTest, trainee: User
) -> int:
    """The measurer performs the CMM method on the evidence of his own result in the RR test
    of that method (the route that checks the study named the method)."""
    record = db_session.exec(
        select(CompetenceRecord).where(
            CompetenceRecord.rr_test_id == rr_test.id, CompetenceRecord.user_id == trainee.id
        )
    ).one()
    competence_records.authorise_from_record(
        db_session,
        actor=actor,
        record_id=persisted_id(record),
        data=AuthorisationFromRecord(
            method_id=persisted_id(demo_method(db_session, "DIM-CMM-01")),
            activity=Activity.PERFORM,
            granted_on=record.achieved_on,
        ),
    )
    return 1


def _enrol_customer(db_session: Session, actor: Principal, programme_id: int, today: date) -> int:
    customer = demo_user(db_session, CUSTOMER_TRAINEE)
    if customer is None:
        return 0
    exists = db_session.exec(
        select(Enrolment).where(
            Enrolment.programme_id == programme_id, Enrolment.user_id == customer.id
        )
    ).first()
    if exists:
        return 0
    service.enrol(
        db_session,
        actor=actor,
        data=EnrolmentCreate(
            programme_id=programme_id,
            user_id=customer.id,
            enrolled_on=CUSTOMER_ENROLLED.before(today),
        ),
    )
    return 1


def _rr_test(db_session: Session, trainer: User, trainee: User, today: date) -> RRTestCreate:
    method = methods.find_method(db_session, code="DIM-CMM-01", version=1)
    cmm = equipment_register.find_equipment(db_session, identification="CMM-01")
    readings = [
        {"part": part, "operator": operator, "trial": trial, "value": value}
        for operator, parts in RR_READINGS.items()
        for part, values in enumerate(parts, start=1)
        for trial, value in enumerate(values, start=1)
    ]
    return RRTestCreate.model_validate(
        {
            "title": RR_TITLE,
            "performed_on": RR_PERFORMED.before(today),
            "method_id": method.id if method else None,
            "equipment_id": cmm.id if cmm else None,
            "measurers": [
                {"operator": "A", "user_id": trainee.id},
                {"operator": "B", "user_id": trainer.id},
            ],
            "study": {
                "design": "crossed",
                "measurements": readings,
                "lsl": 24.95,
                "usl": 25.05,
            },
        }
    )
