"""Uncertainty engine: GUM propagation, Monte Carlo (JCGM 101), conformity decisions.

Pure: imports only the standard library, NumPy, SciPy and pydantic. The JSON-level entry points
are :func:`evaluate` and :func:`decide`; :func:`parse_model`, :class:`Input`, :func:`gum` and
:func:`monte_carlo` are the lower-level API for the rest of the code.
"""

from lims.uncertainty.decision import decide, probability_of_conformance
from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.evaluation import evaluate
from lims.uncertainty.expression import Model, parse_model
from lims.uncertainty.gum import GumOutput, GumResult, coverage_factor, gum
from lims.uncertainty.inputs import Input
from lims.uncertainty.montecarlo import McmOutput, McmResult, monte_carlo
from lims.uncertainty.schemas import (
    DecisionRequest,
    DecisionResponse,
    EvaluationRequest,
    EvaluationResponse,
)

__all__ = [
    "DecisionRequest",
    "DecisionResponse",
    "EvaluationRequest",
    "EvaluationResponse",
    "GumOutput",
    "GumResult",
    "Input",
    "McmOutput",
    "McmResult",
    "Model",
    "UncertaintyInputError",
    "coverage_factor",
    "decide",
    "evaluate",
    "gum",
    "monte_carlo",
    "parse_model",
    "probability_of_conformance",
]
