"""The search page: what the header's search box finds, grouped by kind, each hit a link.

Read through ``lims.search`` with the viewer's principal, so a page shows exactly what
GET /api/v1/search answers; a tampered "more" link is the service's refusal as a page.
"""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from lims import search
from lims.api.deps import SessionDep
from lims.i18n import N_
from lims.ui.session import PageRoute, ViewerDep, page

router = APIRouter(route_class=PageRoute)
#: Hits of each kind on the overview; "more" opens one kind, a longer page at a time.
OVERVIEW_HITS = 5
KIND_HITS = 20
HEADINGS = {
    search.SearchKind.JOB: N_("Jobs"),
    search.SearchKind.ITEM: N_("Items"),
    search.SearchKind.DOCUMENT: N_("Documents"),
    search.SearchKind.CUSTOMER: N_("Customers"),
}


def link_of(hit: search.SearchHit) -> str:
    """The page of the record a hit names (an item is shown on its job's page)."""
    if hit.kind is search.SearchKind.JOB:
        return f"/jobs/{hit.id}"
    if hit.kind is search.SearchKind.ITEM:
        return f"/jobs/{hit.job_id}#item-{hit.id}"
    if hit.kind is search.SearchKind.DOCUMENT:
        return f"/documents/{hit.id}"
    return f"/customers/{hit.id}"


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    viewer: ViewerDep,
    db_session: SessionDep,
    # Longer than the service takes, so an overlong search is its refusal, not "no such page".
    q: Annotated[str, Query(max_length=10 * search.MAX_QUERY)] = "",
    kind: search.SearchKind | None = None,
    after: Annotated[str | None, Query(max_length=512)] = None,
) -> Response:
    results = search.search(
        db_session,
        actor=viewer.principal,
        query=q,
        kind=kind,
        after=after,
        limit=KIND_HITS if kind else OVERVIEW_HITS,
    )
    return page(
        request,
        viewer,
        "search.html",
        results=results,
        kind=kind,
        headings=HEADINGS,
        link_of=link_of,
    )
