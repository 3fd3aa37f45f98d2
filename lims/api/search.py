"""Search over HTTP: jobs, items, documents and customers by number or text."""

from typing import Annotated

from fastapi import APIRouter, Query

from lims import search
from lims.api.deps import CurrentActor, SessionDep

router = APIRouter(prefix="/search", tags=["search"])


@router.get("", response_model=search.SearchResults, summary="Find records by number or text")
def find(
    actor: CurrentActor,
    db_session: SessionDep,
    q: Annotated[
        str,
        Query(
            max_length=search.MAX_QUERY,
            description="A number (TY-2026-0004, KT-2026-0003-R1), serial number, customer "
            "reference, name or business id; matched as a substring, whatever the case",
        ),
    ],
    kind: search.SearchKind | None = None,
    after: Annotated[
        str | None,
        Query(max_length=512, description="The next_cursor of the kind's previous page"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=search.MAX_LIMIT)] = 10,
) -> search.SearchResults:
    return search.search(db_session, actor=actor, query=q, kind=kind, after=after, limit=limit)
