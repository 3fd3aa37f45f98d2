"""An invoicing period as the lab names it: a month, a quarter, a year, or a span of days."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from lims.errors import InvalidInput

#: The forms a period takes, by example (no words: the same in every language).
PERIOD_FORMAT = "2026-11, 2026-Q4, 2026, 2026-11-01..2026-11-15"
#: Years a period may fall in: the lab's records, not a typing slip of a year 20266.
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_DAYS = 366
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-[Qq]([1-4])")
_YEAR = re.compile(r"\d{4}")
_DAYS = re.compile(r"(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})")


@dataclass(frozen=True)
class Period:
    label: str
    first_day: date
    last_day: date


def parse_period(text: str) -> Period:
    """The period ``text`` names, its days inclusive.

    >>> [parse_period(text).last_day.isoformat() for text in ("2026-11", "2026-q4", "2024")]
    ['2026-11-30', '2026-12-31', '2024-12-31']
    """
    given = text.strip()
    if match := _MONTH.fullmatch(given):
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            raise _malformed(given)
        return _checked(given, date(_year(year), month, 1), _month_end(year, month))
    if match := _QUARTER.fullmatch(given):
        year, quarter = _year(int(match[1])), int(match[2])
        label = f"{year}-Q{quarter}"
        return _checked(label, date(year, 3 * quarter - 2, 1), _month_end(year, 3 * quarter))
    if _YEAR.fullmatch(given):
        year = _year(int(given))
        return _checked(given, date(year, 1, 1), date(year, 12, 31))
    if match := _DAYS.fullmatch(given):
        first, last = _day(match[1]), _day(match[2])
        if last < first:
            raise InvalidInput(
                "the period %(period)s ends before it begins: give the earlier day first",
                code="invoicing.period_ends_before_begins",
                period=given,
                location=("period",),
            )
        if (last - first).days >= MAX_DAYS:
            raise InvalidInput(
                "the period %(period)s is longer than a year: export it a year at a time",
                code="invoicing.period_longer_than_year",
                period=given,
                location=("period",),
            )
        return _checked(given, first, last)
    raise _malformed(given)


def _checked(label: str, first_day: date, last_day: date) -> Period:
    _year(first_day.year)
    _year(last_day.year)
    return Period(label, first_day, last_day)


def _year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(
            "the period's year %(year)s is not between %(first_year)s and %(last_year)s",
            code="invoicing.period_year_out_of_range",
            year=str(year),
            first_year=str(FIRST_YEAR),
            last_year=str(LAST_YEAR),
            location=("period",),
        )
    return year


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(
            "the period has an impossible day: %(day)s",
            code="invoicing.period_impossible_day",
            day=text,
            location=("period",),
        ) from None


def _month_end(year: int, month: int) -> date:
    following = date(year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _malformed(given: str) -> InvalidInput:
    return InvalidInput(
        "give the period as %(period_format)s, not '%(period)s'",
        code="invoicing.give_period",
        period_format=PERIOD_FORMAT,
        period=given[:40],
        location=("period",),
    )
