"""Robust statistics of a set of results (ISO 13528:2022 Annex C), pure.

Every function takes the participants' results as a sequence of floats and returns floats;
none of them decides whether a statistic is fit for use, which is the caller's business.

>>> round(made([1.0, 2.0, 3.0, 4.0, 100.0]), 4)  # 1.483 * median(|x - 3|) = 1.483 * 1
1.483
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# ISO 13528:2022 C.2.2 and C.2.3: the factors that make MADe and nIQR estimate the
# standard deviation of a normal distribution.
MADE_FACTOR = 1.483
NIQR_FACTOR = 0.7413
# C.3.1: winsorise at 1.5 s*, and correct the winsorised SD by 1.134.
ALGORITHM_A_CUT = 1.5
ALGORITHM_A_CORRECTION = 1.134
# Iterate until x* and s* no longer change in the twelfth significant figure: far finer
# than the "third figure" of C.3.1, so the result does not depend on where one stopped.
_CONVERGED = 1e-12
_MAX_ITERATIONS = 10_000


@dataclass(frozen=True)
class RobustEstimate:
    mean: float
    sd: float
    iterations: int


def median(values: Sequence[float]) -> float:
    return float(np.median(values))


def made(values: Sequence[float] | npt.NDArray[np.float64]) -> float:
    """Scaled median absolute deviation, MADe = 1.483 median|x_i - median(x)| (C.2.2)."""
    data = np.asarray(values, dtype=float)
    return float(MADE_FACTOR * np.median(np.abs(data - np.median(data))))


def niqr(values: Sequence[float]) -> float:
    """Normalised interquartile range, nIQR = 0.7413 (Q3 - Q1), quartiles interpolated linearly."""
    q1, q3 = np.percentile(np.asarray(values, dtype=float), [25, 75], method="linear")
    return float(NIQR_FACTOR * (q3 - q1))


def algorithm_a(values: Sequence[float]) -> RobustEstimate | None:
    """Algorithm A of ISO 13528:2022 C.3.1: robust mean x* and robust standard deviation s*.

    Starts from the median and MADe, winsorises the results at x* +- 1.5 s*, and takes the
    mean and 1.134 times the standard deviation of the winsorised results, until they settle.
    None when the starting s* is zero (more than half the results are identical): the
    algorithm then has no scale to work with.

    ISO 13528:2022 E.1 (Table E.1, censored results deleted) prints x* = 26.81, s* = 5.29:

    >>> estimate = algorithm_a([12, 19, 20, 23, 23, 25, 25, 26, 28, 28, 28, 29, 30, 30, 31,
    ...                         32, 32, 45])
    >>> round(estimate.mean, 2), round(estimate.sd, 2)
    (26.81, 5.29)
    """
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        return None
    centre = float(np.median(data))
    scale = made(data)
    if scale == 0:
        return None
    iterations = 0
    while iterations < _MAX_ITERATIONS:
        iterations += 1
        delta = ALGORITHM_A_CUT * scale
        winsorised = np.clip(data, centre - delta, centre + delta)
        new_centre = float(winsorised.mean())
        new_scale = float(ALGORITHM_A_CORRECTION * winsorised.std(ddof=1))
        settled = (
            abs(new_centre - centre) <= _CONVERGED * scale
            and abs(new_scale - scale) <= _CONVERGED * scale
        )
        centre, scale = new_centre, new_scale
        if settled or scale == 0:
            break
    return RobustEstimate(mean=centre, sd=scale, iterations=iterations)
