"""Conformity decisions (ILAC-G8:09/2019) with the probability of conformance (JCGM 106:2012).

Rules and the statements they give (ILAC-G8 4.2), for a tolerance interval [T_L, T_U] and a
guard band w, the acceptance interval being [T_L + w, T_U - w]:

- ``simple_acceptance`` (w = 0, 4.2.1): pass inside the tolerance interval, fail outside.
- ``guard_band_U`` (w = U) and ``guard_band_rU`` (w = r U): by default the non-binary statement
  of 4.2.3 (pass inside the acceptance interval; conditional pass in the guard band inside the
  tolerance; conditional fail outside the tolerance by at most w; fail beyond), or with
  ``binary`` true the binary statement of 4.2.2 (pass inside the acceptance interval, else fail).
- ``customer``: pass inside the customer's acceptance limits, or when the probability of
  conformance reaches the customer's minimum; fail otherwise.

The probability of conformance is that of the measurand lying in the tolerance interval given
the measured value, for a normal distribution with standard deviation u, or a scaled and
shifted t with ``dof`` degrees of freedom (JCGM 106:2012 clause 7).

Each decision records, beside the rule and its statement, the guard band w, the tolerance and
acceptance limits, the probability of conformance and, for a two-sided tolerance, the
measurement capability index C_m = (T_U - T_L) / (4 u) of JCGM 106:2012 and the
test-uncertainty ratio TUR = (T_U - T_L) / (2 U) (the span of the tolerance over twice the
expanded uncertainty, as ANSI/NCSL Z540.3 defines it; with k = 2, TUR = C_m). Simple acceptance
takes no account of U, so it is checked: below the lab's minimum TUR (default 4:1) or below its
minimum probability of conformance (default 95 %) it warns, or by the lab's policy refuses.
"""

import math
from collections.abc import Mapping
from typing import Any

from scipy import special

from lims.reasons import Reason
from lims.uncertainty.errors import SimpleAcceptanceRefused, UncertaintyInputError
from lims.uncertainty.reporting import format_coverage_factor
from lims.uncertainty.schemas import CapabilityPolicy, CustomerRule, DecisionRequest
from lims.uncertainty.warning_text import WarningText

DEFAULT_COVERAGE_FACTOR = 2.0


def probability_of_conformance(
    value: float,
    standard_uncertainty: float,
    lower_limit: float | None = None,
    upper_limit: float | None = None,
    dof: float | None = None,
) -> float:
    """P(T_L <= Y <= T_U) for Y ~ N(value, u^2), or scaled t with ``dof`` (JCGM 106 7.4).

    >>> round(probability_of_conformance(9.98, 0.01, upper_limit=10.0), 4)
    0.9772
    >>> round(probability_of_conformance(9.98, 0.01, upper_limit=10.0, dof=5), 4)
    0.949
    """
    if standard_uncertainty == 0.0:
        inside = (lower_limit is None or value >= lower_limit) and (
            upper_limit is None or value <= upper_limit
        )
        return 1.0 if inside else 0.0

    def cdf(limit: float) -> float:
        z = (limit - value) / standard_uncertainty
        return float(special.ndtr(z) if dof is None else special.stdtr(dof, z))

    high = 1.0 if upper_limit is None else cdf(upper_limit)
    low = 0.0 if lower_limit is None else cdf(lower_limit)
    return max(high - low, 0.0)


def _bad(message: str, *location: str | int, code: str, **params: Any) -> UncertaintyInputError:
    return UncertaintyInputError(message, location=location, code=code, **params)


def _check_numbers(request: DecisionRequest) -> None:
    for field in (
        "value",
        "expanded_uncertainty",
        "coverage_factor",
        "standard_uncertainty",
        "dof",
        "lower_limit",
        "upper_limit",
        "r",
    ):
        number = getattr(request, field)
        if number is not None and not math.isfinite(number):
            raise _bad(
                "%(field)s is %(number)s; give a finite number.",
                field,
                code="uncertainty.give_finite_number",
                field=field,
                number=number,
            )
    for field in ("expanded_uncertainty", "standard_uncertainty", "r"):
        number = getattr(request, field)
        if number is not None and number < 0:
            raise _bad(
                "%(field)s must not be negative (got %(number)g).",
                field,
                code="uncertainty.must_negative_got",
                field=field,
                number=number,
            )
    for field in ("coverage_factor", "dof"):
        number = getattr(request, field)
        if number is not None and number <= 0:
            raise _bad(
                "%(field)s must be greater than zero (got %(number)g).",
                field,
                code="uncertainty.must_greater_than_zero_got",
                field=field,
                number=number,
            )


def _uncertainties(request: DecisionRequest, warnings: list[str]) -> tuple[float, float, float]:
    """(U, k, u) from what the request gives."""
    big, k, small = (
        request.expanded_uncertainty,
        request.coverage_factor,
        request.standard_uncertainty,
    )
    if small is None:
        if big is None:
            raise _bad(
                (
                    "Give the uncertainty of the result: expanded_uncertainty with "
                    "coverage_factor, or standard_uncertainty."
                ),
                "expanded_uncertainty",
                code="uncertainty.give_uncertainty_result_expanded_uncertainty",
            )
        if k is None:
            raise _bad(
                ("expanded_uncertainty needs its coverage_factor (or give standard_uncertainty)."),
                "coverage_factor",
                code="uncertainty.expanded_uncertainty_needs_coverage_factor",
            )
        return big, k, big / k
    if k is None:
        k = (
            DEFAULT_COVERAGE_FACTOR
            if big is None
            else big / small
            if small
            else DEFAULT_COVERAGE_FACTOR
        )
        if big is None:
            warnings.append(
                WarningText(
                    Reason(
                        "No coverage_factor given: the expanded uncertainty is taken as U = 2 u."
                    )
                )
            )
    return (k * small if big is None else big), k, small


def _fmt(number: float) -> str:
    return f"{number:.6g}"


def capability(
    lower: float | None, upper: float | None, expanded: float, standard: float
) -> tuple[float | None, float | None]:
    """(C_m, TUR) of a two-sided tolerance; None where undefined (one limit, or no uncertainty).

    C_m = (T_U - T_L) / (4 u) (JCGM 106:2012 7.6); TUR = (T_U - T_L) / (2 U) (ANSI/NCSL Z540.3).

    >>> capability(-2.0, 2.0, 1.5, 0.75)
    (1.3333333333333333, 1.3333333333333333)
    >>> capability(None, 2.0, 1.5, 0.75)
    (None, None)
    """
    if lower is None or upper is None:
        return None, None
    span = upper - lower
    return _finite_ratio(span, 4 * standard), _finite_ratio(span, 2 * expanded)


def _finite_ratio(numerator: float, denominator: float) -> float | None:
    # Extreme inputs overflow to inf, which no JSON answer can carry: no index then.
    if not denominator > 0:
        return None
    ratio = numerator / denominator
    return ratio if math.isfinite(ratio) else None


def _check_simple_acceptance(
    policy: CapabilityPolicy,
    ratio: float | None,
    probability: float,
    warnings: list[str],
) -> None:
    """Warn (or refuse, by the lab's policy) a simple acceptance the uncertainty cannot carry."""
    problems = []
    if ratio is not None and ratio < policy.min_test_uncertainty_ratio:
        problems.append(
            Reason(
                "the test-uncertainty ratio (T_U - T_L)/(2U) is %(ratio).2f:1, below the lab's "
                "minimum %(minimum)g:1",
                ratio=ratio,
                minimum=policy.min_test_uncertainty_ratio,
            )
        )
    if probability < policy.min_probability_of_conformance:
        problems.append(
            Reason(
                "the probability of conformance is %(percent).1f %%, below the lab's minimum "
                "%(minimum)g %%",
                percent=probability * 100,
                minimum=policy.min_probability_of_conformance * 100,
            )
        )
    if not problems:
        return
    message = Reason(
        "Simple acceptance (ILAC-G8:09/2019 4.2.1) takes no account of the uncertainty and "
        "%(problems)s",
        problems=problems[0]
        if len(problems) == 1
        else Reason("%(first)s; %(second)s", first=problems[0], second=problems[1]),
    )
    if policy.refuse:
        raise SimpleAcceptanceRefused(
            (
                "%(reason)s: the lab refuses such a statement; use a guard-band rule "
                "(guard_band_U or guard_band_rU) or reduce the uncertainty."
            ),
            location=("rule",),
            code="uncertainty.lab_refuses_such_statement_use",
            reason=message,
        )
    warnings.append(
        WarningText(Reason("%(reason)s: the statement of conformity is at risk.", reason=message))
    )


def _statement(request: DecisionRequest, guard_band: float, k: float) -> tuple[str, str]:
    rule = request.rule
    if rule == "simple_acceptance":
        return (
            "Decision rule: simple acceptance (ILAC-G8:09/2019, 4.2.1; guard band w = 0). The "
            "result is stated to conform (pass) when the measured value lies within the "
            "tolerance limits, and not to conform (fail) otherwise. The measurement "
            "uncertainty is not taken into account; for a value at a tolerance limit the "
            "probability of a wrong decision may be up to 50 %.",
            "Päätössääntö: yksinkertainen hyväksyntä (ILAC-G8:09/2019, 4.2.1; suojakaista "
            "w = 0). Tulos todetaan vaatimustenmukaiseksi (hyväksytty), kun mitattu arvo on "
            "toleranssirajojen sisällä, ja muuten ei-vaatimustenmukaiseksi (hylätty). "
            "Mittausepävarmuutta ei oteta huomioon; toleranssirajalla olevan arvon kohdalla "
            "virheellisen päätöksen todennäköisyys voi olla jopa 50 %.",
        )
    if rule in ("guard_band_U", "guard_band_rU"):
        factor = 1.0 if rule == "guard_band_U" else request.r or 0.0
        band_en = "w = U" if rule == "guard_band_U" else f"w = r·U with r = {_fmt(factor)}"
        band_fi = (
            "w = U" if rule == "guard_band_U" else f"w = r·U, r = {_fmt(factor).replace('.', ',')}"
        )
        k_en = format_coverage_factor(k)
        k_fi = k_en.replace(".", ",")
        if request.binary:
            return (
                f"Decision rule: binary statement with guard band {band_en} (ILAC-G8:09/2019, "
                f"4.2.2), U being the expanded uncertainty (k = {k_en}). Pass: the measured "
                "value lies within the acceptance limits, the tolerance limits moved inwards by "
                "w. Fail: otherwise.",
                f"Päätössääntö: kaksiarvoinen päätös suojakaistalla {band_fi} "
                f"(ILAC-G8:09/2019, 4.2.2), missä U on laajennettu epävarmuus (k = {k_fi}). "
                "Hyväksytty: mitattu arvo on hyväksymisrajojen sisällä (toleranssirajat "
                "siirrettyinä sisäänpäin w:n verran). Hylätty: muutoin.",
            )
        return (
            f"Decision rule: non-binary statement with guard band {band_en} (ILAC-G8:09/2019, "
            f"4.2.3), U being the expanded uncertainty (k = {k_en}). Pass: the measured value "
            "lies within the acceptance limits, the tolerance limits moved inwards by w. "
            "Conditional pass: it lies within the tolerance limits but in the guard band. "
            "Conditional fail: it lies outside the tolerance limits by at most w. Fail: it lies "
            "outside the tolerance limits by more than w.",
            f"Päätössääntö: moniarvoinen päätös suojakaistalla {band_fi} (ILAC-G8:09/2019, "
            f"4.2.3), missä U on laajennettu epävarmuus (k = {k_fi}). Hyväksytty: mitattu "
            "arvo on hyväksymisrajojen sisällä (toleranssirajat siirrettyinä sisäänpäin w:n "
            "verran). Ehdollisesti hyväksytty: arvo on toleranssirajojen sisällä mutta "
            "suojakaistalla. Ehdollisesti hylätty: arvo on toleranssirajojen ulkopuolella "
            "enintään w:n verran. Hylätty: arvo on toleranssirajojen ulkopuolella enemmän kuin "
            "w:n verran.",
        )
    customer = _customer_rule(request)
    if customer.minimum_probability_of_conformance is not None:
        percent = f"{customer.minimum_probability_of_conformance * 100:g}"
        return (
            f"Decision rule agreed with the customer: {customer.statement} Pass: the "
            f"probability of conformance (JCGM 106:2012) is at least {percent} %. Fail: "
            "otherwise.",
            f"Asiakkaan kanssa sovittu päätössääntö: {customer.statement} Hyväksytty: "
            "vaatimustenmukaisuuden todennäköisyys (JCGM 106:2012) on vähintään "
            f"{percent.replace('.', ',')} %. Hylätty: muutoin.",
        )
    return (
        f"Decision rule agreed with the customer: {customer.statement} Pass: the measured "
        "value lies within the agreed acceptance limits. Fail: otherwise.",
        f"Asiakkaan kanssa sovittu päätössääntö: {customer.statement} Hyväksytty: mitattu arvo "
        "on sovittujen hyväksymisrajojen sisällä. Hylätty: muutoin.",
    )


def _within(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def decide(
    request: Mapping[str, Any] | DecisionRequest, policy: CapabilityPolicy | None = None
) -> dict[str, Any]:
    """Decide conformity of a measured result with a tolerance by a decision rule.

    Request: see :class:`~lims.uncertainty.schemas.DecisionRequest`. Response (JSON-ready):
    ``decision`` (pass | conditional_pass | conditional_fail | fail),
    ``probability_of_conformance``, ``tolerance`` and ``acceptance_interval`` [low, high] (None
    for a side without a limit), ``guard_band`` w, ``expanded_uncertainty`` U with its
    ``coverage_factor`` k and ``standard_uncertainty`` u, ``measurement_capability_index`` C_m
    and ``test_uncertainty_ratio`` (None for a one-sided tolerance), ``rule`` {name, statement,
    statement_fi} and ``warnings``. ``policy`` is the lab's check of simple acceptance (default:
    warn below 4:1 or 95 %).

    >>> result = decide({"value": 9.9975, "expanded_uncertainty": 0.004, "coverage_factor": 2,
    ...                  "lower_limit": 9.99, "upper_limit": 10.0, "rule": "guard_band_U"})
    >>> result["decision"], result["acceptance_interval"], round(result["guard_band"], 6)
    ('conditional_pass', [9.994, 9.996], 0.004)
    >>> round(result["probability_of_conformance"], 3)
    0.894
    """
    if not isinstance(request, DecisionRequest):
        request = DecisionRequest.model_validate(request)
    _check_numbers(request)
    warnings: list[str] = []
    lower, upper = request.lower_limit, request.upper_limit
    if lower is None and upper is None:
        raise _bad(
            "Give a tolerance: lower_limit, upper_limit or both.",
            "upper_limit",
            code="uncertainty.give_tolerance_lower_limit_upper",
        )
    if lower is not None and upper is not None and lower >= upper:
        raise _bad(
            "lower_limit (%(lower)g) must be below upper_limit (%(upper)g).",
            "lower_limit",
            code="uncertainty.lower_limit_must_below_upper",
            lower=lower,
            upper=upper,
        )
    expanded, k, u = _uncertainties(request, warnings)
    if not all(math.isfinite(number) for number in (expanded, k, u)):
        # Each is finite alone, yet U/k (or k*u) overflows for a vanishing or huge k.
        raise _bad(
            (
                "U, k and u = U/k must be finite: the coverage factor does not fit the "
                "uncertainty given (k too small for U, or too large for u)."
            ),
            "coverage_factor",
            code="uncertainty.u_k_u_u_k",
        )
    dof = None
    if request.distribution == "t":
        if request.dof is None:
            raise _bad(
                "The t distribution needs dof (degrees of freedom).",
                "dof",
                code="uncertainty.t_distribution_needs_dof_degrees",
            )
        dof = request.dof
    elif request.dof is not None:
        warnings.append(
            WarningText(
                Reason(
                    "dof is ignored for the normal distribution; give distribution 't' to use it."
                )
            )
        )
    probability = probability_of_conformance(request.value, u, lower, upper, dof)

    rule = request.rule
    if rule != "guard_band_rU" and request.r is not None:
        raise _bad(
            "r applies to the rule guard_band_rU only; remove it.",
            "r",
            code="uncertainty.r_applies_rule_guard_band",
        )
    if rule != "customer" and request.customer_rule is not None:
        raise _bad(
            "customer_rule applies to the rule customer only; remove it.",
            "customer_rule",
            code="uncertainty.customer_rule_applies_rule_customer",
        )
    binary = request.binary or rule in ("simple_acceptance", "customer")
    if rule == "simple_acceptance":
        guard = 0.0
        accept = (lower, upper)
    elif rule == "guard_band_U":
        guard = expanded
        accept = (_shift(lower, guard), _shift(upper, -guard))
    elif rule == "guard_band_rU":
        if request.r is None:
            raise _bad(
                "The rule guard_band_rU needs r (w = r U).",
                "r",
                code="uncertainty.rule_guard_band_ru_needs",
            )
        guard = request.r * expanded
        accept = (_shift(lower, guard), _shift(upper, -guard))
    else:
        guard, accept = _customer(request, u, dof, lower, upper, warnings)

    if accept[0] is not None and accept[1] is not None and accept[0] > accept[1]:
        warnings.append(
            WarningText(
                Reason(
                    "The guard band is wider than half the tolerance: the acceptance interval is "
                    "empty and no result can pass."
                )
            )
        )
    statement, statement_fi = _statement(request, guard, k)
    index, ratio = capability(lower, upper, expanded, u)
    if rule == "simple_acceptance":
        _check_simple_acceptance(policy or CapabilityPolicy(), ratio, probability, warnings)

    value = request.value
    if (
        rule == "customer"
        and request.customer_rule is not None
        and (request.customer_rule.minimum_probability_of_conformance is not None)
    ):
        minimum = request.customer_rule.minimum_probability_of_conformance
        decision = "pass" if probability >= minimum else "fail"
    elif _within(value, *accept):
        decision = "pass"
    elif binary:
        decision = "fail"
    elif _within(value, lower, upper):
        decision = "conditional_pass"
    elif _within(value, _shift(lower, -guard), _shift(upper, guard)):
        decision = "conditional_fail"
    else:
        decision = "fail"
    return {
        "decision": decision,
        "probability_of_conformance": probability,
        "tolerance": [lower, upper],
        "acceptance_interval": list(accept),
        "guard_band": guard,
        "expanded_uncertainty": expanded,
        "coverage_factor": k,
        "standard_uncertainty": u,
        "measurement_capability_index": index,
        "test_uncertainty_ratio": ratio,
        "rule": {"name": rule, "statement": statement, "statement_fi": statement_fi},
        "warnings": warnings,
    }


def _shift(limit: float | None, by: float) -> float | None:
    return None if limit is None else limit + by


def _customer_rule(request: DecisionRequest) -> CustomerRule:
    if request.customer_rule is None:
        raise _bad(
            (
                "The rule customer needs customer_rule: the agreed statement with "
                "acceptance_limits or minimum_probability_of_conformance."
            ),
            "customer_rule",
            code="uncertainty.rule_customer_needs_customer_rule",
        )
    return request.customer_rule


def _customer(
    request: DecisionRequest,
    u: float,
    dof: float | None,
    lower: float | None,
    upper: float | None,
    warnings: list[str],
) -> tuple[float, tuple[float | None, float | None]]:
    customer = _customer_rule(request)
    limits, minimum = customer.acceptance_limits, customer.minimum_probability_of_conformance
    if limits is not None and minimum is None:
        low, high = limits
        if (low is None) != (lower is None) or (high is None) != (upper is None):
            raise _bad(
                (
                    "customer_rule.acceptance_limits must have a limit on the same sides "
                    "as the tolerance (null where there is no tolerance limit)."
                ),
                "customer_rule",
                "acceptance_limits",
                code="uncertainty.customer_rule_acceptance_limits_must",
            )
        bands = [b for b in (_gap(low, lower), _gap(upper, high)) if b is not None]
        return max(bands), (low, high)
    if minimum is None or limits is not None:
        raise _bad(
            (
                "customer_rule needs exactly one of acceptance_limits and "
                "minimum_probability_of_conformance."
            ),
            "customer_rule",
            code="uncertainty.customer_rule_needs_exactly_one",
        )
    # One-sided guarded acceptance (JCGM 106 8.3.2): w = z_p u keeps the conformance
    # probability at a single limit at the minimum; with two limits close together the
    # decision, made on the probability itself, can be stricter than this interval.
    z = float(special.ndtri(minimum) if dof is None else special.stdtrit(dof, minimum))
    guard = max(z * u, 0.0)
    if lower is not None and upper is not None and 2 * guard >= upper - lower:
        warnings.append(
            WarningText(
                Reason(
                    "The tolerance is narrow compared with the uncertainty: the acceptance "
                    "interval is indicative; the decision is made on the probability of "
                    "conformance."
                )
            )
        )
    return guard, (_shift(lower, guard), _shift(upper, -guard))


def _gap(inner: float | None, outer: float | None) -> float | None:
    return None if inner is None or outer is None else inner - outer
