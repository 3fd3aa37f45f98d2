"""Who is acting, and the authorisation rules every service applies.

The rules live here, below the routers, so the API, the UI and the CLI enforce them alike.
"""

from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from lims.accounts.models import STAFF_ROLES, Role
from lims.audit.trail import AuditContext
from lims.errors import NotFound, PermissionDenied, problem_template

READ_SCOPE = "read"
WRITE_SCOPE = "write"
SCOPES = {
    READ_SCOPE: "read every record the token's user may read",
    WRITE_SCOPE: "change records the token's user may change (for example push results)",
}


@dataclass(frozen=True)
class Principal:
    user_id: int | None
    username: str
    roles: frozenset[Role]
    organisation_id: int | None = None
    # An API token may do less than its user; None means everything the roles allow.
    scopes: frozenset[str] | None = None
    via: str = "password"
    request_id: str | None = field(default=None, compare=False)
    # After an administrator's reset: only changing the password is open until it is done.
    must_change_password: bool = False

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)

    @property
    def is_customer(self) -> bool:
        return Role.CUSTOMER in self.roles

    @property
    def is_auditor(self) -> bool:
        return Role.AUDITOR in self.roles

    @property
    def reads_everything(self) -> bool:
        return self.is_staff or self.is_auditor

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def person_id(self, *, doing: str) -> int:
        """The user id of the person acting, for records that name who did something.

        The CLI and the demo loader act as a system actor without a user id; they may not do
        what a record must attribute to a person (measure, review, sign).
        """
        if self.user_id is None:
            raise PermissionDenied(
                "only a signed-in person may %(doing)s; %(actor)s is not",
                code="accounts.only_signed_person_may",
                doing=doing,
                actor=self.username,
            )
        return self.user_id

    def audit_context(self) -> AuditContext:
        return AuditContext(actor=self.username, actor_id=self.user_id, request_id=self.request_id)


def system_principal(what: str) -> Principal:
    """The actor for the CLI and the demo loader: every change still has a named author."""
    return Principal(user_id=None, username=f"system:{what}", roles=frozenset({Role.ADMIN}))


#: The roles as a refusal names them (``allowed``), for the problems catalog.
ROLE_WORDS = (
    problem_template("admin"),
    problem_template("quality_manager"),
    problem_template("technician"),
    problem_template("signatory"),
    problem_template("customer"),
    problem_template("auditor"),
)


def require_role(actor: Principal, *roles: Role, doing: str) -> None:
    """Refuse unless ``actor`` holds one of ``roles``; the message says who may."""
    if not actor.has_any(*roles):
        allowed = ", ".join(role.value for role in roles)
        raise PermissionDenied(
            "only %(allowed)s may %(doing)s", code="accounts.only_may", allowed=allowed, doing=doing
        )


def require_organisation_access(actor: Principal, organisation_id: int | None, what: str) -> None:
    """A customer sees its own organisation's records only; others look as if absent."""
    if actor.reads_everything:
        return
    if organisation_id is None or organisation_id != actor.organisation_id:
        raise _not_found(what)


#: A missing record of each kind, worded so that the reader's language names the kind too: the
#: refusal's template (marked for the problems catalog), its code and the name of its number.
#: tests/test_problem_messages.py reads this table as it reads a raise.
MISSING_RECORDS: dict[str, tuple[str, str, str]] = {
    "job": (problem_template("job %(job_id)s does not exist"), "jobs.job_does_exist", "job_id"),
    "organisation": (
        problem_template("organisation %(organisation_id)s does not exist"),
        "accounts.organisation_does_exist",
        "organisation_id",
    ),
    "agreement": (
        problem_template("agreement %(agreement_id)s does not exist"),
        "contracts.agreement_does_exist",
        "agreement_id",
    ),
    "quotation": (
        problem_template("quotation %(quotation_id)s does not exist"),
        "contracts.quotation_does_exist",
        "quotation_id",
    ),
    "quotation request": (
        problem_template("quotation request %(request_id)s does not exist"),
        "contracts.quotation_request_does_exist",
        "request_id",
    ),
    "order": (
        problem_template("order %(order_id)s does not exist"),
        "contracts.order_does_exist",
        "order_id",
    ),
    "enrolment": (
        problem_template("enrolment %(enrolment_id)s does not exist"),
        "training.enrolment_does_exist",
        "enrolment_id",
    ),
    "RR test": (
        problem_template("RR test %(rr_test_id)s does not exist"),
        "training.rr_test_does_exist",
        "rr_test_id",
    ),
}


def _not_found(what: str) -> NotFound:
    """The refusal for ``what`` ("job 4"), from :data:`MISSING_RECORDS` for a kind it words."""
    kind, _, given = what.rpartition(" ")
    if kind not in MISSING_RECORDS:
        return NotFound("%(what)s does not exist", code="accounts.does_exist", what=what)
    template, code, name = MISSING_RECORDS[kind]
    number: Any = int(given) if given.isdigit() else given
    return NotFound(template, code=code, **{name: number})


class OwnedRecord(Protocol):
    """A record of one customer organisation, or of none (then it is the lab's own)."""

    @property
    def organisation_id(self) -> int | None: ...


Owned = TypeVar("Owned", bound=OwnedRecord)


def visible_to(actor: Principal, record: Owned | None, what: str) -> Owned:
    """``record`` when it exists and ``actor`` may see it, else NotFound ("``what`` does not
    exist").  Another organisation's record answers exactly as a missing one, so a customer
    learns nothing of other customers by asking; fetch the record and pass it, e.g.
    ``visible_to(actor, db_session.get(Job, job_id), f"job {job_id}")``.
    """
    if record is None:
        raise _not_found(what)
    require_organisation_access(actor, record.organisation_id, what)
    return record
