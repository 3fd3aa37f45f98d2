"""The lab's working-day calendar: weekdays that are neither Finnish public holidays nor closures.

Public holidays come from the ``holidays`` package (which counts Christmas Eve and Midsummer
Eve, the days Finnish workplaces close); the lab adds its own closures.
"""

from collections.abc import Collection
from datetime import date, timedelta
from functools import lru_cache

import holidays

SATURDAY = 5


@lru_cache(maxsize=32)
def _finnish_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.Finland(years=year))


def is_working_day(day: date, closures: Collection[date] = ()) -> bool:
    return (
        day.weekday() < SATURDAY and day not in _finnish_holidays(day.year) and day not in closures
    )


def add_working_days(start: date, days: int, closures: Collection[date] = ()) -> date:
    """The date ``days`` working days after ``start`` (the order day itself does not count).

    >>> add_working_days(date(2026, 12, 22), 5)  # over Christmas Eve, Christmas, the weekend
    datetime.date(2026, 12, 31)
    """
    if days < 0:
        raise ValueError("a delivery time is a number of working days, zero or more")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, closures):
            remaining -= 1
    return day
