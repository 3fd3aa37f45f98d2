"""Assigning a job to a technician: whose work queue it is in.

A quality manager, an administrator or a signatory assigns any open job to a technician (or
clears the assignment); a technician takes an unassigned job for themselves, or gives back
their own.  The assignee is an active technician authorised to perform every method the job's
plan uses (ISO/IEC 17025 6.2.5); a job planned later is checked when its results are entered.
Every change is audited like the job's other fields.

The assignment is a PUT of what should be: asking for the assignment a job already has (a
technician taking a job that is already theirs, twice by a double click or twenty times by a
retrying client) answers 200 with the job as it is and records nothing, rather than a 409 for
a wish that is already true. Only those who may make that assignment get the answer: anyone
else is refused as before, and a finished job still answers 409.
"""

from datetime import date

from sqlmodel import Session, col, select

from lims.accounts.models import Role, User
from lims.accounts.principal import Principal
from lims.audit.trail import save
from lims.clock import local_today
from lims.competence.models import Activity
from lims.competence.service import check_authorised
from lims.config import Settings
from lims.db import persisted_id
from lims.errors import Conflict, InvalidInput, LimsError, PermissionDenied
from lims.jobs import service
from lims.jobs.models import Job, JobAssignment, JobStatus

#: Who assigns a job to anyone; a technician only takes one for themselves.
ASSIGNERS = (Role.ADMIN, Role.QUALITY_MANAGER, Role.SIGNATORY)
#: A job whose work is done, or called off, is in nobody's queue.
FINISHED = {JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}


def may_assign_others(actor: Principal) -> bool:
    return actor.has_any(*ASSIGNERS)


def check_open(job: Job) -> None:
    if job.status in FINISHED:
        raise Conflict(
            "job %(job)s is %(status)s: its work is no longer assigned",
            code="jobs.assignment_job_finished",
            job=job.number,
            status=job.status,
        )


def check_assignment(
    db_session: Session, *, actor: Principal, job: Job, assignee_id: int | None, on: date
) -> None:
    """Refuse unless ``actor`` may put ``job`` in ``assignee_id``'s queue (None: nobody's)."""
    if not may_assign_others(actor):
        if not actor.has_any(Role.TECHNICIAN):
            raise PermissionDenied(
                "only a quality manager, an administrator or a signatory assigns jobs",
                code="jobs.assignment_not_allowed",
            )
        me = actor.person_id(doing="take a job")
        taking = assignee_id == me and job.assigned_to_id is None
        giving_back = assignee_id is None and job.assigned_to_id == me
        if not (taking or giving_back):
            raise PermissionDenied(
                "a technician takes an unassigned job for themselves or gives back their own; "
                "a quality manager assigns the rest",
                code="jobs.assignment_not_own",
            )
    check_open(job)
    if assignee_id is not None:
        refusal = assignee_refusal(
            db_session, job=job, user=db_session.get(User, assignee_id), on=on
        )
        if refusal is not None:
            raise refusal


def _already_so(actor: Principal, job: Job, assignee_id: int | None) -> bool:
    """Whether ``actor`` asks for the assignment ``job`` has and may make it: one who assigns
    others, or the technician whose job it is taking it again."""
    if assignee_id != job.assigned_to_id:
        return False
    if may_assign_others(actor):
        return True
    return (
        assignee_id is not None and assignee_id == actor.user_id and actor.has_any(Role.TECHNICIAN)
    )


def assignee_refusal(
    db_session: Session, *, job: Job, user: User | None, on: date
) -> LimsError | None:
    """Why ``user`` cannot be given ``job``, or None when they can."""
    if user is None or user.deleted_at is not None or not user.active:
        return InvalidInput(
            "the job is assigned to an active member of staff",
            code="jobs.assignee_not_active",
            location=("assigned_to_id",),
        )
    if Role.TECHNICIAN not in user.roles:
        return InvalidInput(
            "%(name)s is not a technician: a job is assigned to one",
            code="jobs.assignee_not_technician",
            name=user.full_name,
            location=("assigned_to_id",),
        )
    for method_id in service.methods_used(db_session, job.id):
        try:
            check_authorised(
                db_session,
                user_id=persisted_id(user),
                method_id=method_id,
                activity=Activity.PERFORM,
                on_date=on,
            )
        except PermissionDenied as refused:
            return refused.recast(InvalidInput, location=("assigned_to_id",))
    return None


def eligible_assignees(db_session: Session, *, actor: Principal, job: Job, on: date) -> list[User]:
    """The technicians ``job`` may be assigned to, by name: for the job page's choice."""
    if not may_assign_others(actor):
        return []
    technicians = db_session.exec(
        select(User).where(col(User.deleted_at).is_(None)).order_by(col(User.full_name))
    )
    return [
        user
        for user in technicians
        if Role.TECHNICIAN in user.roles
        and assignee_refusal(db_session, job=job, user=user, on=on) is None
    ]


def assign(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    data: JobAssignment,
    settings: Settings,
) -> Job:
    """Put the job in a technician's queue, or in nobody's; checked under the job's lock, so
    of simultaneous equal requests one changes the job and the rest find it already so."""
    service.get_job(db_session, actor=actor, job_id=job_id)
    job = service.lock_job(db_session, job_id)
    if _already_so(actor, job, data.assigned_to_id):
        check_open(job)
        return job
    check_assignment(
        db_session,
        actor=actor,
        job=job,
        assignee_id=data.assigned_to_id,
        on=local_today(settings.timezone),
    )
    job.assigned_to_id = data.assigned_to_id
    return save(db_session, actor.audit_context(), job)
