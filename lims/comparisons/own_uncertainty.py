"""A company's own task-specific uncertainty by the substitution method of ISO 15530-3, pure.

The company measures a piece the lab has calibrated, repeatedly, as it measures its products;
the arithmetic is the lab's own for CMM results (lims.uncertainty.substitution).  Both
editions' U are reported; the company's choice says which one the lab states.
"""

import math
from typing import Any

from lims.comparisons.schemas import OwnUncertaintyRequest
from lims.errors import InvalidInput
from lims.uncertainty.substitution import substitution

STATEMENTS = {
    "corrected": (
        "ISO 15530-3:2011",
        "The bias is corrected: subtract b = {bias:.6g} from each result; "
        "U = {U:.2g} (k = {k:g}) by ISO 15530-3:2011.",
    ),
    "included": (
        "ISO/TS 15530-3:2004",
        "The bias is not corrected: it is included in U = {U:.2g} (k = {k:g}) "
        "by ISO/TS 15530-3:2004.",
    ),
}


def own_uncertainty(request: OwnUncertaintyRequest | dict[str, Any]) -> dict[str, Any]:
    """The substitution method's budget and both expanded uncertainties; JSON-ready."""
    if not isinstance(request, OwnUncertaintyRequest):
        request = OwnUncertaintyRequest.model_validate(request)
    _check(request)
    evaluated = substitution(
        calibrated_value=request.calibrated_value,
        calibration_expanded_uncertainty=request.calibration_expanded_uncertainty,
        calibration_coverage_factor=request.calibration_coverage_factor,
        measurements=request.measurements,
        u_b=request.u_b,
        u_w=request.u_w,
        k=request.k,
    )
    stated, template = STATEMENTS[request.bias]
    stated_u = evaluated[
        "expanded_uncertainty" if request.bias == "corrected" else "expanded_uncertainty_2004"
    ]
    warnings = evaluated.pop("warnings")
    return {
        **evaluated,
        "stated": stated,
        "statement": template.format(bias=evaluated["bias"], U=stated_u, k=request.k),
        "warnings": warnings,
    }


def _check(request: OwnUncertaintyRequest) -> None:
    if request.calibration_expanded_uncertainty <= 0:
        raise InvalidInput(
            "the calibration's uncertainty must be greater than zero",
            code="comparisons.calibration_uncertainty_must_greater_than",
            location=("calibration_expanded_uncertainty",),
        )
    for name in ("calibration_coverage_factor", "k"):
        if getattr(request, name) <= 0:
            raise InvalidInput(
                "a coverage factor must be greater than zero",
                code="comparisons.coverage_factor_must_greater_than",
                location=(name,),
            )
    for name in ("u_b", "u_w"):
        if getattr(request, name) < 0:
            raise InvalidInput(
                "%(name)s cannot be negative",
                code="comparisons.cannot_negative",
                name=name,
                location=(name,),
            )
    values = [request.calibrated_value, *request.measurements]
    if not all(math.isfinite(value) for value in values):
        raise InvalidInput(
            "give finite values", code="comparisons.give_finite_values", location=("measurements",)
        )
