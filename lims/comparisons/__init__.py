"""B2 comparisons: scores, consensus values, a company's own uncertainty, and their records.

The statistics (:mod:`robust`, :mod:`scores`, :mod:`own_uncertainty`, :mod:`schemas`) are
pure: they import the standard library, NumPy and pydantic only, and run in a plain shell.
:func:`score` and :func:`own_uncertainty` are the JSON-level entry points.
"""

from lims.comparisons.own_uncertainty import own_uncertainty
from lims.comparisons.schemas import (
    OwnUncertaintyRequest,
    OwnUncertaintyResponse,
    ScoreRequest,
    ScoreResponse,
)
from lims.comparisons.scores import score

__all__ = [
    "OwnUncertaintyRequest",
    "OwnUncertaintyResponse",
    "ScoreRequest",
    "ScoreResponse",
    "own_uncertainty",
    "score",
]
