"""Gauge linearity and bias (AIAG MSA 4th ed., chapter III-B; Minitab's Gage Linearity and
Bias Study): reference parts across the operating range, each measured repeatedly.

Linearity is the least-squares line through the individual biases (reading - reference)
against the reference; linearity = |slope| x process variation, %linearity = 100 |slope|.
The bias at each reference is tested with its own sample standard deviation (the AIAG
independent-sample method), the average bias with the pooled within-reference standard
deviation; ``t_bias`` and ``pct_bias`` are absolute values, as the tools print them.

The per-reference blocks are keyed by the reference written as its shortest decimal:

>>> reference_key(2.0), reference_key(4.5), reference_key(0.1)
('2', '4.5', '0.1')
"""

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import TypedDict

import numpy as np
from scipy import stats

from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.uncertainty.warning_text import WarningText

AVERAGE = "average"


def reference_key(reference: float) -> str:
    text = repr(float(reference))
    return text[:-2] if text.endswith(".0") else text


def linearity(
    readings: Sequence[tuple[float, float]], *, process_variation: float | None
) -> tuple[dict[str, object], list[str]]:
    """``readings`` are (reference, value) pairs; returns the response block and warnings."""
    groups: dict[float, list[float]] = defaultdict(list)
    for reference, value in readings:
        groups[reference].append(value)
    references = sorted(groups)
    if len(references) < 2:
        raise InvalidInput(
            "linearity needs reference parts at two or more reference values across the range",
            code="training.linearity_needs_reference_parts_two",
            location=("measurements",),
        )
    single = [reference_key(r) for r in references if len(groups[r]) < 2]
    if single:
        raise InvalidInput(
            "each reference part must be measured at least twice; measured once: %(single)s",
            code="training.each_reference_part_must_measured",
            single=", ".join(single),
            location=("measurements",),
        )
    x = np.array([reference for reference, _ in readings], dtype=float)
    bias = np.array([value - reference for reference, value in readings], dtype=float)
    warnings: list[str] = []
    regression = _regression(x, bias, warnings)
    slope = abs(regression["slope"])
    block: dict[str, object] = {
        **regression,
        "linearity": slope * process_variation if process_variation else None,
        "pct_linearity": 100 * slope,
    }
    block.update(_biases(groups, references, process_variation, warnings))
    return block, warnings


class _Regression(TypedDict):
    """The least-squares line of the biases against the reference values, with its t tests."""

    intercept: float
    slope: float
    se_intercept: float
    se_slope: float
    t_intercept: float | None
    t_slope: float | None
    p_intercept: float | None
    p_slope: float | None
    r_squared: float
    s: float


def _regression(x: np.ndarray, bias: np.ndarray, warnings: list[str]) -> _Regression:
    n = x.size
    x_mean = x.mean()
    sxx = float(np.sum((x - x_mean) ** 2))
    slope = float(np.sum((x - x_mean) * (bias - bias.mean())) / sxx)
    intercept = float(bias.mean() - slope * x_mean)
    residuals = bias - (intercept + slope * x)
    sse = float(np.sum(residuals**2))
    sst = float(np.sum((bias - bias.mean()) ** 2))
    s = math.sqrt(sse / (n - 2))
    se_slope = s / math.sqrt(sxx)
    se_intercept = s * math.sqrt(1 / n + x_mean**2 / sxx)
    if s == 0:
        warnings.append("the biases lie exactly on a line: the regression has no t tests")
    t_slope = slope / se_slope if s else None
    t_intercept = intercept / se_intercept if s else None
    return {
        "intercept": intercept,
        "slope": slope,
        "se_intercept": se_intercept,
        "se_slope": se_slope,
        "t_intercept": t_intercept,
        "t_slope": t_slope,
        "p_intercept": _two_sided(t_intercept, n - 2),
        "p_slope": _two_sided(t_slope, n - 2),
        "r_squared": 1 - sse / sst if sst else 0.0,
        "s": s,
    }


def _biases(
    groups: dict[float, list[float]],
    references: list[float],
    process_variation: float | None,
    warnings: list[str],
) -> dict[str, object]:
    blocks: dict[str, dict[str, float | None]] = {
        name: {} for name in ("bias", "pct_bias", "se_bias", "t_bias", "p_bias")
    }
    all_biases = [value - r for r in references for value in groups[r]]
    pooled_variance = sum(
        float(np.var(groups[r], ddof=1)) * (len(groups[r]) - 1) for r in references
    ) / (len(all_biases) - len(references))
    rows = [
        (AVERAGE, float(np.mean(all_biases)), math.sqrt(pooled_variance), len(all_biases),
         len(all_biases) - len(references)),
    ] + [
        (reference_key(r), float(np.mean(groups[r])) - r, float(np.std(groups[r], ddof=1)),
         len(groups[r]), len(groups[r]) - 1)
        for r in references
    ]  # fmt: skip
    for key, bias, sd, n, df in rows:
        se = sd / math.sqrt(n)
        t = abs(bias) / se if se else None
        if t is None:
            warnings.append(
                WarningText(Reason("the readings do not vary: no t test of the average bias"))
                if key == AVERAGE
                else WarningText(
                    Reason(
                        "the readings at reference %(reference)g do not vary: no t test there",
                        reference=float(key),
                    )
                )
            )
        blocks["bias"][key] = bias
        blocks["pct_bias"][key] = 100 * abs(bias) / process_variation if process_variation else None
        blocks["se_bias"][key] = se
        blocks["t_bias"][key] = t
        blocks["p_bias"][key] = None if t is None else _two_sided(t, df)
    return dict(blocks)


def _two_sided(t: float | None, df: int) -> float | None:
    return None if t is None else float(2 * stats.t.sf(abs(t), df))
