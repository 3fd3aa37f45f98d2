"""GUM propagation (JCGM 100): sensitivities, combined and effective dof, k, budget.

Sensitivity coefficients are exact partial derivatives of the parsed model (see
:mod:`lims.uncertainty.expression`), evaluated at the input estimates.
"""

import math
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import numpy as np
from scipy import special

from lims.reasons import Reason
from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.expression import Model, describe_fault, find_fault
from lims.uncertainty.inputs import Input
from lims.uncertainty.warning_text import WarningText


class BudgetEntry(NamedTuple):
    """One line of an uncertainty budget; ``index_percent`` = 100 (c_i u_i)^2 / u_c^2.

    A named tuple rather than a frozen dataclass: as immutable, and several times cheaper to
    build, which counts with a line per input in every GUM evaluation.
    """

    input: str
    value: float
    standard_uncertainty: float
    distribution: str
    dof: float
    sensitivity: float
    contribution: float
    index_percent: float | None


class GumOutput(NamedTuple):
    """The GUM result for one output. ``dof`` is inf when infinite, None when W-S does not apply.

    A named tuple, as :class:`BudgetEntry`: immutable and cheap to build.
    """

    name: str
    value: float
    standard_uncertainty: float
    dof: float | None
    coverage_factor: float
    coverage_probability: float
    expanded_uncertainty: float
    budget: list[BudgetEntry]
    second_order_standard_uncertainty: float | None = None

    @property
    def interval(self) -> tuple[float, float]:
        return (self.value - self.expanded_uncertainty, self.value + self.expanded_uncertainty)


@dataclass(frozen=True, slots=True)
class GumResult:
    """GUM results for every output, their covariance and correlation, and warnings."""

    outputs: list[GumOutput]
    covariance: np.ndarray
    correlation: np.ndarray
    warnings: list[str] = field(default_factory=list)


def coverage_factor(coverage_probability: float, dof: float | None) -> float:
    """k = t_p(floor(nu)) as in GUM G.6.4; the normal quantile for infinite (or no) dof.

    >>> round(coverage_factor(0.99, 16.7), 2)
    2.92
    >>> round(coverage_factor(0.95, math.inf), 3)
    1.96
    """
    if dof is None or math.isinf(dof):
        return _quantile(coverage_probability, None)
    # The small allowance keeps a W-S result of 15.999999999 (rounding error) at 16.
    return _quantile(coverage_probability, max(1, math.floor(dof + 1e-9)))


@lru_cache(maxsize=1024)
def _quantile(coverage_probability: float, dof: int | None) -> float:
    # Cached: a few (p, integer dof) pairs recur in every request, and SciPy's call costs
    # as much as the rest of a small budget.
    tail = (1.0 + coverage_probability) / 2.0
    if dof is None:
        return float(special.ndtri(tail))
    return float(special.stdtrit(dof, tail))


def welch_satterthwaite(u_c: float, contributions: Sequence[float], dofs: Sequence[float]) -> float:
    """nu_eff = u_c^4 / sum((c_i u_i)^4 / nu_i) (GUM G.4.1), unrounded; inf when all infinite.

    >>> welch_satterthwaite(2.0, [1.0, 1.0, 1.0, 1.0], [3.0] * 4)
    12.0
    """
    if u_c == 0.0:
        return math.inf
    # In ratios to u_c, so that large numbers cannot overflow the fourth powers.
    denominator = math.fsum(
        [
            (c / u_c) ** 4 / nu
            for c, nu in zip(contributions, dofs, strict=True)
            if c and nu < math.inf
        ]
    )
    return math.inf if denominator == 0.0 else 1.0 / denominator


def _evaluate_at_estimate(model: Model, env: Mapping[str, np.float64], where: tuple) -> float:
    value = float(model.function(env))  # under the caller's np.errstate
    if not math.isfinite(value):
        fault = find_fault(model.tree, env)
        what = describe_fault(fault) if fault is not None else Reason("is not finite")
        raise UncertaintyInputError(
            ("At the input estimates the model %(what)s; change the model or the estimates."),
            location=where,
            position=None if fault is None else fault.position,
            code="uncertainty.input_estimates_model_change_model",
            what=what,
        )
    return value


def _sensitivities(
    model: Model, inputs: Sequence[Input], env: Mapping[str, np.float64], where: tuple
) -> list[float]:
    # Under the caller's np.errstate: a fault gives inf or NaN, refused here with a message.
    gradient = model.gradient(tuple([item.name for item in inputs]))
    c = [0.0 if derivative is None else float(derivative(env)) for derivative in gradient]
    if not all(map(math.isfinite, c)):
        name = inputs[[math.isfinite(value) for value in c].index(False)].name
        raise UncertaintyInputError(
            (
                "The sensitivity coefficient to '%(name)s' (the partial derivative) is "
                "not finite at the input estimates, for example sqrt(x) at x = 0; GUM "
                "propagation does not apply there. Use method 'mcm' or change the "
                "model."
            ),
            location=where,
            code="uncertainty.sensitivity_coefficient_partial_derivative_finite",
            name=name,
        )
    return c


def _second_order_variance(
    model: Model, inputs: Sequence[Input], env: Mapping[str, np.float64]
) -> float:
    # GUM 5.1.2 note (uncorrelated, normal inputs):
    # sum_i sum_j [ (d2f/dxi dxj)^2 / 2 + df/dxi * d3f/dxi dxj^2 ] u_i^2 u_j^2.
    used = [item for item in inputs if item.name in model.names]
    with np.errstate(all="ignore"):
        return _second_order_sum(model, used, env)


def _second_order_sum(model: Model, used: list[Input], env: Mapping[str, np.float64]) -> float:
    total = 0.0
    for a in used:
        first = float(model.derivative(a.name)(env))
        for b in used:
            second = float(model.derivative(a.name, b.name)(env))
            third = float(model.derivative(a.name, b.name, b.name)(env))
            total += (0.5 * second * second + first * third) * a.variance * b.variance
    return total


def gum(
    models: Mapping[str, Model],
    inputs: Sequence[Input],
    correlation: np.ndarray | None = None,
    *,
    coverage_probability: float = 0.95,
    fixed_coverage_factor: float | None = None,
    second_order: bool = False,
    locations: Mapping[str, tuple[str | int, ...]] | None = None,
) -> GumResult:
    """Propagate the input uncertainties through each model (GUM 5.1, 5.2, G.4, G.6.4).

    ``correlation`` is the inputs' correlation matrix (None: uncorrelated); ``locations`` maps
    an output to the JSON path of its expression, for errors.

    >>> from lims.uncertainty.expression import parse_model
    >>> result = gum({"y": parse_model("a * b")}, [Input("a", 2.0, 0.1), Input("b", 3.0, 0.2)])
    >>> y = result.outputs[0]
    >>> y.value, round(y.standard_uncertainty, 12), round(y.expanded_uncertainty, 3)
    (6.0, 0.5, 0.98)
    >>> [(row.input, round(row.index_percent)) for row in y.budget]
    [('a', 36), ('b', 64)]
    """
    outputs, covariance, warnings = propagate(
        models,
        inputs,
        correlation,
        coverage_probability=coverage_probability,
        fixed_coverage_factor=fixed_coverage_factor,
        second_order=second_order,
        locations=locations,
    )
    matrix = np.array(covariance)
    return GumResult(outputs, matrix, covariance_to_correlation(matrix), warnings)


def propagate(
    models: Mapping[str, Model],
    inputs: Sequence[Input],
    correlation: np.ndarray | None = None,
    *,
    coverage_probability: float = 0.95,
    fixed_coverage_factor: float | None = None,
    second_order: bool = False,
    locations: Mapping[str, tuple[str | int, ...]] | None = None,
) -> tuple[list[GumOutput], list[list[float]], list[str]]:
    """:func:`gum` without the arrays: the outputs, their covariance and the warnings.

    For :func:`~lims.uncertainty.evaluation.evaluate`, which needs the outputs' correlation
    only when there are several, and for one output saves building two 1x1 arrays.
    """
    warnings: list[str] = []
    env = {item.name: np.float64(item.value) for item in inputs}
    u = [item.standard_uncertainty for item in inputs]
    dofs = [item.dof for item in inputs]
    values: list[float] = []
    jacobian: list[list[float]] = []
    with np.errstate(all="ignore"):
        for name, model in models.items():
            where = (locations or {}).get(name, ("models", name))
            values.append(_evaluate_at_estimate(model, env, where))
            jacobian.append(_sensitivities(model, inputs, env, where))
    # c_i u(x_i) per output and input; a product too large for a float is inf, refused below.
    scaled = [[c * u_i for c, u_i in zip(row, u, strict=True)] for row in jacobian]
    covariance = _covariance(scaled, correlation)
    if not all(math.isfinite(value) for row in covariance for value in row):
        raise UncertaintyInputError(
            (
                "The combined uncertainty overflows floating point (an uncertainty is "
                "too large); express the inputs in other units."
            ),
            location=("inputs",),
            code="uncertainty.combined_uncertainty_overflows_floating_point",
        )

    outputs = []
    for row, name in enumerate(models):
        contributions = scaled[row]
        u_c = math.sqrt(max(covariance[row][row], 0.0))
        correlated = correlation is not None and _correlated(correlation, contributions)
        dof: float | None
        pairs = zip(contributions, dofs, strict=True)
        if correlated and any(c and math.isfinite(nu) for c, nu in pairs):
            warnings.append(
                WarningText(
                    Reason(
                        "%(name)s: the Welch-Satterthwaite formula does not apply to correlated "
                        "inputs, so no effective degrees of freedom are given (dof null) and the "
                        "coverage factor is taken from the normal distribution.",
                        name=name,
                    )
                )
            )
            dof = None
        else:
            dof = welch_satterthwaite(u_c, contributions, dofs)
        k = fixed_coverage_factor or coverage_factor(coverage_probability, dof)
        second = None
        if second_order:
            if correlated:
                warnings.append(
                    WarningText(
                        Reason(
                            "%(name)s: the second-order terms of GUM 5.1.2 hold for uncorrelated "
                            "inputs only; no second-order standard uncertainty is given.",
                            name=name,
                        )
                    )
                )
            else:
                extra = _second_order_variance(models[name], inputs, env)
                if math.isfinite(extra):
                    second = math.sqrt(max(u_c * u_c + extra, 0.0))
                else:
                    warnings.append(
                        WarningText(
                            Reason(
                                "%(name)s: the second-order terms are not finite at the input "
                                "estimates (a higher derivative is undefined there); use method "
                                "'mcm'.",
                                name=name,
                            )
                        )
                    )
        outputs.append(
            GumOutput(
                name=name,
                value=values[row],
                standard_uncertainty=u_c,
                dof=dof,
                coverage_factor=k,
                coverage_probability=coverage_probability,
                expanded_uncertainty=k * u_c,
                budget=_budget(inputs, jacobian[row], contributions, u_c),
                second_order_standard_uncertainty=second,
            )
        )
    return outputs, covariance, warnings


def _covariance(scaled: list[list[float]], correlation: np.ndarray | None) -> list[list[float]]:
    """The outputs' covariance (J D) R (J D)^T, D = diag(u(x_i)), from ``scaled`` = J D."""
    if correlation is None:
        # R = I. In plain Python: for the handful of inputs of a typical model, NumPy's
        # per-call overhead costs more than the arithmetic. sum, not fsum: inf - inf is NaN
        # (refused by the caller) rather than an exception.
        return [[sum(map(operator.mul, a, b)) for b in scaled] for a in scaled]
    matrix = np.array(scaled)
    with np.errstate(all="ignore"):
        return (matrix @ correlation @ matrix.T).tolist()


def _budget(
    inputs: Sequence[Input], sensitivities: list[float], contributions: list[float], u_c: float
) -> list[BudgetEntry]:
    # ratio * ratio, not ratio ** 2, which raises OverflowError where this gives inf (refused
    # by evaluate()); a ratio above 1 takes correlated inputs that cancel.
    return [
        BudgetEntry(
            item.name,
            item.value,
            item.standard_uncertainty,
            item.distribution,
            item.dof,
            sensitivity,
            contribution,
            100.0 * (contribution / u_c) * (contribution / u_c) if u_c else None,
        )
        for item, sensitivity, contribution in zip(
            inputs, sensitivities, contributions, strict=True
        )
    ]


def _correlated(correlation: np.ndarray, contributions: Sequence[float]) -> bool:
    """Whether two inputs that both contribute to this output are correlated."""
    used = np.flatnonzero(contributions)
    block = correlation[np.ix_(used, used)]
    return bool(np.any(block[~np.eye(len(used), dtype=bool)] != 0.0))


def covariance_to_correlation(covariance: np.ndarray) -> np.ndarray:
    """Correlation matrix from a covariance matrix; 0 where a variance is zero.

    >>> covariance_to_correlation(np.array([[4.0, 2.0], [2.0, 4.0]])).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    if covariance.shape == (1, 1):
        return np.array([[1.0]])
    sd = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    with np.errstate(all="ignore"):
        result = covariance / np.outer(sd, sd)
    result[~np.isfinite(result)] = 0.0
    np.fill_diagonal(result, 1.0)
    return np.clip(result, -1.0, 1.0)
