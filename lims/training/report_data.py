"""What a training certificate and an RR-test report say: their data, gathered from the
records, for the document engine (lims.documents) to render as a Finnish master and its
translations.

Both are JSON-ready snapshots (dates as ISO strings) except the RR report's charts, which are
SVG bytes by chart name.  Texts the records hold in Finnish and English come as both; free
text written by people is listed under ``free_text`` by key, for a human translation.
"""

from typing import Any

from sqlmodel import Session

from lims.accounts.models import Organisation
from lims.accounts.principal import Principal
from lims.db import persisted_id
from lims.equipment.models import Equipment
from lims.errors import InvalidInput
from lims.methods.models import Method
from lims.training.models import EnrolmentState, TrainingProgramme
from lims.training.rr import RRRequest
from lims.training.rr.charts import draw_all
from lims.training.rr_tests import get_rr_test, measurers_of
from lims.training.service import (
    assessments_of,
    attendance_of,
    courses_of,
    get_enrolment,
    sessions_of,
)


def training_certificate_data(
    db_session: Session, *, actor: Principal, enrolment_id: int
) -> dict[str, Any]:
    """Person, programme, the courses with the sessions attended, the final assessment, the
    completion date and the trainer: everything a training certificate states."""
    enrolment = get_enrolment(db_session, actor=actor, enrolment_id=enrolment_id)
    if enrolment.state != EnrolmentState.COMPLETED or enrolment.completed_on is None:
        raise InvalidInput(
            "%(participant_name)s has not completed the programme: no certificate yet",
            code="training.has_completed_programme_certificate_yet",
            participant_name=enrolment.participant_name,
        )
    programme = db_session.get_one(TrainingProgramme, enrolment.programme_id)
    attended = {a.session_id for a in attendance_of(db_session, enrolment) if a.attended}
    sessions = [s for s in sessions_of(db_session, persisted_id(programme)) if s.id in attended]
    courses = [
        {
            "code": course.code,
            "title": {"fi": course.title_fi, "en": course.title_en},
            "compulsory": course.compulsory,
            "hours": course.hours,
            "sessions": [
                {
                    "starts_on": s.starts_on.isoformat(),
                    "ends_on": s.ends_on.isoformat(),
                    "trainer": s.trainer_name,
                    "location": s.location,
                }
                for s in sessions
                if s.course_id == course.id
            ],
        }
        for course in courses_of(db_session, programme.id or 0)
    ]
    finals = [a for a in assessments_of(db_session, enrolment) if a.course_id is None]
    final = finals[-1] if finals else None
    organisation = (
        db_session.get(Organisation, enrolment.organisation_id)
        if enrolment.organisation_id
        else None
    )
    return {
        "kind": "training_certificate",
        "person": {
            "name": enrolment.participant_name,
            "user_id": enrolment.user_id,
            "organisation": _organisation(organisation),
        },
        "programme": {
            "code": programme.code,
            "name": {"fi": programme.name_fi, "en": programme.name_en},
            "kind": programme.kind,
        },
        "courses": [course for course in courses if course["sessions"] or course["compulsory"]],
        "assessment": None
        if final is None
        else {
            "assessed_on": final.assessed_on.isoformat(),
            "result": final.result,
            "score": final.score,
            "assessor": final.assessor,
            "notes": final.notes,
        },
        "enrolled_on": enrolment.enrolled_on.isoformat(),
        "completed_on": enrolment.completed_on.isoformat(),
        "completion_confirmed_by": enrolment.completion_confirmed_by,
        "trainer": final.assessor if final else None,
        "trainers": list(dict.fromkeys(s.trainer_name for s in sessions)),
        "free_text": {
            key: text
            for key, text in (
                ("programme.description", programme.description),
                ("assessment.notes", final.notes if final else ""),
            )
            if text
        },
    }


def rr_test_report_data(
    db_session: Session, *, actor: Principal, rr_test_id: int
) -> dict[str, Any]:
    """The RR test as recorded: who measured what with which instrument by which method, the
    evaluation with its conventions, the outcome, and the charts as SVG bytes."""
    rr_test = get_rr_test(db_session, actor=actor, rr_test_id=rr_test_id)
    method = db_session.get(Method, rr_test.method_id) if rr_test.method_id else None
    equipment = db_session.get(Equipment, rr_test.equipment_id) if rr_test.equipment_id else None
    organisation = (
        db_session.get(Organisation, rr_test.organisation_id) if rr_test.organisation_id else None
    )
    request = RRRequest.model_validate(rr_test.request)
    return {
        "kind": "rr_test_report",
        "number": rr_test.number,
        "title": rr_test.title,
        "performed_on": rr_test.performed_on.isoformat(),
        "design": rr_test.design,
        "method": None
        if method is None
        else {
            "code": method.code,
            "version": method.version,
            "title": {"fi": method.title_fi, "en": method.title_en},
        },
        "instrument": None
        if equipment is None
        else {"identification": equipment.identification, "name": equipment.name},
        "organisation": _organisation(organisation),
        "measurers": [
            {
                "operator": m.operator_label,
                "name": m.name,
                "user_id": m.user_id,
                "outcome": m.outcome,
                "figures": m.figures,
            }
            for m in measurers_of(db_session, rr_test)
        ],
        "acceptance": rr_test.acceptance,
        "outcome": rr_test.outcome,
        "outcome_reason": rr_test.outcome_reason,
        "grr_percent": rr_test.grr_percent,
        "ndc": rr_test.ndc,
        "request": rr_test.request,
        "evaluation": rr_test.result,
        "conventions": rr_test.result["conventions"],
        "charts": draw_all(request, rr_test.result),
        "recorded_by": rr_test.recorded_by,
        "free_text": {"title": rr_test.title},
    }


def _organisation(organisation: Organisation | None) -> dict[str, Any] | None:
    if organisation is None:
        return None
    return {
        "id": organisation.id,
        "name": organisation.name,
        "business_id": organisation.business_id,
    }
