"""Yearly number series (agreements, quotations, jobs, documents): no duplicates, no gaps.

The next number is taken by one atomic upsert-and-increment in the caller's transaction: the
row stays locked until that transaction ends, so concurrent callers queue instead of sharing
a number, and a rolled-back transaction gives its number back instead of leaving a gap.
"""

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel

from lims.db import table_of, upsert


class NumberSeries(SQLModel, table=True):
    __tablename__ = "number_series"
    __table_args__ = (UniqueConstraint("series", "year"),)
    id: int | None = Field(default=None, primary_key=True)
    series: str = Field(max_length=32)
    year: int
    last: int


def next_number(db_session: Session, *, series: str, year: int) -> int:
    table = table_of(NumberSeries)
    statement = (
        upsert(db_session, table)
        .values(series=series, year=year, last=1)
        .on_conflict_do_update(index_elements=["series", "year"], set_={"last": table.c.last + 1})
        .returning(table.c.last)
    )
    return int(db_session.execute(statement).scalar_one())


def formatted(prefix: str, year: int, number: int) -> str:
    """``VS-2026-0007``: the series prefix, the year and a four-digit running number.

    >>> formatted("VS", 2026, 7)
    'VS-2026-0007'
    """
    return f"{prefix}-{year}-{number:04d}"
