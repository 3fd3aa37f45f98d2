"""Rules of staff competence: granting and withdrawing authorisations, and the checks the
job workflow calls before a measurement, a review or an approval."""

from collections.abc import Iterable
from datetime import date

from sqlmodel import Session, col, select

from lims.accounts.models import STAFF_ROLES, Role, User
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import because, save, set_context
from lims.competence.models import (
    Activity,
    Authorisation,
    AuthorisationCreate,
    AuthorisationWithdrawal,
    Basis,
)
from lims.errors import InvalidInput, NotFound, PermissionDenied, problem_template
from lims.methods.models import Method

READERS = (*STAFF_ROLES, Role.AUDITOR)
MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)
ACTIVITY_WORDS = {
    Activity.PERFORM: problem_template("perform measurements by"),
    Activity.REVIEW: problem_template("review results of"),
    Activity.SIGN: problem_template("approve and sign results of"),
}
#: The activities as a refusal names them (``activity``), for the problems catalog.
ACTIVITY_VERBS = (problem_template("perform"), problem_template("review"), problem_template("sign"))


def staff_member(db_session: Session, staff_id: int) -> User:
    """The staff member ``staff_id``; a deleted one is as absent as one never made."""
    user = db_session.get(User, staff_id)
    if user is None or user.deleted_at is not None:
        raise NotFound(
            "staff member %(staff_id)s does not exist",
            code="competence.staff_member_does_exist",
            staff_id=staff_id,
        )
    return user


def list_authorisations(
    db_session: Session, *, actor: Principal, staff_id: int
) -> list[Authorisation]:
    require_role(actor, *READERS, doing="read staff authorisations")
    staff_member(db_session, staff_id)
    return list(
        db_session.exec(
            select(Authorisation)
            .where(Authorisation.user_id == staff_id)
            .order_by(col(Authorisation.granted_on), col(Authorisation.id))
        )
    )


def grant_authorisation(
    db_session: Session, *, actor: Principal, staff_id: int, data: AuthorisationCreate
) -> Authorisation:
    """Grant on evidence the manager names (a course, supervised work).

    An RR test is evidence only through the competence record it left for the operator: that
    route checks the study named this method and judged this operator acceptable, which a free
    text reference cannot show.
    """
    if data.basis == Basis.RR_TEST:
        raise InvalidInput(
            "an authorisation on an RR test is granted from the competence record "
            "the test left (POST "
            "/api/v1/competence-records/{record_id}/authorisations), which checks "
            "that the test studied this method and judged this person acceptable",
            code="competence.authorisation_rr_test_granted_from",
            location=("basis",),
        )
    return grant_on_checked_evidence(db_session, actor=actor, staff_id=staff_id, data=data)


def grant_on_checked_evidence(
    db_session: Session, *, actor: Principal, staff_id: int, data: AuthorisationCreate
) -> Authorisation:
    """Grant once the caller has checked the evidence (lims.training.competence_records)."""
    require_role(actor, *MANAGERS, doing="grant authorisations")
    user = staff_member(db_session, staff_id)
    if not set(user.roles) & STAFF_ROLES or not user.active:
        raise InvalidInput(
            "%(user)s is not an active member of the lab's staff",
            code="competence.active_member_lab_staff",
            user=user.username,
            location=("user_id",),
        )
    if db_session.get(Method, data.method_id) is None:
        raise InvalidInput(
            "method %(method_id)s does not exist",
            code="competence.method_does_exist",
            method_id=data.method_id,
            location=("method_id",),
        )
    if data.activity == Activity.SIGN and Role.SIGNATORY not in user.roles:
        raise InvalidInput(
            "%(user)s does not hold the signatory role, so cannot be authorised to sign",
            code="competence.does_hold_signatory_role_so",
            user=user.username,
            location=("activity",),
        )
    if data.valid_until is not None and data.valid_until < data.granted_on:
        raise InvalidInput(
            "an authorisation cannot end before it is granted",
            code="competence.authorisation_cannot_end_before_granted",
            location=("valid_until",),
        )
    set_context(db_session, actor.audit_context())
    authorisation = Authorisation.model_validate(
        data,
        update={"user_id": staff_id, "granted_by_id": actor.user_id, "granted_by": actor.username},
    )
    return save(db_session, actor.audit_context(), authorisation)


def withdraw_authorisation(
    db_session: Session,
    *,
    actor: Principal,
    staff_id: int,
    authorisation_id: int,
    data: AuthorisationWithdrawal,
) -> Authorisation:
    """End an authorisation early; the record stays, because past results cite it."""
    require_role(actor, *MANAGERS, doing="withdraw authorisations")
    authorisation = db_session.get(Authorisation, authorisation_id)
    if authorisation is None or authorisation.user_id != staff_id:
        raise NotFound(
            "authorisation %(authorisation_id)s of staff member %(staff_id)s does not exist",
            code="competence.authorisation_staff_member_does_exist",
            authorisation_id=authorisation_id,
            staff_id=staff_id,
        )
    if authorisation.withdrawn_on is not None:
        raise InvalidInput(
            "authorisation %(authorisation_id)s was already withdrawn on %(withdrawn_on)s",
            code="competence.authorisation_was_already_withdrawn",
            authorisation_id=authorisation_id,
            withdrawn_on=authorisation.withdrawn_on,
            location=("withdrawn_on",),
        )
    set_context(db_session, actor.audit_context())
    with because(db_session, data.reason):
        authorisation.withdrawn_on = data.withdrawn_on
        authorisation.withdrawal_reason = data.reason
        db_session.add(authorisation)
        db_session.commit()
    db_session.refresh(authorisation)
    return authorisation


# -- the checks the job workflow calls ---------------------------------------------------------


def check_authorised(
    db_session: Session, *, user_id: int, method_id: int, activity: Activity, on_date: date
) -> None:
    """Refuse unless the person holds a valid authorisation for the activity on the day."""
    authorisations = db_session.exec(
        select(Authorisation).where(
            Authorisation.user_id == user_id,
            Authorisation.method_id == method_id,
            Authorisation.activity == activity.value,
        )
    )
    user = db_session.get(User, user_id)
    active = user is not None and user.active and user.deleted_at is None
    if active and any(authorisation.valid_on(on_date) for authorisation in authorisations):
        return
    method = db_session.get(Method, method_id)
    who = user.full_name if user else f"user {user_id}"
    what = method.label() if method else f"method {method_id}"
    raise PermissionDenied(
        "%(who)s is not authorised to %(activity_words)s %(what)s on %(on_date)s",
        code="competence.authorised",
        who=who,
        activity_words=ACTIVITY_WORDS[activity],
        what=what,
        on_date=on_date,
    )


def check_four_eyes(*, measured_by: Iterable[int], checker_id: int, activity: Activity) -> None:
    """A review or an approval is made by someone other than whoever measured."""
    if checker_id in set(measured_by):
        raise PermissionDenied(
            "the person who measured may not %(activity)s the same results: a second person "
            "must do it",
            code="competence.person_who_measured_may_same",
            activity=activity.value,
        )


def check_reviewer(
    db_session: Session,
    *,
    checker_id: int,
    measured_by: Iterable[int],
    method_id: int,
    activity: Activity,
    on_date: date,
) -> None:
    """Both rules for a review or an approval: independent, and authorised for the method."""
    if activity == Activity.PERFORM:
        raise ValueError("check_reviewer is for review and sign; use check_authorised")
    check_four_eyes(measured_by=measured_by, checker_id=checker_id, activity=activity)
    check_authorised(
        db_session, user_id=checker_id, method_id=method_id, activity=activity, on_date=on_date
    )
