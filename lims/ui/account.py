"""The signed-in person's own account: who they are, and changing their password.

The form posts to ``POST /api/v1/auth/password`` like any API client; after an
administrator's reset every other page sends the person here (``lims.ui.session.viewer``).
"""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from lims.ui.session import PASSWORD_CHANGE_PAGE, PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: ViewerDep) -> Response:
    return page(request, viewer, "account.html", forced=False)


@router.get(PASSWORD_CHANGE_PAGE, response_class=HTMLResponse)
def password_change_page(request: Request, viewer: ViewerDep) -> Response:
    """The page a person whose password was reset lands on, and nothing else until done."""
    return page(request, viewer, "account.html", forced=viewer.user.must_change_password)
