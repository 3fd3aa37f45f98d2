"""A worksheet: the results of many planned points of a job recorded at once, all or none.

A technician measures a set of points (a micrometer's ten test lengths) in one session: the
day, the room's temperature and humidity and the equipment in each of the method's roles are
the same for every point, the readings differ.  Each row goes through the same checks and
evaluation as a single result (``lims.jobs.results.prepare_result``) and is audited as one;
a row that fails refuses the whole sheet, with every bad row's error at
``("rows", index, field)``, so nothing is half recorded.

A worksheet records first results only: a point already measured is replaced on its own,
with its version and a reason.  Recording takes the job's lock first, so of two identical
sheets sent at once the second finds the first's results and is refused.
"""

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic import Field as PydanticField
from sqlmodel import Session, col, select

from lims.accounts.principal import Principal, require_role
from lims.audit.trail import set_context
from lims.config import Settings
from lims.errors import Conflict, InvalidInput, LimsError
from lims.jobs.models import Characteristic, JobStatus, Result, ResultEntry
from lims.jobs.results import prepare_result
from lims.jobs.service import STAFF_WHO_RUN_JOBS, get_job, lock_job
from lims.problem_text import DEFAULT_LANGUAGE, json_params, localized
from lims.uncertainty import UncertaintyInputError

#: The fields a worksheet gives once for all its rows: an error in one that every row meets
#: alike is named there, once.
SESSION_FIELDS = ("measured_on", "equipment", "temperature", "humidity", "late_entry_reason")
#: More rows than any plan of a job has points (a job's points are what a sheet may hold).
MAX_ROWS = 500


class WorksheetRow(BaseModel):
    """One planned point's readings (or its value, where no method model applies)."""

    model_config = ConfigDict(extra="forbid")
    characteristic_id: int
    observations: dict[str, list[float]] = PydanticField(
        default_factory=dict, description="Readings per Type A input of the method"
    )
    value: float | None = PydanticField(
        default=None, description="The measured value where no method model applies"
    )
    comment: str | None = PydanticField(default=None, max_length=500)


class WorksheetEntry(BaseModel):
    """A measuring session: what its points share, then a row per point."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "measured_on": "2026-11-27",
                    "equipment": {"gauge_blocks": 3},
                    "temperature": 20.2,
                    "humidity": 42,
                    "rows": [
                        {"characteristic_id": 11, "observations": {"dr": [0.4, 0.5, 0.4]}},
                        {"characteristic_id": 12, "observations": {"dr": [0.3, 0.4, 0.3]}},
                    ],
                }
            ]
        },
    )
    measured_on: date
    equipment: dict[str, int] = PydanticField(
        default_factory=dict, description="Equipment role -> equipment id, for every row"
    )
    temperature: float | None = PydanticField(default=None, description="°C")
    humidity: float | None = PydanticField(default=None, ge=0, le=100, description="%RH")
    late_entry_reason: str | None = PydanticField(default=None, max_length=2000)
    rows: list[WorksheetRow] = PydanticField(min_length=1, max_length=MAX_ROWS)

    def entry(self, row: WorksheetRow) -> ResultEntry:
        """The single result ``row`` stands for, with the session's shared fields."""
        return ResultEntry(
            characteristic_id=row.characteristic_id,
            measured_on=self.measured_on,
            equipment=self.equipment,
            observations=row.observations,
            value=row.value,
            temperature=self.temperature,
            humidity=self.humidity,
            comment=row.comment,
            late_entry_reason=self.late_entry_reason,
        )


class WorksheetRefused(InvalidInput):
    """Rows that cannot be recorded, each error where it belongs; nothing was written.
    Invalid input (422), or a conflict (409) where every row's point was measured already.

    Each error keeps the refusal it stands for (``cause``), so that the API words it in
    the reader's language (:meth:`worded_in`) as it words a refusal of its own."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(
            "%(count)s rows of the worksheet cannot be recorded; nothing was recorded",
            code="jobs.worksheet_rows_refused",
            count=len({tuple(error["location"][:2]) for error in errors}),
        )
        self.row_errors = errors
        if all(isinstance(error["cause"], Conflict) for error in errors):
            # Every row was measured meanwhile (an identical sheet sent twice at once): the
            # job's state refuses it, as it refuses a single result, not the input.
            self.status, self.title, self.slug = Conflict.status, Conflict.title, Conflict.slug
        self.worded_in(DEFAULT_LANGUAGE)

    def worded_in(self, language: str) -> None:
        """Say every row's error in ``language`` (the problem's ``errors``)."""
        self.extensions = {
            "errors": [
                {
                    **{key: value for key, value in error.items() if key != "cause"},
                    "message": _words(error["cause"], language),
                }
                for error in self.row_errors
            ]
        }


def _words(cause: LimsError | UncertaintyInputError, language: str) -> str:
    return localized(cause, language) if isinstance(cause, LimsError) else cause.message


def record_worksheet(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    sheet: WorksheetEntry,
    settings: Settings,
) -> list[Result]:
    """Record every row of ``sheet`` as a result of job ``job_id``, or none of them."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="record results")
    job = lock_job(db_session, job_id)
    if job.status != JobStatus.IN_MEASUREMENT:
        raise Conflict(
            "results are recorded while a job is in measurement; job %(number)s is %(status)s",
            code="jobs.worksheet_not_in_measurement",
            number=job.number,
            status=job.status,
        )
    measured = _measured_points(db_session, job_id)
    errors: list[dict[str, Any]] = []
    prepared: list[Result] = []
    seen: set[int] = set()
    # Checking reads while results are half-built: nothing may flush before all are whole.
    with db_session.no_autoflush:
        for index, row in enumerate(sheet.rows):
            refusal = _row_refusal(row, seen, measured)
            if refusal is not None:
                errors.append(_error(index, refusal))
                continue
            try:
                prepared.append(
                    prepare_result(
                        db_session, actor=actor, job=job, entry=sheet.entry(row), settings=settings
                    )
                )
            except (InvalidInput, Conflict, UncertaintyInputError) as error:
                errors.append(_error(index, error))
    if errors:
        db_session.rollback()
        raise WorksheetRefused(_once_per_session_field(errors, len(sheet.rows)))
    set_context(db_session, actor.audit_context())
    for result in prepared:
        db_session.add(result)
    db_session.commit()
    for result in prepared:
        db_session.refresh(result)
    return prepared


def _measured_points(db_session: Session, job_id: int) -> dict[int, str]:
    """The job's points that have a result already: characteristic id -> label."""
    rows = db_session.exec(
        select(Characteristic.id, Characteristic.label)
        .join(Result, col(Result.characteristic_id) == col(Characteristic.id))
        .where(Characteristic.job_id == job_id)
    )
    return {point_id: label for point_id, label in rows if point_id is not None}


def _row_refusal(row: WorksheetRow, seen: set[int], measured: dict[int, str]) -> LimsError | None:
    """Why ``row`` cannot be a first result, before it is checked as one."""
    if row.characteristic_id in seen:
        return InvalidInput(
            "the point appears twice in the worksheet",
            code="jobs.worksheet_point_twice",
            location=("characteristic_id",),
        )
    seen.add(row.characteristic_id)
    if row.characteristic_id in measured:
        return Conflict(
            "%(characteristic)s has a result already; replace it on its own, with a reason",
            code="jobs.worksheet_point_measured",
            characteristic=measured[row.characteristic_id],
            location=("characteristic_id",),
        )
    return None


def _error(index: int, error: LimsError | UncertaintyInputError) -> dict[str, Any]:
    """One row's error, located in the row."""
    location = ("rows", index, *error.location)
    described: dict[str, Any] = {
        "field": _path(location),
        "location": list(location),
        "message": error.message,
        "cause": error,
    }
    if isinstance(error, LimsError) and error.code:
        described["code"] = error.code
        described["params"] = json_params(error.params)
    return described


def _path(location: tuple[Any, ...]) -> str:
    """``("rows", 2, "observations", "dr")`` -> ``"rows[2].observations.dr"``."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _once_per_session_field(errors: list[dict[str, Any]], rows: int) -> list[dict[str, Any]]:
    """A shared field wrong alike for every row (a temperature outside the method's limits)
    is named once, at that field; wrong for some rows only (a certificate without one
    point's nominal), it stays in those rows."""
    rows_of: dict[tuple[Any, ...], set[int]] = {}
    for error in errors:
        rows_of.setdefault(_shared(error), set()).add(error["location"][1])
    said: set[tuple[Any, ...]] = set()
    kept = []
    for error in errors:
        shared = _shared(error)
        if shared[0] not in SESSION_FIELDS or len(rows_of[shared]) < rows:
            kept.append(error)
        elif shared not in said:
            said.add(shared)
            location = error["location"][2:]
            kept.append({**error, "field": _path(tuple(location)), "location": location})
    return kept


def _shared(error: dict[str, Any]) -> tuple[Any, ...]:
    """An error's field within its row, and its words: alike in every row, it is the sheet's."""
    return (*error["location"][2:], error["message"]) if len(error["location"]) > 2 else ("",)
