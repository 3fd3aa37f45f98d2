"""One search box: jobs, items, documents and customers found by number or by text.

What is typed is matched case-insensitively as a substring of the fields people quote (a
job's number and the customer's reference, an item's serial number and description, a
document's number and title, a customer's name and business id); ``%`` and ``_`` are
matched as themselves, not as SQL wildcards.  A record whose number is exactly what was
typed comes first, then the newest.  Each kind is read with the same visibility rule as
its listing, so a customer finds only its own organisation's records.

Each kind pages on its own by keyset (``lims.paging``): the cursor names the last hit's rank
and id, and is refused when it was made for another kind.
"""

from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Integer, case, exists, or_
from sqlmodel import Session, col, select

from lims import paging
from lims.accounts.models import Organisation
from lims.accounts.principal import Principal
from lims.documents.models import Document
from lims.documents.visibility import readable
from lims.errors import InvalidInput
from lims.jobs.models import Item, Job

#: Longer than any number or name the lab keeps; anything longer is not a search.
MAX_QUERY = 200
MAX_LIMIT = 50


class SearchKind(StrEnum):
    JOB = "job"
    ITEM = "item"
    DOCUMENT = "document"
    CUSTOMER = "customer"


#: Each kind's table, and the column whose exact match ranks a hit first.
_NUMBERED: dict[SearchKind, tuple[Any, Any]] = {
    SearchKind.JOB: (Job, Job.number),
    SearchKind.ITEM: (Item, Item.identification),
    SearchKind.DOCUMENT: (Document, Document.number),
    SearchKind.CUSTOMER: (Organisation, Organisation.business_id),
}


class SearchHit(BaseModel):
    kind: SearchKind
    id: int
    number: str | None
    title: str
    customer: str | None
    job_id: int | None
    job_number: str | None
    exact: bool


class SearchGroup(BaseModel):
    kind: SearchKind
    hits: list[SearchHit]
    next_cursor: str | None


class SearchResults(BaseModel):
    query: str
    groups: list[SearchGroup]


def search(
    db_session: Session,
    *,
    actor: Principal,
    query: str,
    kind: SearchKind | None = None,
    after: str | None = None,
    limit: int = 10,
) -> SearchResults:
    """The hits for ``query``, grouped by kind (only ``kind`` when given); ``after``
    continues one kind's hits from the cursor its previous page gave.  An empty query
    finds nothing."""
    text = query.strip()
    if len(text) > MAX_QUERY:
        raise InvalidInput(
            "a search is at most %(limit)s characters",
            location=("q",),
            code="search.query_too_long",
            limit=MAX_QUERY,
        )
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidInput(
            "show 1 to %(limit)s hits at a time",
            location=("limit",),
            code="search.limit_out_of_range",
            limit=MAX_LIMIT,
        )
    if after is not None and kind is None:
        raise InvalidInput(
            "a cursor continues the hits of one kind: name the kind",
            location=("kind",),
            code="search.cursor_without_kind",
        )
    kinds = [kind] if kind is not None else list(SearchKind)
    if not text:
        return SearchResults(query=text, groups=[])
    groups = [
        _search_kind(db_session, actor, text, each, after=after, limit=limit) for each in kinds
    ]
    return SearchResults(query=text, groups=[group for group in groups if group.hits])


def _literally(text: str) -> str:
    """``text`` as a LIKE pattern that matches only itself (escape character ``\\``)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _contains(text: str) -> Callable[[Any], ColumnElement[bool]]:
    """A case-insensitive substring match of ``text`` taken literally."""
    pattern = f"%{_literally(text)}%"
    return lambda column: col(column).ilike(pattern, escape="\\")


def _exact(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` is exactly ``text``, whatever the case."""
    return col(column).ilike(_literally(text), escape="\\")


def _search_kind(
    db_session: Session,
    actor: Principal,
    text: str,
    kind: SearchKind,
    *,
    after: str | None,
    limit: int,
) -> SearchGroup:
    contains = _contains(text)
    entity, number = _NUMBERED[kind]
    rank = case((_exact(number, text), 0), else_=1).cast(Integer)
    # The four kinds share the ranking and paging below; their tables differ.
    query: Any = select(entity, rank)
    if kind is SearchKind.JOB:
        described = exists().where(
            col(Item.job_id) == col(Job.id),
            or_(contains(Item.description), contains(Item.identification)),
        )
        query = query.where(or_(contains(Job.number), contains(Job.customer_reference), described))
        owner = Job.organisation_id
    elif kind is SearchKind.ITEM:
        query = query.where(
            or_(
                contains(Item.identification),
                contains(Item.description),
                contains(Item.manufacturer),
                contains(Item.model),
            )
        )
        owner = Item.organisation_id
    elif kind is SearchKind.DOCUMENT:
        query = query.where(or_(contains(Document.number), contains(Document.title)))
        # A customer reads the public kinds too: the documents' own rule, not ownership.
        visible = readable(select(Document), actor).whereclause
        if visible is not None:
            query = query.where(visible)
        owner = None
    else:
        query = query.where(or_(contains(Organisation.name), contains(Organisation.business_id)))
        owner = Organisation.id
    if owner is not None and not actor.reads_everything:
        query = query.where(owner == actor.organisation_id)
    identity = col(entity.id)
    if after is not None:
        cursor = paging.decode(after, sort=f"search:{kind}")
        if cursor.value not in {"0", "1"}:
            raise InvalidInput(
                "cursor is not one this service gave out",
                location=("cursor",),
                code="paging.bad_cursor",
            )
        last = int(cursor.value)
        query = query.where(or_(rank > last, (rank == last) & (identity < cursor.id)))
    rows = list(db_session.exec(query.order_by(rank, identity.desc()).limit(limit + 1)))
    page = rows[:limit]
    hits = _hits(db_session, kind, page)
    following = None
    if len(rows) > limit:
        record, last_rank = page[-1]
        following = paging.encode(
            paging.Cursor(sort=f"search:{kind}", value=str(last_rank), id=record.id)
        )
    return SearchGroup(kind=kind, hits=hits, next_cursor=following)


def _hits(db_session: Session, kind: SearchKind, rows: Sequence[Any]) -> list[SearchHit]:
    """The page's rows as hits, with their customers' names and jobs' numbers read once."""
    records = [record for record, _ in rows]
    exact = [rank == 0 for _, rank in rows]
    organisation_ids = {
        record.organisation_id if kind is not SearchKind.CUSTOMER else record.id
        for record in records
    } - {None}
    names = dict(
        db_session.exec(
            select(Organisation.id, Organisation.name).where(
                col(Organisation.id).in_(organisation_ids)
            )
        ).all()
    )
    job_ids = {
        record.job_id for record in records if kind in (SearchKind.ITEM, SearchKind.DOCUMENT)
    } - {None}
    job_numbers = dict(
        db_session.exec(select(Job.id, Job.number).where(col(Job.id).in_(job_ids))).all()
    )
    hits = []
    for record, is_exact in zip(records, exact, strict=True):
        if kind is SearchKind.JOB:
            number, title, job_id = record.number, record.customer_reference or "", record.id
        elif kind is SearchKind.ITEM:
            number, title, job_id = record.identification, record.description, record.job_id
        elif kind is SearchKind.DOCUMENT:
            number, title, job_id = record.number, record.title, record.job_id
        else:
            number, title, job_id = record.business_id, record.name, None
        organisation_id = record.id if kind is SearchKind.CUSTOMER else record.organisation_id
        hits.append(
            SearchHit(
                kind=kind,
                id=record.id,
                number=number,
                title=title,
                customer=names.get(organisation_id),
                job_id=job_id,
                job_number=record.number if kind is SearchKind.JOB else job_numbers.get(job_id),
                exact=is_exact,
            )
        )
    return hits
