"""The lab's calendar day: dates in documents and rules are local (Europe/Helsinki)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from lims.errors import InvalidInput


def local_today(timezone: str) -> date:
    return datetime.now(ZoneInfo(timezone)).date()


def local_day(moment: datetime, timezone: str) -> date:
    """The lab's calendar day of a stored (UTC) moment: what its documents print."""
    return moment.astimezone(ZoneInfo(timezone)).date()


def require_today(day: date, timezone: str, *, field: str) -> None:
    """A customer acts today: it may not date its acceptance or order in the past or future."""
    today = local_today(timezone)
    if day != today:
        raise InvalidInput(f"{field} must be today's date ({today})", location=(field,))
