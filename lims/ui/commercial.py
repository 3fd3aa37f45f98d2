"""The commercial screens of service E: price models and their cost recovery, price lists,
the lab's closures, quotation requests, quotations and the orders they become.

Pages read through the services with the signed-in principal; every change goes through
/api/v1 from the page's forms (lims/ui/static/commercial.js where rows are added).
"""

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.principal import Principal, require_role
from lims.api.deps import SessionDep
from lims.contracts import agreements, prices, quotations
from lims.contracts.calendar import add_working_days
from lims.contracts.models import PriceModel, Quotation, Service
from lims.contracts.vat import finnish_vat_rate, vat_treatment
from lims.db import persisted_id
from lims.jobs import service as jobs
from lims.jobs.cost_recovery import cost_recovery
from lims.jobs.models import ItemKind, JobStatus
from lims.ui import contract_review
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)

#: A new quotation is valid this long unless the lab changes the date.
DEFAULT_VALIDITY = timedelta(days=30)


def organisation_names(db_session: Session, principal: Principal) -> dict[int, str]:
    return {
        organisation.id: organisation.name
        for organisation in accounts.list_organisations(db_session, actor=principal)
        if organisation.id is not None
    }


def _model_with_recovery(
    request: Request, db_session: Session, principal: Principal, model: PriceModel
) -> tuple[Any, Any]:
    return (
        prices.describe_price_model(model),
        cost_recovery(
            db_session,
            actor=principal,
            price_model_id=persisted_id(model),
            settings=request.app.state.settings,
        ),
    )


# -- prices, price models, closures -------------------------------------------------------


@router.get("/prices", response_class=HTMLResponse)
def price_overview(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    # The cost model and the closures are the lab's (and its auditors'); customers see the
    # published lists.
    lab_view = principal.reads_everything
    models = (
        [
            _model_with_recovery(request, db_session, principal, model)
            for model in prices.list_price_models(db_session, actor=principal)
        ]
        if lab_view
        else []
    )
    return page(
        request,
        viewer,
        "prices.html",
        models=models,
        price_lists=prices.list_price_lists(db_session, actor=principal),
        closures=prices.list_closures(db_session) if lab_view else [],
        manages_prices=principal.has_any(*prices.PRICE_MANAGERS),
    )


@router.get("/price-models/new", response_class=HTMLResponse)
def new_price_model(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    require_role(principal, *prices.PRICE_MANAGERS, doing="set up price models")
    existing = prices.list_price_models(db_session, actor=principal)
    # The newest model is the starting point: a year's costs change, its structure seldom.
    latest = prices.describe_price_model(existing[-1]) if existing else None
    return page(
        request,
        viewer,
        "price_model_new.html",
        latest=latest.model_dump(mode="json") if latest else None,
        year=(latest.year + 1) if latest else lab_today(request).year,
    )


@router.get("/price-models/{price_model_id}", response_class=HTMLResponse)
def price_model_detail(
    request: Request, price_model_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    model = prices.get_price_model(db_session, actor=principal, price_model_id=price_model_id)
    described, recovery = _model_with_recovery(request, db_session, principal, model)
    price_lists = [
        price_list
        for price_list in prices.list_price_lists(db_session, actor=principal)
        if price_list.price_model_id == price_model_id
    ]
    # A new draft starts from this model's newest list, else from the newest published one
    # (last year's items): the items change less than their prices.
    published = [p for p in prices.list_price_lists(db_session, actor=principal) if p.published_at]
    starting_items = (
        prices.current_price_list(db_session, price_model_id=price_model_id)
        or (price_lists[-1] if price_lists else None)
        or (published[-1] if published else None)
    )
    return page(
        request,
        viewer,
        "price_model.html",
        model=described,
        recovery=recovery,
        price_lists=price_lists,
        starting_items=starting_items.items if starting_items else [],
        services=list(Service),
        manages_prices=principal.has_any(*prices.PRICE_MANAGERS),
    )


@router.get("/price-lists/{price_list_id}", response_class=HTMLResponse)
def price_list_detail(
    request: Request, price_list_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    price_list = prices.get_price_list(db_session, actor=principal, price_list_id=price_list_id)
    return page(
        request,
        viewer,
        "price_list.html",
        price_list=price_list,
        manages_prices=principal.has_any(*prices.PRICE_MANAGERS),
    )


# -- quotations ---------------------------------------------------------------------------


@router.get("/quotations", response_class=HTMLResponse)
def quotation_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    today = lab_today(request)
    found = quotations.list_quotations(db_session, actor=principal)
    requests = quotations.list_quotation_requests(db_session, actor=principal)
    return page(
        request,
        viewer,
        "quotation_list.html",
        quotations=[(quotation, quotations.status_on(quotation, today)) for quotation in found],
        requests=[(asked, quotations.request_status(asked)) for asked in reversed(requests)],
        organisations=organisation_names(db_session, principal),
        services=list(Service),
        sells=principal.has_any(*quotations.SALES),
    )


@router.get("/quotations/new", response_class=HTMLResponse)
def new_quotation(
    request: Request, viewer: ViewerDep, db_session: SessionDep, answer: int | None = None
) -> Response:
    principal = viewer.principal
    require_role(principal, *quotations.SALES, doing="make quotations")
    today = lab_today(request)
    asked = (
        quotations.get_quotation_request(db_session, actor=principal, request_id=answer)
        if answer is not None
        else None
    )
    model = prices.price_model_for_year(db_session, today.year)
    price_list = prices.current_price_list(db_session, price_model_id=persisted_id(model))
    described = prices.describe_price_model(model)
    return page(
        request,
        viewer,
        "quotation_new.html",
        asked=asked,
        organisations=organisation_names(db_session, principal),
        services=list(Service),
        price_list=price_list,
        rates=[resource.model_dump(mode="json") for resource in described.resources],
        vat_rate=finnish_vat_rate(today),
        vat_of_customers=_vat_of_customers(db_session, principal, today),
        valid_until=today + DEFAULT_VALIDITY,
    )


def _vat_of_customers(
    db_session: Session, principal: Principal, today: date
) -> dict[int, dict[str, object]]:
    """Each customer's VAT treatment today, for the preview of a new quotation (the saved
    quotation takes its own from the service)."""
    treatments: dict[int, dict[str, object]] = {}
    for organisation in accounts.list_organisations(db_session, actor=principal):
        if organisation.id is not None:
            treatment = vat_treatment(organisation, today)
            treatments[organisation.id] = {"rule": treatment.rule, "rate": float(treatment.rate)}
    return treatments


def _order_of(db_session: Session, principal: Principal, quotation: Quotation) -> Any:
    return next(
        (
            order
            for order in quotations.list_orders(db_session, actor=principal)
            if order.quotation_id == quotation.id
        ),
        None,
    )


@router.get("/quotations/{quotation_id}", response_class=HTMLResponse)
def quotation_detail(
    request: Request, quotation_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    quotation = quotations.get_quotation(db_session, actor=principal, quotation_id=quotation_id)
    today = lab_today(request)
    return page(
        request,
        viewer,
        "quotation_detail.html",
        quotation=quotation,
        status=quotations.status_on(quotation, today),
        # The date accepting today would fix, on the calendar the order will be counted on.
        delivery_if_ordered_today=add_working_days(
            today, quotation.delivery_days, prices.closures(db_session)
        ),
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=quotation.organisation_id
        ),
        order=_order_of(db_session, principal, quotation),
        sells=principal.has_any(*quotations.SALES),
    )


# -- orders -------------------------------------------------------------------------------


@router.get("/orders", response_class=HTMLResponse)
def order_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    return page(
        request,
        viewer,
        "order_list.html",
        orders=list(reversed(quotations.list_orders(db_session, actor=principal))),
        organisations=organisation_names(db_session, principal),
        numbers={q.id: q.number for q in quotations.list_quotations(db_session, actor=principal)},
    )


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_detail(
    request: Request, order_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    order = quotations.get_order(db_session, actor=principal, order_id=order_id)
    quotation = (
        quotations.get_quotation(db_session, actor=principal, quotation_id=order.quotation_id)
        if order.quotation_id is not None
        else None
    )
    opened = jobs.jobs_of_order(db_session, actor=principal, order_id=order_id)
    agreement = agreements.get_agreement(
        db_session, actor=principal, agreement_id=order.agreement_id
    )
    return page(
        request,
        viewer,
        "order_detail.html",
        order=order,
        quotation=quotation,
        agreement=agreement,
        jobs=opened,
        open_job=next((job for job in opened if job.status != JobStatus.CANCELLED), None),
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=order.organisation_id
        ),
        # The customer may open its own job too, as it submits jobs; auditors only read.
        opens_jobs=principal.is_customer or principal.has_any(*jobs.STAFF_WHO_RUN_JOBS),
        item_kind=ItemKind.INSTRUMENT
        if order.service in (Service.CALIBRATION, Service.INSPECTION)
        else ItemKind.CUSTOMER_PRODUCT,
        **contract_review.of_order(db_session, principal, order, agreement, lab_today(request)),
    )
