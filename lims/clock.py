"""The lab's calendar day: dates in documents and rules are local (Europe/Helsinki)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lims.errors import InvalidInput

#: The days the lab's calendar arithmetic (working days, retention years, due dates and
#: intervals) is done on: every input date is held to them.  Wide enough for any record and
#: any instrument's history, and far from Python's limits (years 1 and 9999), where a next
#: day or a year later is an OverflowError instead of an answer.
EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
CALENDAR_RANGE = f"between {EARLIEST_DAY} and {LATEST_DAY}"


def in_calendar(day: date, *, location: tuple[str | int, ...]) -> date:
    """``day``, refused unless it lies within ``EARLIEST_DAY`` .. ``LATEST_DAY``."""
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(
            "%(day)s is not a day %(calendar_range)s",
            code="clock.day",
            day=day,
            calendar_range=CALENDAR_RANGE,
            location=location,
        )
    return day


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def local_day(moment: datetime, timezone: str) -> date:
    """The lab's calendar day of a stored (UTC) moment: what its documents print."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def require_today(day: date, timezone: str, *, field: str) -> None:
    """A customer acts today: it may not date its acceptance or order in the past or future."""
    today = local_today(timezone)
    if day != today:
        raise InvalidInput(
            "%(field)s must be today's date (%(today)s)",
            code="clock.must_today_date",
            field=field,
            today=today,
            location=(field,),
        )
