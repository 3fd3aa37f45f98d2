"""Results: one per characteristic, with the uncertainty through the method's model, the
conformity decision by the agreement's rule and the accreditation by the scope rule.

Recording a result checks, in order: the job is in measurement, the characteristic is the
job's own, the technician is authorised for the method, every piece of equipment is in
calibration on the measurement date; then evaluates.  Replacing a result needs the version
it replaces (no lost updates) and a reason.  A CSV import runs the same checks on every row
and writes all rows or none.
"""

import math
import statistics
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from lims.accounts.principal import Principal, require_role
from lims.audit.trail import because, set_context
from lims.clock import local_day, local_today
from lims.competence.models import Activity
from lims.competence.service import check_authorised
from lims.config import Settings
from lims.contracts.models import Agreement, DecisionRule, Service
from lims.db import persisted_id, utcnow
from lims.equipment.models import CalibrationResult, Equipment
from lims.equipment.service import (
    check_environment_instrument,
    check_equipment_kinds,
    check_equipment_usable,
    find_equipment,
    latest_calibration,
)
from lims.errors import (
    Conflict,
    InvalidInput,
    LimsError,
    NotFound,
    PermissionDenied,
    problem_template,
)
from lims.jobs.adjustment import as_found_record, check_adjustment, kept_as_found
from lims.jobs.models import (
    Characteristic,
    CustomerValue,
    CustomerValueEntry,
    Item,
    Job,
    JobKind,
    JobStatus,
    Result,
    ResultEntry,
)
from lims.jobs.results_csv import CharacteristicRef, parse_results_csv
from lims.jobs.service import STAFF_WHO_RUN_JOBS, get_job
from lims.methods import scope
from lims.methods.coordinate import (
    NOT_EVALUATED,
    CoordinateUncertainty,
    specification_uncertainty,
    substitution_uncertainty,
)
from lims.methods.models import Method, MethodEvaluation, ObservationsSource
from lims.methods.scope import CMC_FLOOR, BelowCmc, accreditation_of_result
from lims.methods.service import evaluate_for_job
from lims.methods.template import sources_of
from lims.problem_text import localized, localized_text, recognised
from lims.reasons import Reason
from lims.uncertainty import decide
from lims.uncertainty.errors import SimpleAcceptanceRefused
from lims.uncertainty.schemas import CapabilityPolicy
from lims.uncertainty.warning_text import WarningText
from lims.units import convert, convert_interval, symbol

INSPECTION_STATEMENT = (
    "Inspection: the measured value is compared with the limits; no uncertainty is claimed."
)
INSPECTION_STATEMENT_FI = "Tarkastus: mitattua arvoa verrataan rajoihin; epävarmuutta ei ilmoiteta."
# A CMM result measured by substitution (ISO 15530-3) names its calibrated workpiece in this
# role and gives the repeats on it in this series.
WORKPIECE_ROLE = "reference_workpiece"
WORKPIECE_SERIES = "workpiece"
VISIBLE_TO_CUSTOMERS = {JobStatus.APPROVED, JobStatus.REPORTED, JobStatus.CLOSED}


def list_results(db_session: Session, *, actor: Principal, job_id: int) -> list[Result]:
    """A customer sees results once they are approved; staff and auditors always."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    if actor.is_customer and job.status not in VISIBLE_TO_CUSTOMERS:
        return []
    return list(
        db_session.exec(select(Result).where(Result.job_id == job_id).order_by(col(Result.id)))
    )


# -- one result ---------------------------------------------------------------------------


def record_result(
    db_session: Session, *, actor: Principal, job_id: int, entry: ResultEntry, settings: Settings
) -> Result:
    job = get_job(db_session, actor=actor, job_id=job_id)
    # Checking reads while the result is half-updated: nothing may flush before it is whole.
    with db_session.no_autoflush:
        result = prepare_result(db_session, actor=actor, job=job, entry=entry, settings=settings)
    set_context(db_session, actor.audit_context())
    if result.version > 1:
        if not entry.reason:
            raise RuntimeError("prepare_result let a replacement through without its reason")
        with because(db_session, entry.reason):
            db_session.add(result)
            db_session.commit()
    else:
        db_session.add(result)
        db_session.commit()
    db_session.refresh(result)
    return result


def prepare_result(
    db_session: Session, *, actor: Principal, job: Job, entry: ResultEntry, settings: Settings
) -> Result:
    """Check and evaluate a result without writing it (the import's dry run uses this too)."""
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="record results")
    if job.status != JobStatus.IN_MEASUREMENT:
        raise Conflict(
            "results are recorded while a job is in measurement; job %(job)s is %(status)s",
            code="cad.results_recorded_while_job_measurement",
            job=job.number,
            status=job.status,
        )
    characteristic = db_session.get(Characteristic, entry.characteristic_id)
    if characteristic is None or characteristic.job_id != job.id:
        raise InvalidInput(
            "characteristic %(characteristic_id)s is not part of job %(job)s",
            code="jobs.characteristic_part_job",
            characteristic_id=entry.characteristic_id,
            job=job.number,
            location=("characteristic_id",),
        )
    if characteristic.voided:
        raise Conflict(
            "characteristic %(characteristic)s was voided and takes no results: %(void_reason)s",
            code="jobs.characteristic_was_voided_takes_results",
            characteristic=characteristic.label,
            void_reason=characteristic.void_reason,
        )
    check_measurement_date(
        db_session,
        job=job,
        characteristic=characteristic,
        measured_on=entry.measured_on,
        settings=settings,
    )
    entered_at = utcnow()
    check_late_entry(
        measured_on=entry.measured_on,
        entered_at=entered_at,
        reason=entry.late_entry_reason,
        settings=settings,
    )
    result = _existing_or_new(db_session, job=job, characteristic=characteristic, entry=entry)
    _measure(
        db_session,
        actor=actor,
        job=job,
        characteristic=characteristic,
        entry=entry,
        result=result,
        settings=settings,
    )
    result.entered_at = entered_at
    result.late_entry_reason = entry.late_entry_reason
    _as_found_and_adjustment(
        db_session,
        actor=actor,
        job=job,
        characteristic=characteristic,
        entry=entry,
        result=result,
        settings=settings,
    )
    return result


def _measure(
    db_session: Session,
    *,
    actor: Principal,
    job: Job,
    characteristic: Characteristic,
    entry: ResultEntry,
    result: Result,
    settings: Settings,
) -> None:
    """Check and evaluate one measurement into ``result``: the authorisation, room and
    equipment on its day, value and U by the method's model, the conformity and the
    accreditation decisions.  An as-found measurement (B3) goes through the same."""
    measured_by_id = actor.person_id(doing="record results")
    method = db_session.get(Method, characteristic.method_id) if characteristic.method_id else None
    if method is not None:
        check_authorised(
            db_session,
            user_id=measured_by_id,
            method_id=persisted_id(method),
            activity=Activity.PERFORM,
            on_date=entry.measured_on,
        )
        check_environment(method, entry)
    if entry.equipment:
        check_environment_instrument(db_session, equipment=entry.equipment)
        check_equipment_usable(
            db_session, equipment_ids=entry.equipment.values(), on_date=entry.measured_on
        )
        if method is not None and method.equipment_roles:
            check_equipment_kinds(
                db_session,
                roles=method.equipment_roles,
                equipment=entry.equipment,
                whose=f"method {method.label()}",
            )
    agreement = db_session.get_one(Agreement, job.agreement_id)
    if job.kind == JobKind.INSPECTION or method is None:
        _inspect(result, characteristic, entry)
    elif method.coordinate_budget is not None:
        _evaluate_coordinate(db_session, result, characteristic, method, entry)
    else:
        _evaluate(db_session, actor, result, characteristic, method, entry)
    judge_result(
        job, agreement, characteristic, method, result, entry.measured_on, settings=settings
    )
    result.observations = entry.observations
    result.equipment = entry.equipment
    result.temperature, result.humidity, result.comment = (
        entry.temperature,
        entry.humidity,
        entry.comment,
    )
    result.measured_on = entry.measured_on
    result.measured_by_id = measured_by_id


def _as_found_and_adjustment(
    db_session: Session,
    *,
    actor: Principal,
    job: Job,
    characteristic: Characteristic,
    entry: ResultEntry,
    result: Result,
    settings: Settings,
) -> None:
    """B3: the instrument as found, evaluated as a result is, and what was done to it; the
    result itself is the instrument as left.  A replacement without them clears them."""
    check_adjustment(db_session, job=job, entry=entry, today=local_today(settings.timezone))
    result.as_found = None
    result.adjustment_description = result.adjusted_by_id = result.adjusted_on = None
    if entry.as_found is None or entry.adjustment is None:
        return
    found = ResultEntry(characteristic_id=persisted_id(characteristic), **dict(entry.as_found))
    check_measurement_date(
        db_session,
        job=job,
        characteristic=characteristic,
        measured_on=found.measured_on,
        settings=settings,
    )
    check_late_entry(
        measured_on=found.measured_on,
        entered_at=result.entered_at,
        reason=entry.late_entry_reason,
        settings=settings,
    )
    evaluated = _blank_result(job, characteristic, measured_on=found.measured_on)
    _measure(
        db_session,
        actor=actor,
        job=job,
        characteristic=characteristic,
        entry=found,
        result=evaluated,
        settings=settings,
    )
    result.as_found = as_found_record(evaluated)
    result.adjustment_description = entry.adjustment.description
    result.adjusted_by_id = entry.adjustment.adjusted_by_id
    result.adjusted_on = entry.adjustment.adjusted_on


def check_measurement_date(
    db_session: Session,
    *,
    job: Job,
    characteristic: Characteristic,
    measured_on: date,
    settings: Settings,
) -> None:
    """A measurement lies between the item's receipt, the job's opening and today.

    Equipment, environment and competence are checked on the measurement date, so a date
    outside these bounds would let an overdue instrument or a lapsed authorisation through
    (ISO/IEC 17025 7.5, 7.11).
    """
    today = local_today(settings.timezone)
    if measured_on > today:
        raise InvalidInput(
            "measured_on %(measured_on)s is in the future: the lab's today is %(today)s",
            code="jobs.measured_future_lab_today",
            measured_on=measured_on,
            today=today,
            location=("measured_on",),
        )
    opened = local_day(job.created_at, settings.timezone)
    if measured_on < opened:
        raise InvalidInput(
            "measured_on %(measured_on)s is before job %(job)s was opened on %(opened)s",
            code="jobs.measured_before_job_was_opened",
            measured_on=measured_on,
            job=job.number,
            opened=opened,
            location=("measured_on",),
        )
    item = db_session.get_one(Item, characteristic.item_id)
    if item.received_on is None:
        raise InvalidInput(
            "item %(description)s has not been received; record its receipt first",
            code="jobs.item_has_been_received_record",
            description=item.description,
            location=("measured_on",),
        )
    if measured_on < item.received_on:
        raise InvalidInput(
            "measured_on %(measured_on)s is before item %(description)s was "
            "received on %(received_on)s",
            code="jobs.measured_before_item_was_received",
            measured_on=measured_on,
            description=item.description,
            received_on=item.received_on,
            location=("measured_on",),
        )


def check_late_entry(
    *, measured_on: date, entered_at: datetime, reason: str | None, settings: Settings
) -> None:
    """A result entered long after it was measured says why (ISO/IEC 17025 7.5.1)."""
    late_by = (local_day(entered_at, settings.timezone) - measured_on).days
    if late_by > settings.late_entry_days and not (reason and reason.strip()):
        raise InvalidInput(
            "the result is entered %(late_by)s days after it was measured on "
            "%(measured_on)s, more than %(late_entry_days)s: give the "
            "late_entry_reason",
            code="jobs.result_entered_days_after_was",
            late_by=late_by,
            measured_on=measured_on,
            late_entry_days=settings.late_entry_days,
            location=("late_entry_reason",),
        )


def check_environment(method: Method, entry: ResultEntry) -> None:
    """The room must have been within the method's limits while measuring (ISO/IEC 17025 6.3)."""
    low, high = method.temperature_min, method.temperature_max
    if low is not None or high is not None:
        limits = f"{low if low is not None else '-'} to {high if high is not None else '-'} °C"
        if entry.temperature is None:
            raise InvalidInput(
                "record the temperature: method %(label)s is valid at %(limits)s",
                code="jobs.record_temperature_method_valid",
                label=method.label(),
                limits=limits,
                location=("temperature",),
            )
        if (low is not None and entry.temperature < low) or (
            high is not None and entry.temperature > high
        ):
            raise InvalidInput(
                "temperature %(temperature)s °C is outside %(limits)s, the limits of "
                "method %(label)s",
                code="jobs.temperature_c_outside_limits_method",
                temperature=entry.temperature,
                limits=limits,
                label=method.label(),
                location=("temperature",),
            )
    if method.humidity_max is not None:
        if entry.humidity is None:
            raise InvalidInput(
                "record the humidity: method %(label)s allows at most %(humidity_max)s %%RH",
                code="jobs.record_humidity_method_allows_most",
                label=method.label(),
                humidity_max=method.humidity_max,
                location=("humidity",),
            )
        if entry.humidity > method.humidity_max:
            raise InvalidInput(
                "humidity %(humidity)s %%RH is above %(humidity_max)s %%RH, the limit "
                "of method %(label)s",
                code="jobs.humidity_rh_above_rh_limit",
                humidity=entry.humidity,
                humidity_max=method.humidity_max,
                label=method.label(),
                location=("humidity",),
            )


def _existing_or_new(
    db_session: Session, *, job: Job, characteristic: Characteristic, entry: ResultEntry
) -> Result:
    existing = db_session.exec(
        select(Result).where(Result.characteristic_id == characteristic.id)
    ).first()
    if existing is None:
        if entry.version not in (None, 0):
            raise Conflict(
                "there is no result for %(characteristic)s to replace",
                code="jobs.there_result_replace",
                characteristic=characteristic.label,
            )
        return _blank_result(job, characteristic, measured_on=entry.measured_on)
    if entry.version != existing.version:
        raise Conflict(
            "the result for %(characteristic)s is at version %(version)s; you sent "
            "version %(version2)s: reload it and enter again (no lost updates)",
            code="jobs.result_version_you_sent_version",
            characteristic=characteristic.label,
            version=existing.version,
            version2=entry.version,
        )
    if not entry.reason:
        raise InvalidInput(
            "give a reason: replacing a recorded result needs one",
            code="jobs.give_reason_replacing_recorded_result",
            location=("reason",),
        )
    if not _claim(db_session, existing):
        raise Conflict(
            "the result for %(characteristic)s was replaced a moment ago by "
            "someone else: reload it and enter again (no lost updates)",
            code="jobs.result_was_replaced_moment_ago",
            characteristic=characteristic.label,
        )
    existing.version += 1
    return existing


def _blank_result(job: Job, characteristic: Characteristic, *, measured_on: date) -> Result:
    """A result not yet evaluated: the evaluation fills in its value, U and decisions."""
    return Result(
        job_id=persisted_id(job),
        characteristic_id=persisted_id(characteristic),
        organisation_id=job.organisation_id,
        value=0.0,
        unit=characteristic.unit,
        measured_on=measured_on,
        measured_by_id=0,
    )


def _claim(db_session: Session, result: Result) -> bool:
    """Lock the result's row if it is still at the version read; False if it has moved on.

    The version was read without a lock, so a replacement committed since (by another
    request, in another process) would be overwritten unseen.  This UPDATE waits for any
    transaction holding the row and then matches only the version read: of two
    replacements racing from one version, the second finds nothing to claim.
    """
    claimed = db_session.exec(
        update(Result)
        .where(col(Result.id) == result.id, col(Result.version) == result.version)
        .values(version=Result.version)
    )
    return claimed.rowcount == 1


def _in_unit(
    value: float, *, from_unit: str, characteristic: Characteristic, interval: bool = False
) -> float:
    """``value`` in the characteristic's unit; an interval (U) converts as a difference."""
    conversion = convert_interval if interval else convert
    try:
        return conversion(value, from_unit=from_unit, to_unit=characteristic.unit, what="the value")
    except InvalidInput:
        raise InvalidInput(
            "unit mismatch: the value is in %(symbol)s, characteristic "
            "%(characteristic)s in %(symbol2)s",
            code="jobs.unit_mismatch_value_characteristic",
            symbol=symbol(from_unit),
            characteristic=characteristic.label,
            symbol2=symbol(characteristic.unit),
            location=("unit",),
        ) from None


def _observations_in_input_units(method: Method, entry: ResultEntry) -> dict[str, list[float]]:
    """Each series of readings in its model input's unit.  Readings sent with a ``unit`` (a
    CSV row's are in the characteristic's) convert from it; without one they are taken as in
    the input's unit, as the method states it."""
    if entry.unit is None:
        return entry.observations
    unit_of = {source.name: source.unit for source in sources_of(method)}
    return {
        name: [
            convert(
                reading,
                from_unit=entry.unit,
                to_unit=unit_of.get(name, entry.unit),
                what=f"the readings of '{name}'",
                location=("unit",),
            )
            for reading in readings
        ]
        for name, readings in entry.observations.items()
    }


def _inspect(result: Result, characteristic: Characteristic, entry: ResultEntry) -> None:
    """Inspection: the indication against the measured value, with no uncertainty claim."""
    readings = [value for series in entry.observations.values() for value in series]
    if entry.value is None and not readings:
        raise InvalidInput(
            "give the measured value or the readings",
            code="jobs.give_measured_value_readings",
            location=("value",),
        )
    value = entry.value if entry.value is not None else statistics.fmean(readings)
    result.value = _in_unit(
        value, from_unit=entry.unit or characteristic.unit, characteristic=characteristic
    )
    result.unit = characteristic.unit
    result.expanded_uncertainty = result.coverage_factor = result.coverage_probability = None
    result.uncertainty = None


def _evaluate(
    db_session: Session,
    actor: Principal,
    result: Result,
    characteristic: Characteristic,
    method: Method,
    entry: ResultEntry,
) -> None:
    """The method's model with the job's equipment and observations gives value and U."""
    if entry.value is not None:
        raise InvalidInput(
            "the value of %(characteristic)s comes from method %(label)s; send the observations",
            code="jobs.value_comes_from_method_send",
            characteristic=characteristic.label,
            label=method.label(),
            location=("value",),
        )
    response = evaluate_for_job(
        db_session,
        actor=actor,
        method_id=persisted_id(method),
        data=MethodEvaluation(
            on_date=entry.measured_on,
            equipment=entry.equipment,
            observations=_observations_in_input_units(method, entry),
            parameters=characteristic.parameters,
        ),
    )
    output = response["outputs"][0]
    result.value = _in_unit(
        output["value"], from_unit=method.result_unit, characteristic=characteristic
    )
    result.expanded_uncertainty = _in_unit(
        output["expanded_uncertainty"],
        from_unit=method.result_unit,
        characteristic=characteristic,
        interval=True,
    )
    result.coverage_factor = output["coverage_factor"]
    result.coverage_probability = output["coverage_probability"]
    result.unit = characteristic.unit
    result.uncertainty = {
        "method": method.label(),
        "unit": method.result_unit,
        **output,
        "warnings": response["warnings"],
    }


def _evaluate_coordinate(
    db_session: Session,
    result: Result,
    characteristic: Characteristic,
    method: Method,
    entry: ResultEntry,
) -> None:
    """A CMM result entered by hand: the value or the repeats, U by the task-specific
    budget, or by ISO 15530-3 where a calibrated reference workpiece was measured with it;
    data missing for either is the technician's to give, so it is refused."""
    readings = [
        value
        for name, series in entry.observations.items()
        if name != WORKPIECE_SERIES
        for value in series
    ]
    if entry.value is not None:
        readings = [entry.value]
    if not readings:
        raise InvalidInput(
            "give the measured value or the repeats",
            code="jobs.give_measured_value_repeats",
            location=("value",),
        )
    unit = entry.unit or characteristic.unit
    readings = [
        _in_unit(reading, from_unit=unit, characteristic=characteristic) for reading in readings
    ]
    result.value = statistics.fmean(readings)
    result.unit = characteristic.unit
    evaluated = coordinate_result_uncertainty(db_session, method, characteristic, entry, readings)
    if evaluated.source == NOT_EVALUATED:
        raise InvalidInput(
            "the uncertainty of %(characteristic)s cannot be evaluated: %(record)s",
            code="jobs.uncertainty_cannot_evaluated",
            characteristic=characteristic.label,
            record=evaluated.record["reason"],
        )
    store_coordinate_uncertainty(result, evaluated)


def coordinate_result_uncertainty(
    db_session: Session,
    method: Method,
    characteristic: Characteristic,
    entry: ResultEntry,
    readings: list[float],
) -> CoordinateUncertainty:
    """The route to a CMM result's U, one for entered and imported results: ISO 15530-3 where
    ``entry`` names a calibrated reference workpiece (its repeats the workpiece series, in the
    entry's unit), else the specification budget.  ``readings`` are in the characteristic's
    unit.  Data missing for the route gives U not evaluated, with the reason: the caller
    decides whether that refuses the result (entered) or keeps it undecided (imported)."""
    if WORKPIECE_ROLE not in entry.equipment:
        return coordinate_uncertainty(method, characteristic, readings, entry.temperature)
    unit = entry.unit or characteristic.unit
    workpiece = [
        _in_unit(reading, from_unit=unit, characteristic=characteristic)
        for reading in entry.observations.get(WORKPIECE_SERIES, [])
    ]
    return _substitution(db_session, method, characteristic, entry, readings, workpiece)


def _substitution(
    db_session: Session,
    method: Method,
    characteristic: Characteristic,
    entry: ResultEntry,
    readings: list[float],
    workpiece: list[float],
) -> CoordinateUncertainty:
    """ISO 15530-3 with the reference workpiece's certificate on the measurement day: its
    result at the characteristic's size (a deviation from a stated nominal, or the size)."""
    equipment_id = entry.equipment[WORKPIECE_ROLE]
    calibration = latest_calibration(
        db_session, equipment_id=equipment_id, on_date=entry.measured_on
    )
    size = characteristic.parameters.get("L", characteristic.nominal)
    found = [
        CalibrationResult.model_validate(item)
        for item in (calibration.results if calibration else [])
    ]
    if len(found) > 1:
        found = [
            r
            for r in found
            if r.nominal is not None and size is not None and math.isclose(r.nominal, size)
        ]
    if len(found) != 1:
        workpiece_item = db_session.get(Equipment, equipment_id)
        raise InvalidInput(
            "the certificate of the reference workpiece %(equipment)s has no "
            "one result at the size of %(characteristic)s",
            code="jobs.certificate_reference_workpiece_has_one",
            equipment=workpiece_item.identification if workpiece_item else equipment_id,
            characteristic=characteristic.label,
            location=("equipment", WORKPIECE_ROLE),
        )
    (certificate,) = found
    value = _in_unit(
        certificate.value,
        from_unit=certificate.unit,
        characteristic=characteristic,
        interval=certificate.nominal is not None,
    )
    if certificate.nominal is not None:
        value += _in_unit(
            certificate.nominal,
            from_unit=certificate.nominal_unit or certificate.unit,
            characteristic=characteristic,
        )
    return substitution_uncertainty(
        method,
        calibrated_value=value,
        calibration_expanded_uncertainty=_in_unit(
            certificate.expanded_uncertainty,
            from_unit=certificate.unit,
            characteristic=characteristic,
            interval=True,
        ),
        calibration_coverage_factor=certificate.coverage_factor,
        workpiece_readings=workpiece,
        readings=readings,
        unit=characteristic.unit,
        size=size,
        temperature=entry.temperature,
    )


def coordinate_uncertainty(
    method: Method,
    characteristic: Characteristic,
    readings: list[float],
    temperature: float | None,
) -> CoordinateUncertainty:
    """The task-specific U of a CMM characteristic (readings in its unit), never the CMC:
    the feature's size is its parameter 'L' or its nominal, never a tolerance's value."""
    return specification_uncertainty(
        method,
        size=characteristic.parameters.get("L", characteristic.nominal),
        readings=readings,
        unit=characteristic.unit,
        temperature=temperature,
        part_expansion=characteristic.parameters.get("alpha"),
        kind=characteristic.kind,
    )


def store_coordinate_uncertainty(result: Result, evaluated: CoordinateUncertainty) -> None:
    if evaluated.value is not None:  # ISO 15530-3:2011 corrects the bias found
        result.value = evaluated.value
    result.expanded_uncertainty = evaluated.expanded_uncertainty
    result.coverage_factor = evaluated.coverage_factor
    result.coverage_probability = evaluated.coverage_probability
    result.uncertainty = evaluated.record


def judge_result(
    job: Job,
    agreement: Agreement,
    characteristic: Characteristic,
    method: Method | None,
    result: Result,
    on: date,
    *,
    settings: Settings,
) -> None:
    """The accreditation and then the conformity decision of an evaluated ``result``.

    In this order: an accredited result whose evaluated U is below the CMC reports the CMC
    (ILAC-P14:09/2020 5.5), and the decision uses the U reported.  Every result, entered, imported
    or as found, is judged here.
    """
    result.accredited, result.accreditation_reason = accreditation_decision(
        job, agreement, characteristic, method, result, on, below_cmc=settings.below_cmc
    )
    result.decision = conformity_decision(
        job, agreement, characteristic, result, policy=capability_policy(settings)
    )


def capability_policy(settings: Settings) -> CapabilityPolicy:
    """The lab's check of simple acceptance (LIMS_SIMPLE_ACCEPTANCE_*)."""
    return CapabilityPolicy(
        min_test_uncertainty_ratio=settings.simple_acceptance_min_tur,
        min_probability_of_conformance=settings.simple_acceptance_min_probability,
        refuse=settings.simple_acceptance_refuse,
    )


def conformity_decision(
    job: Job,
    agreement: Agreement,
    characteristic: Characteristic,
    result: Result,
    *,
    policy: CapabilityPolicy | None = None,
) -> dict[str, Any] | None:
    """The agreement's rule applied to ``result``: guard band w = U gives the non-binary
    statement of ILAC-G8:09/2019 4.2.3, w = r·U the binary one of 4.2.2 (as the agreement and
    the documents state them).  A simple acceptance the lab's policy refuses is recorded
    without a decision, for the signatory."""
    if characteristic.lower_limit is None and characteristic.upper_limit is None:
        return None
    evaluation = result.uncertainty or {}
    if evaluation.get("source") == NOT_EVALUATED:
        # Without U no rule can be applied, and the CMM's own verdict is not the lab's.
        return {
            "decision": None,
            "rule": None,
            "warnings": [
                WarningText(
                    Reason(
                        "U not evaluated (%(reason)s): no statement of conformity",
                        reason=evaluation["reason"],
                    )
                )
            ],
        }
    if job.kind == JobKind.INSPECTION or result.expanded_uncertainty is None:
        inside = (
            characteristic.lower_limit is None or result.value >= characteristic.lower_limit
        ) and (characteristic.upper_limit is None or result.value <= characteristic.upper_limit)
        return {
            "decision": "pass" if inside else "fail",
            "rule": {
                "name": "inspection",
                "statement": INSPECTION_STATEMENT,
                "statement_fi": INSPECTION_STATEMENT_FI,
            },
        }
    if agreement.decision_rule == DecisionRule.CUSTOMER:
        # A rule agreed in words only is applied by a person; the record says so.
        return {
            "decision": None,
            "rule": {"name": "customer", "statement": agreement.decision_rule_text},
            "warnings": [
                WarningText(
                    Reason(
                        "the agreed customer rule is stated in words; the decision is made by "
                        "the signatory"
                    )
                )
            ],
        }
    guard_band_r = agreement.decision_rule == DecisionRule.GUARD_BAND_RU
    try:
        return decide(
            {
                "value": result.value,
                "expanded_uncertainty": result.expanded_uncertainty,
                "coverage_factor": result.coverage_factor,
                "lower_limit": characteristic.lower_limit,
                "upper_limit": characteristic.upper_limit,
                "rule": agreement.decision_rule,
                "r": agreement.decision_rule_r if guard_band_r else None,
                "binary": guard_band_r,
            },
            policy,
        )
    except SimpleAcceptanceRefused as refused:
        return {
            "decision": None,
            "rule": {"name": str(agreement.decision_rule)},
            "warnings": [
                WarningText(
                    Reason("%(refusal)s No statement of conformity is made.", refusal=refused)
                )
            ],
        }


#: Why a result is not accredited before its method's scope is asked (the rest: lims.methods.scope).
INSPECTION_NOT_ACCREDITED = problem_template(
    "inspection makes no uncertainty claim and is never accredited"
)
ORDERED_WITHOUT_ACCREDITATION = problem_template(
    "agreement %(agreement)s orders this service without accreditation"
)
NO_METHOD_MODEL = problem_template("no method model gives the uncertainty")
SIZE_NOT_KNOWN = problem_template("the measured size is not known, so the CMC cannot be compared")
ACCREDITATION_REASONS = (
    INSPECTION_NOT_ACCREDITED,
    ORDERED_WITHOUT_ACCREDITATION,
    NO_METHOD_MODEL,
    SIZE_NOT_KNOWN,
    *scope.REASONS,
)


def accreditation_reason_in(reason: str, language: str) -> str:
    """A result's stored accreditation reason in ``language`` (units in the lab's notation):
    worded again from the template it was filled from; a text no template gives (an older
    wording) as it is stored."""
    found = recognised(reason, ACCREDITATION_REASONS)
    if found is None:
        return reason
    template, params = found
    for name in ("unit", "size_unit"):
        if name in params:
            params[name] = symbol(str(params[name]))
    if isinstance(params.get("day"), str):
        with suppress(ValueError):
            params["day"] = date.fromisoformat(str(params["day"]))
    return localized_text(template, params, language)


def accreditation_decision(
    job: Job,
    agreement: Agreement,
    characteristic: Characteristic,
    method: Method | None,
    result: Result,
    on: date,
    *,
    below_cmc: BelowCmc = "raise",
) -> tuple[bool, str]:
    """Whether ``result`` carries the accreditation, and why (not).  An accredited result
    whose evaluated U is below the CMC reports the CMC: ``result``'s U is raised here and the
    evaluated U kept in its budget, so decide conformity after this (see judge_result)."""
    if job.kind == JobKind.INSPECTION:
        return False, INSPECTION_NOT_ACCREDITED
    scope = next((item for item in agreement.scope if item["service"] == Service(job.kind)), None)
    if scope is None or not scope.get("accredited"):
        return False, ORDERED_WITHOUT_ACCREDITATION % {"agreement": agreement.number}
    if method is None or result.expanded_uncertainty is None:
        return False, NO_METHOD_MODEL
    size = characteristic.parameters.get("L", characteristic.nominal)
    if size is None:
        return False, SIZE_NOT_KNOWN
    decision = accreditation_of_result(
        method,
        size=size,
        expanded_uncertainty=convert_interval(
            result.expanded_uncertainty,
            from_unit=characteristic.unit,
            to_unit=method.result_unit,
            what="U",
        ),
        on_date=on,
        below_cmc=below_cmc,
    )
    if decision.raised_to_cmc and decision.cmc is not None:
        _report_cmc(result, characteristic, method, cmc=decision.cmc, reason=decision.reason)
    return decision.accredited, decision.reason


def _report_cmc(
    result: Result, characteristic: Characteristic, method: Method, *, cmc: float, reason: str
) -> None:
    """Report U = the CMC (in the result's unit); the budget keeps the evaluated U and
    names the raise."""
    evaluated = result.expanded_uncertainty
    result.expanded_uncertainty = convert_interval(
        cmc, from_unit=method.result_unit, to_unit=characteristic.unit, what="the CMC"
    )
    result.uncertainty = {
        **(result.uncertainty or {}),
        "cmc_floor": {
            "rule": CMC_FLOOR,
            "evaluated_expanded_uncertainty": evaluated,
            "reported_expanded_uncertainty": result.expanded_uncertainty,
            "unit": characteristic.unit,
            "reason": reason,
        },
    }


# -- B2: the customer's own values --------------------------------------------------------


def record_customer_value(
    db_session: Session, *, actor: Principal, job_id: int, entry: CustomerValueEntry
) -> CustomerValue:
    """The company's value beside the lab's (B2); the customer enters it, or staff for it."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    if not actor.is_customer:
        require_role(actor, *STAFF_WHO_RUN_JOBS, doing="enter a customer's values")
    if job.kind != JobKind.REFERENCE:
        raise InvalidInput(
            "customer values belong to reference (B2) jobs",
            code="jobs.customer_values_belong_reference_b2",
            location=("characteristic_id",),
        )
    if job.status in (
        JobStatus.APPROVED,
        JobStatus.REPORTED,
        JobStatus.CLOSED,
        JobStatus.CANCELLED,
    ):
        raise Conflict(
            "job %(job)s is %(status)s; its values are fixed",
            code="jobs.job_values_fixed",
            job=job.number,
            status=job.status,
        )
    characteristic = db_session.get(Characteristic, entry.characteristic_id)
    if characteristic is None or characteristic.job_id != job.id:
        raise InvalidInput(
            "characteristic %(characteristic_id)s is not part of job %(job)s",
            code="jobs.characteristic_part_job",
            characteristic_id=entry.characteristic_id,
            job=job.number,
            location=("characteristic_id",),
        )
    if characteristic.voided:
        raise Conflict(
            "characteristic %(characteristic)s was voided and takes no values: %(void_reason)s",
            code="jobs.characteristic_was_voided_takes_values",
            characteristic=characteristic.label,
            void_reason=characteristic.void_reason,
        )
    if (entry.expanded_uncertainty is None) != (entry.coverage_factor is None):
        raise InvalidInput(
            "give the expanded uncertainty with its coverage factor",
            code="comparisons.give_expanded_uncertainty_coverage_factor",
            location=("coverage_factor",),
        )
    if actor.user_id is None:
        raise PermissionDenied("a value is entered by a person", code="jobs.value_entered_person")
    set_context(db_session, actor.audit_context())
    value = db_session.exec(
        select(CustomerValue).where(CustomerValue.characteristic_id == characteristic.id)
    ).first()
    if value is None:
        value = CustomerValue(
            job_id=persisted_id(job),
            organisation_id=job.organisation_id,
            reported_by_id=actor.user_id,
            **entry.model_dump(),
        )
    else:
        value.sqlmodel_update({**entry.model_dump(), "reported_by_id": actor.user_id})
    db_session.add(value)
    db_session.commit()
    db_session.refresh(value)
    return value


def list_customer_values(
    db_session: Session, *, actor: Principal, job_id: int
) -> list[CustomerValue]:
    get_job(db_session, actor=actor, job_id=job_id)
    return list(
        db_session.exec(
            select(CustomerValue)
            .where(CustomerValue.job_id == job_id)
            .order_by(col(CustomerValue.id))
        )
    )


# -- CSV import ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    dry_run: bool
    written: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    #: Each error's line, column and English message, and the ``cause`` it words (a Reason
    #: of the CSV reader or a result's refusal), for the reader's own language.
    errors: list[dict[str, Any]] = field(default_factory=list)

    def worded_in(self, language: str) -> dict[str, Any]:
        """The report as the API answers it, every error's message in ``language``."""
        return {
            "dry_run": self.dry_run,
            "written": self.written,
            "rows": self.rows,
            "errors": [
                {
                    **{key: value for key, value in error.items() if key != "cause"},
                    "message": localized(error["cause"], language)
                    if error.get("cause") is not None
                    else error["message"],
                }
                for error in self.errors
            ],
        }


def job_for_import(db_session: Session, *, actor: Principal, job_id: int) -> Job:
    """The job ``actor`` may import results into (CSV, QIF Results): checked before an
    upload's body is read, and again by the import itself."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="import results")
    return job


def import_results(
    db_session: Session,
    *,
    actor: Principal,
    job_id: int,
    data: bytes,
    dry_run: bool,
    settings: Settings,
    max_rows: int,
    late_entry_reason: str | None = None,
) -> ImportReport:
    """Check every row as a result would be checked; write all of them, or none."""
    job = job_for_import(db_session, actor=actor, job_id=job_id)
    characteristics = list(
        db_session.exec(select(Characteristic).where(Characteristic.job_id == job_id))
    )
    refs = [
        CharacteristicRef(id=c.id, label=c.label, unit=c.unit)
        for c in characteristics
        if c.id is not None
    ]
    parsed = parse_results_csv(data, refs, max_rows=max_rows, today=local_today(settings.timezone))
    report = ImportReport(dry_run=dry_run, written=False)
    report.errors = [
        {"line": e.line, "column": e.column, "message": e.message, "cause": e.reason}
        for e in parsed.errors
    ]
    by_id = {c.id: c for c in characteristics}
    prepared: list[Result] = []
    with db_session.no_autoflush:
        for row in parsed.rows:
            try:
                entry = _entry_for_row(
                    db_session, row, by_id[row.characteristic_id], late_entry_reason
                )
                result = prepare_result(
                    db_session, actor=actor, job=job, entry=entry, settings=settings
                )
            except LimsError as error:
                report.errors.append(
                    {
                        "line": row.line,
                        "column": _column_of(error),
                        "message": error.message,
                        "cause": error,
                    }
                )
                continue
            prepared.append(result)
            report.rows.append(
                {
                    "line": row.line,
                    "characteristic": row.label,
                    "value": result.value,
                    "unit": result.unit,
                    "expanded_uncertainty": result.expanded_uncertainty,
                    "decision": (result.decision or {}).get("decision"),
                    "accredited": result.accredited,
                }
            )
    if dry_run or report.errors:
        db_session.rollback()
        return report
    set_context(db_session, actor.audit_context())
    for result in prepared:
        db_session.add(result)
    db_session.commit()
    report.written = True
    return report


def _entry_for_row(
    db_session: Session,
    row: Any,
    characteristic: Characteristic,
    late_entry_reason: str | None,
) -> ResultEntry:
    equipment = {}
    for role, identification in row.equipment.items():
        found = find_equipment(db_session, identification=identification)
        if found is None or found.id is None:
            raise InvalidInput(
                "no equipment is identified as %(identification)s",
                code="jobs.equipment_identified",
                identification=identification,
                location=("equipment",),
            )
        equipment[role] = found.id
    observations: dict[str, list[float]] = {"readings": list(row.observations)}
    if characteristic.method_id is not None:
        method = db_session.get_one(Method, characteristic.method_id)
        series = [s.name for s in sources_of(method) if isinstance(s, ObservationsSource)]
        if len(series) != 1:
            raise InvalidInput(
                "method %(label)s takes %(series_count)s series of observations; a CSV "
                "row carries one: use the JSON API",
                code="jobs.method_takes_series_observations_csv",
                label=method.label(),
                series_count=len(series),
                location=("observations",),
            )
        observations = {series[0]: list(row.observations)}
    existing = db_session.exec(
        select(Result).where(Result.characteristic_id == characteristic.id)
    ).first()
    return ResultEntry(
        characteristic_id=persisted_id(characteristic),
        measured_on=row.measured_on,
        equipment=equipment,
        observations=observations,
        unit=row.unit,
        temperature=row.temperature,
        humidity=row.humidity,
        comment=row.comment or None,
        version=existing.version if existing else None,
        reason="re-imported from CSV" if existing else None,
        late_entry_reason=late_entry_reason,
        # A row re-measures the instrument as left; as found and the adjustment still stand.
        as_found=kept_as_found(existing, characteristic) if existing else None,
        adjustment=existing.adjustment if existing else None,
    )


def _column_of(error: LimsError) -> str | None:
    return str(error.location[0]) if error.location else None


def get_result(db_session: Session, *, actor: Principal, job_id: int, result_id: int) -> Result:
    results = {r.id: r for r in list_results(db_session, actor=actor, job_id=job_id)}
    if result_id not in results:
        raise NotFound(
            "result %(result_id)s is not part of job %(job_id)s",
            code="jobs.result_part_job",
            result_id=result_id,
            job_id=job_id,
        )
    return results[result_id]
