"""The calibration status of an item on a given day, derived from its records (pure).

Nothing here is stored: the status follows from the quality manager's decision (in service,
out of service, retired), the latest calibration on or before the day (its decision and next
due date) and any intermediate check made since.  Storing it as well would let the two drift.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from lims.reasons import Reason


class CalibrationStatus(StrEnum):
    IN_CALIBRATION = "in_calibration"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    NOT_CALIBRATED = "not_calibrated"
    NOT_FIT_FOR_USE = "not_fit_for_use"
    OUT_OF_SERVICE = "out_of_service"
    RETIRED = "retired"


USABLE = frozenset({CalibrationStatus.IN_CALIBRATION, CalibrationStatus.DUE_SOON})


@dataclass(frozen=True)
class CalibrationFacts:
    calibrated_on: date
    next_due_on: date
    fit_for_use: bool
    certificate_number: str


@dataclass(frozen=True)
class CheckFacts:
    checked_on: date
    passed: bool


@dataclass(frozen=True)
class DerivedStatus:
    status: CalibrationStatus
    #: Why, as a template of the problems catalog: a refusal naming the item words it in its
    #: reader's language.
    why: Reason
    # The facts the reason names, for a page that writes it in its reader's language.
    calibration: CalibrationFacts | None = None
    failed_check_on: date | None = None

    @property
    def usable(self) -> bool:
        return self.status in USABLE

    @property
    def reason(self) -> str:
        """The reason in English, as records and the API's ``calibration_status_reason`` keep it."""
        return self.why.message


def derive_status(
    *,
    equipment_status: str,
    latest_calibration: CalibrationFacts | None,
    latest_check: CheckFacts | None,
    due_soon_days: int,
    on_date: date,
) -> DerivedStatus:
    """The status on ``on_date``, with a reason that reads after "the item is".

    >>> facts = CalibrationFacts(date(2026, 1, 5), date(2026, 7, 5), True, "C-1")
    >>> derive_status(equipment_status="in_service", latest_calibration=facts,
    ...               latest_check=None, due_soon_days=30, on_date=date(2026, 8, 1)).reason
    'overdue since 2026-07-05, when certificate C-1 of 2026-01-05 ran out'
    """
    if equipment_status == "retired":
        return DerivedStatus(CalibrationStatus.RETIRED, Reason("retired"))
    if equipment_status == "out_of_service":
        return DerivedStatus(CalibrationStatus.OUT_OF_SERVICE, Reason("out of service"))
    if latest_calibration is None:
        return DerivedStatus(
            CalibrationStatus.NOT_CALIBRATED,
            Reason("not calibrated on or before %(on_date)s", on_date=on_date),
        )
    calibration = latest_calibration
    certificate = {
        "certificate": calibration.certificate_number,
        "calibrated_on": calibration.calibrated_on,
    }
    if not calibration.fit_for_use:
        return DerivedStatus(
            CalibrationStatus.NOT_FIT_FOR_USE,
            Reason(
                "not fit for use according to certificate %(certificate)s of %(calibrated_on)s",
                **certificate,
            ),
            calibration,
        )
    if (
        latest_check is not None
        and latest_check.checked_on >= calibration.calibrated_on
        and not latest_check.passed
    ):
        return DerivedStatus(
            CalibrationStatus.NOT_FIT_FOR_USE,
            Reason(
                "not fit for use: it failed its intermediate check on %(checked_on)s",
                checked_on=latest_check.checked_on,
            ),
            calibration,
            latest_check.checked_on,
        )
    if on_date > calibration.next_due_on:
        return DerivedStatus(
            CalibrationStatus.OVERDUE,
            Reason(
                "overdue since %(next_due_on)s, when certificate %(certificate)s of "
                "%(calibrated_on)s ran out",
                next_due_on=calibration.next_due_on,
                **certificate,
            ),
            calibration,
        )
    if on_date >= calibration.next_due_on - timedelta(days=due_soon_days):
        return DerivedStatus(
            CalibrationStatus.DUE_SOON,
            Reason(
                "due on %(next_due_on)s, certificate %(certificate)s of %(calibrated_on)s",
                next_due_on=calibration.next_due_on,
                **certificate,
            ),
            calibration,
        )
    return DerivedStatus(
        CalibrationStatus.IN_CALIBRATION,
        Reason(
            "in calibration until %(next_due_on)s, certificate %(certificate)s of "
            "%(calibrated_on)s",
            next_due_on=calibration.next_due_on,
            **certificate,
        ),
        calibration,
    )


class HorizonError(ValueError):
    """A planner horizon that is not days or weeks; the :class:`Reason` says how to write it."""

    def __init__(self, reason: Reason) -> None:
        super().__init__(reason.message)
        self.reason = reason


def parse_horizon(text: str) -> int:
    """Days in a planner horizon written like ``30d`` or ``8w``; HorizonError otherwise.

    >>> parse_horizon("8w"), parse_horizon("30d")
    (56, 30)
    """
    stripped = text.strip().lower()
    number, unit = stripped[:-1], stripped[-1:]
    if unit not in ("d", "w") or not number.isdigit() or len(number) > 4:
        raise HorizonError(
            Reason("%(text)r is not a horizon: write days or weeks, e.g. 30d or 8w", text=text)
        )
    return int(number) * (7 if unit == "w" else 1)
