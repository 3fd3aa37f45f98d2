"""The substitution method of ISO 15530-3 (pure): a calibrated workpiece measured repeatedly as
the products are gives the task-specific uncertainty of the same measurement on the products.

The spread of the repeats gives u_p, the calibration u_cal, the difference of their mean from
the calibrated value the bias b; u_b (the uncertainty of b: expansion and temperature) and u_w
(the variation between the calibrated workpiece and the products) are estimated.

- ISO 15530-3:2011 corrects the bias: U = k sqrt(u_cal^2 + u_p^2 + u_b^2 + u_w^2), and b is
  subtracted from each result.
- ISO/TS 15530-3:2004 leaves the bias in: U = k sqrt(u_cal^2 + u_p^2 + u_w^2) + |b|.
"""

import math
import statistics
from collections.abc import Sequence
from typing import Any

from lims.reasons import Reason
from lims.uncertainty.warning_text import WarningText

FEW_MEASUREMENTS = 20


def substitution(
    *,
    calibrated_value: float,
    calibration_expanded_uncertainty: float,
    calibration_coverage_factor: float,
    measurements: Sequence[float],
    u_b: float,
    u_w: float,
    k: float,
) -> dict[str, Any]:
    """Both expanded uncertainties with their components; warns on fewer than 20 repeats."""
    mean = statistics.fmean(measurements)
    bias = mean - calibrated_value
    u_cal = calibration_expanded_uncertainty / calibration_coverage_factor
    u_p = statistics.stdev(measurements)
    warnings: list[str] = []
    if len(measurements) < FEW_MEASUREMENTS:
        warnings.append(
            WarningText(
                Reason(
                    "only %(count)s measurements: u_p rests on few results; repeat at least "
                    "%(few)s times under the conditions of production",
                    count=len(measurements),
                    few=FEW_MEASUREMENTS,
                )
            )
        )
    if u_p == 0:
        warnings.append(
            WarningText(
                Reason(
                    "the measurements are all identical (u_p = 0): the instrument's resolution "
                    "hides the spread; include the resolution in u_b"
                )
            )
        )
    return {
        "mean": mean,
        "bias": bias,
        "u_cal": u_cal,
        "u_p": u_p,
        "u_b": u_b,
        "u_w": u_w,
        "expanded_uncertainty": k * math.sqrt(u_cal**2 + u_p**2 + u_b**2 + u_w**2),
        "expanded_uncertainty_2004": k * math.sqrt(u_cal**2 + u_p**2 + u_w**2) + abs(bias),
        "warnings": warnings,
    }
