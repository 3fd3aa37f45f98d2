"""The year-end cost recovery: work delivered in the year against each resource's allocated
cost, and the quotations still to come shown apart as the pipeline (service E).

Delivered work is the jobs reported in the year, by the lab's calendar day of the reporting
step.  A job reopened and reported again is counted once, in the year of its last report: the
revised report replaces the first, and counting both would bill the work twice.  Cancelled
jobs are never counted.  Each job counts at its agreed price, net of VAT like the costs it is
set against: the lines of the quotation its order accepted, otherwise the price list items its
items name, from the published price list of the year the job was opened (the list the job
shows).  A job nothing prices is listed without a price, never counted as zero.

The selection and the prices are ``delivered_between``, which the invoicing basis
(``lims.invoicing``) reads too: the work the year counts is the work the lab bills.

This reads jobs and contracts, so it lives beside the jobs: contracts may not import them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from lims.accounts.principal import Principal
from lims.clock import local_day, local_today
from lims.config import Settings
from lims.contracts.models import (
    CostRecovery,
    CostRecoveryRow,
    DeliveredJob,
    NoPriceReason,
    Order,
    Pipeline,
    PriceBasis,
    PriceList,
    PriceModel,
    Quotation,
    QuotationState,
)
from lims.contracts.money import cents
from lims.contracts.prices import describe_price_model, get_price_model, price_list_of_year
from lims.contracts.quotations import status_on
from lims.db import persisted_id
from lims.jobs.models import Item, Job, JobStatus, JobTransition

PERCENT_STEP = Decimal("0.1")
NOTHING = Decimal("0.00")


@dataclass(frozen=True)
class AgreedPrice:
    """A job's agreed price net of VAT by resource; ``basis`` None when nothing prices it."""

    basis: PriceBasis | None
    by_resource: dict[str, Decimal]
    no_price: NoPriceReason | None = None
    quotation: Quotation | None = None

    @property
    def net(self) -> Decimal | None:
        return sum(self.by_resource.values(), Decimal(0)) if self.basis else None


@dataclass(frozen=True)
class Delivery:
    """A delivered job: reported (then perhaps closed) at ``reported_at``, never cancelled."""

    job: Job
    reported_at: datetime
    price: AgreedPrice


def delivered_between(
    db_session: Session, first_day: date, last_day: date, timezone: str
) -> list[Delivery]:
    """The jobs delivered from ``first_day`` to ``last_day`` (the lab's calendar days of
    their last reporting step), each at its agreed price: what the cost recovery counts and
    the invoicing basis bills, from this one selection."""
    reported = _reported_in(db_session, first_day, last_day, timezone)
    prices = _prices(db_session, [job for job, _ in reported])
    return [Delivery(job, at, prices[persisted_id(job)]) for job, at in reported]


def cost_recovery(
    db_session: Session, *, actor: Principal, price_model_id: int, settings: Settings
) -> CostRecovery:
    model = get_price_model(db_session, actor=actor, price_model_id=price_model_id)
    deliveries = delivered_between(
        db_session, date(model.year, 1, 1), date(model.year, 12, 31), settings.timezone
    )
    delivered: dict[str, Decimal] = defaultdict(Decimal)
    jobs = []
    for delivery in deliveries:
        price = delivery.price
        for resource, amount in price.by_resource.items():
            delivered[resource] += amount
        jobs.append(
            DeliveredJob(
                job_id=persisted_id(delivery.job),
                number=delivery.job.number,
                reported_on=local_day(delivery.reported_at, settings.timezone),
                price_basis=price.basis,
                net=price.net,
                no_price_reason=price.no_price,
            )
        )
    rows = _rows(model, delivered)
    allocated = sum((row.allocated_cost for row in rows), NOTHING)
    total = sum((row.delivered for row in rows), NOTHING)
    return CostRecovery(
        year=model.year,
        rows=rows,
        allocated_cost=allocated,
        delivered=total,
        surplus=total - allocated,
        recovery_percent=_percent(total, allocated),
        jobs=jobs,
        pipeline=_pipeline(db_session, model, local_today(settings.timezone)),
    )


def _reported_in(
    db_session: Session, first_day: date, last_day: date, timezone: str
) -> list[tuple[Job, datetime]]:
    """Jobs whose last reporting step falls on ``first_day``..``last_day`` on the lab's
    calendar, not cancelled."""
    zone = ZoneInfo(timezone)
    last_reported = (
        select(col(JobTransition.job_id), func.max(JobTransition.at).label("at"))
        .where(JobTransition.to_status == JobStatus.REPORTED)
        .group_by(col(JobTransition.job_id))
        .subquery()
    )
    found = db_session.exec(
        select(Job, last_reported.c.at)
        .join(last_reported, last_reported.c.job_id == Job.id)
        .where(
            Job.status != JobStatus.CANCELLED,
            last_reported.c.at >= datetime.combine(first_day, time(), tzinfo=zone),
            last_reported.c.at
            < datetime.combine(last_day + timedelta(days=1), time(), tzinfo=zone),
        )
        .order_by(last_reported.c.at, col(Job.id))
    )
    return [(job, at) for job, at in found]


def _prices(db_session: Session, jobs: list[Job]) -> dict[int, AgreedPrice]:
    """Each job's agreed price by resource: its quotation's lines, else its items' list prices."""
    quoted = _quotations_of(db_session, {job.order_id for job in jobs if job.order_id})
    items: dict[int, list[Item]] = defaultdict(list)
    job_ids = [persisted_id(job) for job in jobs]
    for item in db_session.exec(select(Item).where(col(Item.job_id).in_(job_ids))):
        items[item.job_id].append(item)
    lists: dict[int, PriceList | None] = {}
    prices = {}
    for job in jobs:
        quotation = quoted.get(job.order_id) if job.order_id else None
        if quotation is not None:
            prices[persisted_id(job)] = AgreedPrice(
                PriceBasis.QUOTATION, _by_resource(quotation), quotation=quotation
            )
            continue
        year = job.created_at.year  # the year whose price list the job shows (jobs.describe)
        if year not in lists:
            lists[year] = price_list_of_year(db_session, year)
        prices[persisted_id(job)] = _listed(items[persisted_id(job)], lists[year])
    return prices


def _quotations_of(db_session: Session, order_ids: Iterable[int]) -> dict[int, Quotation]:
    found = db_session.exec(
        select(Order, Quotation)
        .join(Quotation, col(Quotation.id) == Order.quotation_id)
        .where(col(Order.id).in_(list(order_ids)))
    )
    return {persisted_id(order): quotation for order, quotation in found}


def _by_resource(quotation: Quotation) -> dict[str, Decimal]:
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for line in quotation.lines:
        amounts[line["resource"]] += Decimal(line["line_total"])
    return dict(amounts)


def _listed(items: list[Item], price_list: PriceList | None) -> AgreedPrice:
    """Priced from the list only when every item names an item of it: a part price would
    look like the whole."""
    if not items or all(item.price_item is None for item in items):
        return AgreedPrice(None, {}, NoPriceReason.NOT_PRICED)
    if any(item.price_item is None for item in items):
        return AgreedPrice(None, {}, NoPriceReason.ITEM_NOT_PRICED)
    if price_list is None:
        return AgreedPrice(None, {}, NoPriceReason.NO_PRICE_LIST)
    listed = {entry["code"]: entry for entry in price_list.items}
    amounts: dict[str, Decimal] = defaultdict(Decimal)
    for item in items:
        entry = listed.get(item.price_item or "")
        if entry is None:
            return AgreedPrice(None, {}, NoPriceReason.UNKNOWN_PRICE_ITEM)
        amounts[entry["resource"]] += Decimal(entry["price"])
    return AgreedPrice(PriceBasis.PRICE_LIST, dict(amounts))


def _rows(model: PriceModel, delivered: dict[str, Decimal]) -> list[CostRecoveryRow]:
    """One row per resource of the model; work of a resource the model lacks (priced under
    another year's model) gets a row of its own with no allocated cost, not dropped."""
    amounts = {code: cents(amount) for code, amount in delivered.items()}
    rows = [
        CostRecoveryRow(
            resource=resource.code,
            name=resource.name,
            allocated_cost=resource.allocated_cost,
            delivered=amounts.get(resource.code, NOTHING),
            surplus=amounts.get(resource.code, NOTHING) - resource.allocated_cost,
        )
        for resource in describe_price_model(model).resources
    ]
    known = {row.resource for row in rows}
    rows += [
        CostRecoveryRow(
            resource=code, name=code, allocated_cost=NOTHING, delivered=amount, surplus=amount
        )
        for code, amount in sorted(amounts.items())
        if code not in known
    ]
    return rows


def _percent(delivered: Decimal, allocated: Decimal) -> Decimal | None:
    """Delivered work as a per cent of the allocated cost, to 0.1, half up."""
    if allocated == 0:
        return None
    return (delivered * 100 / allocated).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def _pipeline(db_session: Session, model: PriceModel, today: date) -> Pipeline:
    """The model's quotations not delivered: accepted ones whose order has no reported job
    (a cancelled job releases its quotation), and sent ones still valid today."""
    quotations = list(
        db_session.exec(
            select(Quotation).where(
                Quotation.price_model_id == model.id,
                col(Quotation.state).in_([QuotationState.SENT, QuotationState.ACCEPTED]),
            )
        )
    )
    delivered_quotations = set(
        db_session.exec(
            select(Order.quotation_id)
            .join(Job, col(Job.order_id) == Order.id)
            .join(JobTransition, col(JobTransition.job_id) == Job.id)
            .where(
                col(Order.quotation_id).is_not(None),
                Job.status != JobStatus.CANCELLED,
                JobTransition.to_status == JobStatus.REPORTED,
            )
        )
    )
    accepted = [
        q
        for q in quotations
        if q.state == QuotationState.ACCEPTED and q.id not in delivered_quotations
    ]
    still_open = [q for q in quotations if status_on(q, today) == QuotationState.SENT]
    return Pipeline(
        accepted_not_delivered=sum((q.net_total for q in accepted), NOTHING),
        accepted_count=len(accepted),
        open=sum((q.net_total for q in still_open), NOTHING),
        open_count=len(still_open),
    )
