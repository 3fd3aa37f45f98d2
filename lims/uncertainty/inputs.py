"""Input quantities: estimates, standard uncertainties, degrees of freedom and how to draw them.

Each request input becomes an :class:`Input` holding what both methods need: GUM propagation
uses ``value``, ``standard_uncertainty`` and ``dof``; Monte Carlo draws from the distribution
(JCGM 101 6.4). Every check of meaning is made here, so that a bad input is refused with the
JSON path of the field before anything is evaluated.
"""

import math
from collections.abc import Sequence, Set
from typing import Any, NamedTuple

import numpy as np

from lims.uncertainty.errors import UncertaintyInputError
from lims.uncertainty.expression import check_input_name
from lims.uncertainty.schemas import CorrelationSpec, InputSpec

#: u = half_width / divisor for the symmetric distributions with a half-width (GUM 4.3.7-4.3.9).
_DIVISORS = {"rectangular": math.sqrt(3.0), "triangular": math.sqrt(6.0), "arcsine": math.sqrt(2.0)}


class Input(NamedTuple):
    """An input quantity X_i.

    ``dof`` is ``math.inf`` when infinite. ``half_width`` (and ``beta`` for trapezoidal) describe
    the bounded distributions; a ``t`` or ``type_a`` input is drawn by Monte Carlo as a scaled and
    shifted t with ``dof`` degrees of freedom and scale ``scale`` (JCGM 101 6.4.9), which
    defaults to ``standard_uncertainty``.

    A named tuple rather than a frozen dataclass: as immutable, and several times cheaper to
    build, which counts in a GUM evaluation of a few microseconds per input.

    >>> Input("a", 2.0, 0.1).variance
    0.010000000000000002
    >>> Input.rectangular("b", 0.0, half_width=math.sqrt(3.0)).standard_uncertainty
    1.0
    """

    name: str
    value: float
    standard_uncertainty: float
    distribution: str = "normal"
    dof: float = math.inf
    half_width: float | None = None
    beta: float | None = None
    scale: float | None = None

    @classmethod
    def rectangular(cls, name: str, value: float, half_width: float) -> "Input":
        """A rectangular input of half-width ``half_width``: u = a / sqrt(3)."""
        return cls(name, value, half_width / math.sqrt(3.0), "rectangular", half_width=half_width)

    @property
    def variance(self) -> float:
        return self.standard_uncertainty * self.standard_uncertainty

    def draw(self, rng: np.random.Generator, size: int) -> np.ndarray:
        """``size`` independent draws from the input's distribution (JCGM 101 6.4).

        >>> rng = np.random.Generator(np.random.PCG64(1))
        >>> draws = Input.rectangular("b", 10.0, half_width=1.0).draw(rng, 100_000)
        >>> bool(9.0 <= draws.min() and draws.max() <= 11.0)
        True
        """
        x, u = self.value, self.standard_uncertainty
        match self.distribution:
            case "normal":
                out = rng.standard_normal(size)
                out *= u
            case "t" | "type_a":
                out = rng.standard_t(self.dof, size)
                out *= u if self.scale is None else self.scale
            case "rectangular":
                a = _half_width(self)
                out = rng.random(size)
                out *= 2.0 * a
                out -= a
            case "triangular":
                # The difference of two uniforms on (0, a) is triangular on (-a, a).
                a = _half_width(self)
                out = rng.random(size)
                out -= rng.random(size)
                out *= a
            case "arcsine":
                # JCGM 101 6.4.6: x + a sin(theta), theta uniform on (0, 2 pi).
                a = _half_width(self)
                out = rng.random(size)
                out *= 2.0 * math.pi
                np.sin(out, out=out)
                out *= a
            case "trapezoidal":
                # JCGM 101 6.4.4 with limits x - a, x + a: a ((1 + beta) r1 + (1 - beta) r2) - a.
                a, beta = _half_width(self), self.beta or 0.0
                out = rng.random(size)
                out *= (1.0 + beta) * a
                second = rng.random(size)
                second *= (1.0 - beta) * a
                out += second
                out -= a
            case _:  # pragma: no cover - the schema admits no other names
                raise AssertionError(self.distribution)
        out += x
        return out


def _half_width(item: Input) -> float:
    if item.half_width is not None:
        return item.half_width
    if item.distribution == "trapezoidal":
        return item.standard_uncertainty / math.sqrt((1.0 + (item.beta or 0.0) ** 2) / 6.0)
    return item.standard_uncertainty * _DIVISORS[item.distribution]


def _bad(message: str, *location: str | int, code: str, **params: Any) -> UncertaintyInputError:
    return UncertaintyInputError(message, location=location, code=code, **params)


_NUMBERS = frozenset(
    (
        "value",
        "standard_uncertainty",
        "expanded_uncertainty",
        "coverage_factor",
        "dof",
        "relative_uncertainty_of_uncertainty",
        "half_width",
        "beta",
        "scale",
    )
)


_COMMON = {"name", "distribution", "value"}
_WIDTH = {"half_width", "standard_uncertainty", "dof", "relative_uncertainty_of_uncertainty"}
_FIELD_ORDER = tuple(InputSpec.model_fields)
#: The request fields that apply to each kind of input; any other field given is refused.
_APPLICABLE: dict[str, set[str]] = {
    "normal": _COMMON
    | {
        "standard_uncertainty",
        "expanded_uncertainty",
        "coverage_factor",
        "dof",
        "relative_uncertainty_of_uncertainty",
    },
    "t": _COMMON | {"scale", "standard_uncertainty", "dof"},
    "rectangular": _COMMON | _WIDTH,
    "triangular": _COMMON | _WIDTH,
    "arcsine": _COMMON | _WIDTH,
    "trapezoidal": _COMMON | _WIDTH | {"beta"},
    "type_a": _COMMON | {"observations"},
}


def _finite(spec: InputSpec, index: int, fields: Set[str]) -> None:
    for field in fields & _NUMBERS:
        value = getattr(spec, field)
        if value is not None and not math.isfinite(value):
            raise _bad(
                "Input '%(spec)s': %(field)s is %(value)s; give a finite number.",
                "inputs",
                index,
                field,
                code="uncertainty.input_give_finite_number",
                spec=spec.name,
                field=field,
                value=value,
            )
    for position, value in enumerate(spec.observations or ()):
        if not math.isfinite(value):
            raise _bad(
                ("Input '%(spec)s': observation %(value)s is %(value2)s; give finite numbers."),
                "inputs",
                index,
                "observations",
                position,
                code="uncertainty.input_observation_give_finite_numbers",
                spec=spec.name,
                value=position + 1,
                value2=value,
            )


def _positive_dof(spec: InputSpec, index: int) -> float:
    dof, r = spec.dof, spec.relative_uncertainty_of_uncertainty
    if dof is not None and r is not None:
        raise _bad(
            ("Input '%(spec)s': give dof or relative_uncertainty_of_uncertainty, not both."),
            "inputs",
            index,
            "dof",
            code="uncertainty.input_give_dof_relative_uncertainty",
            spec=spec.name,
        )
    if dof is not None:
        if dof <= 0:
            raise _bad(
                (
                    "Input '%(spec)s': dof must be greater than zero (got %(dof)g); omit "
                    "it for infinite degrees of freedom."
                ),
                "inputs",
                index,
                "dof",
                code="uncertainty.input_dof_must_greater_than",
                spec=spec.name,
                dof=dof,
            )
        return dof
    if r is not None:
        if r <= 0:
            raise _bad(
                (
                    "Input '%(spec)s': relative_uncertainty_of_uncertainty must be greater "
                    "than zero (got %(r)g)."
                ),
                "inputs",
                index,
                "relative_uncertainty_of_uncertainty",
                code="uncertainty.input_relative_uncertainty_uncertainty_must",
                spec=spec.name,
                r=r,
            )
        # GUM G.4.2 (eq. G.3): nu = 1 / (2 R^2); infinite when 2 R^2 underflows to zero.
        twice_square = 2.0 * r * r
        return 1.0 / twice_square if twice_square else math.inf
    return math.inf


def _refuse_fields(spec: InputSpec, index: int, kind: str, fields: Sequence[str]) -> None:
    for field in fields:
        if getattr(spec, field) is not None:
            raise _bad(
                ("Input '%(spec)s': %(field)s does not apply to a %(kind)s input; remove it."),
                "inputs",
                index,
                field,
                code="uncertainty.input_does_apply_input_remove",
                spec=spec.name,
                field=field,
                kind=kind,
            )


def _non_negative(spec: InputSpec, index: int, field: str, value: float) -> float:
    if value < 0:
        raise _bad(
            "Input '%(spec)s': %(field)s must not be negative (got %(value)g).",
            "inputs",
            index,
            field,
            code="uncertainty.input_must_negative_got",
            spec=spec.name,
            field=field,
            value=value,
        )
    return value


def _require_value(spec: InputSpec, index: int) -> float:
    if spec.value is None:
        raise _bad(
            "Input '%(spec)s': give its value (estimate).",
            "inputs",
            index,
            "value",
            code="uncertainty.input_give_value_estimate",
            spec=spec.name,
        )
    return spec.value


def input_from_spec(spec: InputSpec, index: int) -> Input:
    """Check one request input and turn it into an :class:`Input`.

    ``index`` is its position in the request, for the location of an error.

    >>> spec = InputSpec(name="d", observations=[1.0, 2.0, 3.0])
    >>> item = input_from_spec(spec, 0)
    >>> item.value, round(item.standard_uncertainty, 4), item.dof
    (2.0, 0.5774, 2.0)
    >>> input_from_spec(InputSpec(name="w", value=1.0, distribution="rectangular"), 3)
    ... # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lims.uncertainty.errors.UncertaintyInputError: Input 'w': a rectangular input needs ...
    """
    name = spec.name  # pydantic attributes cost a few times a plain one: each read once
    problem = check_input_name(name)
    if problem:
        raise _bad(
            "%(reason)s",
            "inputs",
            index,
            "name",
            code="uncertainty.input_name_refused",
            reason=problem,
        )
    fields = spec.model_fields_set
    _finite(spec, index, fields)
    kind = spec.distribution or ("type_a" if spec.observations is not None else "normal")

    inapplicable = fields - _APPLICABLE[kind]
    if inapplicable:
        # In the schema's field order, so that the error names the first such field.
        _refuse_fields(spec, index, kind, [f for f in _FIELD_ORDER if f in inapplicable])
    if kind == "type_a":
        return _type_a(spec, index)
    value = _require_value(spec, index)
    dof = _positive_dof(spec, index)

    if kind == "normal":
        return Input(name, value, _normal_uncertainty(spec, index), "normal", dof)

    if kind == "t":
        given = _one_of(spec, index, kind, "scale")
        if spec.dof is None:
            raise _bad(
                "Input '%(name)s': a t input needs its dof (degrees of freedom).",
                "inputs",
                index,
                "dof",
                code="uncertainty.input_t_input_needs_dof",
                name=name,
            )
        if spec.scale is not None:
            # JCGM 101 6.4.9: GUM propagation takes the scale as the standard uncertainty.
            return Input(name, value, given, "t", dof, scale=given)
        if dof <= 2:
            raise _bad(
                (
                    "Input '%(name)s': a t distribution with dof <= 2 has no standard "
                    "deviation; give its scale instead of standard_uncertainty."
                ),
                "inputs",
                index,
                "standard_uncertainty",
                code="uncertainty.input_t_distribution_dof_2",
                name=name,
            )
        # A t given by its standard deviation (NIST TN 1900): rescale for the draws.
        return Input(name, value, given, "t", dof, scale=given * math.sqrt((dof - 2.0) / dof))

    beta = 0.0
    if kind == "trapezoidal":
        if spec.beta is None:
            raise _bad(
                (
                    "Input '%(name)s': a trapezoidal input needs beta (0 <= beta <= 1), "
                    "the ratio of its top to its base half-width."
                ),
                "inputs",
                index,
                "beta",
                code="uncertainty.input_trapezoidal_input_needs_beta",
                name=name,
            )
        if not 0.0 <= spec.beta <= 1.0:
            raise _bad(
                "Input '%(name)s': beta must lie between 0 and 1 (got %(beta)g).",
                "inputs",
                index,
                "beta",
                code="uncertainty.input_beta_must_lie_between",
                name=name,
                beta=spec.beta,
            )
        beta = spec.beta
    width = _one_of(spec, index, kind, "half_width")
    if spec.half_width is None:
        return Input(name, value, width, kind, dof, beta=beta if kind == "trapezoidal" else None)
    if kind == "trapezoidal":
        # GUM 4.3.9 with half-widths a (base) and beta*a (top): u^2 = a^2 (1 + beta^2) / 6.
        u = width * math.sqrt((1.0 + beta * beta) / 6.0)
        return Input(name, value, u, kind, dof, half_width=width, beta=beta)
    return Input(name, value, width / _DIVISORS[kind], kind, dof, half_width=width)


def _one_of(spec: InputSpec, index: int, kind: str, field: str) -> float:
    """The distribution's own parameter ``field``, or standard_uncertainty instead of it."""
    own, standard = getattr(spec, field), spec.standard_uncertainty
    if own is not None and standard is not None:
        raise _bad(
            "Input '%(spec)s': give %(field)s or standard_uncertainty, not both.",
            "inputs",
            index,
            "standard_uncertainty",
            code="uncertainty.input_give_standard_uncertainty_both",
            spec=spec.name,
            field=field,
        )
    if own is not None:
        chosen, value = field, own
    elif standard is not None:
        chosen, value = "standard_uncertainty", standard
    else:
        raise _bad(
            ("Input '%(spec)s': a %(kind)s input needs %(field)s (or standard_uncertainty)."),
            "inputs",
            index,
            field,
            code="uncertainty.input_input_needs_standard_uncertainty",
            spec=spec.name,
            kind=kind,
            field=field,
        )
    _non_negative(spec, index, chosen, value)
    if kind == "t" and value == 0:
        raise _bad(
            "Input '%(spec)s': the scale of a t input must be greater than zero.",
            "inputs",
            index,
            chosen,
            code="uncertainty.input_scale_t_input_must",
            spec=spec.name,
        )
    return value


def _normal_uncertainty(spec: InputSpec, index: int) -> float:
    name, u, expanded, k = (
        spec.name,
        spec.standard_uncertainty,
        spec.expanded_uncertainty,
        spec.coverage_factor,
    )
    if u is not None:
        if expanded is not None:
            raise _bad(
                (
                    "Input '%(name)s': give standard_uncertainty or expanded_uncertainty "
                    "with coverage_factor, not both."
                ),
                "inputs",
                index,
                "expanded_uncertainty",
                code="uncertainty.input_give_standard_uncertainty_expanded",
                name=name,
            )
        if k is not None:
            _refuse_fields(
                spec, index, "normal input with a standard_uncertainty", ["coverage_factor"]
            )
        return _non_negative(spec, index, "standard_uncertainty", u)
    if expanded is None:
        raise _bad(
            (
                "Input '%(name)s': a normal input needs standard_uncertainty, or "
                "expanded_uncertainty with coverage_factor."
            ),
            "inputs",
            index,
            "standard_uncertainty",
            code="uncertainty.input_normal_input_needs_standard",
            name=name,
        )
    _non_negative(spec, index, "expanded_uncertainty", expanded)
    if k is None:
        raise _bad(
            "Input '%(name)s': expanded_uncertainty needs its coverage_factor (k).",
            "inputs",
            index,
            "coverage_factor",
            code="uncertainty.input_expanded_uncertainty_needs_coverage",
            name=name,
        )
    if k <= 0:
        raise _bad(
            "Input '%(name)s': coverage_factor must be greater than zero.",
            "inputs",
            index,
            "coverage_factor",
            code="uncertainty.input_coverage_factor_must_greater",
            name=name,
        )
    u = expanded / k
    if not math.isfinite(u):  # a tiny k
        raise _overflow(spec, index, "expanded_uncertainty")
    return u


def _overflow(spec: InputSpec, index: int, field: str) -> UncertaintyInputError:
    return _bad(
        (
            "Input '%(spec)s': its standard uncertainty or estimate overflows "
            "floating point (it is too large); express the input in other units."
        ),
        "inputs",
        index,
        field,
        code="uncertainty.input_standard_uncertainty_estimate_overflows",
        spec=spec.name,
    )


def _type_a(spec: InputSpec, index: int) -> Input:
    name = spec.name
    observations = spec.observations or []
    if len(observations) < 2:
        raise _bad(
            "Input '%(name)s': a type_a input needs at least two observations.",
            "inputs",
            index,
            "observations",
            code="uncertainty.input_type_input_needs_least",
            name=name,
        )
    data = np.asarray(observations, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):  # refused below if not finite
        mean = float(data.mean())
        spread = float(data.std(ddof=1))
    if spec.value is not None and not math.isclose(spec.value, mean, rel_tol=1e-9, abs_tol=1e-12):
        raise _bad(
            (
                "Input '%(name)s': value %(spec)g is not the mean of the observations "
                "(%(mean)g); omit value for a type_a input."
            ),
            "inputs",
            index,
            "value",
            code="uncertainty.input_value_mean_observations_omit",
            name=name,
            spec=spec.value,
            mean=mean,
        )
    n = data.size
    # GUM 4.2.3: u = s / sqrt(n) with n - 1 degrees of freedom.
    u = spread / math.sqrt(n)
    if not (math.isfinite(mean) and math.isfinite(u)):  # observations near the float limit
        raise _overflow(spec, index, "observations")
    return Input(name, mean, u, "type_a", float(n - 1))


def correlation_matrix(
    inputs: Sequence[Input], correlations: Sequence[CorrelationSpec]
) -> np.ndarray | None:
    """The correlation matrix of ``inputs``, checked; None when all are uncorrelated.

    >>> items = [Input("a", 1.0, 0.1), Input("b", 2.0, 0.2)]
    >>> correlation_matrix(items, [CorrelationSpec(between=("a", "b"), r=0.5)]).tolist()
    [[1.0, 0.5], [0.5, 1.0]]
    """
    if not correlations:
        return None
    index = {item.name: i for i, item in enumerate(inputs)}
    matrix = np.eye(len(inputs))
    seen: set[frozenset[str]] = set()
    for number, pair in enumerate(correlations):
        a, b = pair.between
        for side, name in enumerate((a, b)):
            if name not in index:
                raise _bad(
                    (
                        "Correlation between '%(a)s' and '%(b)s': there is no input named "
                        "'%(name)s'."
                    ),
                    "correlations",
                    number,
                    "between",
                    side,
                    code="uncertainty.correlation_between_there_input_named",
                    a=a,
                    b=b,
                    name=name,
                )
        if a == b:
            raise _bad(
                "Correlation between '%(a)s' and itself: name two different inputs.",
                "correlations",
                number,
                "between",
                code="uncertainty.correlation_between_itself_name_two",
                a=a,
            )
        if frozenset((a, b)) in seen:
            raise _bad(
                ("The correlation between '%(a)s' and '%(b)s' is given twice; give it once."),
                "correlations",
                number,
                "between",
                code="uncertainty.correlation_between_given_twice_give",
                a=a,
                b=b,
            )
        seen.add(frozenset((a, b)))
        if not math.isfinite(pair.r) or abs(pair.r) > 1.0:
            raise _bad(
                (
                    "Correlation between '%(a)s' and '%(b)s' is %(r)g; a correlation "
                    "coefficient lies between -1 and 1."
                ),
                "correlations",
                number,
                "r",
                code="uncertainty.correlation_between_correlation_coefficient_lies",
                a=a,
                b=b,
                r=pair.r,
            )
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = pair.r
    if not any(pair.r != 0.0 for pair in correlations):
        return None
    smallest = float(np.linalg.eigvalsh(matrix)[0])
    if smallest < -1e-12:
        raise _bad(
            (
                "The correlation coefficients are inconsistent: the correlation matrix "
                "is not positive semi-definite (smallest eigenvalue %(smallest).3g). "
                "Check the signs and sizes of the coefficients."
            ),
            "correlations",
            code="uncertainty.correlation_coefficients_inconsistent_correlation_matrix",
            smallest=smallest,
        )
    return matrix
