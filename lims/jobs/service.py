"""Jobs, their items and plans, and the guarded workflow: plain functions over a ``Session``.

A customer submits and follows its own jobs (and may cancel one not yet accepted); staff
run them.  Every step is audited; the rules a step needs are checked here, below the API,
so no client can skip them.
"""

from collections.abc import Callable
from datetime import date, datetime
from typing import Any, BinaryIO, NamedTuple

from sqlmodel import Session, col, func, select
from sqlmodel.sql.expression import SelectOfScalar

from lims import paging, units
from lims.accounts.models import Organisation, Role
from lims.accounts.principal import (
    Principal,
    require_organisation_access,
    require_role,
    visible_to,
)
from lims.audit.trail import because, save, set_context
from lims.clock import local_today
from lims.competence.models import Activity
from lims.competence.service import check_authorised, check_four_eyes
from lims.config import Settings
from lims.contracts import agreements
from lims.contracts.calendar import add_working_days
from lims.contracts.models import Agreement, Order, QuotationState, Service
from lims.contracts.prices import closures, price_list_of_year
from lims.contracts.quotations import agreement_for_order, get_quotation
from lims.db import lock_row, persisted_id, utcnow
from lims.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from lims.jobs import contract_review, workflow
from lims.jobs.models import (
    Characteristic,
    CharacteristicEdit,
    CharacteristicSource,
    CharacteristicSpec,
    Dispatch,
    Item,
    ItemKind,
    ItemSpec,
    Job,
    JobKind,
    JobPublic,
    JobStatus,
    JobSubmission,
    JobTransition,
    PointsPlan,
    Receipt,
    Result,
)
from lims.jobs.points import planned_label
from lims.methods.models import Method
from lims.methods.template import size_parameters
from lims.numbering import formatted, next_number
from lims.sniffing import HEAD_BYTES, check_content, check_filename
from lims.storage import FileStore

STAFF_WHO_RUN_JOBS = (Role.ADMIN, Role.QUALITY_MANAGER, Role.TECHNICIAN, Role.SIGNATORY)
#: What the board sorts by, and how a paging cursor's text of that field reads back.
SORTABLE: dict[str, Callable[[str], Any]] = {
    "due_date": date.fromisoformat,
    "created_at": datetime.fromisoformat,
    "number": str,
    "status": str,
    "priority": str,
}


def _acting(db_session: Session, actor: Principal) -> None:
    set_context(db_session, actor.audit_context())


# -- reading ------------------------------------------------------------------------------


def get_job(db_session: Session, *, actor: Principal, job_id: int) -> Job:
    return visible_to(actor, db_session.get(Job, job_id), f"job {job_id}")


def lock_job(db_session: Session, job_id: int) -> Job:
    """Take the job's lock until the transaction ends, and read the job afresh under it.

    Whatever moves a job's state, or issues, revises or withdraws its documents, takes this
    lock before it checks the state (``lims.db.lock_row`` says how, on each backend).
    Issuing reports the job and so takes the lock again in the same transaction, which does
    not wait.
    """
    job = lock_row(db_session, Job, job_id)
    if job is None:
        raise NotFound("job %(job_id)s does not exist", code="jobs.job_does_exist", job_id=job_id)
    return job


def visible_jobs(actor: Principal) -> SelectOfScalar[Job]:
    """The jobs ``actor`` may read: a customer its own organisation's, the lab every one."""
    query = select(Job)
    if not actor.reads_everything:
        query = query.where(Job.organisation_id == actor.organisation_id)
    return query


def list_jobs(
    db_session: Session,
    *,
    actor: Principal,
    status: JobStatus | None = None,
    kind: JobKind | None = None,
    organisation_id: int | None = None,
    due_before: date | None = None,
    sort: str = "due_date",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> tuple[list[Job], int, str | None]:
    """One page of jobs, the total count, and the cursor of the next page (None on the last).

    A page starts at ``offset`` or after ``cursor`` (keyset paging, see ``lims.paging``);
    a customer's filter is always its own.
    """
    query = visible_jobs(actor)
    if status is not None:
        query = query.where(Job.status == status)
    if kind is not None:
        query = query.where(Job.kind == kind)
    if organisation_id is not None:
        query = query.where(Job.organisation_id == organisation_id)
    if due_before is not None:
        query = query.where(Job.due_date <= due_before)
    descending = sort.startswith("-")
    field = sort.removeprefix("-")
    if field not in SORTABLE:
        raise InvalidInput(
            "sort by one of %(sortable)s (prefix - for descending)",
            code="jobs.sort_one_prefix_descending",
            sortable=", ".join(sorted(SORTABLE)),
            location=("sort",),
        )
    column = col(getattr(Job, field))
    total = db_session.exec(select(func.count()).select_from(query.subquery())).one()
    if cursor is not None:
        if offset:
            raise InvalidInput(
                "page by cursor or by offset, not both",
                code="jobs.page_cursor_offset_both",
                location=("offset",),
            )
        after = paging.decode(cursor, sort=sort)
        query = query.where(
            paging.rows_after(
                after, column, col(Job.id), descending=descending, parse=SORTABLE[field]
            )
        )
    ordered = query.order_by(*paging.order_of(column, col(Job.id), descending=descending))
    # One row more than the page shows whether another page follows.
    rows = list(db_session.exec(ordered.offset(offset).limit(limit + 1)))
    page = rows[:limit]
    following = paging.cursor_after(page[-1], sort=sort) if len(rows) > limit else None
    return page, int(total), following


def jobs_of_order(db_session: Session, *, actor: Principal, order_id: int) -> list[Job]:
    """The jobs opened under an order (a cancelled one and the job that replaced it)."""
    query = select(Job).where(Job.order_id == order_id).order_by(col(Job.id))
    if not actor.reads_everything:
        query = query.where(Job.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def items_of_jobs(
    db_session: Session, *, actor: Principal, job_ids: set[int]
) -> dict[int, list[Item]]:
    """The items of each job on a page of the board, read at once (what each job is about),
    in the order they were added; a customer's only of its own jobs."""
    query = select(Item).where(col(Item.job_id).in_(job_ids)).order_by(col(Item.id))
    if not actor.reads_everything:
        query = query.where(Item.organisation_id == actor.organisation_id)
    found: dict[int, list[Item]] = {}
    for item in db_session.exec(query):
        found.setdefault(item.job_id, []).append(item)
    return found


def job_numbers(db_session: Session, *, actor: Principal, job_ids: set[int]) -> dict[int, str]:
    """The numbers of the jobs a list refers to (its documents'), read at once."""
    query = select(Job.id, Job.number).where(col(Job.id).in_(job_ids))
    if not actor.reads_everything:
        query = query.where(Job.organisation_id == actor.organisation_id)
    return {int(job_id): number for job_id, number in db_session.exec(query) if job_id}


def describe(db_session: Session, job: Job) -> JobPublic:
    return describe_all(db_session, [job])[0]


def describe_all(db_session: Session, jobs: list[Job]) -> list[JobPublic]:
    """Jobs as the API shows them, with their agreement's number and the price list of
    their year: looked up once per page, not once per job (a page of the board is 2 more
    queries, not 150)."""
    agreement_ids = {job.agreement_id for job in jobs}
    agreement_numbers = dict(
        db_session.exec(
            select(Agreement.id, Agreement.number).where(col(Agreement.id).in_(agreement_ids))
        ).all()
    )
    price_lists = {
        year: _price_list_id_of(db_session, year) for year in {job.created_at.year for job in jobs}
    }
    return [
        JobPublic.model_validate(
            {
                **job.model_dump(),
                "agreement_number": agreement_numbers[job.agreement_id],
                "price_list_id": price_lists[job.created_at.year],
            }
        )
        for job in jobs
    ]


def _price_list_id_of(db_session: Session, year: int) -> int | None:
    price_list = price_list_of_year(db_session, year)
    return price_list.id if price_list else None


# -- submission ---------------------------------------------------------------------------


def submit_job(
    db_session: Session, *, actor: Principal, data: JobSubmission, settings: Settings
) -> Job:
    """A customer (or staff for it) submits a job; the agreement rule decides whether it may.

    Under an accepted quotation the job takes the order's agreed price and delivery date;
    otherwise the agreement in force (or an ad-hoc one made now) gives the delivery time.
    """
    today = local_today(settings.timezone)
    if actor.is_customer:
        require_organisation_access(
            actor, data.organisation_id, f"organisation {data.organisation_id}"
        )
    else:
        require_role(actor, *STAFF_WHO_RUN_JOBS, doing="submit jobs for customers")
    if db_session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=data.organisation_id,
            location=("organisation_id",),
        )
    if actor.user_id is None:
        raise PermissionDenied("a job is requested by a person", code="jobs.job_requested_person")
    _acting(db_session, actor)
    service = Service(data.kind)
    order: Order | None = None
    if data.quotation_id is not None:
        order = _order_of_quotation(
            db_session, actor=actor, data=data, quotation_id=data.quotation_id
        )
        agreement = db_session.get_one(Agreement, order.agreement_id)
        due = order.delivery_date
    else:
        agreement = agreement_for_order(
            db_session,
            organisation_id=data.organisation_id,
            service=service,
            on=today,
            accept_terms=data.accept_terms_and_confidentiality,
            accepted_by=data.accepted_by,
            delivery_days=settings.default_delivery_days,
            settings=settings,
        )
        days = agreements.delivery_days_for(agreement, service)
        due = add_working_days(
            today, settings.default_delivery_days if days is None else days, closures(db_session)
        )
    if data.requested_delivery is not None and data.requested_delivery > due:
        due = data.requested_delivery
    job = Job(
        number=formatted("TY", today.year, next_number(db_session, series="job", year=today.year)),
        kind=data.kind,
        organisation_id=data.organisation_id,
        agreement_id=persisted_id(agreement),
        order_id=order.id if order else None,
        customer_reference=data.customer_reference or (order.customer_reference if order else None),
        requested_by_id=actor.user_id,
        requested_delivery=data.requested_delivery,
        due_date=due,
        priority=data.priority,
        agreed_price=order.agreed_price if order else None,
    )
    db_session.add(job)
    db_session.flush()
    for spec in data.items:
        db_session.add(_new_item(job, spec))
    db_session.commit()
    db_session.refresh(job)
    return job


def _order_of_quotation(
    db_session: Session, *, actor: Principal, data: JobSubmission, quotation_id: int
) -> Order:
    quotation = get_quotation(db_session, actor=actor, quotation_id=quotation_id)
    if quotation.organisation_id != data.organisation_id:
        raise InvalidInput(
            "the quotation is for another customer",
            code="jobs.quotation_another_customer",
            location=("quotation_id",),
        )
    if quotation.state != QuotationState.ACCEPTED:
        raise InvalidInput(
            "quotation %(quotation)s has not been accepted; accept it first",
            code="jobs.quotation_has_been_accepted_accept",
            quotation=quotation.number,
            location=("quotation_id",),
        )
    if quotation.service != data.kind:
        raise InvalidInput(
            "quotation %(quotation)s is for %(service)s, not %(kind)s",
            code="jobs.quotation",
            quotation=quotation.number,
            service=quotation.service,
            kind=data.kind,
            location=("kind",),
        )
    order = db_session.exec(select(Order).where(Order.quotation_id == quotation.id)).first()
    if order is None:
        raise RuntimeError(
            f"quotation {quotation.number} is accepted but has no order: accepting records one"
        )
    # One job per order: of two requests opening it at once, the second waits for the first
    # to commit and then finds its job (the check below would otherwise pass for both).
    lock_row(db_session, Order, persisted_id(order))
    # A cancelled job releases its quotation: the order's agreed price carries to a new job.
    opened = select(Job).where(Job.order_id == order.id, Job.status != JobStatus.CANCELLED)
    if db_session.exec(opened).first():
        raise Conflict(
            "a job has already been opened for quotation %(quotation)s",
            code="jobs.job_has_already_been_opened",
            quotation=quotation.number,
        )
    return order


# -- items --------------------------------------------------------------------------------


def _new_item(job: Job, spec: ItemSpec) -> Item:
    if job.kind in (JobKind.CALIBRATION, JobKind.INSPECTION) and spec.kind != "instrument":
        raise InvalidInput(
            "a %(kind)s job takes instruments, not %(kind2)s",
            code="jobs.job_takes_instruments",
            kind=job.kind,
            kind2=spec.kind,
            location=("items",),
        )
    return Item(**spec.model_dump(), job_id=persisted_id(job), organisation_id=job.organisation_id)


def list_items(db_session: Session, *, actor: Principal, job_id: int) -> list[Item]:
    get_job(db_session, actor=actor, job_id=job_id)
    return list(db_session.exec(select(Item).where(Item.job_id == job_id).order_by(col(Item.id))))


def list_instruments_of(
    db_session: Session, *, actor: Principal, organisation_id: int, limit: int = 200
) -> list[Item]:
    """The instruments an organisation has sent in, newest first: the items of kind
    instrument of all its jobs (one row per time an instrument came in)."""
    require_organisation_access(actor, organisation_id, f"organisation {organisation_id}")
    return list(
        db_session.exec(
            select(Item)
            .where(Item.organisation_id == organisation_id, Item.kind == ItemKind.INSTRUMENT)
            .order_by(col(Item.id).desc())
            .limit(limit)
        )
    )


def get_item(db_session: Session, *, actor: Principal, job_id: int, item_id: int) -> Item:
    get_job(db_session, actor=actor, job_id=job_id)
    item = db_session.get(Item, item_id)
    if item is None or item.job_id != job_id:
        raise NotFound(
            "item %(item_id)s is not part of job %(job_id)s",
            code="jobs.item_part_job",
            item_id=item_id,
            job_id=job_id,
        )
    return item


def add_item(db_session: Session, *, actor: Principal, job_id: int, spec: ItemSpec) -> Item:
    job = get_job(db_session, actor=actor, job_id=job_id)
    if job.status not in (JobStatus.REQUESTED, JobStatus.ACCEPTED):
        raise Conflict(
            "items are added before they are received; the job is %(status)s",
            code="jobs.items_added_before_they_received",
            status=job.status,
        )
    if not actor.is_customer:
        require_role(actor, *STAFF_WHO_RUN_JOBS, doing="add items")
    item = _new_item(job, spec)
    return save(db_session, actor.audit_context(), item)


def receive_item(
    db_session: Session, *, actor: Principal, job_id: int, item_id: int, data: Receipt
) -> Item:
    """Record receipt and the condition found; problems must be told to the customer."""
    item = get_item(db_session, actor=actor, job_id=job_id, item_id=item_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="receive items")
    if item.received_on is not None:
        raise Conflict(
            "item %(item_id)s was received on %(received_on)s",
            code="jobs.item_was_received",
            item_id=item_id,
            received_on=item.received_on,
        )
    if data.condition != "fit" and not data.remarks:
        raise InvalidInput(
            "describe what is wrong with the item",
            code="jobs.describe_what_wrong_item",
            location=("remarks",),
        )
    if data.condition == "damaged" and not data.customer_informed:
        raise InvalidInput(
            "tell the customer of the damage before going on (ISO/IEC 17025 7.4.3)",
            code="jobs.tell_customer_damage_before_going",
            location=("customer_informed",),
        )
    item.received_on = data.received_on
    item.received_by_id = actor.user_id
    item.condition = data.condition
    item.condition_remarks = data.remarks
    item.customer_informed = data.customer_informed
    return save(db_session, actor.audit_context(), item)


def dispatch_item(
    db_session: Session, *, actor: Principal, job_id: int, item_id: int, data: Dispatch
) -> Item:
    item = get_item(db_session, actor=actor, job_id=job_id, item_id=item_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="dispatch items")
    if item.received_on is None or data.dispatched_on < item.received_on:
        raise InvalidInput(
            "an item is dispatched after it was received",
            code="jobs.item_dispatched_after_was_received",
            location=("dispatched_on",),
        )
    item.dispatched_on = data.dispatched_on
    return save(db_session, actor.audit_context(), item)


def item_for_upload(db_session: Session, *, actor: Principal, job_id: int, item_id: int) -> Item:
    """The item ``actor`` may add a file to: a customer its own, the staff who run jobs any,
    while the job is open: a reported job's files are part of its record (7.5), so they change
    only once a quality manager has reopened it.  Checked before an upload's body is read, and
    again by the service that keeps the file."""
    item = get_item(db_session, actor=actor, job_id=job_id, item_id=item_id)
    if not actor.is_customer:
        require_role(actor, *STAFF_WHO_RUN_JOBS, doing="add files to items")
    status = db_session.exec(select(Job.status).where(Job.id == job_id)).one()
    if status in FILES_FIXED:
        raise Conflict(
            "files are added to items of open jobs only; this job is %(status)s",
            code="jobs.files_added_items_open_jobs",
            status=status,
        )
    return item


FILES_FIXED = {JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}


def attach_file(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    item_id: int,
    content: BinaryIO,
    filename: str,
    role: str,
    store: FileStore,
    max_bytes: int,
) -> Item:
    """Keep a file (drawing, CAD model, QIF) in the file store and record it on the item.

    The name must be a plain file name and the bytes what the name says (``lims.sniffing``);
    a refused file is not stored.
    """
    item = item_for_upload(db_session, actor=actor, job_id=job_id, item_id=item_id)
    filename = check_filename(filename)
    check_content(filename, content.read(HEAD_BYTES))
    content.seek(0)
    stored = store.put(content, max_bytes=max_bytes)
    entry = {"sha256": stored.sha256, "size": stored.size, "name": filename, "role": role}
    item.files = [*item.files, entry]
    return save(db_session, actor.audit_context(), item)


# -- plans --------------------------------------------------------------------------------


def list_characteristics(
    db_session: Session, *, actor: Principal, job_id: int
) -> list[Characteristic]:
    get_job(db_session, actor=actor, job_id=job_id)
    return list(
        db_session.exec(
            select(Characteristic)
            .where(Characteristic.job_id == job_id)
            .order_by(col(Characteristic.id))
        )
    )


def add_characteristic(
    db_session: Session, *, actor: Principal, job_id: int, spec: CharacteristicSpec
) -> Characteristic:
    (characteristic,) = add_characteristics(db_session, actor=actor, job_id=job_id, specs=[spec])
    return characteristic


PLAN_FIXED = {
    JobStatus.MEASURED,
    JobStatus.REVIEWED,
    JobStatus.APPROVED,
    JobStatus.REPORTED,
    JobStatus.CLOSED,
    JobStatus.CANCELLED,
}


class ModelSource(NamedTuple):
    """The CAD model (by its file's SHA-256) and the entity in it a characteristic came from."""

    sha256: str
    ref: str


def add_characteristics(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    specs: list[CharacteristicSpec],
    sources: list[ModelSource] | None = None,
) -> list[Characteristic]:
    """Check every characteristic, then write them all in one transaction (or none).

    ``sources`` gives each one planned from a model its file hash and entity id.
    """
    job = get_job(db_session, actor=actor, job_id=job_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="plan measurements")
    if job.status in PLAN_FIXED:
        raise Conflict(
            "the plan is fixed once the job is %(status)s",
            code="cad.plan_fixed_once_job",
            status=job.status,
        )
    labels = [spec.label for spec in specs]
    existing = set(
        db_session.exec(select(Characteristic.label).where(Characteristic.job_id == job_id))
    )
    taken = sorted(set(labels) & existing) or sorted({x for x in labels if labels.count(x) > 1})
    if taken:
        raise Conflict(
            "job %(job)s already has a characteristic '%(taken)s'",
            code="jobs.job_already_has_characteristic",
            job=job.number,
            taken=taken[0],
        )
    for spec in specs:
        _check_characteristic(db_session, actor=actor, job=job, spec=spec)
    _acting(db_session, actor)
    planned = [
        Characteristic(
            **spec.model_dump(),
            job_id=job_id,
            organisation_id=job.organisation_id,
            source_sha256=sources[index].sha256 if sources else None,
            source_ref=sources[index].ref if sources else None,
        )
        for index, spec in enumerate(specs)
    ]
    db_session.add_all(planned)
    db_session.commit()
    for characteristic in planned:
        db_session.refresh(characteristic)
    return planned


def _check_characteristic(
    db_session: Session, *, actor: Principal, job: Job, spec: CharacteristicSpec
) -> None:
    get_item(db_session, actor=actor, job_id=persisted_id(job), item_id=spec.item_id)
    if (
        spec.lower_limit is not None
        and spec.upper_limit is not None
        and spec.lower_limit > spec.upper_limit
    ):
        raise InvalidInput(
            "the lower limit is above the upper limit",
            code="jobs.lower_limit_above_upper_limit",
            location=("lower_limit",),
        )
    if job.kind != JobKind.INSPECTION and spec.method_id is None:
        raise InvalidInput(
            "a %(kind)s characteristic names the method that measures it",
            code="jobs.characteristic_names_method_measures",
            kind=job.kind,
            location=("method_id",),
        )
    if spec.method_id is None:
        return
    method = db_session.get(Method, spec.method_id)
    if method is None:
        raise InvalidInput(
            "method %(method_id)s does not exist",
            code="competence.method_does_exist",
            method_id=spec.method_id,
            location=("method_id",),
        )
    # Refused here, not at the first result: a result in the method's unit could never be
    # given in the characteristic's, and the job could not be finished.
    if spec.unit == method.result_unit:
        return
    units.parse(spec.unit, location=("unit",))
    if not units.same_dimension(spec.unit, method.result_unit):
        raise InvalidInput(
            "a characteristic in %(symbol)s cannot take the results of method "
            "%(label)s, which are in %(symbol2)s",
            code="jobs.characteristic_cannot_take_results_method",
            symbol=units.symbol(spec.unit),
            label=method.label(),
            symbol2=units.symbol(method.result_unit),
            location=("unit",),
        )


def _mpe_in(item: Item, method: Method) -> float | None:
    """The specification's MPE in the method's result unit; a stated MPE is never dropped."""
    specification = item.specification or {}
    mpe, unit = specification.get("mpe"), specification.get("unit")
    if mpe is None:
        return None
    if isinstance(mpe, bool) or not isinstance(mpe, int | float) or not isinstance(unit, str):
        raise InvalidInput(
            "the specification of item %(description)s states the MPE '%(mpe)s' "
            "without a number and its unit: give mpe as a number and unit as e.g. "
            "µm",
            code="jobs.specification_item_states_mpe_without",
            description=item.description,
            mpe=mpe,
            location=("item_id",),
        )
    return units.convert_interval(
        float(mpe),
        from_unit=unit,
        to_unit=method.result_unit,
        what=f"the MPE of item {item.description}",
        location=("item_id",),
    )


# -- correcting a plan ----------------------------------------------------------------------

#: Once the signatory has approved the results, a characteristic is corrected only by voiding.
EDIT_FIXED = {JobStatus.APPROVED, JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}
#: What a result was evaluated and decided with: changing one of these would leave it stale.
EVALUATED_WITH = ("nominal", "lower_limit", "upper_limit", "unit", "method_id", "parameters")
#: A reported job's documents name its plan: from then on it stands as issued (7.8.8).
VOID_FIXED = {JobStatus.REPORTED, JobStatus.CLOSED, JobStatus.CANCELLED}


def get_characteristic(
    db_session: Session, *, actor: Principal, job_id: int, characteristic_id: int
) -> Characteristic:
    get_job(db_session, actor=actor, job_id=job_id)
    characteristic = db_session.get(Characteristic, characteristic_id)
    if characteristic is None or characteristic.job_id != job_id:
        raise NotFound(
            "characteristic %(characteristic_id)s is not part of job %(job_id)s",
            code="jobs.characteristic_part_job_2",
            characteristic_id=characteristic_id,
            job_id=job_id,
        )
    return characteristic


def _open_for_correction(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    characteristic_id: int,
    fixed: set[JobStatus],
) -> tuple[Job, Characteristic]:
    characteristic = get_characteristic(
        db_session, actor=actor, job_id=job_id, characteristic_id=characteristic_id
    )
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="correct the plan")
    # Under the job's lock: a void racing the report (or another void, or an edit racing the
    # approval) finds the state the other left, never the one before it.
    job = lock_job(db_session, job_id)
    db_session.refresh(characteristic)
    if job.status in fixed:
        raise Conflict(
            "job %(job)s is %(status)s: characteristic %(characteristic)s can no "
            "longer be corrected",
            code="jobs.job_characteristic_can_longer_corrected",
            job=job.number,
            status=job.status,
            characteristic=characteristic.label,
        )
    if characteristic.voided:
        raise Conflict(
            "characteristic %(characteristic)s was voided: %(void_reason)s",
            code="jobs.characteristic_was_voided",
            characteristic=characteristic.label,
            void_reason=characteristic.void_reason,
        )
    return job, characteristic


def edit_characteristic(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    characteristic_id: int,
    edit: CharacteristicEdit,
) -> Characteristic:
    """Correct a planned characteristic before its results are approved, saying why.

    The audit event keeps the old and new values with the reason.  Once a result is
    recorded, what it was evaluated with (nominal, limits, unit, method, parameters) stays:
    void the characteristic and plan a corrected one, so no result stands on a plan it was
    not measured against.
    """
    job, characteristic = _open_for_correction(
        db_session,
        actor=actor,
        job_id=job_id,
        characteristic_id=characteristic_id,
        fixed=EDIT_FIXED,
    )
    # A form sends every field it shows: only the values that differ are corrections.
    changes = {
        name: value
        for name, value in edit.model_dump(exclude_unset=True, exclude={"reason"}).items()
        if getattr(characteristic, name) != value
    }
    measured = db_session.exec(
        select(Result.id).where(Result.characteristic_id == characteristic_id)
    ).first()
    evaluated = [name for name in EVALUATED_WITH if name in changes]
    if measured is not None and evaluated:
        raise Conflict(
            "characteristic %(characteristic)s has a result evaluated with its "
            "%(evaluated)s: void it and plan a corrected one",
            code="jobs.characteristic_has_result_evaluated_void",
            characteristic=characteristic.label,
            evaluated=", ".join(evaluated),
        )
    spec = CharacteristicSpec.model_validate(
        {**characteristic.model_dump(include=set(CharacteristicSpec.model_fields)), **changes}
    )
    if (
        spec.label != characteristic.label
        and db_session.exec(
            select(Characteristic.id).where(
                Characteristic.job_id == job_id, Characteristic.label == spec.label
            )
        ).first()
    ):
        raise Conflict(
            "job %(job)s already has a characteristic '%(spec)s'",
            code="jobs.job_already_has_characteristic_2",
            job=job.number,
            spec=spec.label,
        )
    _check_characteristic(db_session, actor=actor, job=job, spec=spec)
    for name in changes:
        setattr(characteristic, name, getattr(spec, name))
    _acting(db_session, actor)
    with because(db_session, edit.reason):
        db_session.add(characteristic)
        db_session.commit()
    db_session.refresh(characteristic)
    return characteristic


def void_characteristic(
    db_session: Session, *, actor: Principal, job_id: int, characteristic_id: int, reason: str
) -> Characteristic:
    """Void a characteristic with a reason, at any time before the job is reported.

    It stays on the record, takes no results and no longer counts for finishing the job;
    the documents leave it out.
    """
    _, characteristic = _open_for_correction(
        db_session,
        actor=actor,
        job_id=job_id,
        characteristic_id=characteristic_id,
        fixed=VOID_FIXED,
    )
    characteristic.voided_at = utcnow()
    characteristic.voided_by_id = actor.person_id(doing="void a characteristic")
    characteristic.void_reason = reason
    _acting(db_session, actor)
    with because(db_session, reason):
        db_session.add(characteristic)
        db_session.commit()
    db_session.refresh(characteristic)
    return characteristic


def parameters_at_acceptance(
    db_session: Session,
    *,
    method_id: int | None,
    nominal: float | None,
    unit: str,
    given: dict[str, float],
) -> dict[str, float]:
    """The parameters of a characteristic accepted from a model or a template: those given,
    and the measured size (``L``) defaulting to its nominal where the method has a size
    parameter, so its results can be evaluated.  A nominal in a unit the size parameter
    cannot take (an angle for a length) gives no default: the size is then given, or edited
    in later."""
    method = db_session.get(Method, method_id) if method_id is not None else None
    if method is None or nominal is None:
        return given
    defaults: dict[str, float] = {}
    for source in size_parameters(method):
        try:
            defaults[source.name] = units.convert(
                nominal, from_unit=unit, to_unit=source.unit, what="the nominal"
            )
        except InvalidInput:
            continue
    return {**defaults, **given}


def plan_calibration_points(
    db_session: Session, *, actor: Principal, job_id: int, plan: PointsPlan
) -> list[Characteristic]:
    """One calibration point per size, at the method's default sizes unless others are given.

    Each point's label is its key in the job (:func:`lims.jobs.points.planned_label`, "2.5 mm"),
    not a text for readers: pages and documents write the size in the reader's notation.

    The limits come from the instrument's specification when it states a maximum permissible
    error (``mpe``): -MPE to +MPE on the error of indication, in the method's result unit.
    """
    item = get_item(db_session, actor=actor, job_id=job_id, item_id=plan.item_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="plan measurements")
    method = db_session.get(Method, plan.method_id)
    if method is None:
        raise InvalidInput(
            "method %(method_id)s does not exist",
            code="competence.method_does_exist",
            method_id=plan.method_id,
            location=("method_id",),
        )
    sizes = plan.points if plan.points is not None else method.calibration_points
    if not sizes:
        raise InvalidInput(
            "method %(label)s names no calibration points; give the points",
            code="jobs.method_names_calibration_points_give",
            label=method.label(),
            location=("points",),
        )
    mpe = _mpe_in(item, method)
    specs = [
        CharacteristicSpec(
            item_id=plan.item_id,
            label=planned_label(size, method.size_unit),
            kind="calibration_point",
            nominal=size,
            lower_limit=-mpe if mpe is not None else None,
            upper_limit=mpe,
            unit=method.result_unit,
            method_id=plan.method_id,
            parameters={**plan.parameters, "L": size},
            source=CharacteristicSource.METHOD,
        )
        for size in sizes
    ]
    return add_characteristics(db_session, actor=actor, job_id=job_id, specs=specs)


# -- the workflow -------------------------------------------------------------------------


def list_transitions(db_session: Session, *, actor: Principal, job_id: int) -> list[JobTransition]:
    get_job(db_session, actor=actor, job_id=job_id)
    return list(
        db_session.exec(
            select(JobTransition)
            .where(JobTransition.job_id == job_id)
            .order_by(col(JobTransition.id))
        )
    )


def transition(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    to: JobStatus,
    reason: str | None,
    settings: Settings,
) -> Job:
    """Move a job one step, after checking the step's order, its actor and its conditions.

    The checks read the job under its lock (``lock_job``), so concurrent requests for one
    step find it taken once and the rest are refused."""
    get_job(db_session, actor=actor, job_id=job_id)
    job = lock_job(db_session, job_id)
    current = JobStatus(job.status)
    held_from = JobStatus(job.held_from) if job.held_from else None
    workflow.check_step(current, to, held_from=held_from, reason=reason)
    today = local_today(settings.timezone)
    check_may_step(db_session, actor=actor, job=job, to=to, on=today)
    _acting(db_session, actor)
    if to == JobStatus.ACCEPTED:
        contract_review.record_default(db_session, actor=actor, job=job, on=today)
    if to == JobStatus.ON_HOLD:
        job.held_from = current
    elif current == JobStatus.ON_HOLD:
        job.held_from = None
    if to == JobStatus.IN_MEASUREMENT and current in workflow.RETURNABLE:
        job.reviewed_by_id = job.approved_by_id = None
        job.reviewed_at = job.approved_at = None
    if to == JobStatus.REVIEWED:
        job.reviewed_by_id, job.reviewed_at = actor.user_id, utcnow()
    if to == JobStatus.APPROVED:
        job.approved_by_id, job.approved_at = actor.user_id, utcnow()
    if reason:
        job.reason = reason
    job.status = to
    db_session.add(job)
    db_session.add(
        JobTransition(
            job_id=persisted_id(job),
            from_status=current,
            to_status=to,
            by_id=actor.user_id,
            by=actor.username,
            reason=reason,
            organisation_id=job.organisation_id,
        )
    )
    db_session.commit()
    db_session.refresh(job)
    return job


def check_may_step(
    db_session: Session, *, actor: Principal, job: Job, to: JobStatus, on: date
) -> None:
    """Refuse unless ``actor`` may take the step ``to`` now: its role, four eyes and
    authorisations, and what the step needs done first.  The step's order and its reason are
    ``workflow.check_step``'s; ``lims.jobs.actions`` asks this to offer only steps that pass."""
    current = JobStatus(job.status)
    _check_actor(actor, job, to, current)
    _check_conditions(db_session, actor=actor, job=job, to=to, current=current, on=on)


def _check_actor(actor: Principal, job: Job, to: JobStatus, current: JobStatus) -> None:
    if actor.is_customer:
        # The customer may withdraw its own job before the lab has accepted it.
        if to == JobStatus.CANCELLED and current == JobStatus.REQUESTED:
            return
        raise PermissionDenied(
            "the lab moves jobs on; a customer may cancel one not yet accepted",
            code="jobs.lab_moves_jobs_customer_may",
        )
    require_role(actor, *workflow.STEP_ROLES[to], doing=workflow.STEP_DOING[to])
    if current in workflow.REOPENABLE and to == JobStatus.IN_MEASUREMENT:
        require_role(actor, *workflow.MANAGERS, doing=workflow.REOPEN_DOING[current])


def _check_conditions(
    db_session: Session, *, actor: Principal, job: Job, to: JobStatus, current: JobStatus, on: date
) -> None:
    if current == JobStatus.ON_HOLD or to in (JobStatus.ON_HOLD, JobStatus.CANCELLED):
        return
    if to == JobStatus.ACCEPTED:
        contract_review.check_reviewed(db_session, job, on=on)
    items = list(db_session.exec(select(Item).where(Item.job_id == job.id)))
    if to == JobStatus.ITEMS_RECEIVED:
        waiting = [item.description for item in items if item.received_on is None]
        if waiting:
            raise Conflict(
                "record the receipt of every item first: %(waiting)s",
                code="jobs.record_receipt_every_item_first",
                waiting=", ".join(waiting),
            )
    if to == JobStatus.MEASURED:
        _check_results_complete(db_session, job)
    if to in (JobStatus.REVIEWED, JobStatus.APPROVED):
        check_second_person(db_session, actor=actor, job=job, to=to, on=on)
    if to == JobStatus.CLOSED:
        waiting = [
            item.description for item in items if item.received_on and not item.dispatched_on
        ]
        if waiting:
            raise Conflict(
                "dispatch every item back before closing: %(waiting)s",
                code="jobs.dispatch_every_item_back_before",
                waiting=", ".join(waiting),
            )


def _check_results_complete(db_session: Session, job: Job) -> None:
    planned = list(
        db_session.exec(
            select(Characteristic).where(
                Characteristic.job_id == job.id, col(Characteristic.voided_at).is_(None)
            )
        )
    )
    if not planned:
        raise Conflict(
            "plan what to measure first: the job has no characteristics",
            code="jobs.plan_what_measure_first_job",
        )
    measured = set(db_session.exec(select(Result.characteristic_id).where(Result.job_id == job.id)))
    missing = [c.label for c in planned if c.id not in measured]
    if missing:
        raise Conflict(
            "every characteristic needs a result; missing: %(names)s",
            code="jobs.every_characteristic_needs_result_missing",
            names=", ".join(missing[:10]),
        )


def check_second_person(
    db_session: Session, *, actor: Principal, job: Job, to: JobStatus, on: date
) -> None:
    """Four eyes: not whoever measured, and authorised for every method used."""
    results = list(db_session.exec(select(Result).where(Result.job_id == job.id)))
    activity = Activity.REVIEW if to == JobStatus.REVIEWED else Activity.SIGN
    checker_id = actor.person_id(doing=workflow.STEP_DOING[to])
    check_four_eyes(
        measured_by={r.measured_by_id for r in results}, checker_id=checker_id, activity=activity
    )
    for method_id in methods_used(db_session, job.id):
        check_authorised(
            db_session, user_id=checker_id, method_id=method_id, activity=activity, on_date=on
        )


def methods_used(db_session: Session, job_id: int | None) -> list[int]:
    method_ids = db_session.exec(
        select(col(Characteristic.method_id))
        .where(Characteristic.job_id == job_id, col(Characteristic.voided_at).is_(None))
        .distinct()
    )
    return sorted(method_id for method_id in method_ids if method_id is not None)
