"""What a person may do on a job now, and what the job waits for.

``allowed_actions`` asks the same checks the actions make when they are taken
(``service.check_may_step`` for the workflow's steps, ``assignment.check_assignment`` for
assigning), so a screen offers a button exactly when pressing it would pass.  ``waiting_for``
reads the job's state into the one thing that holds it up, and whom.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, func, select

from lims.accounts.models import User
from lims.accounts.principal import Principal
from lims.db import persisted_id
from lims.errors import LimsError
from lims.jobs import assignment, service, workflow
from lims.jobs.models import Characteristic, Item, Job, JobKind, Result
from lims.jobs.models import JobStatus as S

#: The order a screen offers the steps in: onward first, then back, hold and cancel.
STEP_ORDER = (*workflow.FORWARD.values(), S.IN_MEASUREMENT, S.ON_HOLD, S.CANCELLED)
ASSIGN = "assign"
TAKE = "take"
GIVE_BACK = "give_back"


def allowed_actions(db_session: Session, *, actor: Principal, job: Job, on: date) -> set[str]:
    """The workflow steps (by the status they lead to) and ``assign`` (anyone), or ``take`` /
    ``give_back`` (oneself), that ``actor`` may do on ``job`` on the day ``on``; a step that
    needs a reason still needs it."""
    current = S(job.status)
    held_from = S(job.held_from) if job.held_from else None
    allowed: set[str] = set()
    for step in workflow.allowed_steps(current, held_from):
        if _passes(service.check_may_step, db_session, actor=actor, job=job, to=step, on=on):
            allowed.add(step)
    if assignment.may_assign_others(actor):
        if _passes(assignment.check_open, job):
            allowed.add(ASSIGN)
    elif actor.user_id is not None:
        for action, assignee_id in ((TAKE, actor.user_id), (GIVE_BACK, None)):
            if _passes(
                assignment.check_assignment,
                db_session,
                actor=actor,
                job=job,
                assignee_id=assignee_id,
                on=on,
            ):
                allowed.add(action)
    return allowed


def ordered_steps(allowed: set[str], job: Job) -> list[S]:
    """The allowed steps in the order a screen shows them; resuming a held job comes first."""
    steps = [step for step in STEP_ORDER if step in allowed]
    if job.status == S.ON_HOLD and job.held_from in allowed:
        resumed = S(job.held_from)
        steps = [resumed, *[step for step in steps if step != resumed]]
    return list(dict.fromkeys(steps))


def _passes(check: Callable[..., object], *args: object, **kwargs: object) -> bool:
    try:
        check(*args, **kwargs)
    except LimsError:
        return False
    return True


# -- what the job waits for --------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """The one thing a job waits for.

    ``what`` names it (the screens word it): acceptance, items, receipt, customer_file, plan,
    measurement, measured_mark, review, approval, issue, return, closing, hold.  ``person`` is
    who is to do it where one is named (the assigned technician); ``not_by`` those who may not
    (four eyes: whoever measured); ``done`` and ``of`` count results; ``reason`` is a hold's.
    """

    what: str
    person: str | None = None
    not_by: tuple[str, ...] = ()
    done: int = 0
    of: int = 0
    reason: str | None = None


@dataclass
class _Facts:
    items: int = 0
    received: int = 0
    undispatched: int = 0
    files: int = 0
    planned: int = 0
    measured: int = 0


def waiting_for(db_session: Session, job: Job) -> Waiting | None:
    return waiting_for_all(db_session, [job])[persisted_id(job)]


def waiting_for_all(db_session: Session, jobs: list[Job]) -> dict[int, Waiting | None]:
    """What each job waits for, read in a few queries for the whole list (a board page)."""
    ids = [persisted_id(job) for job in jobs]
    facts: dict[int, _Facts] = defaultdict(_Facts)
    items = db_session.exec(select(Item).where(col(Item.job_id).in_(ids)))
    for item in items:
        fact = facts[item.job_id]
        fact.items += 1
        fact.received += item.received_on is not None
        fact.undispatched += item.received_on is not None and item.dispatched_on is None
        fact.files += len(item.files)
    planned = db_session.exec(
        select(Characteristic.job_id, func.count())
        .where(col(Characteristic.job_id).in_(ids), col(Characteristic.voided_at).is_(None))
        .group_by(col(Characteristic.job_id))
    )
    for job_id, count in planned:
        facts[job_id].planned = count
    measurers: dict[int, set[int]] = defaultdict(set)
    results = db_session.exec(
        select(Result.job_id, Result.measured_by_id, func.count())
        .where(col(Result.job_id).in_(ids))
        .group_by(col(Result.job_id), col(Result.measured_by_id))
    )
    for job_id, measured_by_id, count in results:
        facts[job_id].measured += count
        measurers[job_id].add(measured_by_id)
    people_ids = {job.assigned_to_id for job in jobs if job.assigned_to_id is not None}
    people_ids |= {person for group in measurers.values() for person in group}
    names = dict(
        db_session.exec(select(User.id, User.full_name).where(col(User.id).in_(people_ids))).all()
    )
    return {
        persisted_id(job): _waiting(
            job,
            facts[persisted_id(job)],
            assignee=names.get(job.assigned_to_id) if job.assigned_to_id else None,
            measurers=tuple(sorted(names[m] for m in measurers[persisted_id(job)] if m in names)),
        )
        for job in jobs
    }


def _waiting(
    job: Job, fact: _Facts, *, assignee: str | None, measurers: tuple[str, ...]
) -> Waiting | None:
    status = S(job.status)
    if status in (S.CLOSED, S.CANCELLED):
        return None
    if status == S.ON_HOLD:
        return Waiting("hold", reason=job.reason)
    if status == S.REQUESTED:
        return Waiting("acceptance")
    if status == S.ACCEPTED:
        return Waiting("items") if fact.received < fact.items else Waiting("receipt", assignee)
    if status in (S.ITEMS_RECEIVED, S.IN_MEASUREMENT) and not fact.planned:
        # A product is measured to the customer's drawing or model: without one nothing is planned.
        waits_for_file = job.kind == JobKind.PRODUCT_QC and not fact.files
        return Waiting("customer_file" if waits_for_file else "plan", assignee)
    if status == S.ITEMS_RECEIVED:
        return Waiting("measurement", assignee, done=fact.measured, of=fact.planned)
    if status == S.IN_MEASUREMENT:
        if fact.measured < fact.planned:
            return Waiting("measurement", assignee, done=fact.measured, of=fact.planned)
        return Waiting("measured_mark", assignee)
    if status == S.MEASURED:
        return Waiting("review", not_by=measurers)
    if status == S.REVIEWED:
        return Waiting("approval", not_by=measurers)
    if status == S.APPROVED:
        return Waiting("issue")
    return Waiting("return") if fact.undispatched else Waiting("closing")
