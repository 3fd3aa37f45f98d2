"""Request and response schemas of the comparison statistics (the API uses them as bodies).

The request models check types and shapes; checks of meaning (a zero uncertainty, k <= 0,
one participant where a consensus is asked for, mixed units) are made by the statistics,
which raise :class:`~lims.errors.InvalidInput` with the JSON path of the field.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

Consensus = Literal["algorithm_a", "median", "mean"]
Verdict = Literal["satisfactory", "questionable", "unsatisfactory"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignedValueSpec(_Strict):
    """The reference value X: with its expanded uncertainty and k, or its standard uncertainty."""

    value: float
    expanded_uncertainty: float | None = Field(default=None, description="U(X), with k")
    coverage_factor: float | None = Field(default=None, description="k of U(X)")
    standard_uncertainty: float | None = Field(
        default=None, description="u(X), instead of U and k (En then takes U = 2u)"
    )
    unit: str | None = Field(default=None, max_length=16, description="Checked against results")


class ParticipantSpec(_Strict):
    id: str = Field(min_length=1, max_length=100)
    value: float
    expanded_uncertainty: float | None = Field(default=None, description="U(x), with k")
    coverage_factor: float | None = Field(default=None, description="k of U(x)")
    unit: str | None = Field(default=None, max_length=16)


SCORE_EXAMPLE: JsonDict = {
    "assigned_value": {"value": 0.044, "expanded_uncertainty": 0.0082, "coverage_factor": 2},
    "consensus": None,
    "sigma_pt": 0.0066,
    "delta_e": 0.0198,
    "u_min": 0.0041,
    "participants": [
        {"id": "L01", "value": 0.053, "expanded_uncertainty": 0.007, "coverage_factor": 2},
        {"id": "L03", "value": 0.037, "expanded_uncertainty": 0.013, "coverage_factor": 2},
    ],
}


class ScoreRequest(_Strict):
    """A comparison round: the participants' results and how to judge them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [SCORE_EXAMPLE]})
    assigned_value: AssignedValueSpec | None = Field(
        default=None, description="The reference value; null: the consensus gives it"
    )
    consensus: Consensus | None = Field(
        default=None,
        description="Consensus of the participants: the assigned value when none is given, "
        "otherwise checked against it (ISO 13528:2022 7.8)",
    )
    sigma_pt: float | Literal["participants_sd", "algorithm_a_sd"] | None = Field(
        default=None, description="Standard deviation for proficiency assessment (z, z')"
    )
    delta_e: float | None = Field(default=None, description="Maximum permissible error (PA)")
    u_min: float | None = Field(default=None, description="Least credible u(x) (9.8 flags)")
    participants: list[ParticipantSpec] = Field(min_length=1, max_length=10_000)


class AssignedValue(BaseModel):
    value: float
    standard_uncertainty: float
    method: Literal["reference", "algorithm_a", "median", "mean"]


class AlgorithmA(BaseModel):
    mean: float
    sd: float
    standard_uncertainty: float = Field(description="1.25 s*/sqrt(p)")


class Statistics(BaseModel):
    n: int
    mean: float
    sd: float | None
    median: float
    niqr: float
    made: float
    algorithm_a: AlgorithmA | None


class Verdicts(BaseModel):
    En: Literal["satisfactory", "unsatisfactory"] | None
    z: Verdict | None
    z_prime: Verdict | None
    zeta: Verdict | None


class ParticipantScores(BaseModel):
    id: str
    D: float
    D_percent: float | None
    PA: float | None
    z: float | None
    z_prime: float | None
    zeta: float | None
    En: float | None
    u_flag: Literal["a", "b", "c"] | None
    verdicts: Verdicts


class ConsensusCheck(BaseModel):
    """ISO 13528:2022 7.8: is the consensus compatible with the reference value?"""

    consensus: Consensus
    consensus_value: float
    consensus_standard_uncertainty: float
    difference: float = Field(description="reference - consensus")
    standard_uncertainty_of_difference: float
    compatible: bool = Field(description="|difference| <= 2 u(difference)")


class ScoreResponse(BaseModel):
    assigned_value: AssignedValue
    sigma_pt: float | None
    statistics: Statistics
    participants: list[ParticipantScores]
    consensus_check: ConsensusCheck | None
    warnings: list[str]


OWN_UNCERTAINTY_EXAMPLE: JsonDict = {
    "calibrated_value": 25.0012,
    "calibration_expanded_uncertainty": 0.0008,
    "calibration_coverage_factor": 2,
    "measurements": [25.0031, 25.0027, 25.0035, 25.0029, 25.0033],
    "u_b": 0.0003,
    "u_w": 0.0002,
    "k": 2,
    "bias": "corrected",
}


class OwnUncertaintyRequest(_Strict):
    """Repeated measurements of a calibrated piece by the company (ISO 15530-3)."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [OWN_UNCERTAINTY_EXAMPLE]}
    )
    calibrated_value: float = Field(description="The lab's value of the calibrated piece")
    calibration_expanded_uncertainty: float
    calibration_coverage_factor: float
    measurements: list[float] = Field(
        min_length=2, max_length=100_000, description="The company's repeated measurements"
    )
    u_b: float = Field(description="Standard uncertainty of the bias: temperature, expansion")
    u_w: float = Field(description="Standard uncertainty from workpiece variation")
    k: float = Field(default=2, description="Coverage factor of the stated U")
    bias: Literal["corrected", "included"] = Field(
        description="corrected: the company subtracts b (ISO 15530-3:2011); "
        "included: b is added to U (ISO/TS 15530-3:2004)"
    )


class OwnUncertaintyResponse(BaseModel):
    mean: float
    bias: float
    u_cal: float
    u_p: float
    u_b: float
    u_w: float
    expanded_uncertainty: float = Field(
        description="ISO 15530-3:2011: k sqrt(u_cal^2 + u_p^2 + u_b^2 + u_w^2), bias corrected"
    )
    expanded_uncertainty_2004: float = Field(
        description="ISO/TS 15530-3:2004: k sqrt(u_cal^2 + u_p^2 + u_w^2) + |b|"
    )
    stated: Literal["ISO 15530-3:2011", "ISO/TS 15530-3:2004"]
    statement: str
    warnings: list[str]
