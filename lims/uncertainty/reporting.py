"""Rounding for the certificate (GUM 7.2.6, ILAC-P14).

The expanded uncertainty is given to at most two significant digits and the value rounded to
the same decimal place. Both use the usual rule, round half up: ILAC-P14 (01/2013, 6.3 b) says
"the usual rules for rounding of numbers shall be used, subject to the guidance on rounding
provided i.e. in Section 7 of the GUM". GUM 7.2.6 permits rounding an uncertainty up instead;
we do not, so that the printed U is the nearest two-digit number to the computed one.
"""

import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache

#: Passed to each Decimal operation (cheaper than entering a local context every call).
#: Quantizing needs as many digits as the result has: 100 covers 1e87 to the 1e-13 place.
_CONTEXT = Context(prec=100)
_ONE = Decimal(1)


def _decimal(number: float) -> Decimal:
    # repr gives the shortest decimal that round-trips, which is what a person would type.
    return Decimal(repr(float(number)))


def significant_quantum(uncertainty: float, digits: int = 2) -> Decimal:
    """The decimal place (as a power of ten) of ``uncertainty`` rounded to ``digits`` digits.

    >>> significant_quantum(92.9), significant_quantum(0.0291), significant_quantum(99.7)
    (Decimal('1'), Decimal('0.001'), Decimal('1E+1'))
    """
    return _quantum(_decimal(abs(uncertainty)), digits)


def _quantum(value: Decimal, digits: int = 2) -> Decimal:
    quantum = _ONE.scaleb(value.adjusted() - digits + 1, _CONTEXT)
    rounded = value.quantize(quantum, ROUND_HALF_UP, _CONTEXT)
    if rounded.adjusted() > value.adjusted():  # 99.7 -> 100 has gained a digit
        quantum = quantum.scaleb(1, _CONTEXT)
    return quantum


def round_to(number: float, quantum: Decimal) -> str:
    """``number`` rounded half up to the decimal place ``quantum``, in plain notation.

    >>> round_to(50000838.6, Decimal(1)), round_to(10000.025, Decimal("0.001"))
    ('50000839', '10000.025')
    >>> round_to(1e200, Decimal("1e-200")) == "1" + "0" * 200 + "." + "0" * 200
    True
    """
    return _round(_decimal(number), quantum)


def _round(value: Decimal, quantum: Decimal) -> str:
    try:
        rounded = value.quantize(quantum, ROUND_HALF_UP, _CONTEXT)
    except InvalidOperation:  # more digits than _CONTEXT holds: give it as many as it takes
        exponent = quantum.as_tuple().exponent
        if not isinstance(exponent, int):
            raise ValueError(f"cannot round to {quantum}: a quantum is a finite number") from None
        digits = value.adjusted() - exponent + 3
        rounded = value.quantize(quantum, ROUND_HALF_UP, Context(prec=digits))
    # -0.004 rounds to zero, which has no sign on a certificate.
    return f"{rounded.copy_abs() if rounded.is_zero() else rounded:f}"


def _to_two_digits(uncertainty: float) -> tuple[str, Decimal]:
    """An uncertainty (> 0) to two significant digits, and the decimal place it ends at."""
    value = _decimal(uncertainty)  # converted once: the conversion costs most here
    quantum = _quantum(value)
    return _round(value, quantum), quantum


def rounded_result(value: float, expanded_uncertainty: float | None) -> tuple[str, str | None]:
    """The value and U as a certificate prints them: U to two significant digits, the value
    to the same decimal place (ILAC-P14 6.3); without an uncertainty the value as recorded.

    >>> rounded_result(50000838.6, 92.9), rounded_result(0.4853, 0.0291), rounded_result(0.5, None)
    (('50000839', '93'), ('0.485', '0.029'), ('0.5', None))
    """
    if expanded_uncertainty is None or not (
        expanded_uncertainty > 0 and math.isfinite(expanded_uncertainty)
    ):
        return repr(float(value)), None
    expanded, quantum = _to_two_digits(expanded_uncertainty)
    return round_to(value, quantum), expanded


def format_coverage_factor(coverage_factor: float) -> str:
    """k as every statement prints it: two decimals (EA-4/02 gives k = 2.00, 2.92), never the
    floating-point remainder of U / u.

    >>> format_coverage_factor(2.00009), format_coverage_factor(2.9157)
    ('2.00', '2.92')
    """
    return f"{coverage_factor:.2f}"


@lru_cache(maxsize=256)  # a handful of probabilities recur in every request
def format_probability(probability: float) -> str:
    """Coverage probability as a percentage, e.g. '95 %' or '95.45 %'.

    >>> format_probability(0.99), format_probability(0.9545)
    ('99 %', '95.45 %')
    """
    return f"{round(probability * 100.0, 6):g} %"


def report_gum(
    name: str,
    value: float,
    standard_uncertainty: float,
    expanded_uncertainty: float,
    coverage_factor: float,
    coverage_probability: float,
    dof: float | None,
) -> dict:
    """The strings for a certificate from a GUM result (EA-4/02 statement).

    >>> block = report_gum("l", 50000838.6, 31.8, 92.9, 2.92, 0.99, 16.7)
    >>> block["value"], block["expanded_uncertainty"], block["coverage_factor"]
    ('50000839', '93', '2.92')
    """
    if expanded_uncertainty > 0 and math.isfinite(expanded_uncertainty):
        expanded, quantum = _to_two_digits(expanded_uncertainty)
        shown = round_to(value, quantum)
        standard = _to_two_digits(standard_uncertainty)[0]
    else:
        expanded, shown, standard = "0", repr(float(value)), "0"
    k = format_coverage_factor(coverage_factor)
    p = format_probability(coverage_probability)
    if dof is None or math.isinf(dof):
        basis = "a normal distribution"
    else:
        basis = f"a t-distribution with {math.floor(dof + 1e-9)} effective degrees of freedom"
    statement = (
        f"{name} = ({shown} ± {expanded}). The reported expanded uncertainty of measurement is "
        f"stated as the standard uncertainty of measurement multiplied by the coverage factor "
        f"k = {k}, which for {basis} corresponds to a coverage probability of approximately "
        f"{p}."
    )
    return {
        "basis": "gum",
        "value": shown,
        "standard_uncertainty": standard,
        "expanded_uncertainty": expanded,
        "coverage_factor": k,
        "coverage_probability": p,
        "interval": None,
        "statement": statement,
    }


def report_mcm(
    name: str,
    value: float,
    standard_uncertainty: float,
    interval: tuple[float, float],
    coverage_probability: float,
    trials: int,
) -> dict:
    """The strings for a certificate from a Monte Carlo result (JCGM 101 7.8).

    The standard uncertainty is given to two significant digits, the value and the interval
    endpoints to the same decimal place.

    >>> block = report_mcm("Y", 0.0012, 2.0012, (-3.9213, 3.9158), 0.95, 10**6)
    >>> block["value"], block["standard_uncertainty"], block["interval"]
    ('0.0', '2.0', ['-3.9', '3.9'])
    """
    if standard_uncertainty > 0 and math.isfinite(standard_uncertainty):
        standard, quantum = _to_two_digits(standard_uncertainty)
        shown = round_to(value, quantum)
        low, high = (round_to(end, quantum) for end in interval)
    else:
        standard, shown = "0", repr(float(value))
        low, high = (repr(float(end)) for end in interval)
    p = format_probability(coverage_probability)
    statement = (
        f"{name} = {shown} with standard uncertainty {standard}; the probabilistically "
        f"symmetric {p} coverage interval is [{low}, {high}], obtained by the Monte Carlo "
        f"method of JCGM 101:2008 with {trials} trials."
    )
    return {
        "basis": "mcm",
        "value": shown,
        "standard_uncertainty": standard,
        "expanded_uncertainty": None,
        "coverage_factor": None,
        "coverage_probability": p,
        "interval": [low, high],
        "statement": statement,
    }
