"""Administration: user accounts with their roles, and API tokens.

The pages read through ``lims.accounts.service`` with the viewer's principal, so they show
what the API would: the lab's staff and auditors read every user, a customer the users of
its own organisation.  Creating, changing, disabling, resetting and revoking are the
administrator's, checked by the service; the forms post to ``/api/v1/users`` and
``/api/v1/auth/api-tokens`` (``lims/ui/static/admin.js`` shows a new secret once).
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from lims.accounts import service as accounts
from lims.accounts.models import Language, Role
from lims.api.deps import SessionDep
from lims.ui.customers import LANGUAGE_NAMES
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)


@router.get("/users", response_class=HTMLResponse)
def user_list(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    organisation_id: Annotated[int | None, Query()] = None,
) -> Response:
    """The users; ``?organisation_id=`` (from a customer's page) starts the new user as a
    customer of that organisation."""
    principal = viewer.principal
    organisations = accounts.list_organisations(db_session, actor=principal)
    return page(
        request,
        viewer,
        "users.html",
        users=accounts.list_users(db_session, actor=principal),
        sign_ins=accounts.last_sign_ins(db_session, actor=principal),
        organisations=organisations,
        organisation_names={organisation.id: organisation.name for organisation in organisations},
        roles=list(Role),
        languages=list(Language),
        language_names=LANGUAGE_NAMES,
        new_organisation_id=organisation_id,
        # Only an administrator's changes are accepted (accounts.service.create_user); the
        # forms are not offered to anyone else.
        administers=principal.has_any(Role.ADMIN),
    )


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_detail(
    request: Request, user_id: int, viewer: ViewerDep, db_session: SessionDep
) -> Response:
    principal = viewer.principal
    person = accounts.get_user(db_session, actor=principal, user_id=user_id)
    organisations = accounts.list_organisations(db_session, actor=principal)
    return page(
        request,
        viewer,
        "user_detail.html",
        person=person,
        last_sign_in=accounts.last_sign_ins(db_session, actor=principal).get(user_id),
        organisations=organisations,
        organisation_names={organisation.id: organisation.name for organisation in organisations},
        roles=list(Role),
        languages=list(Language),
        language_names=LANGUAGE_NAMES,
        # A customer sees only its own tokens, so on a colleague's page the list is empty.
        tokens=accounts.list_api_tokens(db_session, actor=principal, user_id=user_id),
        administers=principal.has_any(Role.ADMIN),
        is_self=person.id == principal.user_id,
        # Everyone revokes their own tokens but an auditor, who changes nothing; an
        # administrator anyone's (accounts.service.revoke_api_token).
        revokes_tokens=principal.has_any(Role.ADMIN)
        or (person.id == principal.user_id and (principal.is_staff or principal.is_customer)),
    )
