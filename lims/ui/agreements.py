"""Agreements with their confidentiality clause: the customer's side of service A, and the
lab's view of them."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.accounts import service as accounts
from lims.api.deps import SessionDep
from lims.contracts import agreements
from lims.ui.commercial import organisation_names
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)


@router.get("/agreements", response_class=HTMLResponse)
def agreement_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    today = lab_today(request)
    found = agreements.list_agreements(db_session, actor=viewer.principal)
    return page(
        request,
        viewer,
        "agreement_list.html",
        agreements=[(agreement, agreements.status_on(agreement, today)) for agreement in found],
        organisations=organisation_names(db_session, viewer.principal),
    )


@router.get("/agreements/{agreement_id}", response_class=HTMLResponse)
def agreement_detail(
    request: Request, agreement_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    agreement = agreements.get_agreement(db_session, actor=principal, agreement_id=agreement_id)
    clause = next(
        (
            clause
            for clause in agreements.list_clauses(db_session)
            if clause.id == agreement.confidentiality_clause_id
        ),
        None,
    )
    return page(
        request,
        viewer,
        "agreement_detail.html",
        agreement=agreement,
        status=agreements.status_on(agreement, lab_today(request)),
        clause=clause,
        organisation=accounts.get_organisation(
            db_session, actor=principal, organisation_id=agreement.organisation_id
        ),
    )
