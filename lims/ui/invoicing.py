"""The invoicing screen: a period's delivered jobs shown first as a dry run, exported for
accounting, the exports listed with their CSV and JSON, and an export cancelled with a reason.

Pages read through ``lims.invoicing.service`` with the signed-in principal (which refuses
whoever may not); the export and its cancellation are sent to /api/v1/invoicing by the
page's forms.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from lims.api.deps import SessionDep
from lims.errors import InvalidInput
from lims.invoicing import service
from lims.invoicing.models import InvoicingBasis
from lims.invoicing.periods import PERIOD_FORMAT
from lims.problem_text import localized
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)


@router.get("/invoicing", response_class=HTMLResponse)
def invoicing_page(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    period: Annotated[str | None, Query(max_length=32)] = None,
) -> Response:
    principal = viewer.principal
    exports = service.list_exports(db_session, actor=principal)
    exports_allowed = principal.has_any(*service.EXPORTERS)
    basis: InvoicingBasis | None = None
    refusal: str | None = None
    if period and exports_allowed:
        try:
            basis = service.invoicing_basis(
                db_session, actor=principal, period=period, settings=request.app.state.settings
            )
        except InvalidInput as refused:
            # Said beside the period field, in the page's language, with the form kept.
            refusal = localized(refused, viewer.language)
    return page(
        request,
        viewer,
        "invoicing.html",
        exports=[service.public(record, with_lines=False) for record in exports],
        exports_allowed=exports_allowed,
        period=period if period is not None else lab_today(request).strftime("%Y-%m"),
        period_format=PERIOD_FORMAT,
        basis=basis,
        refusal=refusal,
    )


@router.get("/invoicing/{export_id}", response_class=HTMLResponse)
def export_page(
    request: Request, viewer: ViewerDep, db_session: SessionDep, export_id: int
) -> Response:
    principal = viewer.principal
    record = service.get_export(db_session, actor=principal, export_id=export_id)
    return page(
        request,
        viewer,
        "invoicing_export.html",
        export=service.public(record),
        cancel_allowed=principal.has_any(*service.EXPORTERS) and not record.export.cancelled_at,
    )
