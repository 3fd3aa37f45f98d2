"""B2 comparisons in the LIMS: a reference job's company values against the lab's results, and
a company's history of them over the years.

A comparison is never stored: it is derived from the job's results and the company's values
whenever it is asked for, so it can never disagree with them.  Only the test-piece templates,
from which a B2 job's plan is made, are records of their own.  The customer sees its
own organisation's comparisons only, and the lab's side of them once the job is approved,
by the same rules as the results themselves (lims.jobs.results).
"""

from collections import defaultdict
from datetime import date
from typing import Any

from sqlmodel import Session, col, select

from lims.accounts.models import Role
from lims.accounts.principal import Principal, require_role
from lims.accounts.service import get_organisation
from lims.audit.trail import save
from lims.comparisons.models import TestPiecePlan, TestPieceTemplate, TestPieceTemplateCreate
from lims.comparisons.scores import pair_scores
from lims.db import persisted_id
from lims.errors import Conflict, InvalidInput
from lims.jobs.models import (
    Characteristic,
    CharacteristicSource,
    CharacteristicSpec,
    CustomerValue,
    Job,
    JobKind,
    Result,
)
from lims.jobs.results import VISIBLE_TO_CUSTOMERS, list_customer_values, list_results
from lims.jobs.service import (
    STAFF_WHO_RUN_JOBS,
    add_characteristics,
    get_job,
    list_characteristics,
    parameters_at_acceptance,
)
from lims.problem_text import localized_warnings
from lims.reasons import Reason
from lims.uncertainty.warning_text import WarningText
from lims.units import convert, convert_interval, symbol

# An annual customer is alerted when its measuring fails En twice in a row.
ALERT_AFTER = 2
#: A job's kind in the words of a warning (lims.labels words it on the pages).
JOB_KIND_WORDS = {
    JobKind.PRODUCT_QC: Reason("product measurement (B1)"),
    JobKind.REFERENCE: Reason("reference measurement (B2)"),
    JobKind.CALIBRATION: Reason("calibration (B3)"),
    JobKind.INSPECTION: Reason("inspection (B3)"),
}


def job_comparison(db_session: Session, *, actor: Principal, job_id: int) -> dict[str, Any]:
    """Per characteristic: the lab's value and U, the company's, D, En and zeta."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    warnings: list[str] = []
    if job.kind != JobKind.REFERENCE:
        warnings.append(
            WarningText(
                Reason(
                    "job %(job)s is a %(kind)s job: comparisons belong to reference (B2) jobs",
                    job=job.number,
                    kind=JOB_KIND_WORDS[JobKind(job.kind)],
                )
            )
        )
    results = {r.characteristic_id: r for r in list_results(db_session, actor=actor, job_id=job_id)}
    values = {
        v.characteristic_id: v for v in list_customer_values(db_session, actor=actor, job_id=job_id)
    }
    rows = [
        _row(
            characteristic,
            results.get(persisted_id(characteristic)),
            values.get(persisted_id(characteristic)),
        )
        for characteristic in list_characteristics(db_session, actor=actor, job_id=job_id)
    ]
    for row in rows:
        warnings.extend(row.pop("problems"))
    return {
        "job_id": job.id,
        "job_number": job.number,
        "organisation_id": job.organisation_id,
        "kind": job.kind,
        "status": job.status,
        "complete": bool(rows) and all(row["En"] is not None for row in rows),
        "characteristics": rows,
        "warnings": warnings,
    }


def _row(
    characteristic: Characteristic, result: Result | None, value: CustomerValue | None
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "characteristic_id": characteristic.id,
        "label": characteristic.label,
        "kind": characteristic.kind,
        "unit": characteristic.unit,
        "nominal": characteristic.nominal,
        "lower_limit": characteristic.lower_limit,
        "upper_limit": characteristic.upper_limit,
        "lab": None,
        "company": None,
        "measuring_instrument": value.measuring_instrument if value else None,
        "D": None,
        "D_percent": None,
        "En": None,
        "zeta": None,
        "verdicts": {"En": None, "zeta": None},
        "machine": None,
        "problems": [],
    }
    if result is not None:
        lab = _lab_side(characteristic, result, row["problems"])
        row["lab"] = lab
        row["machine"] = _machine_accuracy(characteristic, lab["value"]) if lab else None
    if value is not None:
        row["company"] = {
            "value": value.value,
            "expanded_uncertainty": value.expanded_uncertainty,
            "coverage_factor": value.coverage_factor,
        }
    if row["lab"] and value is not None:
        row.update(
            pair_scores(
                value=value.value,
                expanded_uncertainty=row["company"]["expanded_uncertainty"],
                coverage_factor=row["company"]["coverage_factor"],
                reference=row["lab"]["value"],
                reference_expanded_uncertainty=row["lab"]["expanded_uncertainty"],
                reference_coverage_factor=row["lab"]["coverage_factor"],
            )
        )
        if row["En"] is None:
            row["problems"].append(
                WarningText(
                    Reason(
                        "%(label)s: En needs both expanded uncertainties",
                        label=characteristic.label,
                    )
                )
            )
    return row


def _lab_side(
    characteristic: Characteristic, result: Result, problems: list[str]
) -> dict[str, Any] | None:
    """The lab's result in the characteristic's unit (the company reports in that unit)."""
    try:
        return {
            "value": convert(
                result.value, from_unit=result.unit, to_unit=characteristic.unit, what="the result"
            ),
            "expanded_uncertainty": None
            if result.expanded_uncertainty is None
            else convert_interval(
                result.expanded_uncertainty,
                from_unit=result.unit,
                to_unit=characteristic.unit,
                what="U",
            ),
            "coverage_factor": result.coverage_factor,
            "measured_on": result.measured_on.isoformat(),
        }
    except InvalidInput:
        problems.append(
            WarningText(
                Reason(
                    "%(label)s: the lab's result is in %(unit)s, the characteristic in "
                    "%(characteristic_unit)s; they cannot be compared",
                    label=characteristic.label,
                    unit=symbol(result.unit),
                    characteristic_unit=symbol(characteristic.unit),
                )
            )
        )
        return None


def _machine_accuracy(characteristic: Characteristic, measured: float) -> dict[str, Any]:
    """A machined test piece: how far the machine came from nominal, and within the limits?"""
    lower, upper = characteristic.lower_limit, characteristic.upper_limit
    within = None
    if lower is not None or upper is not None:
        within = (lower is None or measured >= lower) and (upper is None or measured <= upper)
    return {
        "deviation_from_nominal": None
        if characteristic.nominal is None
        else measured - characteristic.nominal,
        "within_limits": within,
    }


# -- history over the years -----------------------------------------------------------


def comparison_history(
    db_session: Session,
    *,
    actor: Principal,
    organisation_id: int,
    characteristic_kind: str | None = None,
    instrument: str | None = None,
) -> dict[str, Any]:
    """A company's reference measurements over the years, per characteristic type and
    instrument, with an alert where |En| > 1 in two reference jobs in a row."""
    get_organisation(db_session, actor=actor, organisation_id=organisation_id)
    query = (
        select(Job, Characteristic, Result, CustomerValue)
        .join(Characteristic, col(Characteristic.job_id) == col(Job.id))
        .join(Result, col(Result.characteristic_id) == col(Characteristic.id))
        .join(CustomerValue, col(CustomerValue.characteristic_id) == col(Characteristic.id))
        .where(Job.organisation_id == organisation_id, Job.kind == JobKind.REFERENCE)
        .order_by(col(Result.measured_on), col(Job.id), col(Characteristic.id))
    )
    if actor.is_customer:
        query = query.where(col(Job.status).in_(VISIBLE_TO_CUSTOMERS))
    if characteristic_kind is not None:
        query = query.where(Characteristic.kind == characteristic_kind)
    if instrument is not None:
        query = query.where(CustomerValue.measuring_instrument == instrument)
    series: dict[tuple[str, str | None], list[dict[str, Any]]] = defaultdict(list)
    warnings: list[str] = []
    for job, characteristic, result, value in db_session.exec(query):
        row = _row(characteristic, result, value)
        warnings.extend(row["problems"])
        if row["lab"] is None:
            continue
        measured_on: date = result.measured_on
        series[(characteristic.kind, value.measuring_instrument)].append(
            {
                "year": measured_on.year,
                "measured_on": measured_on.isoformat(),
                "job_id": job.id,
                "job_number": job.number,
                "characteristic_id": characteristic.id,
                "label": characteristic.label,
                "unit": characteristic.unit,
                "D": row["D"],
                "En": row["En"],
            }
        )
    described = []
    for (kind, instrument_name), points in series.items():
        alerted = _alerted_jobs(points)
        described.append(
            {
                "characteristic_kind": kind,
                "instrument": instrument_name,
                "points": points,
                "alert": _alert(alerted),
                "alert_jobs": alerted,
            }
        )
    return {
        "organisation_id": organisation_id,
        "series": described,
        "alerts": [entry["alert"] for entry in described if entry["alert"]],
        "warnings": warnings,
    }


def _alerted_jobs(points: list[dict[str, Any]]) -> list[str]:
    """The latest two reference jobs in a row with |En| > 1 (a job counts by its worst En);
    none when there are no such two."""
    worst_by_job: dict[str, float] = {}
    for point in points:
        if point["En"] is not None:
            worst = max(worst_by_job.get(point["job_number"], 0.0), abs(point["En"]))
            worst_by_job[point["job_number"]] = worst
    jobs = list(worst_by_job)
    for index in range(len(jobs) - 1, ALERT_AFTER - 2, -1):
        in_a_row = jobs[index - ALERT_AFTER + 1 : index + 1]
        if all(worst_by_job[number] > 1 for number in in_a_row):
            return in_a_row
    return []


def _alert(in_a_row: list[str]) -> str | None:
    """The alert in words (the pages say it in the reader's language from ``alert_jobs``)."""
    if not in_a_row:
        return None
    return WarningText(
        Reason(
            "|En| > 1 in %(count)s reference measurements in a row (%(jobs)s): the company's "
            "measuring needs attention",
            count=ALERT_AFTER,
            jobs=", ".join(in_a_row),
        )
    )


def in_language(answer: dict[str, Any], language: str) -> dict[str, Any]:
    """A job's comparison or a company's history with its warnings and alerts worded in
    ``language`` (a copy: the answer itself keeps the English)."""
    worded = {**answer, "warnings": localized_warnings(answer["warnings"], language)}
    if "alerts" in answer:
        worded["alerts"] = localized_warnings(answer["alerts"], language)
        worded["series"] = [
            {
                **series,
                "alert": series["alert"] and localized_warnings([series["alert"]], language)[0],
            }
            for series in answer["series"]
        ]
    return worded


# -- test-piece templates -------------------------------------------------------------------


def list_templates(db_session: Session, *, actor: Principal) -> list[TestPieceTemplate]:
    """The lab's templates: every signed-in user may read them (they hold no customer data)."""
    return list(db_session.exec(select(TestPieceTemplate).order_by(col(TestPieceTemplate.code))))


def create_template(
    db_session: Session, *, actor: Principal, data: TestPieceTemplateCreate
) -> TestPieceTemplate:
    require_role(actor, Role.ADMIN, Role.QUALITY_MANAGER, doing="define test-piece templates")
    taken = db_session.exec(
        select(TestPieceTemplate).where(TestPieceTemplate.code == data.code)
    ).first()
    if taken is not None:
        raise Conflict(
            "a test-piece template '%(data)s' exists already",
            code="comparisons.test_piece_template_exists_already",
            data=data.code,
        )
    labels = [feature.label for feature in data.features]
    if len(set(labels)) != len(labels):
        raise InvalidInput(
            "give each feature its own label",
            code="comparisons.give_each_feature_own_label",
            location=("features",),
        )
    return save(db_session, actor.audit_context(), TestPieceTemplate(**data.model_dump()))


def plan_test_piece(
    db_session: Session, *, actor: Principal, job_id: int, plan: TestPiecePlan
) -> list[Characteristic]:
    """One characteristic per feature of the template, on the job's test piece, all or none."""
    job = get_job(db_session, actor=actor, job_id=job_id)
    require_role(actor, *STAFF_WHO_RUN_JOBS, doing="plan measurements")
    template = db_session.get(TestPieceTemplate, plan.template_id)
    if template is None:
        raise InvalidInput(
            "test-piece template %(template_id)s does not exist",
            code="comparisons.test_piece_template_does_exist",
            template_id=plan.template_id,
            location=("template_id",),
        )
    if job.kind != JobKind.REFERENCE:
        raise InvalidInput(
            "test pieces are measured in reference (B2) jobs; job %(job)s is %(kind)s",
            code="comparisons.test_pieces_measured_reference_b2",
            job=job.number,
            kind=job.kind,
            location=("template_id",),
        )
    specs = [
        CharacteristicSpec(
            **feature,
            item_id=plan.item_id,
            method_id=plan.method_id,
            parameters=parameters_at_acceptance(
                db_session,
                method_id=plan.method_id,
                nominal=feature.get("nominal"),
                unit=feature["unit"],
                given=plan.parameters,
            ),
            source=CharacteristicSource.DRAWING,
        )
        for feature in template.features
    ]
    return add_characteristics(db_session, actor=actor, job_id=job_id, specs=specs)
