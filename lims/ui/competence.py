"""Staff competence: the person x method x activity matrix, each authorisation's basis and
validity, granting and withdrawing; and the competence records a grant may cite."""

from dataclasses import dataclass
from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.accounts import service as accounts
from lims.accounts.models import STAFF_ROLES
from lims.api.deps import SessionDep
from lims.competence import service as competence
from lims.competence.models import Activity, Authorisation, Basis
from lims.methods import service as methods
from lims.training import competence_records
from lims.ui.session import PageRoute, ViewerDep, lab_today, page

router = APIRouter(route_class=PageRoute)


@dataclass(frozen=True)
class Cell:
    """One person's standing for one method and activity on a day: the authorisation that
    holds (or last held) and in which state it is."""

    authorisation: Authorisation
    state: str  # valid, expired, withdrawn, future


def cell_of(granted: list[Authorisation], on_date: date) -> Cell | None:
    """The valid authorisation if there is one, else the latest granted, in its state."""
    if not granted:
        return None
    valid = [a for a in granted if a.valid_on(on_date)]
    if valid:
        return Cell(valid[-1], "valid")
    latest = granted[-1]
    if latest.withdrawn_on is not None and latest.withdrawn_on <= on_date:
        return Cell(latest, "withdrawn")
    if latest.granted_on > on_date:
        return Cell(latest, "future")
    return Cell(latest, "expired")


def matrix(
    granted: list[Authorisation], method_ids: list[int], on_date: date
) -> dict[tuple[int, str], Cell | None]:
    """(method, activity) -> the person's cell; authorisations come oldest first."""
    return {
        (method_id, activity.value): cell_of(
            [a for a in granted if a.method_id == method_id and a.activity == activity], on_date
        )
        for method_id in method_ids
        for activity in Activity
    }


@router.get("/staff", response_class=HTMLResponse)
def staff_list(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal, today = viewer.principal, lab_today(request)
    staff = [
        user
        for user in accounts.list_users(db_session, actor=principal)
        if set(user.roles) & STAFF_ROLES and user.id is not None
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
    method_ids = [method_id for method_id in library if method_id is not None]
    return page(
        request,
        viewer,
        "staff.html",
        staff=staff,
        authorisations=authorisations,
        cells={
            person_id: matrix(granted, method_ids, today)
            for person_id, granted in authorisations.items()
        },
        evidence=evidence,
        library=library,
        activities=[activity.value for activity in Activity],
        bases=[basis.value for basis in Basis],
        may_grant=principal.has_any(*competence.MANAGERS),
    )
