"""Who is looking at a page, and how a page answers when it may not be shown.

A page reads its caller from the browser session cookie, exactly as the API does, and
hands the same ``Principal`` to the services; the services decide what the caller may see.
A refusal from a service becomes an HTML page with the service's status: a customer asking
for another customer's job gets the same 404 page as for a job that does not exist.
"""

import unicodedata
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute

from lims import __version__
from lims.accounts import auth
from lims.accounts.models import BrowserSession, User
from lims.accounts.principal import Principal
from lims.api.deps import SESSION_COOKIE, SessionDep
from lims.clock import local_today
from lims.errors import LimsError, NotFound, PermissionDenied
from lims.i18n import UI_LANGUAGES
from lims.problem_text import localized
from lims.ui import navigation
from lims.ui.rendering import FALLBACK_LANGUAGE, LANGUAGE_NAMES, interface_language, render


@dataclass(frozen=True)
class Viewer:
    """The signed-in person: the user record for the page, the principal for the services,
    and the browser session whose CSRF token the page's forms carry."""

    user: User
    principal: Principal
    language: str
    browser_session: BrowserSession


# A stand-in for this site's origin: only whether a target resolves off it matters.
_SAME_ORIGIN = "https://lims.invalid/"


def safe_next(target: str | None) -> str:
    """``target`` when it is a path on this site, else ``/``: where to go after login.

    Refused: anything with a scheme or a host, ``//`` (another host to a browser), a backslash
    or a control character, raw or percent-decoded (browsers read ``/\\host`` as ``//host``
    and drop tabs and newlines, so ``/%09/host`` is ``//host`` too).
    """
    if not target or not target.startswith("/"):
        return "/"
    decoded = unquote(target)
    for shown in (target, decoded):
        if shown.startswith("//") or "\\" in shown:
            return "/"
        if any(unicodedata.category(character) in {"Cc", "Cf", "Zl", "Zp"} for character in shown):
            return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not urljoin(_SAME_ORIGIN, target).startswith(_SAME_ORIGIN):
        return "/"
    return target


#: Where a signed-out browser keeps the language it chose with ``?lang=`` (login, verify).
LANGUAGE_COOKIE = "lims_lang"
LANGUAGE_COOKIE_DAYS = 365


def asked_language(request: Request) -> str | None:
    """The language this request asks for, if the UI speaks it: ``?lang=`` first, then the
    cookie a signed-out page set.  A signed-in person's ``?lang=`` shows that one page in the
    language and changes nothing (a GET writes no record, and a shared link does not change
    the reader's account); the language switch is what changes the account."""
    for asked in (request.query_params.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if asked in UI_LANGUAGES:
            return asked
    return None


def remember_visitor_language(request: Request, response: Response) -> None:
    """A signed-out browser's ``?lang=`` is kept in a cookie, so the next page (the login
    after the verify page, the login again after signing out) speaks it too."""
    asked = request.query_params.get("lang")
    if asked in UI_LANGUAGES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            asked,
            max_age=LANGUAGE_COOKIE_DAYS * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.environment == "production",
        )


def language_links(request: Request) -> list[tuple[str, str, str]]:
    """The language switch's choices: each language, its own name, and this page's address
    asking for it (the page's other query parameters kept, the login's ``next`` only as the
    path on this site it resolves to, never an address elsewhere)."""
    kept = [
        (name, safe_next(value) if name == "next" else value)
        for name, value in request.query_params.multi_items()
        if name != "lang"
    ]
    return [
        (code, LANGUAGE_NAMES[code], "?" + urlencode([*kept, ("lang", code)]))
        for code in UI_LANGUAGES
    ]


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the login page."""


PASSWORD_CHANGE_PAGE = "/account/password"


class PasswordChangeRequired(Exception):
    """An administrator reset the password: every page but the change itself sends there."""


def viewer(request: Request, db_session: SessionDep) -> Viewer:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        raise SignInRequired
    try:
        browser_session, principal = auth.browser_session_for(db_session, secret)
    except LimsError:
        raise SignInRequired from None
    user = db_session.get(User, principal.user_id)
    if user is None:
        raise SignInRequired
    if user.must_change_password and request.url.path != PASSWORD_CHANGE_PAGE:
        raise PasswordChangeRequired
    db_session.expunge(user)
    db_session.expunge(browser_session)
    page_language = request.query_params.get("lang")
    language = page_language if page_language in UI_LANGUAGES else user.language
    signed_in = Viewer(user, principal, interface_language(language), browser_session)
    # Kept for the error page, which is rendered outside the route's dependencies.
    request.state.viewer = signed_in
    return signed_in


ViewerDep = Annotated[Viewer, Depends(viewer)]


def require_csrf_token(signed_in: Viewer, offered: str | None) -> None:
    """A form posted without a script carries the session's CSRF token in a hidden field,
    where the scripts send the X-CSRF-Token header; the API's check, the API's answer."""
    if not auth.csrf_token_matches(signed_in.browser_session, offered):
        raise PermissionDenied(
            "the CSRF token is missing or wrong: reload the page and try again",
            code="ui.csrf_token_missing_wrong_reload",
        )


def lab_today(request: Request) -> date:
    """Today in the lab's time zone: what "due", "valid" and "overdue" count from."""
    return local_today(request.app.state.settings.timezone)


def page(
    request: Request,
    signed_in: Viewer | None,
    template: str,
    *,
    status_code: int = 200,
    language: str | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` for ``signed_in`` (or for nobody, on the login page)."""
    settings = request.app.state.settings
    if signed_in is None:
        language = asked_language(request) or interface_language(language)
    else:
        language = signed_in.language
    html = render(
        template,
        language=language,
        timezone=settings.timezone,
        lab=settings.lab,
        version=__version__,
        user=signed_in.user if signed_in else None,
        principal=signed_in.principal if signed_in else None,
        nav=navigation.entries_for(signed_in.principal) if signed_in else [],
        path=request.url.path,
        language_links=language_links(request),
        today=local_today(settings.timezone),
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if signed_in is None:
        remember_visitor_language(request, response)
    return response


def _error_page(request: Request, error: LimsError) -> HTMLResponse:
    signed_in = getattr(request.state, "viewer", None)
    # The refusal in the language the page is written in (as page() chooses it).
    language = signed_in.language if signed_in else asked_language(request) or FALLBACK_LANGUAGE
    # A 404 says nothing of the record: not even that it exists (README, confidentiality).
    detail = None if isinstance(error, NotFound) else localized(error, language)
    return page(
        request, signed_in, "error.html", status_code=error.status, status=error.status,
        detail=detail,
    )  # fmt: skip


class PageRoute(APIRoute):
    """A page route: signed-out callers go to the login page, refusals become HTML."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            try:
                return await handler(request)
            except SignInRequired:
                url = request.url
                wanted = f"{url.path}?{url.query}" if url.query else url.path
                login = "/login" if wanted == "/" else f"/login?next={quote(wanted, safe='/')}"
                return RedirectResponse(login, status_code=303)
            except PasswordChangeRequired:
                return RedirectResponse(PASSWORD_CHANGE_PAGE, status_code=303)
            except LimsError as error:
                return _error_page(request, error)
            except RequestValidationError:
                # /jobs/abc is an address that leads nowhere, not a malformed API call.
                return _error_page(request, NotFound("no such page", code="ui.such_page"))

        return guarded
