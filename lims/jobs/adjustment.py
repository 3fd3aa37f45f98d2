"""As found and as left (B3): an instrument adjusted or repaired during its calibration.

A calibration certificate states the results before and after any adjustment or repair,
if available (ISO/IEC 17025:2017 7.8.4.1 d).  The result of a calibration point is the
instrument as left; the as-found measurement beside it is evaluated as a result is and kept
whole, with what was done in between, by which member of staff and on which day.  The two
go together: an as-found measurement without an adjustment is simply the result, and an
adjustment without the as-found measurement leaves nothing to compare.
"""

from datetime import date
from typing import Any

from sqlmodel import Session

from lims.accounts.models import STAFF_ROLES, User
from lims.errors import InvalidInput
from lims.jobs.models import AsFoundEntry, Characteristic, Job, JobKind, Result, ResultEntry

#: The instrument services (B3), whose items may be adjusted in the lab.
ADJUSTABLE_KINDS = frozenset({JobKind.CALIBRATION, JobKind.INSPECTION})
#: What the as-found measurement leaves out of all a result states of itself: the row's
#: identity and bookkeeping, which belong to the result it sits in.
NOT_AS_FOUND = frozenset(
    {
        "id",
        "job_id",
        "characteristic_id",
        "organisation_id",
        "recorded_at",
        "entered_at",
        "late_entry_reason",
        "version",
        "imported",
        "as_found",
        "adjustment_description",
        "adjusted_by_id",
        "adjusted_on",
    }
)


def check_adjustment(db_session: Session, *, job: Job, entry: ResultEntry, today: date) -> None:
    """The as-found measurement and the adjustment belong to a B3 job, come together, name a
    member of staff, and keep their order: as found, adjusted, as left."""
    if entry.as_found is None and entry.adjustment is None:
        return
    if job.kind not in ADJUSTABLE_KINDS:
        raise InvalidInput(
            "job %(job)s is a %(kind)s job: only an instrument calibrated or "
            "inspected (B3) is adjusted, with its as-found and as-left results",
            code="jobs.job_job_only_instrument_calibrated",
            job=job.number,
            kind=job.kind,
            location=("as_found",) if entry.as_found is not None else ("adjustment",),
        )
    if entry.as_found is None:
        raise InvalidInput(
            "an adjustment needs the as-found result: the instrument measured before it",
            code="jobs.adjustment_needs_found_result_instrument",
            location=("as_found",),
        )
    if entry.adjustment is None:
        raise InvalidInput(
            "an as-found result goes with the adjustment made after it (what, by "
            "whom, when); without an adjustment, record the measurement as the "
            "result",
            code="jobs.found_result_goes_adjustment_made",
            location=("adjustment",),
        )
    adjustment = entry.adjustment
    adjuster = db_session.get(User, adjustment.adjusted_by_id)
    if adjuster is None or not adjuster.active or not STAFF_ROLES.intersection(adjuster.roles):
        raise InvalidInput(
            "user %(adjusted_by_id)s is not an active member of the laboratory's "
            "staff: an adjustment is made by one",
            code="jobs.user_active_member_laboratory_staff",
            adjusted_by_id=adjustment.adjusted_by_id,
            location=("adjustment", "adjusted_by_id"),
        )
    if adjustment.adjusted_on > today:
        raise InvalidInput(
            "adjusted_on %(adjusted_on)s is in the future: the lab's today is %(today)s",
            code="jobs.adjusted_future_lab_today",
            adjusted_on=adjustment.adjusted_on,
            today=today,
            location=("adjustment", "adjusted_on"),
        )
    if adjustment.adjusted_on < entry.as_found.measured_on:
        raise InvalidInput(
            "adjusted_on %(adjusted_on)s is before the instrument was measured as "
            "found on %(measured_on)s",
            code="jobs.adjusted_before_instrument_was_measured",
            adjusted_on=adjustment.adjusted_on,
            measured_on=entry.as_found.measured_on,
            location=("adjustment", "adjusted_on"),
        )
    if adjustment.adjusted_on > entry.measured_on:
        raise InvalidInput(
            "adjusted_on %(adjusted_on)s is after the instrument was measured as "
            "left on %(measured_on)s",
            code="jobs.adjusted_after_instrument_was_measured",
            adjusted_on=adjustment.adjusted_on,
            measured_on=entry.measured_on,
            location=("adjustment", "adjusted_on"),
        )


def as_found_record(evaluated: Result) -> dict[str, Any]:
    """The as-found measurement, evaluated, as the JSON kept beside the as-left result."""
    return evaluated.model_dump(mode="json", exclude=set(NOT_AS_FOUND))


def kept_as_found(result: Result, characteristic: Characteristic) -> AsFoundEntry | None:
    """The as-found measurement of ``result`` as it was entered, to be evaluated again when
    the result as left is replaced by a re-import.  Its value was entered only where no
    method's model gives it (inspection, no method); otherwise the readings give it."""
    found = result.as_found
    if found is None:
        return None
    entered_value = characteristic.method_id is None or not found.get("uncertainty")
    return AsFoundEntry(
        measured_on=found["measured_on"],
        equipment=found.get("equipment", {}),
        observations=found.get("observations", {}),
        value=found["value"] if entered_value else None,
        unit=found.get("unit") if entered_value else None,
        temperature=found.get("temperature"),
        humidity=found.get("humidity"),
    )
