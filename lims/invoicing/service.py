"""The invoicing basis: a period's delivered jobs at their agreed price, with VAT by the
rules and the customer's billing details, exported once for the lab's accounting.

Delivered work is the cost recovery's own selection (``lims.jobs.cost_recovery``): jobs whose
last reporting step falls in the period on the lab's calendar, never cancelled, each at its
agreed price net of VAT (the accepted quotation's lines, else the price list items its items
name).  A job nothing prices is listed apart and left for a later export, never billed at zero.

VAT is taken on the delivery day (the reporting step's day), the day the service is
supplied, whose rate the Finnish VAT Act charges; the quotation's VAT was its estimate on
the quotation's day.  Each job is exported once: a job is taken while a line of an export not
cancelled names it; cancelling an export (with a reason) releases its jobs.

Quality managers and administrators export and cancel (the lab's commercial work, as they
price and quote); auditors read the exports; technicians, signatories and customers may not.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from lims.accounts.models import Contact, Organisation, Role
from lims.accounts.principal import Principal, require_role
from lims.audit.trail import set_context
from lims.clock import local_day, local_today
from lims.config import Settings
from lims.contracts.money import vat_of
from lims.contracts.vat import vat_treatment
from lims.db import lock_row, persisted_id, utcnow
from lims.errors import Conflict, NotFound
from lims.invoicing.models import (
    BasisLine,
    ExportPublic,
    InvoicingBasis,
    InvoicingExport,
    InvoicingExportLine,
    UnpricedJob,
)
from lims.invoicing.periods import Period, parse_period
from lims.jobs.cost_recovery import Delivery, delivered_between
from lims.numbering import formatted, next_number

SERIES = "invoicing_export"
PREFIX = "LP"  # laskutusperuste
EXPORTERS = (Role.ADMIN, Role.QUALITY_MANAGER)
READERS = (*EXPORTERS, Role.AUDITOR)
#: Words in a contact's title that make it the billing contact.
BILLING_WORDS = ("lasku", "billing", "invoic", "faktur", "arve")
NOTHING = Decimal("0.00")


@dataclass(frozen=True)
class ExportRecord:
    export: InvoicingExport
    lines: list[InvoicingExportLine]


def invoicing_basis(
    db_session: Session, *, actor: Principal, period: str, settings: Settings
) -> InvoicingBasis:
    """What an export of ``period`` would take now: its delivered jobs not yet exported."""
    require_role(actor, *READERS, doing="read the invoicing basis")
    return _basis(db_session, parse_period(period), settings)


def create_export(
    db_session: Session, *, actor: Principal, period: str, settings: Settings
) -> tuple[ExportRecord, InvoicingBasis]:
    """Export the period's delivered jobs not yet exported, and mark them exported.

    The export's number is taken first: its series row stays locked until the commit, so
    of twenty identical requests the first exports and the others, queued behind it, find
    its jobs taken (409) instead of exporting them again."""
    require_role(actor, *EXPORTERS, doing="export the invoicing basis")
    parsed = parse_period(period)
    today = local_today(settings.timezone)
    number = formatted(PREFIX, today.year, next_number(db_session, series=SERIES, year=today.year))
    basis = _basis(db_session, parsed, settings)
    if not basis.lines:
        raise Conflict(
            "the period %(period)s has no delivered jobs with a price left to export",
            code="invoicing.nothing_to_export",
            period=parsed.label,
        )
    set_context(db_session, actor.audit_context())
    export = InvoicingExport(
        number=number,
        period=parsed.label,
        first_day=parsed.first_day,
        last_day=parsed.last_day,
        net_total=basis.net_total,
        vat_total=basis.vat_total,
        gross_total=basis.gross_total,
        created_by_id=actor.user_id,
        created_by=actor.username,
    )
    db_session.add(export)
    db_session.flush()
    lines = [
        InvoicingExportLine(export_id=persisted_id(export), **line.model_dump())
        for line in basis.lines
    ]
    db_session.add_all(lines)
    db_session.commit()
    db_session.refresh(export)
    return ExportRecord(export, _lines_of(db_session, persisted_id(export))), basis


def list_exports(db_session: Session, *, actor: Principal) -> list[ExportRecord]:
    require_role(actor, *READERS, doing="read invoicing exports")
    exports = list(
        db_session.exec(select(InvoicingExport).order_by(col(InvoicingExport.id).desc()))
    )
    lines: dict[int, list[InvoicingExportLine]] = defaultdict(list)
    for line in db_session.exec(select(InvoicingExportLine).order_by(col(InvoicingExportLine.id))):
        lines[line.export_id].append(line)
    return [ExportRecord(export, lines[persisted_id(export)]) for export in exports]


def get_export(db_session: Session, *, actor: Principal, export_id: int) -> ExportRecord:
    require_role(actor, *READERS, doing="read invoicing exports")
    export = db_session.get(InvoicingExport, export_id)
    if export is None:
        raise _missing(export_id)
    return ExportRecord(export, _lines_of(db_session, export_id))


def cancel_export(
    db_session: Session, *, actor: Principal, export_id: int, reason: str
) -> ExportRecord:
    """Cancel an export: kept with who, when and why; its jobs go to the next export."""
    require_role(actor, *EXPORTERS, doing="cancel an invoicing export")
    export = lock_row(db_session, InvoicingExport, export_id)
    if export is None:
        raise _missing(export_id)
    if export.cancelled_at is not None:
        raise Conflict(
            "invoicing export %(number)s is already cancelled",
            code="invoicing.export_already_cancelled",
            number=export.number,
        )
    set_context(db_session, actor.audit_context())
    export.cancelled_at = utcnow()
    export.cancelled_by_id = actor.user_id
    export.cancelled_by = actor.username
    export.cancellation_reason = reason
    db_session.add(export)
    db_session.commit()
    db_session.refresh(export)
    return ExportRecord(export, _lines_of(db_session, export_id))


def public(record: ExportRecord, *, with_lines: bool = True) -> ExportPublic:
    export = record.export
    return ExportPublic(
        id=persisted_id(export),
        number=export.number,
        status="cancelled" if export.cancelled_at else "exported",
        period=export.period,
        first_day=export.first_day,
        last_day=export.last_day,
        job_count=len(record.lines),
        net_total=export.net_total,
        vat_total=export.vat_total,
        gross_total=export.gross_total,
        created_by=export.created_by,
        created_at=export.created_at,
        cancelled_by=export.cancelled_by,
        cancelled_at=export.cancelled_at,
        cancellation_reason=export.cancellation_reason,
        lines=[as_basis_line(line) for line in record.lines] if with_lines else None,
    )


def as_basis_line(line: InvoicingExportLine) -> BasisLine:
    return BasisLine.model_validate(line.model_dump())


def _basis(db_session: Session, period: Period, settings: Settings) -> InvoicingBasis:
    delivered = delivered_between(db_session, period.first_day, period.last_day, settings.timezone)
    taken = _exported(db_session, [persisted_id(delivery.job) for delivery in delivered])
    deliveries = [delivery for delivery in delivered if persisted_id(delivery.job) not in taken]
    customers = _customers(db_session, {delivery.job.organisation_id for delivery in deliveries})
    lines, unpriced = [], []
    for delivery in deliveries:
        delivered_on = local_day(delivery.reported_at, settings.timezone)
        if delivery.price.net is None:
            unpriced.append(
                UnpricedJob(
                    job_id=persisted_id(delivery.job),
                    job_number=delivery.job.number,
                    delivered_on=delivered_on,
                    reason=str(delivery.price.no_price),
                )
            )
            continue
        lines.append(_line(delivery, delivered_on, customers[delivery.job.organisation_id]))
    return InvoicingBasis(
        period=period.label,
        first_day=period.first_day,
        last_day=period.last_day,
        lines=lines,
        unpriced=unpriced,
        net_total=sum((line.net for line in lines), NOTHING),
        vat_total=sum((line.vat for line in lines), NOTHING),
        gross_total=sum((line.gross for line in lines), NOTHING),
    )


@dataclass(frozen=True)
class _Customer:
    organisation: Organisation
    billing_email: str | None


def _line(delivery: Delivery, delivered_on: date, customer: _Customer) -> BasisLine:
    """The job's billing line; VAT on the delivery day (see the module)."""
    net = delivery.price.net
    assert net is not None  # unpriced jobs are listed apart before this
    organisation = customer.organisation
    treatment = vat_treatment(organisation, delivered_on)
    vat = vat_of(net, treatment.rate)
    quotation = delivery.price.quotation
    return BasisLine(
        job_id=persisted_id(delivery.job),
        job_number=delivery.job.number,
        delivered_on=delivered_on,
        price_basis=str(delivery.price.basis),
        quotation_number=quotation.number if quotation else None,
        customer_reference=delivery.job.customer_reference,
        organisation_id=persisted_id(organisation),
        customer_name=organisation.name,
        business_id=organisation.business_id,
        vat_number=organisation.vat_number,
        street_address=organisation.street_address,
        postal_code=organisation.postal_code,
        city=organisation.city,
        country=organisation.country,
        billing_email=customer.billing_email,
        vat_rule=treatment.rule,
        vat_rate=treatment.rate,
        vat_statement=treatment.statement_key,
        net=net,
        vat=vat,
        gross=net + vat,
    )


def _customers(db_session: Session, organisation_ids: set[int]) -> dict[int, _Customer]:
    organisations = db_session.exec(
        select(Organisation).where(col(Organisation.id).in_(organisation_ids))
    )
    contacts: dict[int, list[Contact]] = defaultdict(list)
    for contact in db_session.exec(
        select(Contact)
        .where(col(Contact.organisation_id).in_(organisation_ids))
        .order_by(col(Contact.id))
    ):
        contacts[contact.organisation_id].append(contact)
    return {
        persisted_id(organisation): _Customer(
            organisation, _billing_email(organisation, contacts[persisted_id(organisation)])
        )
        for organisation in organisations
    }


def _billing_email(organisation: Organisation, contacts: list[Contact]) -> str | None:
    """A private person's own e-mail; else the contact whose title names billing (laskutus,
    billing, fakturering, arveldus), else the first contact with an e-mail."""
    if organisation.email:
        return organisation.email
    with_email = [contact for contact in contacts if contact.email]
    for contact in with_email:
        if any(word in (contact.title or "").lower() for word in BILLING_WORDS):
            return contact.email
    return with_email[0].email if with_email else None


def _exported(db_session: Session, job_ids: list[int]) -> set[int]:
    """Those of ``job_ids`` a line of an export not cancelled names: not to export again."""
    return set(
        db_session.exec(
            select(InvoicingExportLine.job_id)
            .join(InvoicingExport, col(InvoicingExport.id) == InvoicingExportLine.export_id)
            .where(
                col(InvoicingExport.cancelled_at).is_(None),
                col(InvoicingExportLine.job_id).in_(job_ids),
            )
        )
    )


def _lines_of(db_session: Session, export_id: int) -> list[InvoicingExportLine]:
    return list(
        db_session.exec(
            select(InvoicingExportLine)
            .where(InvoicingExportLine.export_id == export_id)
            .order_by(col(InvoicingExportLine.id))
        )
    )


def _missing(export_id: int) -> NotFound:
    return NotFound(
        "invoicing export %(export_id)s does not exist",
        code="invoicing.export_does_not_exist",
        export_id=export_id,
    )
