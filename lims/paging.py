"""Keyset paging: the next page starts after the last row seen, not after a count of rows.

An ``OFFSET`` makes the database walk past every earlier row, so page 2,000 of a board that
spans years costs two thousand pages; a cursor names the last row's sort value and id, and
the next page is read from the index where the last one ended, at the same cost however
deep.  Rows added meanwhile do not shift the pages either.  To clients the cursor is an
opaque token (base64url of JSON) that only fits the sort it was made for.

>>> token = encode(Cursor(sort="-due_date", value="2026-11-27", id=42))
>>> decode(token, sort="-due_date")
Cursor(sort='-due_date', value='2026-11-27', id=42)
"""

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, literal, tuple_

from lims.errors import InvalidInput

_TOKEN_MAX = 512


@dataclass(frozen=True)
class Cursor:
    sort: str
    value: str
    id: int


def encode(cursor: Cursor) -> str:
    payload = json.dumps([cursor.sort, cursor.value, cursor.id], separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def cursor_after(row: Any, *, sort: str) -> str:
    """The token that continues after ``row`` in the order ``sort`` names."""
    value = getattr(row, sort.removeprefix("-"))
    text = value.isoformat() if isinstance(value, date) else str(value)
    return encode(Cursor(sort=sort, value=text, id=row.id))


def decode(token: str, *, sort: str) -> Cursor:
    """The cursor in ``token``; refused unless it is one of ours, made for ``sort``."""
    malformed = InvalidInput(
        "cursor is not one this service gave out",
        code="paging.cursor_one_service_gave_out",
        location=("cursor",),
    )
    if len(token) > _TOKEN_MAX:
        raise malformed
    try:
        payload = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise malformed from error
    if not (
        isinstance(payload, list)
        and len(payload) == 3
        and isinstance(payload[0], str)
        and isinstance(payload[1], str)
        and type(payload[2]) is int
    ):
        raise malformed
    cursor = Cursor(sort=payload[0], value=payload[1], id=payload[2])
    if cursor.sort != sort:
        raise InvalidInput(
            "cursor continues the order '%(sort)s', not '%(sort2)s'",
            code="paging.cursor_continues_order",
            sort=cursor.sort,
            sort2=sort,
            location=("cursor",),
        )
    return cursor


def order_of(column: Any, id_column: Any, *, descending: bool) -> tuple[Any, Any]:
    """Sort by ``column`` then id, both the same way, so one index scan serves the page."""
    return (column.desc(), id_column.desc()) if descending else (column, id_column)


def rows_after(
    cursor: Cursor,
    column: Any,
    id_column: Any,
    *,
    descending: bool,
    parse: Callable[[str], Any] = str,
) -> ColumnElement[bool]:
    """The rows after the cursor in :func:`order_of`; ``parse`` reads the sort value back
    from its text (a date, a time).  A row comparison, which an index on (column, id)
    answers as a range, where ``a < v OR (a = v AND id < i)`` would be a scan."""
    try:
        value = parse(cursor.value)
    except ValueError as error:
        raise InvalidInput(
            "cursor is not one this service gave out",
            code="paging.cursor_one_service_gave_out",
            location=("cursor",),
        ) from error
    key = tuple_(column, id_column)
    last = tuple_(literal(value, column.type), literal(cursor.id, id_column.type))
    return key < last if descending else key > last
