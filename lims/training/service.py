"""Rules of training: programmes and their courses and sessions, enrolments of the lab's staff
and of customers' staff, attendance, assessment and completion.

The quality manager (or an admin) keeps the programmes and enrols and completes trainees;
any member of staff who trains records attendance and assessments; auditors read
everything; a customer reads the enrolments of its own staff only.  Completing a staff
member's programme leaves a competence record (lims.training.competence_records), which can
be cited when a person grants an authorisation.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from lims.accounts.models import STAFF_ROLES, Organisation, Role, User
from lims.accounts.principal import Principal, require_role, visible_to
from lims.audit.trail import save, set_context
from lims.db import persisted_id
from lims.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lims.i18n import N_
from lims.reasons import Reason
from lims.training.models import (
    Assessment,
    AssessmentCreate,
    AssessmentPublic,
    AssessmentResult,
    Attendance,
    AttendancePublic,
    AttendanceRecord,
    CompetenceRecord,
    CompetenceSource,
    Completion,
    CourseCreate,
    CoursePublic,
    Enrolment,
    EnrolmentCreate,
    EnrolmentPublic,
    EnrolmentState,
    ProgrammeCreate,
    ProgrammePublic,
    SessionCreate,
    SessionPublic,
    TrainingCourse,
    TrainingProgramme,
    TrainingSession,
)

READERS = (*STAFF_ROLES, Role.AUDITOR)
MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)
TRAINERS = tuple(STAFF_ROLES)


def save_all(db_session: Session, actor: Principal, records: Iterable[object]) -> None:
    """Write several records as one change: all with their audit events, or none."""
    set_context(db_session, actor.audit_context())
    for record in records:
        db_session.add(record)
    db_session.commit()


# -- programmes, courses, sessions ----------------------------------------------------------


def list_programmes(db_session: Session, *, actor: Principal) -> list[TrainingProgramme]:
    require_role(actor, *READERS, doing="read the training programmes")
    return list(db_session.exec(select(TrainingProgramme).order_by(col(TrainingProgramme.code))))


def get_programme(db_session: Session, *, actor: Principal, programme_id: int) -> TrainingProgramme:
    require_role(actor, *READERS, doing="read the training programmes")
    programme = db_session.get(TrainingProgramme, programme_id)
    if programme is None:
        raise NotFound(
            "training programme %(programme_id)s does not exist",
            code="training.training_programme_does_exist",
            programme_id=programme_id,
        )
    return programme


def find_programme(db_session: Session, *, code: str) -> TrainingProgramme | None:
    return db_session.exec(select(TrainingProgramme).where(TrainingProgramme.code == code)).first()


def courses_of(db_session: Session, programme_id: int) -> list[TrainingCourse]:
    return list(
        db_session.exec(
            select(TrainingCourse)
            .where(TrainingCourse.programme_id == programme_id)
            .order_by(col(TrainingCourse.id))
        )
    )


def sessions_of(db_session: Session, programme_id: int) -> list[TrainingSession]:
    return list(
        db_session.exec(
            select(TrainingSession)
            .join(TrainingCourse, col(TrainingCourse.id) == col(TrainingSession.course_id))
            .where(TrainingCourse.programme_id == programme_id)
            .order_by(col(TrainingSession.starts_on), col(TrainingSession.id))
        )
    )


def describe_programme(db_session: Session, programme: TrainingProgramme) -> ProgrammePublic:
    programme_id = persisted_id(programme)
    return ProgrammePublic.model_validate(
        programme,
        from_attributes=True,
        update={
            "courses": [
                CoursePublic.model_validate(c, from_attributes=True)
                for c in courses_of(db_session, programme_id)
            ],
            "sessions": [
                SessionPublic.model_validate(s, from_attributes=True)
                for s in sessions_of(db_session, programme_id)
            ],
        },
    )


def create_programme(
    db_session: Session, *, actor: Principal, data: ProgrammeCreate
) -> TrainingProgramme:
    require_role(actor, *MANAGERS, doing="define training programmes")
    if find_programme(db_session, code=data.code):
        raise Conflict(
            "a training programme %(data)s exists already",
            code="training.training_programme_exists_already",
            data=data.code,
            location=("code",),
        )
    return save(db_session, actor.audit_context(), TrainingProgramme.model_validate(data))


def add_course(
    db_session: Session, *, actor: Principal, programme_id: int, data: CourseCreate
) -> TrainingCourse:
    require_role(actor, *MANAGERS, doing="define training courses")
    programme = get_programme(db_session, actor=actor, programme_id=programme_id)
    if any(course.code == data.code for course in courses_of(db_session, programme_id)):
        raise Conflict(
            "programme %(programme)s has a course %(data)s already",
            code="training.programme_has_course_already",
            programme=programme.code,
            data=data.code,
            location=("code",),
        )
    course = TrainingCourse.model_validate(data, update={"programme_id": programme_id})
    return save(db_session, actor.audit_context(), course)


def add_session(
    db_session: Session, *, actor: Principal, course_id: int, data: SessionCreate
) -> TrainingSession:
    require_role(actor, *MANAGERS, doing="schedule training sessions")
    if db_session.get(TrainingCourse, course_id) is None:
        raise NotFound(
            "training course %(course_id)s does not exist",
            code="training.training_course_does_exist",
            course_id=course_id,
        )
    if data.ends_on < data.starts_on:
        raise InvalidInput(
            "a session cannot end before it starts",
            code="training.session_cannot_end_before_starts",
            location=("ends_on",),
        )
    trainer_name = data.trainer_name
    if data.trainer_id is not None:
        trainer = _active_user(db_session, data.trainer_id, location="trainer_id")
        trainer_name = trainer_name or trainer.full_name
    if not trainer_name:
        raise InvalidInput(
            "name the trainer: a user of the lab (trainer_id) or an outside trainer's name",
            code="training.name_trainer_user_lab_trainer",
            location=("trainer_name",),
        )
    session = TrainingSession.model_validate(
        data, update={"course_id": course_id, "trainer_name": trainer_name}
    )
    return save(db_session, actor.audit_context(), session)


# -- enrolments -----------------------------------------------------------------------------


def enrol(db_session: Session, *, actor: Principal, data: EnrolmentCreate) -> Enrolment:
    require_role(actor, *MANAGERS, doing="enrol trainees")
    programme = db_session.get(TrainingProgramme, data.programme_id)
    if programme is None or not programme.active:
        raise InvalidInput(
            "training programme %(programme_id)s does not exist or is closed",
            code="training.training_programme_does_exist_closed",
            programme_id=data.programme_id,
            location=("programme_id",),
        )
    name, organisation_id = data.participant_name, data.organisation_id
    if data.user_id is not None:
        user = _active_user(db_session, data.user_id, location="user_id")
        name = name or user.full_name
        if Role.CUSTOMER in user.roles:
            if organisation_id not in (None, user.organisation_id):
                raise InvalidInput(
                    "%(user)s is staff of organisation %(organisation_id)s, not of "
                    "%(organisation_id2)s",
                    code="training.staff_organisation",
                    user=user.username,
                    organisation_id=user.organisation_id,
                    organisation_id2=organisation_id,
                    location=("organisation_id",),
                )
            organisation_id = user.organisation_id
    if not name:
        raise InvalidInput(
            "name the trainee: their user (user_id) or their name",
            code="training.name_trainee_their_user_user",
            location=("participant_name",),
        )
    if organisation_id is not None and db_session.get(Organisation, organisation_id) is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=organisation_id,
            location=("organisation_id",),
        )
    enrolment = Enrolment.model_validate(
        data, update={"participant_name": name, "organisation_id": organisation_id}
    )
    return save(db_session, actor.audit_context(), enrolment)


def list_enrolments(
    db_session: Session, *, actor: Principal, programme_id: int | None = None
) -> list[Enrolment]:
    """Every enrolment for the lab and auditors; a customer's own staff's for a customer."""
    query = select(Enrolment).order_by(col(Enrolment.enrolled_on), col(Enrolment.id))
    if programme_id is not None:
        query = query.where(Enrolment.programme_id == programme_id)
    if not actor.reads_everything:
        if not actor.is_customer or actor.organisation_id is None:
            raise PermissionDenied(
                "only the lab's staff, auditors and customers read enrolments",
                code="training.only_lab_staff_auditors_customers_2",
            )
        query = query.where(Enrolment.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_enrolment(db_session: Session, *, actor: Principal, enrolment_id: int) -> Enrolment:
    return visible_to(actor, db_session.get(Enrolment, enrolment_id), f"enrolment {enrolment_id}")


def describe_enrolment(db_session: Session, enrolment: Enrolment) -> EnrolmentPublic:
    return EnrolmentPublic.model_validate(
        enrolment,
        from_attributes=True,
        update={
            "attendance": [
                AttendancePublic.model_validate(a, from_attributes=True)
                for a in attendance_of(db_session, enrolment)
            ],
            "assessments": [
                AssessmentPublic.model_validate(a, from_attributes=True)
                for a in assessments_of(db_session, enrolment)
            ],
        },
    )


def attendance_of(db_session: Session, enrolment: Enrolment) -> list[Attendance]:
    return list(
        db_session.exec(
            select(Attendance)
            .where(Attendance.enrolment_id == enrolment.id)
            .order_by(col(Attendance.id))
        )
    )


def assessments_of(db_session: Session, enrolment: Enrolment) -> list[Assessment]:
    return list(
        db_session.exec(
            select(Assessment)
            .where(Assessment.enrolment_id == enrolment.id)
            .order_by(col(Assessment.assessed_on), col(Assessment.id))
        )
    )


# -- attendance, assessment, completion -----------------------------------------------------


def record_attendance(
    db_session: Session, *, actor: Principal, enrolment_id: int, data: AttendanceRecord
) -> Attendance:
    require_role(actor, *TRAINERS, doing="record attendance")
    enrolment = _open_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    session = db_session.get(TrainingSession, data.session_id)
    course = db_session.get(TrainingCourse, session.course_id) if session else None
    if course is None or course.programme_id != enrolment.programme_id:
        raise InvalidInput(
            "session %(session_id)s is not a session of this enrolment's programme",
            code="training.session_session_enrolment_programme",
            session_id=data.session_id,
            location=("session_id",),
        )
    attendance = db_session.exec(
        select(Attendance).where(
            Attendance.enrolment_id == enrolment_id, Attendance.session_id == data.session_id
        )
    ).first() or Attendance(
        enrolment_id=enrolment_id,
        session_id=data.session_id,
        attended=data.attended,
        recorded_by="",
    )
    attendance.attended = data.attended
    attendance.recorded_by = actor.username
    return save(db_session, actor.audit_context(), attendance)


def record_assessment(
    db_session: Session, *, actor: Principal, enrolment_id: int, data: AssessmentCreate
) -> Assessment:
    require_role(actor, *TRAINERS, doing="record assessments")
    enrolment = _open_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    if data.course_id is not None:
        course = db_session.get(TrainingCourse, data.course_id)
        if course is None or course.programme_id != enrolment.programme_id:
            raise InvalidInput(
                "course %(course_id)s is not a course of this enrolment's programme",
                code="training.course_course_enrolment_programme",
                course_id=data.course_id,
                location=("course_id",),
            )
    if data.assessed_on < enrolment.enrolled_on:
        raise InvalidInput(
            "the assessment cannot precede the enrolment on %(enrolled_on)s",
            code="training.assessment_cannot_precede_enrolment",
            enrolled_on=enrolment.enrolled_on,
            location=("assessed_on",),
        )
    assessor = db_session.get(User, actor.user_id) if actor.user_id is not None else None
    assessment = Assessment.model_validate(
        data,
        update={
            "enrolment_id": enrolment_id,
            "assessor_id": actor.user_id,
            "assessor": assessor.full_name if assessor else actor.username,
        },
    )
    return save(db_session, actor.audit_context(), assessment)


def complete(
    db_session: Session, *, actor: Principal, enrolment_id: int, data: Completion
) -> Enrolment:
    """Confirm a completion: every compulsory course attended and the final assessment
    passed.  A staff member's completion leaves a competence record."""
    require_role(actor, *MANAGERS, doing="confirm completions")
    set_context(db_session, actor.audit_context())
    enrolment = _open_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    programme = db_session.get_one(TrainingProgramme, enrolment.programme_id)
    missing = missing_for_completion(db_session, enrolment)
    if missing:
        # The shortfalls are listed on the enrolment in the reader's words; API clients get
        # them in English as the problem's `missing` member.
        refusal = InvalidInput(
            "%(participant_name)s has not completed %(programme)s (%(count)s requirements "
            "still missing)",
            code="training.has_completed",
            participant_name=enrolment.participant_name,
            programme=programme.code,
            count=len(missing),
            location=("completed_on",),
        )
        refusal.extensions = {"missing": [str(item) for item in missing]}
        raise refusal
    if data.completed_on < enrolment.enrolled_on:
        raise InvalidInput(
            "completion cannot precede the enrolment on %(enrolled_on)s",
            code="training.completion_cannot_precede_enrolment",
            enrolled_on=enrolment.enrolled_on,
            location=("completed_on",),
        )
    enrolment.state = EnrolmentState.COMPLETED.value
    enrolment.completed_on = data.completed_on
    enrolment.completion_confirmed_by_id = actor.user_id
    enrolment.completion_confirmed_by = actor.username
    records: list[object] = [enrolment]
    user = db_session.get(User, enrolment.user_id) if enrolment.user_id else None
    if user is not None and set(user.roles) & STAFF_ROLES:
        records.append(
            CompetenceRecord(
                user_id=persisted_id(user),
                source=CompetenceSource.TRAINING.value,
                enrolment_id=enrolment.id,
                # In the lab's own language, as its records are (lims.training.rr_tests).
                description=f"koulutus {programme.code} ({programme.name_fi}) suoritettu "
                f"{data.completed_on:%-d.%-m.%Y}, ilmoittautuminen {enrolment.id}",
                achieved_on=data.completed_on,
                supports_authorisation=True,
            )
        )
    save_all(db_session, actor, records)
    db_session.refresh(enrolment)
    return enrolment


@dataclass(frozen=True)
class Shortfall:
    """One thing still between an enrolment and its completion: an English template (marked
    for the UI's catalog, which words it in the reader's language) and its course and day."""

    template: str
    course: str | None = None
    on: date | None = None

    def __str__(self) -> str:
        return self.template % {"course": self.course, "on": self.on}


def missing_for_completion(db_session: Session, enrolment: Enrolment) -> list[Shortfall]:
    """What still stands between an enrolment and its completion."""
    courses = courses_of(db_session, enrolment.programme_id)
    sessions = {s.id: s for s in sessions_of(db_session, enrolment.programme_id)}
    attended_courses = {
        sessions[a.session_id].course_id
        for a in attendance_of(db_session, enrolment)
        if a.attended and a.session_id in sessions
    }
    missing = [
        Shortfall(N_("compulsory course %(course)s not attended"), course=course.code)
        for course in courses
        if course.compulsory and course.id not in attended_courses
    ]
    latest: dict[int | None, Assessment] = {}
    for assessment in assessments_of(db_session, enrolment):
        latest[assessment.course_id] = assessment
    for course in courses:
        failed = latest.get(course.id)
        if course.compulsory and failed and failed.result == AssessmentResult.FAIL:
            missing.append(
                Shortfall(
                    N_("course %(course)s failed on %(on)s"),
                    course=course.code,
                    on=failed.assessed_on,
                )
            )
    final = latest.get(None)
    if final is None:
        missing.append(Shortfall(N_("no final assessment")))
    elif final.result != AssessmentResult.PASS:
        missing.append(
            Shortfall(N_("the final assessment on %(on)s was failed"), on=final.assessed_on)
        )
    return missing


#: A closed enrolment's state in the words of a refusal.
ENROLMENT_STATE_WORDS = {
    EnrolmentState.COMPLETED: Reason("completed"),
    EnrolmentState.WITHDRAWN: Reason("withdrawn"),
}


def _open_enrolment(db_session: Session, *, actor: Principal, enrolment_id: int) -> Enrolment:
    enrolment = get_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    if enrolment.state != EnrolmentState.ENROLLED and enrolment.completed_on:
        raise InvalidInput(
            "enrolment %(enrolment_id)s was %(state)s on %(day)s: it is not changed any more",
            code="training.enrolment_was_changed_on",
            enrolment_id=enrolment_id,
            state=ENROLMENT_STATE_WORDS[EnrolmentState(enrolment.state)],
            day=enrolment.completed_on,
        )
    if enrolment.state != EnrolmentState.ENROLLED:
        raise InvalidInput(
            "enrolment %(enrolment_id)s was %(state)s: it is not changed any more",
            code="training.enrolment_was_changed_any_more",
            enrolment_id=enrolment_id,
            state=ENROLMENT_STATE_WORDS[EnrolmentState(enrolment.state)],
        )
    return enrolment


def _active_user(db_session: Session, user_id: int, *, location: str) -> User:
    user = db_session.get(User, user_id)
    if user is None or user.deleted_at is not None or not user.active:
        raise InvalidInput(
            "user %(user_id)s does not exist or is not active",
            code="training.user_does_exist_active",
            user_id=user_id,
            location=(location,),
        )
    return user
