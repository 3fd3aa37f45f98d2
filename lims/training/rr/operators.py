"""Each operator of a gauge study on their own: the operator's repeatability and, where the
readings carry reference values, the operator's bias, judged against the limits the lab sets
for the method.

The pooled %GRR judges the measurement system; it says nothing of which operator is
repeatable.  Repeatability of operator i is taken from their own readings only:

- average and range (AIAG MSA 4th ed., ch. III-B): EV_i = R-bar_i x K1, R-bar_i the average
  of the operator's ranges over the parts (the data sheet's R-bar_a, R-bar_b, R-bar_c);
- ANOVA: the operator's pooled within-part standard deviation,
  s_i = sqrt(sum (x - x-bar_part)^2 / (parts x (trials - 1))); the mean of the s_i squared is
  the ANOVA's repeatability mean square.

%EV_i is of the total variation (100 EV_i / TV) or of the tolerance (100 L EV_i / T, L the
study multiplier), as the study's %GRR is.  The bias of operator i is the mean of
(reading - reference) over their readings with a reference value, as a percentage of the
tolerance; without a tolerance it is reported and not judged.
"""

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lims.reasons import Reason
from lims.training.rr.average_range import K1
from lims.training.rr.layout import crossed_study, nested_study
from lims.training.rr.schemas import RRRequest
from lims.uncertainty.warning_text import WarningText

ACCEPTABLE = "acceptable"
CONDITIONALLY_ACCEPTABLE = "conditionally_acceptable"
NOT_ACCEPTABLE = "not_acceptable"
# Worst first: an operator's outcome is the worst of their figures.
SEVERITY = (NOT_ACCEPTABLE, CONDITIONALLY_ACCEPTABLE, ACCEPTABLE)


@dataclass(frozen=True)
class OperatorLimits:
    """The lab's limits for one method's operators, as percentages (see the README)."""

    repeatability_acceptable_below: float
    repeatability_conditional_below: float
    bias_acceptable_below: float
    source: str


@dataclass(frozen=True)
class OperatorFigures:
    operator: str
    readings: int
    repeatability_estimator: str  # "range" (EV_i = R-bar_i x K1) or "sd" (pooled within part)
    rbar: float | None
    repeatability: float
    pct_repeatability: float | None
    mean: float
    bias: float | None
    pct_bias: float | None
    outcome: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {
            name: value if not isinstance(value, float) or math.isfinite(value) else None
            for name, value in asdict(self).items()
        }


def judge_operators(
    request: RRRequest,
    evaluation: dict[str, Any],
    limits: OperatorLimits,
    *,
    basis: str,
) -> list[OperatorFigures]:
    """The figures and outcome of every operator of a crossed or nested study."""
    if request.design not in ("crossed", "nested"):
        return []
    study = (crossed_study if request.design == "crossed" else nested_study)(request.measurements)
    parts, _, trials = study.values.shape
    tolerance = evaluation["conventions"]["tolerance"]
    by_range = request.method == "average_range" and request.design == "crossed"
    total = evaluation["average_range"]["tv"] if by_range else (evaluation["sd"] or {}).get("total")
    judged = []
    for j, operator in enumerate(study.operators):
        cells = study.values[:, j, :]
        rbar = float(np.ptp(cells, axis=1).mean()) if by_range else None
        if rbar is not None:
            repeatability = rbar * K1[trials]
        else:
            squares = float(((cells - cells.mean(axis=1, keepdims=True)) ** 2).sum())
            repeatability = math.sqrt(squares / (parts * (trials - 1)))
        if basis == "tolerance":
            pct = 100 * request.study_multiplier * repeatability / tolerance if tolerance else None
        else:
            pct = 100 * repeatability / total if total else None
        bias = _bias(request, operator)
        pct_bias = 100 * abs(bias) / tolerance if bias is not None and tolerance else None
        outcome, reason = _outcome(pct, bias, pct_bias, limits, basis=basis)
        judged.append(
            OperatorFigures(
                operator=operator,
                readings=int(cells.size),
                repeatability_estimator="range" if by_range else "sd",
                rbar=rbar,
                repeatability=repeatability,
                pct_repeatability=pct,
                mean=float(cells.mean()),
                bias=bias,
                pct_bias=pct_bias,
                outcome=outcome,
                reason=reason,
            )
        )
    return judged


def worst(*outcomes: str) -> str:
    return min(outcomes, key=SEVERITY.index)


def _bias(request: RRRequest, operator: str) -> float | None:
    deviations = [
        m.value - m.reference
        for m in request.measurements
        if m.operator == operator and m.reference is not None
    ]
    return float(np.mean(deviations)) if deviations else None


#: What an operator's %EV is a share of, and the outcomes, in words translated with the reason.
_SHARE_OF = {
    "tolerance": Reason("of the tolerance"),
    "total_variation": Reason("of the total variation"),
}
_OUTCOME_WORDS = {
    ACCEPTABLE: Reason("acceptable"),
    CONDITIONALLY_ACCEPTABLE: Reason("conditionally acceptable"),
    NOT_ACCEPTABLE: Reason("not acceptable"),
}


def _outcome(
    pct: float | None,
    bias: float | None,
    pct_bias: float | None,
    limits: OperatorLimits,
    *,
    basis: str,
) -> tuple[str, str]:
    """The operator's outcome and why, as English text that keeps its template (WarningText),
    so that a page or a record words it in its own language."""
    of = _SHARE_OF["tolerance" if basis == "tolerance" else "total_variation"]
    if pct is None:
        return NOT_ACCEPTABLE, WarningText(
            Reason("no %%EV %(of)s to judge by: not acceptable", of=of)
        )
    if pct < limits.repeatability_acceptable_below:
        outcome = ACCEPTABLE
    elif pct < limits.repeatability_conditional_below:
        outcome = CONDITIONALLY_ACCEPTABLE
    else:
        outcome = NOT_ACCEPTABLE
    shares = {
        "pct": pct,
        "of": of,
        "acceptable": limits.repeatability_acceptable_below,
        "conditional": limits.repeatability_conditional_below,
    }
    if pct_bias is not None:
        if pct_bias >= limits.bias_acceptable_below:
            outcome = NOT_ACCEPTABLE
        why = Reason(
            "%%EV %(pct).1f %% %(of)s (acceptable below %(acceptable)g %%, conditionally below "
            "%(conditional)g %%), bias %(pct_bias).1f %% of the tolerance (acceptable below "
            "%(bias_limit)g %%): %(outcome)s",
            **shares,
            pct_bias=pct_bias,
            bias_limit=limits.bias_acceptable_below,
            outcome=_OUTCOME_WORDS[outcome],
        )
    elif bias is not None:
        why = Reason(
            "%%EV %(pct).1f %% %(of)s (acceptable below %(acceptable)g %%, conditionally below "
            "%(conditional)g %%), bias %(bias).4g not judged (no tolerance): %(outcome)s",
            **shares,
            bias=bias,
            outcome=_OUTCOME_WORDS[outcome],
        )
    else:
        why = Reason(
            "%%EV %(pct).1f %% %(of)s (acceptable below %(acceptable)g %%, conditionally below "
            "%(conditional)g %%): %(outcome)s",
            **shares,
            outcome=_OUTCOME_WORDS[outcome],
        )
    return outcome, WarningText(why)
