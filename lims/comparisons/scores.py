"""Performance scores of a comparison round (ISO 13528:2022 clause 9, ISO/IEC 17043), pure.

:func:`score` takes a :class:`ScoreRequest` (or its JSON) and answers every participant's
D, D%, PA, z, z', zeta and En with verdicts and the uncertainty flags of 9.8.  A score that
the inputs cannot give is null, and a warning says why; input that makes no sense (a zero
uncertainty, k <= 0, mixed units, no way to an assigned value) is refused with
:class:`~lims.errors.InvalidInput`, naming the field.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from lims.comparisons import robust
from lims.comparisons.schemas import (
    AssignedValueSpec,
    ParticipantSpec,
    ScoreRequest,
)
from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.uncertainty.warning_text import WarningText

# ISO 13528:2022 9.2.1: u(x_pt) is negligible beside sigma_pt when it is at most 0.3 sigma_pt.
NEGLIGIBLE_FRACTION = 0.3
# 7.7.3: u(x_pt) = 1.25 s*/sqrt(p) for a robust consensus.
ROBUST_UNCERTAINTY_FACTOR = 1.25
# En takes U = 2u for an assigned value known only by its standard uncertainty.
DEFAULT_K = 2.0
# A score from the participants' own mean and SD is at most (p - 1)/sqrt(p) in size
# (Shiffler, "Maximum Z scores and outliers", Am. Stat. 42 (1988) 79): below 3 for p <= 10,
# so such a z could never call anyone unsatisfactory.
UNSATISFACTORY_LIMIT = 3.0


@dataclass(frozen=True)
class _Reference:
    value: float
    standard_uncertainty: float
    expanded_uncertainty: float
    method: str


def verdict_of_z(value: float | None) -> str | None:
    """z, z' and zeta: |s| <= 2 satisfactory, < 3 questionable, else unsatisfactory (9.4.2)."""
    if value is None:
        return None
    if abs(value) <= 2:
        return "satisfactory"
    return "questionable" if abs(value) < UNSATISFACTORY_LIMIT else "unsatisfactory"


def verdict_of_en(value: float | None) -> str | None:
    """En: |En| <= 1 satisfactory, otherwise unsatisfactory (ISO/IEC 17043, 13528 9.7)."""
    if value is None:
        return None
    return "satisfactory" if abs(value) <= 1 else "unsatisfactory"


def en_number(deviation: float, expanded_x: float, expanded_reference: float) -> float:
    """En = (x - X) / sqrt(U(x)^2 + U(X)^2)."""
    return deviation / math.hypot(expanded_x, expanded_reference)


def score(request: ScoreRequest | dict[str, Any]) -> dict[str, Any]:
    """Score every participant of a round; JSON-ready, in the order the participants came."""
    if not isinstance(request, ScoreRequest):
        request = ScoreRequest.model_validate(request)
    _check(request)
    values = [participant.value for participant in request.participants]
    warnings: list[str] = []
    statistics = _statistics(values, warnings)
    reference = _reference(request, statistics)
    consensus_check = _consensus_check(request, statistics, reference)
    sigma_pt = _sigma_pt(request, statistics)
    z_allowed = _z_allowed(request, warnings)
    if sigma_pt is None:
        warnings.append(
            WarningText(Reason("no sigma_pt is set: z, z' and the uncertainty flags are not given"))
        )
    elif z_allowed and reference.standard_uncertainty > NEGLIGIBLE_FRACTION * sigma_pt:
        warnings.append(
            WarningText(
                Reason(
                    "u(x_pt) = %(u).4g exceeds 0.3 sigma_pt = %(limit).4g: judge by z' rather "
                    "than z (ISO 13528:2022 9.2.1)",
                    u=reference.standard_uncertainty,
                    limit=NEGLIGIBLE_FRACTION * sigma_pt,
                )
            )
        )
    participants = [
        _scores(participant, reference, sigma_pt, request, z_allowed, warnings)
        for participant in request.participants
    ]
    return {
        "assigned_value": {
            "value": reference.value,
            "standard_uncertainty": reference.standard_uncertainty,
            "method": reference.method,
        },
        "sigma_pt": sigma_pt,
        "statistics": statistics,
        "participants": participants,
        "consensus_check": consensus_check,
        "warnings": list(dict.fromkeys(warnings)),
    }


# -- checks of meaning --------------------------------------------------------------------


def _check(request: ScoreRequest) -> None:
    for index, participant in enumerate(request.participants):
        _check_uncertainty(participant, ("participants", index))
    if request.assigned_value is not None:
        _check_uncertainty(request.assigned_value, ("assigned_value",))
    ids = [participant.id for participant in request.participants]
    if len(set(ids)) != len(ids):
        raise InvalidInput(
            "give each participant its own id",
            code="comparisons.give_each_participant_own_id",
            location=("participants",),
        )
    units = {p.unit for p in request.participants if p.unit} | (
        {request.assigned_value.unit}
        if request.assigned_value and request.assigned_value.unit
        else set()
    )
    if len(units) > 1:
        raise InvalidInput(
            "the results are in different units (%(units)s): convert them to one unit first",
            code="comparisons.results_different_units_convert_them",
            units=", ".join(sorted(units)),
            location=("participants",),
        )
    if request.assigned_value is None and request.consensus is None:
        raise InvalidInput(
            "give an assigned value, or a consensus method (algorithm_a, median or mean)",
            code="comparisons.give_assigned_value_consensus_method",
            location=("assigned_value",),
        )
    needs_several = (request.assigned_value is None and request.consensus is not None) or (
        isinstance(request.sigma_pt, str)
    )
    if needs_several and len(request.participants) < 2:
        raise InvalidInput(
            "one participant cannot give a consensus value or a standard "
            "deviation: give an assigned value and a number for sigma_pt",
            code="comparisons.one_participant_cannot_give_consensus",
            location=("participants",),
        )
    for name in ("sigma_pt", "delta_e", "u_min"):
        given = getattr(request, name)
        if isinstance(given, float | int) and given <= 0:
            raise InvalidInput(
                "%(name)s must be greater than zero",
                code="comparisons.must_greater_than_zero",
                name=name,
                location=(name,),
            )


def _check_uncertainty(
    spec: ParticipantSpec | AssignedValueSpec, location: tuple[str | int, ...]
) -> None:
    if not math.isfinite(spec.value):
        raise InvalidInput(
            "give a finite value",
            code="comparisons.give_finite_value",
            location=(*location, "value"),
        )
    if (spec.expanded_uncertainty is None) != (spec.coverage_factor is None):
        raise InvalidInput(
            "give the expanded uncertainty with its coverage factor",
            code="comparisons.give_expanded_uncertainty_coverage_factor",
            location=(*location, "coverage_factor"),
        )
    if spec.coverage_factor is not None and spec.coverage_factor <= 0:
        raise InvalidInput(
            "the coverage factor k must be greater than zero",
            code="comparisons.coverage_factor_k_must_greater",
            location=(*location, "coverage_factor"),
        )
    for name in ("expanded_uncertainty", "standard_uncertainty"):
        given = getattr(spec, name, None)
        if given is not None and given <= 0:
            raise InvalidInput(
                "an uncertainty must be greater than zero: a zero U claims a perfect "
                "measurement and makes En and zeta infinite",
                code="comparisons.uncertainty_must_greater_than_zero",
                location=(*location, name),
            )
    if isinstance(spec, AssignedValueSpec):
        if spec.standard_uncertainty is not None and spec.expanded_uncertainty is not None:
            raise InvalidInput(
                "give either U with k or the standard uncertainty, not both",
                code="comparisons.give_either_u_k_standard",
                location=(*location, "standard_uncertainty"),
            )
        if spec.standard_uncertainty is None and spec.expanded_uncertainty is None:
            raise InvalidInput(
                "give the assigned value's uncertainty: U with k, or the standard uncertainty",
                code="comparisons.give_assigned_value_uncertainty_u",
                location=(*location, "expanded_uncertainty"),
            )


# -- the round's statistics and its assigned value -------------------------------------


def _statistics(values: Sequence[float], warnings: list[str]) -> dict[str, Any]:
    data = np.asarray(values, dtype=float)
    n = int(data.size)
    estimate = robust.algorithm_a(values)
    if n >= 2 and estimate is None:
        warnings.append(
            WarningText(
                Reason(
                    "Algorithm A cannot start: more than half the results are identical (MADe = 0)"
                )
            )
        )
    return {
        "n": n,
        "mean": float(data.mean()),
        "sd": float(data.std(ddof=1)) if n >= 2 else None,
        "median": robust.median(values),
        "niqr": robust.niqr(values),
        "made": robust.made(values),
        "algorithm_a": None
        if estimate is None
        else {
            "mean": estimate.mean,
            "sd": estimate.sd,
            "standard_uncertainty": ROBUST_UNCERTAINTY_FACTOR * estimate.sd / math.sqrt(n),
        },
    }


def _consensus(method: str, statistics: dict[str, Any]) -> tuple[float, float]:
    """The consensus value and its standard uncertainty (ISO 13528:2022 7.7.3)."""
    n = statistics["n"]
    if method == "algorithm_a":
        estimate = statistics["algorithm_a"]
        if estimate is None or estimate["sd"] == 0:
            raise InvalidInput(
                "Algorithm A has no spread to work with (its robust SD is zero: the "
                "results are identical, or more than half of them are): give an "
                "assigned value",
                code="comparisons.algorithm_has_spread_work_robust",
                location=("consensus",),
            )
        return estimate["mean"], estimate["standard_uncertainty"]
    if method == "median":
        if statistics["made"] == 0:
            raise InvalidInput(
                "the median's uncertainty needs a spread, but MADe is zero (more than "
                "half the results are identical): give an assigned value",
                code="comparisons.median_uncertainty_needs_spread_but",
                location=("consensus",),
            )
        return statistics["median"], ROBUST_UNCERTAINTY_FACTOR * statistics["made"] / math.sqrt(n)
    if not statistics["sd"]:
        raise InvalidInput(
            "the results are all identical, so their mean has no uncertainty to "
            "state: give an assigned value",
            code="comparisons.results_all_identical_so_their",
            location=("consensus",),
        )
    return statistics["mean"], statistics["sd"] / math.sqrt(n)


def _reference(request: ScoreRequest, statistics: dict[str, Any]) -> _Reference:
    given = request.assigned_value
    if given is not None:
        if given.expanded_uncertainty is not None and given.coverage_factor is not None:
            u = given.expanded_uncertainty / given.coverage_factor
            expanded = given.expanded_uncertainty
        elif given.standard_uncertainty is not None:
            u = given.standard_uncertainty
            expanded = DEFAULT_K * u
        else:
            raise RuntimeError("the request check let an assigned value without uncertainty by")
        return _Reference(given.value, u, expanded, "reference")
    if request.consensus is None:
        raise RuntimeError("the request check let a round without a reference value by")
    value, u = _consensus(request.consensus, statistics)
    return _Reference(value, u, DEFAULT_K * u, request.consensus)


def _consensus_check(
    request: ScoreRequest, statistics: dict[str, Any], reference: _Reference
) -> dict[str, Any] | None:
    """With both a reference value and a consensus asked for, compare them (7.8)."""
    if request.assigned_value is None or request.consensus is None:
        return None
    value, u = _consensus(request.consensus, statistics)
    difference = reference.value - value
    u_difference = math.hypot(reference.standard_uncertainty, u)
    return {
        "consensus": request.consensus,
        "consensus_value": value,
        "consensus_standard_uncertainty": u,
        "difference": difference,
        "standard_uncertainty_of_difference": u_difference,
        "compatible": abs(difference) <= 2 * u_difference,
    }


def _sigma_pt(request: ScoreRequest, statistics: dict[str, Any]) -> float | None:
    chosen = request.sigma_pt
    if chosen is None or isinstance(chosen, float | int):
        return chosen
    if chosen == "participants_sd":
        if not statistics["sd"]:
            raise InvalidInput(
                "the participants' standard deviation is zero (identical results): "
                "give sigma_pt as a number",
                code="comparisons.participants_standard_deviation_zero_identical",
                location=("sigma_pt",),
            )
        return float(statistics["sd"])
    estimate = statistics["algorithm_a"]
    if estimate is None or estimate["sd"] == 0:
        raise InvalidInput(
            "Algorithm A's robust SD is zero (identical results): give sigma_pt as a number",
            code="comparisons.algorithm_robust_sd_zero_identical",
            location=("sigma_pt",),
        )
    return float(estimate["sd"])


def _z_allowed(request: ScoreRequest, warnings: list[str]) -> bool:
    """Refuse z where the group judges itself and is too small for z ever to reach 3."""
    p = len(request.participants)
    self_judged = request.assigned_value is None and isinstance(request.sigma_pt, str)
    if self_judged and (p - 1) / math.sqrt(p) < UNSATISFACTORY_LIMIT:
        warnings.append(
            WarningText(
                Reason(
                    "z and z' are not given: with the assigned value and sigma_pt both from "
                    "the %(count)s participants' own results, |z| cannot exceed "
                    "(p - 1)/sqrt(p) = %(most).2f, so no one could be found unsatisfactory; "
                    "use En or zeta against a reference value, or set sigma_pt",
                    count=p,
                    most=(p - 1) / math.sqrt(p),
                )
            )
        )
        return False
    return True


# -- one participant ----------------------------------------------------------------------


def _scores(
    participant: ParticipantSpec,
    reference: _Reference,
    sigma_pt: float | None,
    request: ScoreRequest,
    z_allowed: bool,
    warnings: list[str],
) -> dict[str, Any]:
    deviation = participant.value - reference.value
    d_percent = None
    if reference.value != 0:
        d_percent = 100 * deviation / reference.value
    else:
        warnings.append(
            WarningText(
                # A parameter, so that no "%" stands in the template.
                Reason("%(score)s is not given: the assigned value is zero", score="D%")
            )
        )
    pa = None
    if request.delta_e is not None:
        pa = 100 * deviation / request.delta_e
    else:
        warnings.append(WarningText(Reason("PA is not given: no delta_e is set")))
    z = z_prime = None
    if sigma_pt is not None and z_allowed:
        z = deviation / sigma_pt
        z_prime = deviation / math.hypot(sigma_pt, reference.standard_uncertainty)
    zeta = en = u_flag = None
    if participant.expanded_uncertainty is not None and participant.coverage_factor is not None:
        u_x = participant.expanded_uncertainty / participant.coverage_factor
        zeta = deviation / math.hypot(u_x, reference.standard_uncertainty)
        en = en_number(deviation, participant.expanded_uncertainty, reference.expanded_uncertainty)
        u_flag = _u_flag(u_x, request.u_min, sigma_pt, warnings)
    else:
        warnings.append(
            WarningText(
                Reason(
                    "zeta and En are not given for %(participant)s: it stated no uncertainty",
                    participant=participant.id,
                )
            )
        )
    return {
        "id": participant.id,
        "D": deviation,
        "D_percent": d_percent,
        "PA": pa,
        "z": z,
        "z_prime": z_prime,
        "zeta": zeta,
        "En": en,
        "u_flag": u_flag,
        "verdicts": {
            "En": verdict_of_en(en),
            "z": verdict_of_z(z),
            "z_prime": verdict_of_z(z_prime),
            "zeta": verdict_of_z(zeta),
        },
    }


def _u_flag(
    u_x: float, u_min: float | None, sigma_pt: float | None, warnings: list[str]
) -> str | None:
    """ISO 13528:2022 9.8: is the stated uncertainty plausible?"""
    if u_min is None or sigma_pt is None:
        warnings.append(WarningText(Reason("the uncertainty flags need both u_min and sigma_pt")))
        return None
    if u_x < u_min:
        return "b"
    return "c" if u_x > sigma_pt else "a"


def pair_scores(
    *,
    value: float,
    expanded_uncertainty: float | None,
    coverage_factor: float | None,
    reference: float,
    reference_expanded_uncertainty: float | None,
    reference_coverage_factor: float | None,
) -> dict[str, Any]:
    """A company's value against the lab's (B2): D, En and zeta, null where a U is missing.

    >>> scores = pair_scores(value=20.004, expanded_uncertainty=0.004, coverage_factor=2,
    ...     reference=20.001, reference_expanded_uncertainty=0.003, reference_coverage_factor=2)
    >>> round(scores["En"], 3), scores["verdicts"]["En"]  # 0.003 / sqrt(0.004² + 0.003²) = 0.6
    (0.6, 'satisfactory')
    """
    deviation = value - reference
    en = zeta = None
    if expanded_uncertainty and coverage_factor and reference_expanded_uncertainty:
        en = en_number(deviation, expanded_uncertainty, reference_expanded_uncertainty)
        if reference_coverage_factor:
            zeta = deviation / math.hypot(
                expanded_uncertainty / coverage_factor,
                reference_expanded_uncertainty / reference_coverage_factor,
            )
    return {
        "D": deviation,
        "D_percent": 100 * deviation / reference if reference else None,
        "En": en,
        "zeta": zeta,
        "verdicts": {"En": verdict_of_en(en), "zeta": verdict_of_z(zeta)},
    }
