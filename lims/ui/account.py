"""The signed-in person's own account: who they are, changing their password, and their
API tokens.

The forms post to ``POST /api/v1/auth/password`` and ``/api/v1/auth/api-tokens`` like any
API client; after an administrator's reset every other page sends the person here
(``lims.ui.session.viewer``).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.accounts import service as accounts
from lims.api.deps import SessionDep
from lims.ui.session import PASSWORD_CHANGE_PAGE, PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: ViewerDep, db_session: SessionDep) -> Response:
    principal = viewer.principal
    return page(
        request,
        viewer,
        "account.html",
        forced=False,
        tokens=accounts.list_api_tokens(db_session, actor=principal, user_id=principal.user_id),
        # An auditor changes nothing, so makes and revokes no tokens (accounts.service).
        makes_tokens=not principal.is_auditor or principal.is_staff,
    )


@router.get(PASSWORD_CHANGE_PAGE, response_class=HTMLResponse)
def password_change_page(request: Request, viewer: ViewerDep) -> Response:
    """The page a person whose password was reset lands on, and nothing else until done."""
    return page(request, viewer, "account.html", forced=viewer.user.must_change_password)
