"""RR tests: measurement system analysis of a measurer, a gauge and a method (pure).

:func:`evaluate_rr` answers ``POST /api/v1/rr/evaluate`` and ``lims rr evaluate``:
crossed gauge R&R by ANOVA or by the AIAG average and range, nested gauge R&R for
destructive tests, the type 1 gauge study (Cg, Cgk) and gauge linearity and bias.
:func:`read_measurements_csv` reads a study from CSV, :mod:`lims.training.rr.charts` draws it.
"""

from lims.training.rr.evaluate import evaluate_rr
from lims.training.rr.readings import read_measurements_csv
from lims.training.rr.schemas import RR_EXAMPLE, RRRequest, RRResponse

__all__ = ["RR_EXAMPLE", "RRRequest", "RRResponse", "evaluate_rr", "read_measurements_csv"]
