"""Request and response of an RR-test evaluation (``POST /api/v1/rr/evaluate``, ``lims rr
evaluate``).  Other tools read these names: change them only with a new API version.

The request models check types and shapes; checks of meaning (an unbalanced design, one
operator, no variation, a tolerance that contradicts its limits) are made by
:func:`lims.training.rr.evaluate_rr`, which raises :class:`~lims.errors.InvalidInput` with the
JSON path of the field.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic.json_schema import JsonDict, JsonValue

Design = Literal["crossed", "nested", "type1", "linearity"]
Method = Literal["anova", "average_range"]
FDenominator = Literal["interaction", "error"]
NegativeComponents = Literal["zero", "keep"]
NdcRounding = Literal["floor", "round"]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Finite = Annotated[float, Field(allow_inf_nan=False)]
Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]

#: The keys of every block of variance components, in the order reports show them.
COMPONENTS = ("repeatability", "operator", "interaction", "reproducibility", "grr", "part", "total")


class Measurement(BaseModel):
    """One reading: which part, who measured it, which repeat, and the value."""

    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)
    part: Label | None = Field(default=None, description="Part (sample) identifier")
    operator: Label | None = Field(default=None, description="Who measured: the operator label")
    trial: Label | None = Field(
        default=None, description="Repeat of the part by the operator; null: in the given order"
    )
    value: Finite
    reference: Finite | None = Field(
        default=None, description="Reference value of the part (type 1, linearity)"
    )


def _crossed_example() -> list[JsonValue]:
    # Three parts, two operators, two trials: the smallest study the methods accept.
    values = {
        ("1", "A"): (10.02, 10.03),
        ("2", "A"): (10.11, 10.10),
        ("3", "A"): (9.95, 9.96),
        ("1", "B"): (10.04, 10.03),
        ("2", "B"): (10.12, 10.13),
        ("3", "B"): (9.97, 9.95),
    }
    return [
        {"part": part, "operator": operator, "trial": str(trial), "value": value}
        for (part, operator), pair in values.items()
        for trial, value in enumerate(pair, start=1)
    ]


RR_EXAMPLE: JsonDict = {
    "design": "crossed",
    "method": "anova",
    "measurements": _crossed_example(),
    "tolerance": 0.5,
    "lsl": None,
    "usl": None,
    "reference": None,
    "study_multiplier": 6,
    "pool_interaction_above_p": 0.05,
    "f_denominator": "interaction",
    "negative_components": "zero",
    "ndc_factor": 1.41,
    "process_variation": None,
}


class RRRequest(BaseModel):
    """A measurement system study and the conventions to evaluate it by."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [RR_EXAMPLE]})
    design: Design = Field(
        description="crossed: every operator measures every part; nested: parts within "
        "operators (destructive tests); type1: one part against its reference; linearity: "
        "reference parts across the range"
    )
    method: Method = Field(
        default="anova", description="crossed only: ANOVA or AIAG average and range"
    )
    measurements: list[Measurement] = Field(min_length=1, max_length=100_000)
    tolerance: Positive | None = Field(default=None, description="USL - LSL")
    lsl: Finite | None = Field(default=None, description="Lower specification limit")
    usl: Finite | None = Field(default=None, description="Upper specification limit")
    reference: Finite | None = Field(
        default=None, description="Type 1: the reference value of the part"
    )
    study_multiplier: Positive = Field(
        default=6, description="Study variation = multiplier x SD (6: 99.73 %, 5.15: 99 %)"
    )
    pool_interaction_above_p: Annotated[float, Field(ge=0, le=1)] | None = Field(
        default=0.05,
        description="Pool the part x operator interaction into repeatability when its p-value "
        "is above this (AIAG, Minitab: 0.05; some use 0.25); null: never pool",
    )
    f_denominator: FDenominator = Field(
        default="interaction",
        description="F of part and operator against the interaction (random model, Minitab) "
        "or against repeatability",
    )
    negative_components: NegativeComponents = Field(
        default="zero", description="Negative variance estimates: set to zero or shown as they are"
    )
    ndc_factor: Positive = Field(
        default=1.41, description="ndc = factor x PV / GRR (AIAG: 1.41; exactly: sqrt 2)"
    )
    ndc_rounding: NdcRounding = Field(
        default="floor", description="ndc rounded down (AIAG, Minitab) or to the nearest"
    )
    process_variation: Positive | None = Field(
        default=None,
        description="Known process variation (multiplier x process SD): crossed and nested "
        "take the total variation from it, linearity scales linearity and %bias by it",
    )


# -- the response ---------------------------------------------------------------------------


class AnovaRow(BaseModel):
    df: int
    ss: float
    ms: float | None
    f: float | None
    p: float | None


class CrossedTable(BaseModel):
    part: AnovaRow
    operator: AnovaRow
    interaction: AnovaRow
    repeatability: AnovaRow
    total: AnovaRow


class ReducedTable(BaseModel):
    part: AnovaRow
    operator: AnovaRow
    repeatability: AnovaRow
    total: AnovaRow


class NestedTable(BaseModel):
    operator: AnovaRow
    part_within_operator: AnovaRow
    repeatability: AnovaRow
    total: AnovaRow


class Anova(BaseModel):
    full: CrossedTable | None
    reduced: ReducedTable | None
    nested: NestedTable | None


class Components(BaseModel):
    repeatability: float | None
    operator: float | None
    interaction: float | None
    reproducibility: float | None
    grr: float | None
    part: float | None
    total: float | None


class AverageRange(BaseModel):
    """AIAG MSA 4th edition average and range method; EV, AV, GRR, PV, TV are sigmas."""

    ev: float
    av: float
    grr: float
    pv: float
    tv: float
    pct_ev: float | None
    pct_av: float | None
    pct_grr: float | None
    pct_pv: float | None
    pct_tol_ev: float | None
    pct_tol_av: float | None
    pct_tol_grr: float | None
    pct_tol_pv: float | None
    ndc: int | None
    ndc_raw: float | None
    rbarbar: float
    xdiff: float
    rp: float
    ucl_r: float


class Type1(BaseModel):
    mean: float
    s: float
    bias: float
    t_bias: float = Field(description="Signed: bias / (s / sqrt n)")
    p_bias: float
    cg: float | None = Field(description="0.2 T / (L s), L the study multiplier (VDA 5, Minitab)")
    cgk: float | None = Field(description="(0.1 T - |bias|) / (L/2 s)")


class Linearity(BaseModel):
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
    linearity: float | None = Field(description="|slope| x process variation")
    pct_linearity: float = Field(description="100 |slope|")
    bias: dict[str, float] = Field(description='"average" and each reference value, e.g. "2"')
    pct_bias: dict[str, float | None]
    se_bias: dict[str, float | None]
    t_bias: dict[str, float | None] = Field(description="|bias| / se")
    p_bias: dict[str, float | None]


class RRResponse(BaseModel):
    anova: Anova | None
    interaction_pooled: bool | None
    variance_components: Components | None
    variance_components_raw: Components | None
    sd: Components | None
    study_variation: Components | None
    percent_contribution: Components | None
    percent_study_variation: Components | None
    percent_tolerance: Components | None
    ndc: int | None
    ndc_raw: float | None
    average_range: AverageRange | None
    type1: Type1 | None
    linearity: Linearity | None
    conventions: dict[str, object]
    warnings: list[str]
