"""The price model and price lists, and quotations: the customer's side of service E, and
the lab's view of them."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session

from lims.accounts import service as accounts
from lims.accounts.principal import Principal
from lims.api.deps import SessionDep
from lims.contracts import prices, quotations
from lims.db import persisted_id
from lims.jobs.cost_recovery import cost_recovery
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)


def organisation_names(db_session: Session, principal: Principal) -> dict[int, str]:
    return {
        organisation.id: organisation.name
        for organisation in accounts.list_organisations(db_session, actor=principal)
        if organisation.id is not None
    }


@router.get("/prices", response_class=HTMLResponse)
def price_overview(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    settings = request.app.state.settings
    # The cost model is the lab's (and its auditors'); customers see the published lists.
    models = (
        [
            (
                prices.describe_price_model(model),
                cost_recovery(
                    db_session,
                    actor=principal,
                    price_model_id=persisted_id(model),
                    settings=settings,
                ),
            )
            for model in prices.list_price_models(db_session, actor=principal)
        ]
        if principal.reads_everything
        else []
    )
    return page(
        request,
        viewer,
        "prices.html",
        models=models,
        price_lists=prices.list_price_lists(db_session, actor=principal),
    )


@router.get("/price-lists/{price_list_id}", response_class=HTMLResponse)
def price_list_detail(
    request: Request, price_list_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    price_list = prices.get_price_list(
        db_session, actor=viewer.principal, price_list_id=price_list_id
    )
    return page(request, viewer, "price_list.html", price_list=price_list)


@router.get("/quotations", response_class=HTMLResponse)
def quotation_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    found = quotations.list_quotations(db_session, actor=viewer.principal)
    return page(
        request,
        viewer,
        "quotation_list.html",
        quotations=[(quotation, quotations.status_on(quotation, today)) for quotation in found],
        organisations=organisation_names(db_session, viewer.principal),
    )


@router.get("/quotations/{quotation_id}", response_class=HTMLResponse)
def quotation_detail(
    request: Request, quotation_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    quotation = quotations.get_quotation(db_session, actor=principal, quotation_id=quotation_id)
    return page(
        request,
        viewer,
        "quotation_detail.html",
        quotation=quotation,
        status=quotations.status_on(quotation, lab_today(request)),
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=quotation.organisation_id
        ),
    )
