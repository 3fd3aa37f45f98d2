"""Training over HTTP: programmes, courses, sessions, enrolments, attendance, assessments,
completion, and the competence records that can feed an authorisation (rules in
lims.training)."""

from typing import Annotated

from fastapi import APIRouter, Query, status

from lims.api.deps import CurrentActor, SessionDep
from lims.competence.models import AuthorisationPublic
from lims.training import competence_records, operator_limits, service
from lims.training.models import (
    AssessmentCreate,
    AssessmentPublic,
    AttendancePublic,
    AttendanceRecord,
    AuthorisationFromRecord,
    CompetenceRecordPublic,
    Completion,
    CourseCreate,
    CoursePublic,
    EnrolmentCreate,
    EnrolmentPublic,
    OperatorLimitsPublic,
    OperatorLimitsUpdate,
    ProgrammeCreate,
    ProgrammePublic,
    SessionCreate,
    SessionPublic,
)

router = APIRouter(tags=["training"])


@router.get("/training/programmes", response_model=list[ProgrammePublic])
def list_programmes(actor: CurrentActor, db_session: SessionDep) -> list[ProgrammePublic]:
    programmes = service.list_programmes(db_session, actor=actor)
    return [service.describe_programme(db_session, programme) for programme in programmes]


@router.post(
    "/training/programmes", response_model=ProgrammePublic, status_code=status.HTTP_201_CREATED
)
def create_programme(
    body: ProgrammeCreate, actor: CurrentActor, db_session: SessionDep
) -> ProgrammePublic:
    programme = service.create_programme(db_session, actor=actor, data=body)
    return service.describe_programme(db_session, programme)


@router.get("/training/programmes/{programme_id}", response_model=ProgrammePublic)
def get_programme(
    programme_id: int, actor: CurrentActor, db_session: SessionDep
) -> ProgrammePublic:
    programme = service.get_programme(db_session, actor=actor, programme_id=programme_id)
    return service.describe_programme(db_session, programme)


@router.post(
    "/training/programmes/{programme_id}/courses",
    response_model=CoursePublic,
    status_code=status.HTTP_201_CREATED,
    summary="Add a compulsory or optional course to a programme",
)
def add_course(
    programme_id: int, body: CourseCreate, actor: CurrentActor, db_session: SessionDep
) -> CoursePublic:
    course = service.add_course(db_session, actor=actor, programme_id=programme_id, data=body)
    return CoursePublic.model_validate(course, from_attributes=True)


@router.post(
    "/training/courses/{course_id}/sessions",
    response_model=SessionPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Schedule a session of a course, with its dates and trainer",
)
def add_session(
    course_id: int, body: SessionCreate, actor: CurrentActor, db_session: SessionDep
) -> SessionPublic:
    session = service.add_session(db_session, actor=actor, course_id=course_id, data=body)
    return SessionPublic.model_validate(session, from_attributes=True)


@router.get("/training/enrolments", response_model=list[EnrolmentPublic])
def list_enrolments(
    actor: CurrentActor,
    db_session: SessionDep,
    programme_id: Annotated[int | None, Query()] = None,
) -> list[EnrolmentPublic]:
    found = service.list_enrolments(db_session, actor=actor, programme_id=programme_id)
    return [service.describe_enrolment(db_session, enrolment) for enrolment in found]


@router.post(
    "/training/enrolments",
    response_model=EnrolmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Enrol a member of the lab's staff or of a customer's staff",
)
def enrol(body: EnrolmentCreate, actor: CurrentActor, db_session: SessionDep) -> EnrolmentPublic:
    enrolment = service.enrol(db_session, actor=actor, data=body)
    return service.describe_enrolment(db_session, enrolment)


@router.get("/training/enrolments/{enrolment_id}", response_model=EnrolmentPublic)
def get_enrolment(
    enrolment_id: int, actor: CurrentActor, db_session: SessionDep
) -> EnrolmentPublic:
    enrolment = service.get_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    return service.describe_enrolment(db_session, enrolment)


@router.post(
    "/training/enrolments/{enrolment_id}/attendance",
    response_model=AttendancePublic,
    summary="Record whether the trainee attended a session",
)
def record_attendance(
    enrolment_id: int, body: AttendanceRecord, actor: CurrentActor, db_session: SessionDep
) -> AttendancePublic:
    attendance = service.record_attendance(
        db_session, actor=actor, enrolment_id=enrolment_id, data=body
    )
    return AttendancePublic.model_validate(attendance, from_attributes=True)


@router.post(
    "/training/enrolments/{enrolment_id}/assessments",
    response_model=AssessmentPublic,
    status_code=status.HTTP_201_CREATED,
    summary="Record an assessment: of a course, or the programme's final one",
)
def record_assessment(
    enrolment_id: int, body: AssessmentCreate, actor: CurrentActor, db_session: SessionDep
) -> AssessmentPublic:
    assessment = service.record_assessment(
        db_session, actor=actor, enrolment_id=enrolment_id, data=body
    )
    return AssessmentPublic.model_validate(assessment, from_attributes=True)


@router.post(
    "/training/enrolments/{enrolment_id}/completion",
    response_model=EnrolmentPublic,
    summary="Confirm a completion; a staff member's becomes a competence record",
)
def complete(
    enrolment_id: int, body: Completion, actor: CurrentActor, db_session: SessionDep
) -> EnrolmentPublic:
    enrolment = service.complete(db_session, actor=actor, enrolment_id=enrolment_id, data=body)
    return service.describe_enrolment(db_session, enrolment)


@router.get(
    "/staff/{staff_id}/competence-records",
    response_model=list[CompetenceRecordPublic],
    tags=["staff"],
)
def list_competence_records(
    staff_id: int, actor: CurrentActor, db_session: SessionDep
) -> list[CompetenceRecordPublic]:
    found = competence_records.list_competence_records(db_session, actor=actor, staff_id=staff_id)
    return [CompetenceRecordPublic.model_validate(r, from_attributes=True) for r in found]


@router.post(
    "/competence-records/{record_id}/authorisations",
    response_model=AuthorisationPublic,
    status_code=status.HTTP_201_CREATED,
    tags=["staff"],
    summary="Grant an authorisation citing a competence record (the caller grants it)",
)
def authorise_from_record(
    record_id: int, body: AuthorisationFromRecord, actor: CurrentActor, db_session: SessionDep
) -> AuthorisationPublic:
    authorisation = competence_records.authorise_from_record(
        db_session, actor=actor, record_id=record_id, data=body
    )
    return AuthorisationPublic.model_validate(authorisation, from_attributes=True)


@router.get("/methods/{method_id}/rr-operator-limits", response_model=OperatorLimitsPublic)
def read_operator_limits(
    method_id: int, actor: CurrentActor, db_session: SessionDep
) -> OperatorLimitsPublic:
    return operator_limits.read_operator_limits(db_session, actor=actor, method_id=method_id)


@router.put(
    "/methods/{method_id}/rr-operator-limits",
    response_model=OperatorLimitsPublic,
    summary="Set the limits each operator of an RR test of the method is judged against",
)
def set_operator_limits(
    method_id: int, body: OperatorLimitsUpdate, actor: CurrentActor, db_session: SessionDep
) -> OperatorLimitsPublic:
    return operator_limits.set_operator_limits(
        db_session, actor=actor, method_id=method_id, data=body
    )
