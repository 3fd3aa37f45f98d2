"""Task-specific uncertainty of a coordinate (CMM) measurement, per characteristic.

A CMM result's U is evaluated for the task: the characteristic's size, the machine's
specification, the temperatures of the day and the repeats taken.  The CMC is not a task
uncertainty: ILAC-P14 makes it the smallest U the lab may state, so it only ever bounds a
result from below (lims.jobs.results), never stands in for one.

Where the job has a calibrated reference workpiece like the products, measured repeatedly as
they are, the substitution method of ISO 15530-3:2011 (``SUBSTITUTION``) gives U instead;
otherwise the specification budget (``SPECIFICATION``), the usual model of a measurement on
a CMM verified by ISO 10360-2:

    Y = y + e_L + e_P + e_S + L (d_alpha_part dt + alpha_part d_t_part
                                 - d_alpha_scale dt - alpha_scale d_t_scale)

- y: the measured value, with its repeatability s/sqrt(n) when repeats exist (GUM 4.2);
- e_L: the length measuring error, within +/-E_L,MPE = A + L/K at the feature's size L
  (ISO 10360-2);
- e_P: the probing error, within +/-P_FTU,MPE (ISO 10360-5);
- e_S (form and profile tolerances only): the form error the finite sampling of the surface
  can miss, within the template's limits;
- the thermal terms: the CMM corrects the value to 20 °C with the nominal expansion
  coefficients, so what remains is that correction's uncertainty, from the limits of the
  coefficients (sensitivity L dt) and of the measured temperatures (sensitivity L alpha).

An MPE is a limit the verification shows the machine within, and nothing says where inside
it a given error lies: it is taken as rectangular, u = MPE/sqrt(3) (GUM 4.3.7), the same for
the coefficients' limits.  The budget is evaluated by the engine (GUM), so it is stored and
printed as every other budget is.
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lims.errors import InvalidInput
from lims.methods.models import CoordinateBudget, Method
from lims.uncertainty import evaluate
from lims.uncertainty.substitution import substitution
from lims.units import convert, convert_interval

SPECIFICATION = "specification budget"
SUBSTITUTION = "ISO 15530-3"
# ISO 15530-3 states U with k = 2.
SUBSTITUTION_K = 2.0
NOT_EVALUATED = "not evaluated"
# The template's lengths: the ISO 10360 data sheets give A and P in um, L in mm.
BUDGET_UNIT = "um"
SIZE_UNIT = "mm"
REFERENCE_TEMPERATURE = 20.0
MODEL = (
    "y + e_L + e_P + e_S + L*1e3*(d_alpha_part*dt + alpha_part*d_t_part"
    " - d_alpha_scale*dt - alpha_scale*d_t_scale)"
)
# The features whose tolerance is a form: sampling a surface can miss part of its form error.
FORM_KINDS = frozenset(
    {"flatness", "straightness", "roundness", "cylindricity", "line_profile", "surface_profile"}
)


@dataclass(frozen=True)
class CoordinateUncertainty:
    """A CMM result's U in the result's unit, and the record stored with the result."""

    source: str
    value: float | None = None
    expanded_uncertainty: float | None = None
    coverage_factor: float | None = None
    coverage_probability: float | None = None
    record: dict[str, Any] = field(default_factory=dict)


def not_evaluated(reason: str) -> CoordinateUncertainty:
    """U was not evaluated: the result carries no decision and no E_n, and says why."""
    return CoordinateUncertainty(
        source=NOT_EVALUATED, record={"source": NOT_EVALUATED, "reason": reason}
    )


def template_of(method: Method) -> CoordinateBudget | None:
    if method.coordinate_budget is None:
        return None
    return CoordinateBudget.model_validate(method.coordinate_budget)


def _rectangular(name: str, half_width: float) -> dict[str, Any]:
    return {"name": name, "value": 0.0, "distribution": "rectangular", "half_width": half_width}


def _exact(name: str, value: float) -> dict[str, Any]:
    return {"name": name, "value": value, "standard_uncertainty": 0.0}


def _measured(readings: Sequence[float]) -> dict[str, Any]:
    if len(readings) >= 2:
        return {"name": "y", "distribution": "type_a", "observations": list(readings)}
    return _exact("y", readings[0])


def specification_request(
    template: CoordinateBudget,
    *,
    size_mm: float,
    readings_um: Sequence[float],
    temperature: float,
    part_expansion: float,
    coverage_probability: float,
    form: bool = False,
) -> dict[str, Any]:
    """The engine request of the specification budget; lengths in um, L in mm; ``form``
    adds the sampling term of a form or profile tolerance."""
    mpe_length = template.mpe_e_a + abs(size_mm) / template.mpe_e_k
    scale_inputs: list[dict[str, Any]] = [_exact("alpha_scale", template.scale_expansion)]
    scale_inputs.append(
        _rectangular("d_alpha_scale", template.scale_expansion_half_width)
        if template.scale_expansion_half_width > 0
        else _exact("d_alpha_scale", 0.0)
    )
    probing = (
        _rectangular("e_P", template.mpe_p_ftu) if template.mpe_p_ftu > 0 else _exact("e_P", 0.0)
    )
    part_limits = (
        _rectangular("d_alpha_part", template.part_expansion_half_width)
        if template.part_expansion_half_width > 0
        else _exact("d_alpha_part", 0.0)
    )
    return {
        "model": MODEL,
        "output": "Y",
        "inputs": [
            _measured(readings_um),
            _rectangular("e_L", mpe_length),
            probing,
            _rectangular("e_S", template.form_sampling_half_width)
            if form and template.form_sampling_half_width > 0
            else _exact("e_S", 0.0),
            _exact("L", abs(size_mm)),
            _exact("dt", temperature - REFERENCE_TEMPERATURE),
            _exact("alpha_part", part_expansion),
            part_limits,
            {
                "name": "d_t_part",
                "value": 0.0,
                "standard_uncertainty": template.temperature_uncertainty,
            },
            *scale_inputs,
            {
                "name": "d_t_scale",
                "value": 0.0,
                "standard_uncertainty": template.temperature_uncertainty,
            },
        ],
        "coverage_probability": coverage_probability,
        "method": "gum",
    }


def specification_uncertainty(
    method: Method,
    *,
    size: float | None,
    readings: Sequence[float],
    unit: str,
    temperature: float | None,
    part_expansion: float | None = None,
    kind: str | None = None,
) -> CoordinateUncertainty:
    """The specification budget of one characteristic: ``size`` in the method's size unit
    (the feature's size, also for a form tolerance: never the tolerance), ``readings`` in
    ``unit``; the returned U is in ``unit``.  Without the data it needs, U is not evaluated.
    """
    template = template_of(method)
    if template is None:
        return not_evaluated(
            f"method {method.label()} gives no task-specific budget for coordinate measurements"
        )
    if size is None:
        return not_evaluated(
            "the feature's size L is not known: give it as the characteristic's parameter 'L'"
        )
    if temperature is None:
        return not_evaluated("the temperature of the measurement is not recorded")
    if not readings:
        return not_evaluated("no measured value")
    try:
        size_mm = convert(size, from_unit=method.size_unit, to_unit=SIZE_UNIT, what="L")
        readings_um = [
            convert(r, from_unit=unit, to_unit=BUDGET_UNIT, what="the value") for r in readings
        ]
    except InvalidInput:
        return not_evaluated(
            f"the specification budget is for lengths; this characteristic is in {unit}"
        )
    response = evaluate(
        specification_request(
            template,
            size_mm=size_mm,
            readings_um=readings_um,
            temperature=temperature,
            part_expansion=part_expansion
            if part_expansion is not None
            else template.part_expansion,
            coverage_probability=method.coverage_probability,
            form=kind in FORM_KINDS,
        )
    )
    output = response["outputs"][0]
    return CoordinateUncertainty(
        source=SPECIFICATION,
        expanded_uncertainty=convert_interval(
            output["expanded_uncertainty"], from_unit=BUDGET_UNIT, to_unit=unit, what="U"
        ),
        coverage_factor=output["coverage_factor"],
        coverage_probability=output["coverage_probability"],
        record={
            "source": SPECIFICATION,
            "method": method.label(),
            "unit": BUDGET_UNIT,
            "template": template.model_dump(),
            "size_mm": size_mm,
            "temperature": temperature,
            **output,
            "warnings": response["warnings"],
        },
    )


def substitution_uncertainty(
    method: Method,
    *,
    calibrated_value: float,
    calibration_expanded_uncertainty: float,
    calibration_coverage_factor: float,
    workpiece_readings: Sequence[float],
    readings: Sequence[float],
    unit: str,
    size: float | None,
    temperature: float | None,
) -> CoordinateUncertainty:
    """ISO 15530-3:2011 substitution: the bias found on the calibrated workpiece is corrected
    and U = k sqrt(u_cal^2 + u_p^2 + u_b^2 + u_w^2) (lims.uncertainty.substitution).  Values
    in ``unit``; u_w from the method's template, u_b from the expansion coefficient's limits
    at the day's deviation from 20 °C, the part and the workpiece being of one material."""
    template = template_of(method)
    if template is None or template.workpiece_variation is None:
        return not_evaluated(
            f"method {method.label()} states no workpiece variation u_w for ISO 15530-3"
        )
    if size is None or temperature is None:
        return not_evaluated("the feature's size L and the temperature are needed for u_b")
    if len(workpiece_readings) < 2 or not readings:
        return not_evaluated("give the repeats on the calibrated workpiece and the value")

    def in_um(value: float) -> float:
        return convert_interval(value, from_unit=unit, to_unit=BUDGET_UNIT, what="the value")

    size_mm = convert(size, from_unit=method.size_unit, to_unit=SIZE_UNIT, what="L")
    u_alpha = template.part_expansion_half_width / math.sqrt(3)
    u_b = abs(size_mm) * 1e3 * abs(temperature - REFERENCE_TEMPERATURE) * u_alpha
    # Sizes differ from the calibrated value by microns: subtract it before converting, so
    # the arithmetic runs on small numbers in um.
    evaluated = substitution(
        calibrated_value=0.0,
        calibration_expanded_uncertainty=in_um(calibration_expanded_uncertainty),
        calibration_coverage_factor=calibration_coverage_factor,
        measurements=[in_um(r - calibrated_value) for r in workpiece_readings],
        u_b=u_b,
        u_w=template.workpiece_variation,
        k=SUBSTITUTION_K,
    )
    bias = convert_interval(evaluated["bias"], from_unit=BUDGET_UNIT, to_unit=unit, what="b")
    expanded = evaluated["expanded_uncertainty"]
    corrected = statistics.fmean(readings) - bias
    combined = expanded / SUBSTITUTION_K
    # The four components as budget rows, as the engine's budgets are shown and printed.
    rows = [
        {
            "input": name,
            "value": 0.0,
            "standard_uncertainty": evaluated[name],
            "distribution": "normal",
            "dof": len(workpiece_readings) - 1 if name == "u_p" else None,
            "sensitivity": 1.0,
            "contribution": evaluated[name],
            "index_percent": 100 * evaluated[name] ** 2 / combined**2 if combined else 0.0,
        }
        for name in ("u_cal", "u_p", "u_b", "u_w")
    ]
    return CoordinateUncertainty(
        source=SUBSTITUTION,
        value=corrected,
        expanded_uncertainty=convert_interval(
            expanded, from_unit=BUDGET_UNIT, to_unit=unit, what="U"
        ),
        coverage_factor=SUBSTITUTION_K,
        coverage_probability=0.95,
        record={
            "source": SUBSTITUTION,
            "method": method.label(),
            "unit": BUDGET_UNIT,
            "calibrated_value": calibrated_value,
            "calibrated_value_unit": unit,
            "repeats": len(workpiece_readings),
            "bias": evaluated["bias"],
            "u_cal": evaluated["u_cal"],
            "u_p": evaluated["u_p"],
            "u_b": evaluated["u_b"],
            "u_w": evaluated["u_w"],
            "value": convert(corrected, from_unit=unit, to_unit=BUDGET_UNIT, what="the value"),
            "budget": rows,
            "standard_uncertainty": combined,
            "expanded_uncertainty": expanded,
            "coverage_factor": SUBSTITUTION_K,
            "temperature": temperature,
            "size_mm": size_mm,
            "warnings": evaluated["warnings"],
        },
    )
