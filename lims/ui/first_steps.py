"""The start page's first-steps hint: for each role, the one thing to try first, and a link
that goes straight there.

The hint only points the way; what the person may do where it leads is still the services'
decision.  A person with several roles sees the hint of the first of them in ``HINTS``
(admin, quality manager, signatory, technician: the order the page's header lists them in),
because the rarer, managing role is the one a newcomer is least likely to find by doing the
daily work.  Once put away it stays away for that person on every browser: the dismissal is
kept on the user (``accounts.service.dismiss_first_steps``).
"""

from dataclasses import dataclass

from sqlmodel import Session

from lims.accounts.models import Role
from lims.accounts.principal import Principal
from lims.db import persisted_id
from lims.i18n import N_
from lims.jobs import service as job_service
from lims.jobs.models import JobStatus


@dataclass(frozen=True)
class Hint:
    text: str  # an English message id, translated in the template
    link_text: str
    # A fixed address, or a job status: the link opens the first job in it (by due date, as
    # the board lists them) or, when there is none, the board of that status.
    target: JobStatus | str
    section: str = ""  # where on the job's page the link lands


HINTS: dict[Role, Hint] = {
    Role.ADMIN: Hint(
        N_(
            "See the lab's people: each person's roles and the methods they are authorised "
            "to perform, review and sign. You manage users and their roles through the API "
            "(/api/v1/users)."
        ),
        N_("Open the staff competence"),
        "/staff",
    ),
    Role.QUALITY_MANAGER: Hint(
        N_(
            "A job has been measured and waits for its technical review by a second person: "
            "check its results and uncertainty budgets, then mark it reviewed."
        ),
        N_("Open the job waiting for review"),
        JobStatus.MEASURED,
    ),
    Role.SIGNATORY: Hint(
        N_(
            "A reviewed job waits for your approval: check its results, approve it and "
            "issue its Finnish master certificate."
        ),
        N_("Open the job waiting for approval"),
        JobStatus.REVIEWED,
    ),
    Role.TECHNICIAN: Hint(
        N_(
            "A calibration waits for measurement: enter its readings, and the uncertainty "
            "budget and the conformity preview build up as you type, before anything is saved."
        ),
        N_("Open the job waiting for measurement"),
        JobStatus.IN_MEASUREMENT,
    ),
    Role.CUSTOMER: Hint(
        N_(
            "Submit a job to the laboratory: describe the items and, for a product, attach "
            "its CAD model with PMI (STEP AP242) or QIF plan, whose characteristics are "
            "read at once."
        ),
        N_("Submit a new job"),
        "/jobs/new",
    ),
    Role.AUDITOR: Hint(
        N_(
            "Export a job's records as an assessor asks for them: one ZIP with the job, its "
            "results and budgets, equipment, staff, documents and audit events, and a "
            "manifest that shows any later change."
        ),
        N_("Open a job with an issued certificate"),
        JobStatus.REPORTED,
        section="#documents",
    ),
}


@dataclass(frozen=True)
class FirstStep:
    """The hint as the start page shows it."""

    text: str
    link_text: str
    href: str


def first_step(db_session: Session, principal: Principal) -> FirstStep | None:
    """The hint of the caller's first role in ``HINTS``, with its link resolved."""
    hint = next((hint for role, hint in HINTS.items() if role in principal.roles), None)
    if hint is None:
        return None
    return FirstStep(hint.text, hint.link_text, _address(db_session, principal, hint))


def _address(db_session: Session, principal: Principal, hint: Hint) -> str:
    if not isinstance(hint.target, JobStatus):
        return hint.target
    jobs, _, _ = job_service.list_jobs(db_session, actor=principal, status=hint.target, limit=1)
    if not jobs:
        return f"/jobs?status={hint.target.value}"
    return f"/jobs/{persisted_id(jobs[0])}{hint.section}"
