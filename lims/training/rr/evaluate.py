"""Evaluate an RR test: the JSON-level entry point the API, the CLI and the RR-test records
share.  Every answer carries the conventions it was computed by, in words as well as values,
because they change the numbers (AIAG, Minitab and the open tools differ).
"""

import math
from dataclasses import replace
from typing import Any

from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.training.rr import average_range as aiag
from lims.training.rr import components, control_chart
from lims.training.rr.anova import Row, crossed_anova, nested_anova
from lims.training.rr.layout import crossed_study, nested_study
from lims.training.rr.linearity import linearity
from lims.training.rr.schemas import RRRequest
from lims.training.rr.type1 import SHARE_OF_TOLERANCE, type1
from lims.uncertainty.warning_text import WarningText

#: A variance component in the words of a warning.
COMPONENT_WORDS = {
    "repeatability": Reason("repeatability (EV)"),
    "operator": Reason("operator"),
    "interaction": Reason("part-operator interaction"),
    "reproducibility": Reason("reproducibility (AV)"),
    "grr": Reason("gauge R&R (GRR)"),
    "part": Reason("part-to-part (PV)"),
    "total": Reason("total variation (TV)"),
}

# Limits given with a tolerance must agree with it to this relative difference.
AGREEMENT = 1e-9


def evaluate_rr(request: RRRequest | dict[str, Any]) -> dict[str, Any]:
    """The full response of ``POST /api/v1/rr/evaluate``, JSON-ready (no NaN or infinity)."""
    if not isinstance(request, RRRequest):
        request = RRRequest.model_validate(request)
    if request.method == "average_range" and request.design != "crossed":
        raise InvalidInput(
            "the average-and-range method is for crossed studies, not %(design)s",
            code="training.average_range_method_crossed_studies",
            design=request.design,
            location=("method",),
        )
    tolerance = _tolerance(request)
    response: dict[str, Any] = dict.fromkeys(
        (
            "anova",
            "interaction_pooled",
            "variance_components",
            "variance_components_raw",
            "sd",
            "study_variation",
            "percent_contribution",
            "percent_study_variation",
            "percent_tolerance",
            "ndc",
            "ndc_raw",
            "average_range",
            "type1",
            "linearity",
        )
    )
    warnings: list[str] = []
    if request.design == "crossed" and request.method == "average_range":
        _average_range(request, tolerance, response, warnings)
    elif request.design == "crossed":
        _crossed(request, tolerance, response, warnings)
    elif request.design == "nested":
        _nested(request, tolerance, response, warnings)
    elif request.design == "type1":
        _type1(request, tolerance, response, warnings)
    else:
        _linearity(request, response, warnings)
    if tolerance is None and request.design in ("crossed", "nested", "type1"):
        warnings.append(
            WarningText(Reason("no tolerance is given: %tolerance, Cg and Cgk are not computed"))
            if request.design == "type1"
            else WarningText(Reason("no tolerance is given: %tolerance is not computed"))
        )
    response["conventions"] = conventions_of(request, tolerance, response)
    response["warnings"] = list(dict.fromkeys(warnings))
    return _finite(response)


# -- designs --------------------------------------------------------------------------------


def _crossed(
    request: RRRequest, tolerance: float | None, response: dict[str, Any], warnings: list[str]
) -> None:
    study = crossed_study(request.measurements)
    result = crossed_anova(
        study.values,
        pool_above_p=request.pool_interaction_above_p,
        f_denominator=request.f_denominator,
    )
    if result.full["repeatability"].ms == 0:
        warnings.append(
            WarningText(Reason("repeatability is zero: the F tests against it are not defined"))
        )
    response["anova"] = {
        "full": _table(result.full),
        "reduced": _table(result.reduced) if result.reduced else None,
        "nested": None,
    }
    response["interaction_pooled"] = result.pooled
    _report(request, tolerance, result.components, response, warnings)


def _nested(
    request: RRRequest, tolerance: float | None, response: dict[str, Any], warnings: list[str]
) -> None:
    study = nested_study(request.measurements)
    result = nested_anova(study.values, f_denominator=request.f_denominator)
    response["anova"] = {"full": None, "reduced": None, "nested": _table(result.table)}
    _report(request, tolerance, result.components, response, warnings)


def _average_range(
    request: RRRequest, tolerance: float | None, response: dict[str, Any], warnings: list[str]
) -> None:
    study = crossed_study(request.measurements)
    result = aiag.average_range(
        study.values, process_variation=request.process_variation, k=request.study_multiplier
    )
    # The manual's rule, whatever the request says: a negative AV squared is zero.
    conventions = replace(_conventions(request), negative_components="zero")
    response["average_range"] = aiag.as_json(result, conventions, tolerance=tolerance)
    estimates = {
        "repeatability": result.ev**2,
        "operator": result.av_squared_raw,
        "interaction": None,
        "part": result.pv**2,
    }
    report = components.report(estimates, conventions, tolerance=tolerance, process_variation=None)
    response.update(report.as_json())
    warnings.extend(report.warnings)


def _type1(
    request: RRRequest, tolerance: float | None, response: dict[str, Any], warnings: list[str]
) -> None:
    for name in ("part", "operator"):
        labels = {getattr(m, name) for m in request.measurements} - {None}
        if len(labels) > 1:
            raise InvalidInput(
                "a type 1 study is one %(name)s measuring one reference part; got "
                "%(labels_count)s %(name)ss (%(labels)s)",
                code="training.type_1_study_one_measuring",
                name=name,
                labels_count=len(labels),
                labels=", ".join(sorted(labels)),
                location=("measurements",),
            )
    reference = _type1_reference(request)
    result = type1(
        [m.value for m in request.measurements],
        reference=reference,
        tolerance=tolerance,
        k=request.study_multiplier,
    )
    response["type1"] = result.as_json()


def _linearity(request: RRRequest, response: dict[str, Any], warnings: list[str]) -> None:
    missing = [str(i) for i, m in enumerate(request.measurements) if m.reference is None]
    if missing:
        raise InvalidInput(
            "a linearity study needs the reference value of every reading; missing "
            "in measurements[%(names)s]%(value)s",
            code="training.linearity_study_needs_reference_value",
            names=", ".join(missing[:8]),
            value=" and more" if len(missing) > 8 else "",
            location=("measurements",),
        )
    readings = [
        (float(m.reference), m.value) for m in request.measurements if m.reference is not None
    ]
    block, found = linearity(readings, process_variation=request.process_variation)
    if request.process_variation is None:
        warnings.append(
            WarningText(
                Reason("no process variation is given: linearity and %bias are not computed")
            )
        )
    warnings.extend(found)
    response["linearity"] = block


def _report(
    request: RRRequest,
    tolerance: float | None,
    estimates: components.Components,
    response: dict[str, Any],
    warnings: list[str],
) -> None:
    report = components.report(
        estimates,
        _conventions(request),
        tolerance=tolerance,
        process_variation=request.process_variation,
    )
    response.update(report.as_json())
    warnings.extend(report.warnings)
    for name, value in report.raw.items():
        if value is not None and value < 0:
            component = COMPONENT_WORDS[name]
            warnings.append(
                WarningText(
                    Reason(
                        "negative variance estimate (%(component)s) set to zero",
                        component=component,
                    )
                    if request.negative_components == "zero"
                    else Reason(
                        "negative variance estimate (%(component)s) kept as estimated",
                        component=component,
                    )
                )
            )


# -- inputs ---------------------------------------------------------------------------------


def _tolerance(request: RRRequest) -> float | None:
    lsl, usl = request.lsl, request.usl
    if (lsl is None) != (usl is None):
        raise InvalidInput(
            "give both specification limits, or the tolerance (USL - LSL)",
            code="training.give_both_specification_limits_tolerance",
            location=("lsl" if lsl is None else "usl",),
        )
    if lsl is None or usl is None:
        return request.tolerance
    if usl <= lsl:
        raise InvalidInput(
            "usl %(usl)g must be above lsl %(lsl)g",
            code="training.usl_must_above_lsl",
            usl=usl,
            lsl=lsl,
            location=("usl",),
        )
    limits = usl - lsl
    if request.tolerance is not None and not math.isclose(
        request.tolerance, limits, rel_tol=AGREEMENT
    ):
        raise InvalidInput(
            "tolerance %(tolerance)g disagrees with usl - lsl = %(limits)g",
            code="training.tolerance_disagrees_usl_lsl",
            tolerance=request.tolerance,
            limits=limits,
            location=("tolerance",),
        )
    return limits


def _type1_reference(request: RRRequest) -> float:
    given = {m.reference for m in request.measurements if m.reference is not None}
    if len(given) > 1:
        raise InvalidInput(
            "a type 1 study measures one reference part; the readings name "
            "%(given_count)s reference values",
            code="training.type_1_study_measures_one",
            given_count=len(given),
            location=("measurements",),
        )
    if request.reference is not None:
        if given and given != {request.reference}:
            raise InvalidInput(
                "reference %(reference)g disagrees with the readings' reference %(next)g",
                code="training.reference_disagrees_readings_reference",
                reference=request.reference,
                next=next(iter(given)),
                location=("reference",),
            )
        return request.reference
    if not given:
        raise InvalidInput(
            "a type 1 study needs the reference value of the part",
            code="training.type_1_study_needs_reference",
            location=("reference",),
        )
    return float(next(iter(given)))


def _conventions(request: RRRequest) -> components.Conventions:
    return components.Conventions(
        study_multiplier=request.study_multiplier,
        negative_components=request.negative_components,
        ndc_factor=request.ndc_factor,
        ndc_rounding=request.ndc_rounding,
    )


# -- what the answer says about itself ------------------------------------------------------


def conventions_of(
    request: RRRequest, tolerance: float | None, response: dict[str, Any]
) -> dict[str, Any]:
    k = f"{request.study_multiplier:g}"
    described = [f"design: {request.design}"]
    if request.design == "crossed" and request.method == "anova":
        pooled = response["interaction_pooled"]
        p = response["anova"]["full"]["interaction"]["p"]
        threshold = request.pool_interaction_above_p
        described += [
            "method: ANOVA, two-way random model with the part x operator interaction",
            (
                "interaction never pooled"
                if threshold is None
                else f"interaction pooled into repeatability when its p > {threshold:g}"
            )
            + (f" (p = {p:.3g}: {'pooled' if pooled else 'kept'})" if p is not None else ""),
            f"F of part and operator against the {request.f_denominator} mean square",
        ]
    elif request.design == "nested":
        described += [
            "method: ANOVA, parts nested within operators",
            "F of operator against the "
            + ("part-within-operator" if request.f_denominator == "interaction" else "error")
            + " mean square",
        ]
    elif request.design == "crossed":
        described.append(
            "method: average and range, AIAG MSA 4th ed. K factors as sigmas; AV is zero when "
            "the value under its root is negative"
        )
    if request.design in ("crossed", "nested"):
        described += [
            f"study variation = {k} x SD",
            "negative variance components "
            + ("set to zero" if request.negative_components == "zero" else "kept as estimated")
            + (" (average and range: always zero)" if request.method == "average_range" else ""),
            f"ndc = {request.ndc_factor:g} x PV / GRR, "
            + ("rounded down" if request.ndc_rounding == "floor" else "rounded to the nearest")
            + ", at least 1",
            control_chart.described(_trials(request)),
        ]
        if request.process_variation is not None:
            described.append(
                f"total variation from the process variation {request.process_variation:g} "
                f"({k} x process SD)"
            )
    elif request.design == "type1":
        share = f"{SHARE_OF_TOLERANCE:g}"
        described += [
            f"Cg = {share} T / ({k} s), Cgk = ({SHARE_OF_TOLERANCE / 2:g} T - |bias|) / "
            f"({request.study_multiplier / 2:g} s) (VDA 5, Minitab)",
            "bias t = bias / (s / sqrt n), signed, n - 1 degrees of freedom",
        ]
    else:
        described += [
            "linearity: least squares through the individual biases; linearity = |slope| x "
            "process variation, %linearity = 100 |slope|",
            "bias at each reference tested with its own sample SD (AIAG independent samples), "
            "the average bias with the pooled within-reference SD; t and %bias as absolute "
            "values",
        ]
    if request.design != "linearity":
        described.append(f"tolerance: {tolerance:g}" if tolerance is not None else "no tolerance")
    return {
        "design": request.design,
        "method": request.method if request.design == "crossed" else None,
        "study_multiplier": request.study_multiplier,
        "pool_interaction_above_p": request.pool_interaction_above_p,
        "f_denominator": request.f_denominator,
        "negative_components": request.negative_components,
        "ndc_factor": request.ndc_factor,
        "ndc_rounding": request.ndc_rounding,
        "ndc_minimum": 1,
        "tolerance": tolerance,
        "process_variation": request.process_variation,
        "control_chart": _chart_constants(request),
        "described": described,
    }


def _trials(request: RRRequest) -> int:
    """Readings per part and operator: the subgroup size of the R and X-bar charts."""
    cells = {(m.part, m.operator) for m in request.measurements}
    return len(request.measurements) // len(cells)


def _chart_constants(request: RRRequest) -> dict[str, float | int] | None:
    if request.design not in ("crossed", "nested"):
        return None
    trials = _trials(request)
    found = control_chart.constants_for(trials)
    if found is None:
        return None
    return {"subgroup_size": trials, "a2": found.a2, "d3": found.d3, "d4": found.d4}


def _table(rows: dict[str, Row]) -> dict[str, dict[str, float | int | None]]:
    return {name: row.as_json() for name, row in rows.items()}


def _finite(value: Any) -> Any:
    """NaN and infinity are not JSON: they become null (a warning says why where it matters)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value
