"""Work queues: what waits for the person signed in, by the roles they hold.

A technician sees the jobs assigned to them and those nobody has taken yet; whoever holds an
authorisation to review sees the measured jobs they did not measure themselves and may review
(as the review checks); a signatory with an authorisation to sign likewise the reviewed jobs
to approve and the approved ones to issue; a quality manager the requests to accept and the
open jobs due within a week or overdue; a customer its jobs in progress (the start page adds
the documents issued to it).  Every queue reads through the job board's visibility
(``service.visible_jobs``), so a customer's queues hold its own records only.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, exists, func, select

from lims.accounts.models import Organisation, Role
from lims.accounts.principal import Principal
from lims.competence.models import Activity, Authorisation
from lims.db import persisted_id
from lims.jobs import service, workflow
from lims.jobs.models import Characteristic, Item, Job, Result
from lims.jobs.models import JobStatus as S

#: How many jobs a queue lists; its count says how many there are in all.
SHOWN = 5
#: Open work: not yet reported, nor called off.
OPEN = (
    S.REQUESTED,
    S.ACCEPTED,
    S.ITEMS_RECEIVED,
    S.IN_MEASUREMENT,
    S.MEASURED,
    S.REVIEWED,
    S.APPROVED,
    S.ON_HOLD,
)
#: The work a technician does: receive, plan and measure.
MEASURING = (S.ACCEPTED, S.ITEMS_RECEIVED, S.IN_MEASUREMENT)
DUE_WITHIN_DAYS = 7


@dataclass(frozen=True)
class QueueEntry:
    job: Job
    item: str
    customer: str


@dataclass(frozen=True)
class Queue:
    """One queue: its name (the screens word it), the first entries and the count of all."""

    name: str
    total: int
    entries: list[QueueEntry] = field(default_factory=list)


def my_work(db_session: Session, *, actor: Principal, on: date) -> list[Queue]:
    """The queues of ``actor``'s roles, in the order the work flows; none for an auditor."""
    if actor.is_customer:
        return [_job_queue(db_session, actor, "in_progress", col(Job.status).in_(OPEN))]
    queues: list[Queue] = []
    me = actor.user_id
    if actor.has_any(*workflow.MANAGERS):
        queues.append(_job_queue(db_session, actor, "requested", col(Job.status) == S.REQUESTED))
    if actor.has_any(Role.TECHNICIAN) and me is not None:
        measuring = col(Job.status).in_(MEASURING)
        queues.append(
            _job_queue(db_session, actor, "assigned", measuring, col(Job.assigned_to_id) == me)
        )
        queues.append(
            _job_queue(
                db_session, actor, "unassigned", measuring, col(Job.assigned_to_id).is_(None)
            )
        )
    reviewable = _checkable_by(db_session, me, Activity.REVIEW, on) if me else None
    if actor.has_any(*workflow.STEP_ROLES[S.REVIEWED]) and reviewable:
        measured = col(Job.status) == S.MEASURED
        queues.append(_job_queue(db_session, actor, "review", measured, *reviewable))
    signable = _checkable_by(db_session, me, Activity.SIGN, on) if me else None
    if actor.has_any(*workflow.STEP_ROLES[S.APPROVED]) and signable:
        reviewed, approved = col(Job.status) == S.REVIEWED, col(Job.status) == S.APPROVED
        queues.append(_job_queue(db_session, actor, "approval", reviewed, *signable))
        # Issuing is the signatory's too, under the same four eyes and authorisation.
        queues.append(_job_queue(db_session, actor, "issue", approved, *signable))
    if actor.has_any(*workflow.MANAGERS):
        is_open = col(Job.status).in_(OPEN)
        week = on + timedelta(days=DUE_WITHIN_DAYS)
        queues.append(
            _job_queue(
                db_session,
                actor,
                "due_soon",
                is_open,
                col(Job.due_date) >= on,
                col(Job.due_date) <= week,
            )
        )
        queues.append(_job_queue(db_session, actor, "overdue", is_open, col(Job.due_date) < on))
    return queues


def _checkable_by(
    db_session: Session, person_id: int, activity: Activity, on: date
) -> tuple[ColumnElement[bool], ColumnElement[bool]] | None:
    """The jobs ``person_id`` may review or sign on ``on``, as the step checks it
    (``service.check_second_person``): none of their results measured by this person, and
    every method of the plan one they hold a valid authorisation for.  None when they hold
    no such authorisation at all: then the queue is not theirs."""
    authorised = [
        grant.method_id
        for grant in db_session.exec(
            select(Authorisation).where(
                Authorisation.user_id == person_id, Authorisation.activity == activity.value
            )
        )
        if grant.valid_on(on)
    ]
    if not authorised:
        return None
    measured_by_them = exists().where(
        col(Result.job_id) == col(Job.id), col(Result.measured_by_id) == person_id
    )
    unauthorised_method = exists().where(
        col(Characteristic.job_id) == col(Job.id),
        col(Characteristic.voided_at).is_(None),
        col(Characteristic.method_id).is_not(None),
        col(Characteristic.method_id).not_in(authorised),
    )
    return ~measured_by_them, ~unauthorised_method


def _job_queue(
    db_session: Session, actor: Principal, name: str, *conditions: ColumnElement[bool]
) -> Queue:
    query = service.visible_jobs(actor).where(*conditions)
    total = db_session.exec(select(func.count()).select_from(query.subquery())).one()
    jobs = list(db_session.exec(query.order_by(col(Job.due_date), col(Job.id)).limit(SHOWN)))
    return Queue(name, int(total), _entries(db_session, jobs))


def _entries(db_session: Session, jobs: list[Job]) -> list[QueueEntry]:
    """Each job with what people scan a list for: its first item and its customer."""
    ids = [job.id for job in jobs]
    items: dict[int, str] = {}
    for item in db_session.exec(
        select(Item).where(col(Item.job_id).in_(ids)).order_by(col(Item.id))
    ):
        if item.job_id not in items:
            described = " · ".join(filter(None, (item.description, item.identification)))
            items[item.job_id] = described
    organisation_ids = {job.organisation_id for job in jobs}
    names = dict(
        db_session.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_(organisation_ids)
            )
        ).all()
    )
    return [
        QueueEntry(
            job=job,
            item=items.get(persisted_id(job), ""),
            customer=names.get(job.organisation_id, ""),
        )
        for job in jobs
    ]
