"""The average-and-range method of the AIAG MSA Reference Manual, 4th edition (2010), chapter
III section B: EV, AV, GRR, PV and TV as standard deviations from ranges and averages.

The K factors are the manual's, as sigmas (K1 = 1/d2*): the study multiplier turns them into
study variation only for %tolerance, so %EV, %AV, %GRR and %PV do not depend on it.  The
manual prints K1 for 2 and 3 trials, K2 for 2 and 3 appraisers and K3 for 2 to 10 parts;
other designs go to the ANOVA method.

>>> K1[3], K2[3], K3[10]
(0.5908, 0.5231, 0.3146)
"""

import math
from dataclasses import dataclass

import numpy as np

from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.training.rr.components import Conventions, distinct_categories
from lims.training.rr.control_chart import CONSTANTS
from lims.training.rr.layout import listing

K1 = {2: 0.8862, 3: 0.5908}
K2 = {2: 0.7071, 3: 0.5231}
K3 = {2: 0.7071, 3: 0.5231, 4: 0.4467, 5: 0.4030, 6: 0.3742, 7: 0.3534, 8: 0.3375, 9: 0.3249,
      10: 0.3146}  # fmt: skip


@dataclass(frozen=True)
class AverageRange:
    ev: float
    av: float
    av_squared_raw: float
    grr: float
    pv: float
    tv: float
    rbarbar: float
    xdiff: float
    rp: float
    ucl_r: float


def average_range(values: np.ndarray, *, process_variation: float | None, k: float) -> AverageRange:
    """``values[part, operator, trial]`` of a balanced crossed study."""
    parts, operators, trials = values.shape
    _check_tables(parts=parts, operators=operators, trials=trials)
    ranges = np.ptp(values, axis=2)
    rbarbar = float(ranges.mean(axis=0).mean())
    operator_means = values.mean(axis=(0, 2))
    xdiff = float(operator_means.max() - operator_means.min())
    part_means = values.mean(axis=(1, 2))
    rp = float(part_means.max() - part_means.min())
    ev = rbarbar * K1[trials]
    av_squared = (xdiff * K2[operators]) ** 2 - ev**2 / (parts * trials)
    # AIAG: when the expression under the root is negative, AV defaults to zero.
    av = math.sqrt(max(0.0, av_squared))
    grr = math.hypot(ev, av)
    if process_variation is None:
        pv = rp * K3[parts]
        tv = math.hypot(grr, pv)
    else:
        tv = process_variation / k
        if tv < grr:
            raise InvalidInput(
                "the process variation %(process_variation)g is smaller than the "
                "gauge's own study variation %(value).4g: it cannot be the total "
                "variation",
                code="training.process_variation_smaller_than_gauge",
                process_variation=process_variation,
                value=k * grr,
                location=("process_variation",),
            )
        pv = math.sqrt(tv**2 - grr**2)
    return AverageRange(
        ev=ev,
        av=av,
        av_squared_raw=av_squared,
        grr=grr,
        pv=pv,
        tv=tv,
        rbarbar=rbarbar,
        xdiff=xdiff,
        rp=rp,
        ucl_r=CONSTANTS[trials].d4 * rbarbar,
    )


def as_json(
    result: AverageRange, conventions: Conventions, *, tolerance: float | None
) -> dict[str, float | int | None]:
    sigmas = {"ev": result.ev, "av": result.av, "grr": result.grr, "pv": result.pv}
    ndc_raw, ndc = distinct_categories(result.pv, result.grr, conventions)
    block: dict[str, float | int | None] = {**sigmas, "tv": result.tv}
    for name, sigma in sigmas.items():
        block[f"pct_{name}"] = 100 * sigma / result.tv if result.tv else None
    for name, sigma in sigmas.items():
        block[f"pct_tol_{name}"] = (
            100 * conventions.study_multiplier * sigma / tolerance if tolerance else None
        )
    block.update(
        ndc=ndc,
        ndc_raw=ndc_raw,
        rbarbar=result.rbarbar,
        xdiff=result.xdiff,
        rp=result.rp,
        ucl_r=result.ucl_r,
    )
    return block


def _check_tables(*, parts: int, operators: int, trials: int) -> None:
    outside = [
        reason
        for count, table, reason in (
            (
                trials,
                K1,
                Reason(
                    "%(count)s trials (the manual covers %(low)s to %(high)s)",
                    count=trials,
                    low=min(K1),
                    high=max(K1),
                ),
            ),
            (
                operators,
                K2,
                Reason(
                    "%(count)s operators (the manual covers %(low)s to %(high)s)",
                    count=operators,
                    low=min(K2),
                    high=max(K2),
                ),
            ),
            (
                parts,
                K3,
                Reason(
                    "%(count)s parts (the manual covers %(low)s to %(high)s)",
                    count=parts,
                    low=min(K3),
                    high=max(K3),
                ),
            ),
        )
        if count not in table
    ]
    if outside:
        raise InvalidInput(
            "the AIAG average-and-range K factors do not cover %(outside)s: use the ANOVA method",
            code="training.aiag_average_range_k_factors",
            outside=listing(outside),
            location=("method",),
        )
