"""Demo dates as distances back from the day the demo is loaded.

Fixed dates go stale: a year on, every standard of the demo would be overdue and no demo job
could be measured.  So the tables say how long ago each thing happened, and the loaders place
it before the lab's today; the states the demo shows (one item overdue, one falling due, the
rest in calibration, a job to measure today) then hold on whichever day ``lims demo`` runs.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from lims.equipment.service import add_months


@dataclass(frozen=True)
class Ago:
    """So many months and days before the day the demo is loaded.

    >>> Ago(months=11, days=20).before(date(2027, 3, 31))
    datetime.date(2026, 4, 10)
    """

    months: int = 0
    days: int = 0

    def before(self, today: date) -> date:
        return add_months(today, -self.months) - timedelta(days=self.days)
