"""Type 1 gauge study: one operator measures one reference part repeatedly; the gauge's bias
and repeatability against 20 % of the tolerance (VDA 5, Minitab's Type 1 Gage Study).

    Cg  = (0.2 T) / (L s)
    Cgk = (0.1 T - |bias|) / (L/2 s)
    t   = bias / (s / sqrt n), with n - 1 degrees of freedom (signed: the direction shows)

with L the study multiplier (6 by default).  The bias test is the AIAG independent-sample
method (MSA 4th ed., chapter III-B).

>>> result = type1([5.9, 6.0, 6.1, 6.2], reference=6.0, tolerance=10.0, k=6)
>>> round(result.cg, 3), round(result.bias, 3)
(2.582, 0.05)
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from lims.errors import InvalidInput

# Cg and Cgk compare the gauge with 20 % of the tolerance (K = 20 in Minitab's terms).
SHARE_OF_TOLERANCE = 0.2


@dataclass(frozen=True)
class Type1Result:
    mean: float
    s: float
    bias: float
    t_bias: float
    p_bias: float
    cg: float | None
    cgk: float | None

    def as_json(self) -> dict[str, float | None]:
        return {
            "mean": self.mean,
            "s": self.s,
            "bias": self.bias,
            "t_bias": self.t_bias,
            "p_bias": self.p_bias,
            "cg": self.cg,
            "cgk": self.cgk,
        }


def type1(
    values: list[float], *, reference: float, tolerance: float | None, k: float
) -> Type1Result:
    data = np.asarray(values, dtype=float)
    if data.size < 2:
        raise InvalidInput(
            "a type 1 study needs repeated measurements of the part; got one",
            code="training.type_1_study_needs_repeated",
            location=("measurements",),
        )
    s = float(data.std(ddof=1))
    if s == 0:
        raise InvalidInput(
            "all %(size)s values are %(data)g: there is no variation to analyse; "
            "check the resolution of the instrument",
            code="training.all_values_there_variation_analyse_2",
            size=data.size,
            data=data[0],
            location=("measurements",),
        )
    mean = float(data.mean())
    bias = mean - reference
    t = bias / (s / math.sqrt(data.size))
    cg = cgk = None
    if tolerance is not None:
        cg = SHARE_OF_TOLERANCE * tolerance / (k * s)
        cgk = (SHARE_OF_TOLERANCE / 2 * tolerance - abs(bias)) / (k / 2 * s)
    return Type1Result(
        mean=mean,
        s=s,
        bias=bias,
        t_bias=t,
        p_bias=float(2 * stats.t.sf(abs(t), data.size - 1)),
        cg=cg,
        cgk=cgk,
    )
