"""What an export covers, and for whom: one job, the records behind one document, or the
jobs of a period; for the laboratory (staff, auditors) or for one customer.

Everything a request can get wrong is refused here, before a single byte of a bundle is
written: an unknown job or document, a customer's request for another customer's record
(answered exactly as for a record that does not exist), a malformed or reversed period, one
longer than ten years, and a period without jobs.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, or_, select

from lims.accounts.principal import Principal, visible_to
from lims.clock import in_calendar
from lims.db import persisted_id
from lims.documents.models import Document
from lims.documents.visibility import visible_document
from lims.errors import InvalidInput, NotFound, PermissionDenied
from lims.jobs.models import Job
from lims.records.retention import add_years

MAX_PERIOD_YEARS = 10
_PERIOD = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")
PERIOD_FORMAT = "YYYY-MM-DD..YYYY-MM-DD, e.g. 2026-01-01..2026-06-30"


class Audience(StrEnum):
    LABORATORY = "laboratory"  # staff and auditors: every record behind the work
    CUSTOMER = "customer"  # one organisation's own records, none of the lab's internal ones


@dataclass(frozen=True)
class Period:
    """Calendar days in the lab's time zone, both ends included."""

    first: date
    last: date

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


@dataclass(frozen=True)
class Scope:
    kind: str  # "job", "document" or "period"
    label: str  # the job or document number, or the period as given
    job_ids: tuple[int, ...]
    audience: Audience
    organisation_id: int | None  # the customer's, for a customer's bundle
    document_id: int | None = None  # a contract document without a job


def parse_period(text: str) -> Period:
    """``2026-01-01..2026-06-30``: refused when malformed, reversed or over ten years long.

    >>> str(parse_period("2026-01-01..2026-06-30"))
    '2026-01-01..2026-06-30'
    """
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise InvalidInput(
            "give the period as %(period_format)s",
            code="records.give_period",
            period_format=PERIOD_FORMAT,
            location=("period",),
        )
    try:
        first, last = (date.fromisoformat(part) for part in match.groups())
    except ValueError as error:
        raise InvalidInput(
            "the period has an impossible date: %(error)s",
            code="records.period_has_impossible_date",
            error=error,
            location=("period",),
        ) from None
    for day in (first, last):
        in_calendar(day, location=("period",))
    if last < first:
        raise InvalidInput(
            "the period %(text)s ends before it begins: give the earlier day first",
            code="records.period_ends_before_begins_give",
            text=text,
            location=("period",),
        )
    if last >= add_years(first, MAX_PERIOD_YEARS):
        raise InvalidInput(
            "the period %(text)s is longer than %(max_period_years)s years: export "
            "it in shorter periods",
            code="records.period_longer_than_years_export",
            text=text,
            max_period_years=MAX_PERIOD_YEARS,
            location=("period",),
        )
    return Period(first, last)


def audience_of(actor: Principal) -> Audience:
    if actor.reads_everything:
        return Audience.LABORATORY
    if actor.is_customer and actor.organisation_id is not None:
        return Audience.CUSTOMER
    raise PermissionDenied(
        "only the lab's staff, auditors and customers may export records",
        code="records.only_lab_staff_auditors_customers",
    )


def resolve(
    db_session: Session,
    *,
    actor: Principal,
    timezone: str,
    job_id: int | None = None,
    job_number: str | None = None,
    document_number: str | None = None,
    period: str | None = None,
) -> Scope:
    """The scope asked for, checked; exactly one of the four ways of naming it."""
    given = [value for value in (job_id, job_number, document_number, period) if value is not None]
    if len(given) != 1:
        raise InvalidInput(
            "name exactly one of: a job, a document or a period",
            code="records.name_exactly_one_job_document",
        )
    audience = audience_of(actor)
    organisation_id = actor.organisation_id if audience == Audience.CUSTOMER else None
    if job_id is not None or job_number is not None:
        job = _job(db_session, actor, job_id, job_number)
        return Scope("job", job.number, (persisted_id(job),), audience, organisation_id)
    if document_number is not None:
        document = _document(db_session, actor, document_number)
        jobs = (document.job_id,) if document.job_id is not None else ()
        return Scope(
            "document", document.number, jobs, audience, organisation_id, document_id=document.id
        )
    if period is None:
        raise InvalidInput(
            "name exactly one of: a job, a document or a period",
            code="records.name_exactly_one_job_document",
        )
    parsed = parse_period(period)
    job_ids = jobs_of_period(db_session, parsed, timezone=timezone, organisation_id=organisation_id)
    if not job_ids:
        raise NotFound(
            "no job was opened or reported in %(parsed)s: nothing to export",
            code="records.job_was_opened_reported_nothing",
            parsed=parsed,
        )
    return Scope("period", str(parsed), job_ids, audience, organisation_id)


def _job(db_session: Session, actor: Principal, job_id: int | None, number: str | None) -> Job:
    if job_id is not None:
        job = db_session.get(Job, job_id)
        what = f"job {job_id}"
    else:
        job = db_session.exec(select(Job).where(Job.number == number)).first()
        what = f"job {number}"
    return visible_to(actor, job, what)


def _document(db_session: Session, actor: Principal, number: str) -> Document:
    document = db_session.exec(select(Document).where(Document.number == number)).first()
    return visible_document(actor, document, f"document {number}")


def jobs_of_period(
    db_session: Session, period: Period, *, timezone: str, organisation_id: int | None
) -> tuple[int, ...]:
    """Jobs opened, or with a certificate or report issued, in the period (local days)."""
    zone = ZoneInfo(timezone)
    start = datetime.combine(period.first, time.min, zone).astimezone(UTC)
    end = datetime.combine(period.last + timedelta(days=1), time.min, zone).astimezone(UTC)
    reported = select(Document.job_id).where(
        col(Document.job_id).is_not(None), Document.issued_at >= start, Document.issued_at < end
    )
    query = select(Job.id).where(
        or_(
            (col(Job.created_at) >= start) & (col(Job.created_at) < end),
            col(Job.id).in_(reported),
        )
    )
    if organisation_id is not None:
        query = query.where(Job.organisation_id == organisation_id)
    return tuple(job_id for job_id in db_session.exec(query.order_by(col(Job.id))) if job_id)
