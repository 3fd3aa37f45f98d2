"""GUM propagation (JCGM 100): sensitivities, combined and effective dof, k, budget.

Sensitivity coefficients are exact partial derivatives of the parsed model (see
:mod:`lims.uncertainty.expression`), evaluated at the input estimates.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import special

from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.expression import Model, describe_fault, find_fault
from lims.uncertainty.inputs import Input


@dataclass(frozen=True, slots=True)
class BudgetEntry:
    """One line of an uncertainty budget; ``index_percent`` = 100 (c_i u_i)^2 / u_c^2."""

    input: str
    value: float
    standard_uncertainty: float
    distribution: str
    dof: float
    sensitivity: float
    contribution: float
    index_percent: float | None


@dataclass(frozen=True, slots=True)
class GumOutput:
    """The GUM result for one output. ``dof`` is inf when infinite, None when W-S does not apply."""

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
    tail = (1.0 + coverage_probability) / 2.0
    if dof is None or math.isinf(dof):
        return float(special.ndtri(tail))
    # The small allowance keeps a W-S result of 15.999999999 (rounding error) at 16.
    return float(special.stdtrit(max(1, math.floor(dof + 1e-9)), tail))


def welch_satterthwaite(u_c: float, contributions: Sequence[float], dofs: Sequence[float]) -> float:
    """nu_eff = u_c^4 / sum((c_i u_i)^4 / nu_i) (GUM G.4.1), unrounded; inf when all infinite.

    >>> welch_satterthwaite(2.0, [1.0, 1.0, 1.0, 1.0], [3.0] * 4)
    12.0
    """
    if u_c == 0.0:
        return math.inf
    # In ratios to u_c, so that large numbers cannot overflow the fourth powers.
    denominator = math.fsum(
        (c / u_c) ** 4 / nu
        for c, nu in zip(contributions, dofs, strict=True)
        if c and math.isfinite(nu)
    )
    return math.inf if denominator == 0.0 else 1.0 / denominator


def _evaluate_at_estimate(model: Model, env: Mapping[str, np.float64], where: tuple) -> float:
    value = model.evaluate(env)
    if not np.isfinite(value):
        fault = find_fault(model.tree, env)
        what = describe_fault(fault) if fault is not None else "is not finite"
        raise UncertaintyInputError(
            f"At the input estimates the model {what}; change the model or the estimates.",
            location=where,
            position=None if fault is None else fault.position,
        )
    return float(value)


def _sensitivities(
    model: Model, inputs: Sequence[Input], env: Mapping[str, np.float64], where: tuple
) -> list[float]:
    c = [0.0] * len(inputs)
    with np.errstate(all="ignore"):
        for i, item in enumerate(inputs):
            if item.name in model.names:
                c[i] = float(model.derivative(item.name)(env))
    for item, value in zip(inputs, c, strict=True):
        if not math.isfinite(value):
            raise UncertaintyInputError(
                f"The sensitivity coefficient to '{item.name}' (the partial derivative) is "
                "not finite at the input estimates, for example sqrt(x) at x = 0; GUM "
                "propagation does not apply there. Use method 'mcm' or change the model.",
                location=where,
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
    warnings: list[str] = []
    env = {item.name: np.float64(item.value) for item in inputs}
    u = np.array([item.standard_uncertainty for item in inputs])
    dofs = [item.dof for item in inputs]
    jacobian = np.empty((len(models), len(inputs)))
    values = []
    for row, (name, model) in enumerate(models.items()):
        where = (locations or {}).get(name, ("models", name))
        values.append(_evaluate_at_estimate(model, env, where))
        jacobian[row] = _sensitivities(model, inputs, env, where)

    with np.errstate(all="ignore"):
        scaled = jacobian * u  # c_i u(x_i) per output and input
        covariance = scaled @ (scaled.T if correlation is None else correlation @ scaled.T)
    if not np.all(np.isfinite(covariance)):
        raise UncertaintyInputError(
            "The combined uncertainty overflows floating point (an uncertainty is too large); "
            "express the inputs in other units.",
            location=("inputs",),
        )
    standard = np.sqrt(np.clip(np.diag(covariance), 0.0, None))

    outputs = []
    for row, name in enumerate(models):
        contributions = scaled[row].tolist()
        sensitivities = jacobian[row].tolist()
        u_c = float(standard[row])
        dof: float | None = welch_satterthwaite(u_c, contributions, dofs)
        correlated = correlation is not None and _correlated(correlation, scaled[row])
        pairs = zip(contributions, dofs, strict=True)
        if correlated and any(c and math.isfinite(nu) for c, nu in pairs):
            warnings.append(
                f"{name}: the Welch-Satterthwaite formula does not apply to correlated "
                "inputs, so no effective degrees of freedom are given (dof null) and the "
                "coverage factor is taken from the normal distribution."
            )
            dof = None
        k = fixed_coverage_factor or coverage_factor(coverage_probability, dof)
        second = None
        if second_order:
            if correlated:
                warnings.append(
                    f"{name}: the second-order terms of GUM 5.1.2 hold for uncorrelated inputs "
                    "only; no second-order standard uncertainty is given."
                )
            else:
                extra = _second_order_variance(models[name], inputs, env)
                if math.isfinite(extra):
                    second = math.sqrt(max(u_c * u_c + extra, 0.0))
                else:
                    warnings.append(
                        f"{name}: the second-order terms are not finite at the input estimates "
                        "(a higher derivative is undefined there); use method 'mcm'."
                    )
        budget = [
            BudgetEntry(
                input=item.name,
                value=item.value,
                standard_uncertainty=item.standard_uncertainty,
                distribution=item.distribution,
                dof=item.dof,
                sensitivity=sensitivity,
                contribution=contribution,
                index_percent=100.0 * (contribution / u_c) ** 2 if u_c else None,
            )
            for item, sensitivity, contribution in zip(
                inputs, sensitivities, contributions, strict=True
            )
        ]
        outputs.append(
            GumOutput(
                name=name,
                value=values[row],
                standard_uncertainty=u_c,
                dof=dof,
                coverage_factor=k,
                coverage_probability=coverage_probability,
                expanded_uncertainty=k * u_c,
                budget=budget,
                second_order_standard_uncertainty=second,
            )
        )
    return GumResult(outputs, covariance, covariance_to_correlation(covariance), warnings)


def _correlated(correlation: np.ndarray, contributions: np.ndarray) -> bool:
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
        return np.ones((1, 1))
    sd = np.sqrt(np.clip(np.diag(covariance), 0.0, None))
    with np.errstate(all="ignore"):
        result = covariance / np.outer(sd, sd)
    result[~np.isfinite(result)] = 0.0
    np.fill_diagonal(result, 1.0)
    return np.clip(result, -1.0, 1.0)
