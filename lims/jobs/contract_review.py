"""The contract review a job is accepted on (ISO/IEC 17025:2017 7.1), and the reviews its
record carries.

A requested job is accepted only when a review covers it: its order's, its own (a job
ordered without a quotation), or, for routine work under an active annual agreement, the
review of the agreement version, which the job's own record then names (``covered_by_id``).
"""

from datetime import date

from sqlmodel import Session

from lims.accounts.principal import Principal
from lims.contracts.models import Agreement, Order
from lims.contracts.review import (
    ContractReview,
    ReviewAnswers,
    ReviewSubject,
    covering_default,
    record_review,
    review_of,
    reviews_by_id,
)
from lims.db import lock_row, persisted_id
from lims.errors import Conflict
from lims.jobs.models import Job, JobStatus


def review_job(
    db_session: Session, *, actor: Principal, job: Job, answers: ReviewAnswers
) -> tuple[ContractReview, bool]:
    """Review a requested job: once it is accepted, the work was taken on by what covered it."""
    lock_row(db_session, Job, persisted_id(job))
    db_session.refresh(job)
    if job.status not in (JobStatus.REQUESTED, JobStatus.ON_HOLD) or (
        job.status == JobStatus.ON_HOLD and job.held_from != JobStatus.REQUESTED
    ):
        raise Conflict(
            "job %(job)s is reviewed before it is accepted; it is %(status)s",
            code="jobs.review_after_acceptance",
            job=job.number,
            status=job.status,
        )
    return record_review(
        db_session,
        actor=actor,
        subject=ReviewSubject.JOB,
        agreement=db_session.get_one(Agreement, job.agreement_id),
        answers=answers,
        job_id=persisted_id(job),
        organisation_id=job.organisation_id,
    )


def covering_review(db_session: Session, job: Job, *, on: date) -> ContractReview | None:
    """The review that lets ``job`` be accepted on ``on``: its own, its order's, or its
    annual agreement's (the default for routine repeat work)."""
    own = review_of(db_session, job_id=persisted_id(job))
    if own is not None:
        return own
    if job.order_id is not None:
        of_order = review_of(db_session, order_id=job.order_id)
        if of_order is not None:
            return of_order
    return covering_default(
        db_session, agreement=db_session.get_one(Agreement, job.agreement_id), on=on
    )


def check_reviewed(db_session: Session, job: Job, *, on: date) -> None:
    """Refuse to accept ``job`` before a contract review covers it (7.1.1, 7.1.4)."""
    if covering_review(db_session, job, on=on) is not None:
        return
    if job.order_id is not None:
        order = db_session.get_one(Order, job.order_id)
        raise Conflict(
            "review the contract before accepting job %(job)s: order %(order)s has no "
            "contract review, nor does the job",
            code="jobs.accept_needs_order_review",
            job=job.number,
            order=order.id,
        )
    raise Conflict(
        "review the contract before accepting job %(job)s: neither the job nor an annual "
        "agreement in force has a contract review",
        code="jobs.accept_needs_review",
        job=job.number,
    )


def record_default(db_session: Session, *, actor: Principal, job: Job, on: date) -> None:
    """At acceptance, a job covered only by its annual agreement's review gets its own
    record naming that review; the caller commits it with the step."""
    covering = covering_review(db_session, job, on=on)
    if covering is None or covering.subject != ReviewSubject.AGREEMENT:
        return
    answered = covering.model_dump(
        exclude={"id", "subject", "agreement_id", "order_id", "job_id", "covered_by_id"}
        | {"reviewed_by_id", "reviewed_by", "reviewed_at"}
    )
    db_session.add(
        ContractReview(
            **answered,
            subject=ReviewSubject.JOB,
            job_id=persisted_id(job),
            covered_by_id=covering.id,
            reviewed_by_id=actor.person_id(doing="accept a job"),
            reviewed_by=actor.username,
        )
    )


def reviews_of_job(db_session: Session, job: Job) -> list[ContractReview]:
    """Every review on the job's record: its own, its order's, and the agreement version's
    a default names."""
    ids: set[int] = set()
    own = review_of(db_session, job_id=persisted_id(job))
    if own is not None:
        ids.add(persisted_id(own))
        if own.covered_by_id is not None:
            ids.add(own.covered_by_id)
    if job.order_id is not None and (of_order := review_of(db_session, order_id=job.order_id)):
        ids.add(persisted_id(of_order))
    return reviews_by_id(db_session, ids)
