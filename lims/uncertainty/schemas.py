"""Request and response schemas of the engine (the HTTP API uses them as its body schemas).

The request models check types and shapes only. Checks of meaning (a negative uncertainty,
dof <= 0, |r| > 1, NaN, names that do not resolve) are made by the engine, which raises
:class:`~lims.uncertainty.errors.UncertaintyInputError` with the JSON path of the field.
"""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import JsonDict

Distribution = Literal[
    "normal", "rectangular", "triangular", "arcsine", "trapezoidal", "t", "type_a"
]
Method = Literal["gum", "mcm", "both"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InputSpec(_Strict):
    """One input quantity X_i: its estimate and how its uncertainty is known."""

    name: str = Field(
        description="Name used in the model; an identifier that is not a function or "
        "constant name (not 'e', 'pi', 'sqrt', ...).",
        min_length=1,
        max_length=100,
    )
    distribution: Distribution | None = Field(
        default=None,
        description="normal | rectangular | triangular | arcsine | trapezoidal | t | type_a. "
        "Default: type_a when observations are given, normal otherwise.",
    )
    value: float | None = Field(
        default=None,
        description="Estimate x_i (centre of the distribution). For type_a it is the mean of "
        "the observations and may be omitted.",
    )
    standard_uncertainty: float | None = Field(
        default=None,
        description="Standard uncertainty u(x_i) >= 0 (normal). For rectangular, triangular, "
        "arcsine and trapezoidal it may replace half_width, for t it may replace scale.",
    )
    expanded_uncertainty: float | None = Field(
        default=None,
        description="Expanded uncertainty U (normal only), with its coverage_factor: u = U/k.",
    )
    coverage_factor: float | None = Field(
        default=None, description="Coverage factor k > 0 of expanded_uncertainty."
    )
    dof: float | None = Field(
        default=None,
        description="Degrees of freedom > 0; omitted or null means infinite. For t the "
        "distribution's own dof (required); for type_a it is n - 1 and must be omitted.",
    )
    relative_uncertainty_of_uncertainty: float | None = Field(
        default=None,
        description="Relative uncertainty R of u(x_i), > 0; gives dof = 1/(2 R^2) (GUM G.4.2).",
    )
    half_width: float | None = Field(
        default=None,
        description="Half-width a >= 0 of a rectangular, triangular, arcsine or trapezoidal "
        "distribution centred on value.",
    )
    beta: float | None = Field(
        default=None,
        description="Trapezoidal only: ratio 0 <= beta <= 1 of the top half-width to the base "
        "half-width (beta = 0 triangular, beta = 1 rectangular).",
    )
    scale: float | None = Field(
        default=None,
        description="Scaled and shifted t only: scale > 0; GUM propagation uses it as u(x_i) "
        "(JCGM 101 6.4.9).",
    )
    observations: list[float] | None = Field(
        default=None,
        description="type_a only: at least two repeated observations; estimate is their mean, "
        "u the experimental standard deviation of the mean, dof n - 1.",
    )


class CorrelationSpec(_Strict):
    """A correlation coefficient r(x_a, x_b); pairs not listed are uncorrelated."""

    between: tuple[str, str] = Field(description="The names of the two inputs.")
    r: float = Field(description="Correlation coefficient, -1 <= r <= 1.")


class McmSettings(_Strict):
    """Monte Carlo settings (JCGM 101)."""

    trials: int = Field(
        default=1_000_000,
        ge=1_000,
        le=1_000_000_000,
        description="Number of trials M; with adaptive true the maximum number of trials.",
    )
    adaptive: bool = Field(
        default=False,
        description="Run the adaptive procedure of JCGM 101 7.9 until the results are stable "
        "to significant_digits.",
    )
    significant_digits: int = Field(
        default=2,
        ge=1,
        le=6,
        description="ndig: significant digits of u(y) for the numerical tolerance of the "
        "adaptive procedure (7.9) and of the validation of GUM (clause 8).",
    )
    seed: int | None = Field(
        default=None,
        ge=0,
        lt=2**63,
        description="Seed of the PCG64 generator; chosen and reported when omitted.",
    )
    histogram_bins: int | None = Field(
        default=None,
        ge=10,
        le=500,
        description="Also give a histogram of the output values in this many bins (for a "
        "chart beside the GUM curve); null: none.",
    )


EVALUATION_EXAMPLE: JsonDict = {
    "model": "l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta)",
    "output": "l",
    "inputs": [
        {
            "name": "l_s",
            "distribution": "t",
            "value": 50000623.6,
            "scale": 25,
            "dof": 18,
        },
        {"name": "d", "value": 215, "standard_uncertainty": 9.7, "dof": 25.6},
        {
            "name": "alpha_s",
            "distribution": "rectangular",
            "value": 11.5e-6,
            "half_width": 2e-6,
        },
        {"name": "theta", "value": -0.1, "standard_uncertainty": 0.41},
        {
            "name": "d_alpha",
            "distribution": "rectangular",
            "value": 0,
            "half_width": 1e-6,
            "dof": 50,
        },
        {
            "name": "d_theta",
            "distribution": "rectangular",
            "value": 0,
            "half_width": 0.05,
            "dof": 2,
        },
    ],
    "coverage_probability": 0.99,
    "method": "both",
    "mcm": {"trials": 100000, "seed": 1},
}


class EvaluationRequest(_Strict):
    """A measurement model, its inputs, and how to evaluate the uncertainty."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EVALUATION_EXAMPLE]})

    model: str | None = Field(
        default=None,
        description="Measurement model Y = f(X), an expression over the input names: numbers, "
        "+ - * / **, unary minus, sqrt exp log log10 sin cos tan asin acos atan atan2 abs, "
        "pi and e. Give either model or models.",
        max_length=100_000,
    )
    models: dict[str, str] | None = Field(
        default=None,
        description="Several outputs sharing inputs (JCGM 102): output name -> expression.",
    )
    output: str | None = Field(
        default=None, description="Name of the single output of model (default 'y')."
    )
    inputs: list[InputSpec] = Field(description="The input quantities.")
    correlations: list[CorrelationSpec] = Field(
        default_factory=list, description="Correlation coefficients between inputs."
    )
    coverage_probability: float = Field(
        default=0.95, gt=0.0, lt=1.0, description="Coverage probability p, e.g. 0.95."
    )
    coverage_factor: float | None = Field(
        default=None,
        gt=0.0,
        description="A fixed coverage factor k; null means k = t_p(floor(nu_eff)) (GUM G.6.4).",
    )
    method: Method = Field(
        default="gum",
        description="gum: law of propagation of uncertainty; mcm: Monte Carlo (JCGM 101); "
        "both: both, and GUM validated against Monte Carlo (JCGM 101 clause 8).",
    )
    second_order: bool = Field(
        default=False,
        description="Also give the standard uncertainty with the second-order terms of "
        "GUM 5.1.2 note (uncorrelated inputs).",
    )
    mcm: McmSettings | None = Field(default=None, description="Monte Carlo settings.")


class BudgetRow(BaseModel):
    input: str
    value: float
    standard_uncertainty: float
    distribution: str
    dof: float | None = Field(description="null: infinite.")
    sensitivity: float = Field(description="Sensitivity coefficient c_i = df/dx_i.")
    contribution: float = Field(description="c_i * u(x_i), signed.")
    index_percent: float | None = Field(
        description="100 (c_i u(x_i))^2 / u_c^2 (uncorrelated share); null when u_c = 0."
    )


class Validation(BaseModel):
    d_low: float
    d_high: float
    tolerance: float
    passed: bool


class Histogram(BaseModel):
    edges: list[float] = Field(description="Bin edges, one more than counts.")
    counts: list[int] = Field(
        description="Trials per bin; the bins span the central 99.9 % of the trials, so the "
        "density of a bin is count / (trials * width)."
    )


class McmResult(BaseModel):
    value: float
    standard_uncertainty: float
    interval: list[float] = Field(description="Probabilistically symmetric interval.")
    shortest_interval: list[float]
    trials: int
    seed: int
    validation: Validation | None = Field(description="null unless method is both.")
    histogram: Histogram | None = Field(
        default=None,
        description="null unless mcm.histogram_bins was given and the model values could be "
        "kept in memory.",
    )


class Reported(BaseModel):
    basis: Literal["gum", "mcm"]
    value: str
    standard_uncertainty: str
    expanded_uncertainty: str | None
    coverage_factor: str | None
    coverage_probability: str
    interval: list[str] | None
    statement: str


class OutputResult(BaseModel):
    name: str
    value: float | None
    standard_uncertainty: float | None
    dof: float | None = Field(
        description="Effective dof (Welch-Satterthwaite); null: infinite "
        "or not applicable (see warnings)."
    )
    coverage_factor: float | None
    coverage_probability: float
    expanded_uncertainty: float | None
    interval: list[float] | None
    budget: list[BudgetRow] | None
    second_order_standard_uncertainty: float | None
    mcm: McmResult | None
    reported: Reported


class EvaluationResponse(BaseModel):
    outputs: list[OutputResult]
    correlation: list[list[float]] | None = Field(
        description="Correlation matrix of the outputs, in the order of outputs (several "
        "outputs only)."
    )
    warnings: list[str]


DecisionRuleName = Literal["simple_acceptance", "guard_band_U", "guard_band_rU", "customer"]


class CustomerRule(_Strict):
    """A rule agreed with the customer: acceptance limits or a minimum probability."""

    statement: str = Field(
        min_length=1, max_length=2000, description="The agreed rule in words, as agreed."
    )
    acceptance_limits: tuple[float | None, float | None] | None = Field(
        default=None, description="Acceptance limits [lower, upper]; null for a side without."
    )
    minimum_probability_of_conformance: float | None = Field(
        default=None,
        gt=0.0,
        lt=1.0,
        description="Conform when the probability of conformance is at least this.",
    )


class DecisionRequest(_Strict):
    """A measured result, a tolerance and the decision rule to apply (ILAC-G8:09/2019)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "value": 9.9975,
                    "expanded_uncertainty": 0.004,
                    "coverage_factor": 2,
                    "lower_limit": 9.99,
                    "upper_limit": 10.0,
                    "rule": "guard_band_U",
                }
            ]
        },
    )

    value: float = Field(description="Measured value y.")
    expanded_uncertainty: float | None = Field(
        default=None, description="Expanded uncertainty U (with coverage_factor)."
    )
    coverage_factor: float | None = Field(
        default=None, description="k of U; default 2 when only standard_uncertainty is given."
    )
    standard_uncertainty: float | None = Field(
        default=None, description="Standard uncertainty u; default U / k."
    )
    dof: float | None = Field(default=None, description="Degrees of freedom; null: infinite.")
    distribution: Literal["normal", "t"] = Field(
        default="normal",
        description="Distribution of the measurand for the probability of conformance: "
        "normal, or scaled t with dof (JCGM 106).",
    )
    lower_limit: float | None = Field(default=None, description="Lower tolerance limit T_L.")
    upper_limit: float | None = Field(default=None, description="Upper tolerance limit T_U.")
    rule: DecisionRuleName = Field(
        default="simple_acceptance",
        description="simple_acceptance (w = 0), guard_band_U (w = U), guard_band_rU "
        "(w = r U) or customer (customer_rule).",
    )
    r: float | None = Field(default=None, description="guard_band_rU only: w = r U, r >= 0.")
    binary: bool = Field(
        default=False,
        description="Guard-band rules: true for a binary pass/fail statement (ILAC-G8 4.2.2), "
        "false for pass / conditional pass / conditional fail / fail (4.2.3).",
    )
    customer_rule: CustomerRule | None = Field(default=None, description="rule customer only.")


class CapabilityPolicy(_Strict):
    """The lab's check of simple acceptance (ILAC-G8:09/2019 4.2.1), which ignores U."""

    min_test_uncertainty_ratio: float = Field(
        default=4.0, gt=0, description="Warn below this TUR = (T_U - T_L) / (2 U)."
    )
    min_probability_of_conformance: float = Field(
        default=0.95, gt=0, lt=1, description="Warn below this probability of conformance."
    )
    refuse: bool = Field(default=False, description="Refuse instead of warning.")


class RuleDescription(BaseModel):
    name: str
    statement: str
    statement_fi: str


class DecisionResponse(BaseModel):
    decision: Literal["pass", "conditional_pass", "conditional_fail", "fail"]
    probability_of_conformance: float
    tolerance: list[float | None]
    acceptance_interval: list[float | None]
    guard_band: float
    expanded_uncertainty: float
    coverage_factor: float
    standard_uncertainty: float
    measurement_capability_index: float | None = Field(
        description="C_m = (T_U - T_L) / (4 u) (JCGM 106:2012 7.6); null for a one-sided tolerance."
    )
    test_uncertainty_ratio: float | None = Field(
        description="TUR = (T_U - T_L) / (2 U); null for a one-sided tolerance."
    )
    rule: RuleDescription
    warnings: list[str]
