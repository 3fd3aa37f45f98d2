"""Issuing many certificates at once (the CLI's batch): each in its own transaction.

One job that cannot be issued (not approved any more, a missing translation, a refused
signatory) is reported and the others go on; nothing of the failed one is recorded.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from lims.accounts.auth import principal_for
from lims.accounts.models import User
from lims.config import Settings
from lims.documents import service
from lims.documents.models import Document, IssueRequest
from lims.errors import LimsError, NotFound
from lims.jobs.models import Job, JobStatus
from lims.storage import store_in


@dataclass(frozen=True)
class Outcome:
    job_number: str
    document_number: str | None = None
    problem: str | None = None


def signatory_named(db_session: Session, username: str) -> User:
    user = db_session.exec(select(User).where(User.username == username)).first()
    if user is None or not user.active or user.deleted_at is not None:
        raise NotFound("no active user %(username)s", code="cli.active_user", username=username)
    return user


def jobs_awaiting_documents(db_session: Session) -> list[str]:
    """Approved jobs, oldest first: their certificates or reports are due."""
    issued = select(Document.job_id).where(col(Document.job_id).is_not(None))
    return list(
        db_session.exec(
            select(Job.number)
            .where(Job.status == JobStatus.APPROVED, col(Job.id).not_in(issued))
            .order_by(col(Job.id))
        )
    )


def issue_for_jobs(
    engine: Engine,
    *,
    username: str,
    job_numbers: Iterable[str],
    settings: Settings,
    signatory_function: str | None = None,
    progress: Callable[[Outcome], None] = lambda outcome: None,
) -> list[Outcome]:
    store = store_in(settings.data_dir)
    outcomes = []
    for number in job_numbers:
        with Session(engine) as db_session:
            actor = principal_for(signatory_named(db_session, username), via="cli")
            job = db_session.exec(select(Job).where(Job.number == number)).first()
            try:
                if job is None:
                    raise NotFound("no job %(number)s", code="documents.job", number=number)
                document = service.issue(
                    db_session,
                    actor=actor,
                    request=IssueRequest(job_id=job.id, signatory_function=signatory_function),
                    settings=settings,
                    store=store,
                )
                outcome = Outcome(job_number=number, document_number=document.number)
            except LimsError as error:
                db_session.rollback()
                outcome = Outcome(job_number=number, problem=error.message)
        outcomes.append(outcome)
        progress(outcome)
    return outcomes
