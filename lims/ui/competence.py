"""Staff competence: who is authorised for which method and activity, on what basis."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.accounts import service as accounts
from lims.accounts.models import STAFF_ROLES
from lims.api.deps import SessionDep
from lims.competence import service as competence
from lims.methods import service as methods
from lims.training import competence_records
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)


@router.get("/staff", response_class=HTMLResponse)
def staff_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    staff = [
        user
        for user in accounts.list_users(db_session, actor=principal)
        if set(user.roles) & STAFF_ROLES
    ]
    authorisations = {
        user.id: competence.list_authorisations(db_session, actor=principal, staff_id=user.id)
        for user in staff
        if user.id is not None
    }
    # The evidence an authorisation may cite: an RR test's names its method and the
    # operator's own figures.
    evidence = {
        user.id: competence_records.list_competence_records(
            db_session, actor=principal, staff_id=user.id
        )
        for user in staff
        if user.id is not None
    }
    library = {
        method.id: method.label() for method in methods.list_methods(db_session, actor=principal)
    }
    return page(
        request,
        viewer,
        "staff.html",
        staff=staff,
        authorisations=authorisations,
        evidence=evidence,
        library=library,
    )
