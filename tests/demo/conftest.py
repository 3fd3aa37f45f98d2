"""The lab's clock moved ahead for a whole test, with time-machine: the demo is loaded and
worked on the day the clock shows, as it would be on that day."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine

from lims.clock import local_today
from lims.config import Settings
from lims.equipment.service import add_months


@pytest.fixture(params=[0, 1, 2], ids=["today", "a-year-ahead", "two-years-ahead"])
def lab_day(request: pytest.FixtureRequest, settings: Settings) -> Iterator[date]:
    """The clock moved ahead by whole years (time flows on from there); the lab's day."""
    now = datetime.now(UTC)
    ahead = datetime.combine(add_months(now.date(), 12 * request.param), now.timetz())
    with time_machine.travel(ahead, tick=True):
        yield local_today(settings.timezone)
