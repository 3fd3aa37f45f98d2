"""A company's own task-specific uncertainty by the substitution method of ISO 15530-3, pure.

The company measures a piece the lab has calibrated, repeatedly, as it measures its products.
The spread of its measurements gives u_p, the calibration gives u_cal, the difference of its
mean from the calibrated value is its bias b; u_b (temperature, expansion) and u_w (the
variation between the calibrated piece and the products) it estimates itself.

- ISO 15530-3:2011 corrects the bias: U = k sqrt(u_cal^2 + u_p^2 + u_b^2 + u_w^2), and the
  company subtracts b from its results.
- ISO/TS 15530-3:2004 leaves the bias in: U = k sqrt(u_cal^2 + u_p^2 + u_w^2) + |b|.

Both are reported; the company's choice says which one the lab states.
"""

import math
import statistics
from typing import Any

from lims.comparisons.schemas import OwnUncertaintyRequest
from lims.errors import InvalidInput

FEW_MEASUREMENTS = 20
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
    mean = statistics.fmean(request.measurements)
    bias = mean - request.calibrated_value
    u_cal = request.calibration_expanded_uncertainty / request.calibration_coverage_factor
    u_p = statistics.stdev(request.measurements)
    k = request.k
    corrected = k * math.sqrt(u_cal**2 + u_p**2 + request.u_b**2 + request.u_w**2)
    included = k * math.sqrt(u_cal**2 + u_p**2 + request.u_w**2) + abs(bias)
    stated, template = STATEMENTS[request.bias]
    stated_u = corrected if request.bias == "corrected" else included
    warnings = []
    if len(request.measurements) < FEW_MEASUREMENTS:
        warnings.append(
            f"only {len(request.measurements)} measurements: u_p rests on few results; "
            f"repeat at least {FEW_MEASUREMENTS} times under the conditions of production"
        )
    if u_p == 0:
        warnings.append(
            "the measurements are all identical (u_p = 0): the instrument's resolution "
            "hides the spread; include the resolution in u_b"
        )
    return {
        "mean": mean,
        "bias": bias,
        "u_cal": u_cal,
        "u_p": u_p,
        "u_b": request.u_b,
        "u_w": request.u_w,
        "expanded_uncertainty": corrected,
        "expanded_uncertainty_2004": included,
        "stated": stated,
        "statement": template.format(bias=bias, U=stated_u, k=k),
        "warnings": warnings,
    }


def _check(request: OwnUncertaintyRequest) -> None:
    if request.calibration_expanded_uncertainty <= 0:
        raise InvalidInput(
            "the calibration's uncertainty must be greater than zero",
            location=("calibration_expanded_uncertainty",),
        )
    for name in ("calibration_coverage_factor", "k"):
        if getattr(request, name) <= 0:
            raise InvalidInput("a coverage factor must be greater than zero", location=(name,))
    for name in ("u_b", "u_w"):
        if getattr(request, name) < 0:
            raise InvalidInput(f"{name} cannot be negative", location=(name,))
    values = [request.calibrated_value, *request.measurements]
    if not all(math.isfinite(value) for value in values):
        raise InvalidInput("give finite values", location=("measurements",))
