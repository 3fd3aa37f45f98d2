"""The job workflow: which step may follow which, and who may take it.

    requested -> accepted -> items_received -> in_measurement -> measured -> reviewed
      -> approved -> reported -> closed
    measured / reviewed -> in_measurement   (returned for correction, with a reason)
    reported / closed -> in_measurement     (reopened by a manager, with a reason; results are
                                             kept and the next document is a revision)
    any open step -> on_hold -> back to where it was (with a reason)
    any step before reported -> cancelled   (with a reason)

This module knows only the shape; the service checks the conditions each step needs
(items received, results complete, four eyes, authorisations).
"""

from lims.accounts.models import Role
from lims.errors import Conflict, problem_template
from lims.jobs.models import JobStatus as S

#: The states as a refusal names them (``status``, ``step``, ``options``), for the problems
#: catalog: a Finnish page reads "mittauksessa", not the code in_measurement.
STATUS_WORDS = (
    problem_template("requested"),
    problem_template("accepted"),
    problem_template("items_received"),
    problem_template("in_measurement"),
    problem_template("measured"),
    problem_template("reviewed"),
    problem_template("approved"),
    problem_template("reported"),
    problem_template("closed"),
    problem_template("on_hold"),
    problem_template("cancelled"),
)

FORWARD: dict[S, S] = {
    S.REQUESTED: S.ACCEPTED,
    S.ACCEPTED: S.ITEMS_RECEIVED,
    S.ITEMS_RECEIVED: S.IN_MEASUREMENT,
    S.IN_MEASUREMENT: S.MEASURED,
    S.MEASURED: S.REVIEWED,
    S.REVIEWED: S.APPROVED,
    S.APPROVED: S.REPORTED,
    S.REPORTED: S.CLOSED,
}
RETURNABLE = {S.MEASURED, S.REVIEWED, S.REPORTED, S.CLOSED}
#: Steps back from a reported job: reopening, which only a manager may do.
REOPENABLE = {S.REPORTED, S.CLOSED}
HOLDABLE = {S.REQUESTED, S.ACCEPTED, S.ITEMS_RECEIVED, S.IN_MEASUREMENT, S.MEASURED, S.REVIEWED}
CANCELLABLE = HOLDABLE | {S.APPROVED, S.ON_HOLD}
NEEDS_REASON = {S.ON_HOLD, S.CANCELLED}

# Who may take each step (the service adds four eyes and method authorisations).
MANAGERS = (Role.ADMIN, Role.QUALITY_MANAGER)
STEP_ROLES: dict[S, tuple[Role, ...]] = {
    S.ACCEPTED: MANAGERS,
    S.ITEMS_RECEIVED: (*MANAGERS, Role.TECHNICIAN),
    S.IN_MEASUREMENT: (*MANAGERS, Role.TECHNICIAN),
    S.MEASURED: (*MANAGERS, Role.TECHNICIAN),
    S.REVIEWED: (*MANAGERS, Role.TECHNICIAN, Role.SIGNATORY),
    S.APPROVED: (Role.SIGNATORY,),
    S.REPORTED: (*MANAGERS, Role.SIGNATORY),
    S.CLOSED: (*MANAGERS, Role.TECHNICIAN),
    S.ON_HOLD: MANAGERS,
    S.CANCELLED: MANAGERS,
}
#: Each step as a refusal says who may take it ("only … may mark a job reviewed": ``doing``).
STEP_DOING: dict[S, str] = {
    S.ACCEPTED: problem_template("accept a job"),
    S.ITEMS_RECEIVED: problem_template("record a job's items as received"),
    S.IN_MEASUREMENT: problem_template("start measuring a job"),
    S.MEASURED: problem_template("mark a job measured"),
    S.REVIEWED: problem_template("mark a job reviewed"),
    S.APPROVED: problem_template("approve a job"),
    S.REPORTED: problem_template("mark a job reported"),
    S.CLOSED: problem_template("close a job"),
    S.ON_HOLD: problem_template("put a job on hold"),
    S.CANCELLED: problem_template("cancel a job"),
}
#: Reopening, by the state a job is reopened from.
REOPEN_DOING: dict[S, str] = {
    S.REPORTED: problem_template("reopen a reported job"),
    S.CLOSED: problem_template("reopen a closed job"),
}


def step_roles(current: S, to: S) -> tuple[Role, ...]:
    """Who may take the step from ``current`` to ``to``: reopening is for managers alone."""
    if to == S.IN_MEASUREMENT and current in REOPENABLE:
        return MANAGERS
    return STEP_ROLES[to]


class StepRefused(Conflict):
    """The step does not follow from where the job is."""


def check_step(current: S, to: S, *, held_from: S | None, reason: str | None) -> None:
    """Refuse a step out of order, or one that needs a reason given without one."""
    allowed = allowed_steps(current, held_from)
    if to not in allowed:
        if not allowed:
            raise StepRefused(
                "a job that is %(status)s goes next to nothing: the job is finished; "
                "not to %(step)s",
                code="jobs.step_after_finished",
                status=current,
                step=to,
            )
        raise StepRefused(
            "a job that is %(status)s goes next to %(options)s; not to %(step)s",
            code="jobs.step_out_of_order",
            status=current,
            options=", ".join(sorted(allowed)),
            step=to,
        )
    returning = to == S.IN_MEASUREMENT and current in RETURNABLE
    if (to in NEEDS_REASON or returning) and not (reason and reason.strip()):
        if not returning:
            raise StepRefused(
                "give a reason: putting a job %(step)s needs one",
                code="jobs.step_needs_reason",
                step=to,
            )
        if current in REOPENABLE:
            raise StepRefused(
                "give a reason: reopening a %(status)s job needs one",
                code="jobs.reopening_needs_reason",
                status=current,
            )
        raise StepRefused(
            "give a reason: returning a job for correction needs one",
            code="jobs.return_needs_reason",
        )


def allowed_steps(current: S, held_from: S | None) -> set[S]:
    steps: set[S] = set()
    if current == S.ON_HOLD:
        if held_from is None:
            raise ValueError("a job on hold needs held_from, the status it resumes to")
        steps.add(held_from)
    if current in FORWARD:
        steps.add(FORWARD[current])
    if current in RETURNABLE:
        steps.add(S.IN_MEASUREMENT)
    if current in HOLDABLE:
        steps.add(S.ON_HOLD)
    if current in CANCELLABLE:
        steps.add(S.CANCELLED)
    return steps
