"""Quotations and orders: the price and the delivery date are fixed at ordering (service E).

Accepting a quotation records the order under the agreement in force, or, where none covers
the service, under an ad-hoc agreement made in the same transaction with the customer's
acceptance of the terms and the confidentiality clause.
"""

from datetime import date
from decimal import Decimal

from sqlmodel import Session, col, select

from lims.accounts.models import Organisation, Role
from lims.accounts.principal import Principal, require_organisation_access, require_role, visible_to
from lims.audit.trail import save, set_context
from lims.clock import local_today, require_today
from lims.config import Settings
from lims.contracts import agreements
from lims.contracts.calendar import add_working_days
from lims.contracts.models import (
    Agreement,
    Order,
    OrderCreate,
    PriceList,
    Quotation,
    QuotationAcceptance,
    QuotationCreate,
    QuotationLineSpec,
    QuotationRejection,
    QuotationRequest,
    QuotationRequestCreate,
    QuotationRequestStatus,
    QuotationState,
    Service,
)
from lims.contracts.money import cents, vat_of
from lims.contracts.prices import (
    closures,
    current_price_list,
    price_model_for_year,
    rates_of,
)
from lims.contracts.vat import VatTreatment, vat_treatment
from lims.db import lock_row, persisted_id
from lims.errors import Conflict, InvalidInput, PermissionDenied
from lims.numbering import formatted, next_number

SALES = (Role.ADMIN, Role.QUALITY_MANAGER)


def status_on(quotation: Quotation, day: date) -> str:
    if quotation.state == QuotationState.SENT and day > quotation.valid_until:
        return "expired"
    return quotation.state


def _price_lines(
    lines: list[QuotationLineSpec],
    rates: dict[str, Decimal],
    price_list: PriceList | None,
    treatment: VatTreatment,
) -> list[dict]:
    items = {item["code"]: item for item in (price_list.items if price_list else [])}
    priced = []
    for index, line in enumerate(lines):
        if line.item_code is not None:
            item = items.get(line.item_code)
            if item is None:
                raise InvalidInput(
                    "item %(item_code)s is not in the price list",
                    code="contracts.item_price_list",
                    item_code=line.item_code,
                    location=("lines", index, "item_code"),
                )
            description = line.description or item["description_fi"]
            resource, hours, unit_price = (
                item["resource"],
                Decimal(item["hours"]),
                Decimal(item["price"]),
            )
        elif line.resource is not None and line.hours is not None and line.description:
            if line.resource not in rates:
                raise InvalidInput(
                    "resource %(resource)s has no hourly rate this year",
                    code="contracts.resource_has_hourly_rate_year",
                    resource=line.resource,
                    location=("lines", index, "resource"),
                )
            description, resource, hours = line.description, line.resource, line.hours
            unit_price = cents(rates[line.resource] * line.hours)
        else:
            raise InvalidInput(
                "a line names a price list item, or gives description, resource and hours",
                code="contracts.line_names_price_list_item",
                location=("lines", index),
            )
        priced.append(
            {
                "item_code": line.item_code,
                "description": description,
                "resource": resource,
                "hours": str(hours),
                "quantity": line.quantity,
                "unit_price": str(unit_price),
                "line_total": str(cents(unit_price * line.quantity)),
                "vat_rule": treatment.rule,
                "vat_rate": str(treatment.rate),
            }
        )
    return priced


def _delivery_days(
    data: QuotationCreate,
    agreement: Agreement | None,
    price_list: PriceList | None,
    settings: Settings,
) -> int:
    if data.delivery_days is not None:
        return data.delivery_days
    if agreement is not None:
        agreed = agreements.delivery_days_for(agreement, data.service)
        if agreed is not None:
            return agreed
    items = {item["code"]: item for item in (price_list.items if price_list else [])}
    listed = [
        items[line.item_code]["delivery_days"] for line in data.lines if line.item_code in items
    ]
    return max(listed, default=settings.default_delivery_days)


def create_quotation(
    db_session: Session, *, actor: Principal, data: QuotationCreate, settings: Settings
) -> Quotation:
    require_role(actor, *SALES, doing="make quotations")
    customer = db_session.get(Organisation, data.organisation_id)
    if customer is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=data.organisation_id,
            location=("organisation_id",),
        )
    if data.valid_until < data.issued_on:
        raise InvalidInput(
            "the quotation expires before it is issued",
            code="contracts.quotation_expires_before_issued",
            location=("valid_until",),
        )
    request = (
        _request_to_answer(db_session, data.request_id, organisation_id=data.organisation_id)
        if data.request_id is not None
        else None
    )
    agreement = agreements.agreement_in_force(
        db_session, organisation_id=data.organisation_id, service=data.service, on=data.issued_on
    )
    if agreement is None:
        _refuse_if_only_expired(db_session, data)
    model = price_model_for_year(db_session, data.issued_on.year)
    price_model_id = persisted_id(model)
    price_list = (
        db_session.get(PriceList, data.price_list_id)
        if data.price_list_id is not None
        else current_price_list(db_session, price_model_id=price_model_id)
    )
    if data.price_list_id is not None and price_list is None:
        raise InvalidInput(
            "price list %(price_list_id)s does not exist",
            code="contracts.price_list_does_exist",
            price_list_id=data.price_list_id,
            location=("price_list_id",),
        )
    # The rate and the rule of the quotation's date: a quotation dated before 1.9.2024 is
    # charged the 24 % then in force.
    treatment = vat_treatment(customer, data.issued_on)
    lines = _price_lines(data.lines, rates_of(model), price_list, treatment)
    net = sum((Decimal(line["line_total"]) for line in lines), Decimal(0))
    vat = vat_of(net, treatment.rate)
    year = data.issued_on.year
    quotation = Quotation(
        number=formatted("TA", year, next_number(db_session, series="quotation", year=year)),
        organisation_id=data.organisation_id,
        agreement_id=agreement.id if agreement else None,
        price_list_id=price_list.id if price_list else None,
        price_model_id=price_model_id,
        service=data.service,
        state=QuotationState.SENT,
        lines=lines,
        vat_rule=treatment.rule,
        vat_rate=treatment.rate,
        customer_vat_number=customer.vat_number,
        lab_vat_number=settings.lab.vat_number,
        net_total=net,
        vat_amount=vat,
        total=net + vat,
        issued_on=data.issued_on,
        valid_until=data.valid_until,
        delivery_days=_delivery_days(data, agreement, price_list, settings),
        customer_reference=data.customer_reference,
    )
    set_context(db_session, actor.audit_context())
    db_session.add(quotation)
    if request is not None:
        # One commit: the quotation and the request it answers are recorded together.
        db_session.flush()
        request.quotation_id = quotation.id
        db_session.add(request)
    db_session.commit()
    db_session.refresh(quotation)
    return quotation


def _request_to_answer(
    db_session: Session, request_id: int, *, organisation_id: int
) -> QuotationRequest:
    """The request under its row lock: of two quotations answering it at once, the second
    finds it answered (409) instead of both being recorded as its answer."""
    request = lock_row(db_session, QuotationRequest, request_id)
    if request is None:
        raise InvalidInput(
            "quotation request %(request_id)s does not exist",
            code="contracts.quotation_request_does_exist",
            request_id=request_id,
            location=("request_id",),
        )
    if request.organisation_id != organisation_id:
        raise InvalidInput(
            "the request is from another customer",
            code="contracts.request_from_another_customer",
            location=("request_id",),
        )
    if request.quotation_id is not None:
        raise Conflict(
            "quotation request %(id)s has already been quoted",
            code="contracts.quotation_request_has_already_been",
            id=request.id,
        )
    return request


def _refuse_if_only_expired(db_session: Session, data: QuotationCreate) -> None:
    """An annual customer whose agreement has run out must renew it before new quotations."""
    lapsed = db_session.exec(
        select(Agreement).where(
            Agreement.organisation_id == data.organisation_id,
            Agreement.state == "active",
            col(Agreement.superseded_at).is_(None),
            Agreement.valid_until < data.issued_on,
            Agreement.kind == "annual",
        )
    ).first()
    if lapsed is not None and agreements.covers(lapsed, data.service):
        raise InvalidInput(
            "agreement %(lapsed)s expired on %(valid_until)s; renew it before quoting",
            code="contracts.agreement_expired_renew_before_quoting",
            lapsed=lapsed.number,
            valid_until=lapsed.valid_until,
            location=("issued_on",),
        )


def list_quotations(db_session: Session, *, actor: Principal) -> list[Quotation]:
    query = select(Quotation).order_by(col(Quotation.id))
    if not actor.reads_everything:
        query = query.where(Quotation.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_quotation(db_session: Session, *, actor: Principal, quotation_id: int) -> Quotation:
    return visible_to(actor, db_session.get(Quotation, quotation_id), f"quotation {quotation_id}")


def agreement_for_order(
    db_session: Session,
    *,
    organisation_id: int,
    service: Service,
    on: date,
    accept_terms: bool,
    accepted_by: str | None,
    delivery_days: int,
    settings: Settings,
) -> Agreement:
    in_force = agreements.agreement_in_force(
        db_session, organisation_id=organisation_id, service=service, on=on
    )
    if in_force is None and accept_terms:
        if not accepted_by:
            raise InvalidInput(
                "name who accepts the terms",
                code="contracts.name_who_accepts_terms",
                location=("accepted_by",),
            )
        return agreements.make_ad_hoc_agreement(
            db_session,
            organisation_id=organisation_id,
            service=service,
            on=on,
            accepted_by=accepted_by,
            delivery_days=delivery_days,
            lab_name=settings.lab.name,
        )
    return agreements.require_agreement_for_job(
        db_session, organisation_id=organisation_id, service=service, on=on
    )


def accept_quotation(
    db_session: Session,
    *,
    actor: Principal,
    quotation_id: int,
    data: QuotationAcceptance,
    settings: Settings,
) -> Order:
    """The customer (or staff for it) accepts: the order is recorded with the agreed price
    and the delivery date on the lab's working-day calendar."""
    quotation = get_quotation(db_session, actor=actor, quotation_id=quotation_id)
    if actor.is_customer:
        require_today(data.accepted_on, settings.timezone, field="accepted_on")
    else:
        require_role(actor, *SALES, doing="record a customer's acceptance")
    status = status_on(quotation, data.accepted_on)
    if status == "expired":
        raise Conflict(
            "quotation %(quotation)s expired on %(valid_until)s",
            code="contracts.quotation_expired",
            quotation=quotation.number,
            valid_until=quotation.valid_until,
        )
    if status != QuotationState.SENT:
        raise Conflict(
            "quotation %(quotation)s is %(status)s",
            code="contracts.quotation",
            quotation=quotation.number,
            status=status,
        )
    set_context(db_session, actor.audit_context())
    agreement = agreement_for_order(
        db_session,
        organisation_id=quotation.organisation_id,
        service=Service(quotation.service),
        on=data.accepted_on,
        accept_terms=data.accept_terms_and_confidentiality,
        accepted_by=data.accepted_by,
        delivery_days=quotation.delivery_days,
        settings=settings,
    )
    quotation.state = QuotationState.ACCEPTED
    quotation.accepted_on = data.accepted_on
    quotation.accepted_by = data.accepted_by
    order = Order(
        organisation_id=quotation.organisation_id,
        agreement_id=persisted_id(agreement),
        quotation_id=quotation.id,
        service=quotation.service,
        ordered_on=data.accepted_on,
        agreed_price=quotation.total,
        delivery_date=add_working_days(
            data.accepted_on, quotation.delivery_days, closures(db_session)
        ),
        customer_reference=data.customer_reference or quotation.customer_reference,
    )
    db_session.add(quotation)
    db_session.add(order)
    db_session.commit()
    db_session.refresh(order)
    return order


def reject_quotation(
    db_session: Session,
    *,
    actor: Principal,
    quotation_id: int,
    data: QuotationRejection | None = None,
) -> Quotation:
    quotation = get_quotation(db_session, actor=actor, quotation_id=quotation_id)
    if not actor.is_customer:
        require_role(actor, *SALES, doing="record a customer's rejection")
    if quotation.state != QuotationState.SENT:
        raise Conflict(
            "quotation %(quotation)s is %(state)s",
            code="contracts.quotation_2",
            quotation=quotation.number,
            state=quotation.state,
        )
    quotation.state = QuotationState.REJECTED
    quotation.rejection_reason = data.reason if data else None
    return save(db_session, actor.audit_context(), quotation)


# -- quotation requests -------------------------------------------------------------------


def request_status(request: QuotationRequest) -> QuotationRequestStatus:
    if request.quotation_id is None:
        return QuotationRequestStatus.REQUESTED
    return QuotationRequestStatus.QUOTED


def request_quotation(
    db_session: Session, *, actor: Principal, data: QuotationRequestCreate, settings: Settings
) -> QuotationRequest:
    """A customer asks for a quotation (or the lab records one asked by telephone)."""
    if actor.is_customer:
        require_organisation_access(
            actor, data.organisation_id, f"organisation {data.organisation_id}"
        )
    else:
        require_role(actor, *SALES, doing="record quotation requests")
    if db_session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=data.organisation_id,
            location=("organisation_id",),
        )
    if actor.user_id is None:
        raise PermissionDenied(
            "a quotation is requested by a person", code="contracts.quotation_requested_person"
        )
    request = QuotationRequest(
        organisation_id=data.organisation_id,
        service=data.service,
        description=data.description,
        customer_reference=data.customer_reference,
        requested_by_id=actor.user_id,
        requested_on=local_today(settings.timezone),
    )
    return save(db_session, actor.audit_context(), request)


def list_quotation_requests(db_session: Session, *, actor: Principal) -> list[QuotationRequest]:
    query = select(QuotationRequest).order_by(col(QuotationRequest.id))
    if not actor.reads_everything:
        query = query.where(QuotationRequest.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_quotation_request(
    db_session: Session, *, actor: Principal, request_id: int
) -> QuotationRequest:
    return visible_to(
        actor, db_session.get(QuotationRequest, request_id), f"quotation request {request_id}"
    )


def open_order(
    db_session: Session, *, actor: Principal, data: OrderCreate, settings: Settings
) -> Order:
    """An order without a quotation: the agreement rule decides whether it may be placed."""
    if actor.is_customer:
        require_organisation_access(
            actor, data.organisation_id, f"organisation {data.organisation_id}"
        )
    else:
        require_role(actor, *SALES, Role.TECHNICIAN, doing="record orders")
    if db_session.get(Organisation, data.organisation_id) is None:
        raise InvalidInput(
            "organisation %(organisation_id)s does not exist",
            code="accounts.organisation_does_exist",
            organisation_id=data.organisation_id,
            location=("organisation_id",),
        )
    agreement = agreement_for_order(
        db_session,
        organisation_id=data.organisation_id,
        service=data.service,
        on=data.ordered_on,
        accept_terms=data.accept_terms_and_confidentiality,
        accepted_by=data.accepted_by,
        delivery_days=settings.default_delivery_days,
        settings=settings,
    )
    days = agreements.delivery_days_for(agreement, data.service)
    order = Order(
        organisation_id=data.organisation_id,
        agreement_id=persisted_id(agreement),
        service=data.service,
        ordered_on=data.ordered_on,
        delivery_date=add_working_days(
            data.ordered_on,
            settings.default_delivery_days if days is None else days,
            closures(db_session),
        ),
        customer_reference=data.customer_reference,
    )
    return save(db_session, actor.audit_context(), order)


def list_orders(db_session: Session, *, actor: Principal) -> list[Order]:
    query = select(Order).order_by(col(Order.id))
    if not actor.reads_everything:
        query = query.where(Order.organisation_id == actor.organisation_id)
    return list(db_session.exec(query))


def get_order(db_session: Session, *, actor: Principal, order_id: int) -> Order:
    return visible_to(actor, db_session.get(Order, order_id), f"order {order_id}")
