"""From variance components to what a gauge study reports: standard deviations, study
variation, the percentages of contribution, of study variation and of tolerance, and the
number of distinct categories.

Repeatability + reproducibility (operator + interaction) = gauge R&R; gauge R&R + part =
total.  A negative estimate is set to zero before the sums (AIAG, Minitab) or kept as it is
(the moment estimate, as Montgomery and JMP show it); a negative variance has no standard
deviation, so its SD, study variation and percentages of SD are null.
"""

import math
from dataclasses import dataclass

from lims.errors import InvalidInput
from lims.reasons import Reason
from lims.training.rr.schemas import COMPONENTS
from lims.uncertainty.warning_text import WarningText

Components = dict[str, float | None]


@dataclass(frozen=True)
class Conventions:
    study_multiplier: float
    negative_components: str
    ndc_factor: float
    ndc_rounding: str


@dataclass(frozen=True)
class Report:
    raw: Components
    components: Components
    sd: Components
    study_variation: Components
    percent_contribution: Components
    percent_study_variation: Components
    percent_tolerance: Components | None
    ndc: int | None
    ndc_raw: float | None
    warnings: list[str]

    def as_json(self) -> dict[str, object]:
        return {
            "variance_components": self.components,
            "variance_components_raw": self.raw,
            "sd": self.sd,
            "study_variation": self.study_variation,
            "percent_contribution": self.percent_contribution,
            "percent_study_variation": self.percent_study_variation,
            "percent_tolerance": self.percent_tolerance,
            "ndc": self.ndc,
            "ndc_raw": self.ndc_raw,
        }


def report(
    estimates: Components,
    conventions: Conventions,
    *,
    tolerance: float | None,
    process_variation: float | None,
) -> Report:
    """``estimates`` holds repeatability, operator, interaction (null: not in the design) and
    part; the rest is derived from them by ``conventions``."""
    raw = _summed(estimates, process_variation, conventions.study_multiplier)
    if process_variation is not None and (raw["part"] or 0.0) < 0:
        raise InvalidInput(
            "the process variation %(process_variation)g is smaller than the "
            "gauge's own study variation %(value).4g: it cannot be the total "
            "variation of this study",
            code="training.process_variation_smaller_than_gauge_2",
            process_variation=process_variation,
            value=conventions.study_multiplier * math.sqrt(raw["grr"] or 0),
            location=("process_variation",),
        )
    components = raw
    if conventions.negative_components == "zero":
        kept = {name: _at_least_zero(estimates[name]) for name in ("operator", "interaction")}
        components = _summed(
            {**estimates, **kept, "part": _at_least_zero(estimates["part"])},
            process_variation,
            conventions.study_multiplier,
        )
        # With a known process variation the part is what the gauge leaves of it, which a
        # zeroed operator component can make negative.
        components["part"] = _at_least_zero(components["part"])
    warnings: list[str] = []
    sd = {name: _root(value) for name, value in components.items()}
    total, sd_total = components["total"], sd["total"]
    k = conventions.study_multiplier
    ndc_raw, ndc = _categories(sd["part"], sd["grr"], conventions, warnings)
    return Report(
        raw=raw,
        components=components,
        sd=sd,
        study_variation={name: _times(k, value) for name, value in sd.items()},
        percent_contribution={name: _percent(value, total) for name, value in components.items()},
        percent_study_variation={name: _percent(value, sd_total) for name, value in sd.items()},
        percent_tolerance=(
            {name: _percent(_times(k, value), tolerance) for name, value in sd.items()}
            if tolerance is not None
            else None
        ),
        ndc=ndc,
        ndc_raw=ndc_raw,
        warnings=warnings,
    )


def distinct_categories(
    part_sd: float | None, grr_sd: float | None, conventions: Conventions
) -> tuple[float | None, int | None]:
    """ndc = factor x PV / GRR, rounded down (or to the nearest), and at least 1 (Minitab)."""
    if part_sd is None or not grr_sd:
        return None, None
    ndc_raw = conventions.ndc_factor * part_sd / grr_sd
    rounded = math.floor(ndc_raw) if conventions.ndc_rounding == "floor" else round(ndc_raw)
    return ndc_raw, max(1, int(rounded))


def _categories(
    part_sd: float | None, grr_sd: float | None, conventions: Conventions, warnings: list[str]
) -> tuple[float | None, int | None]:
    if grr_sd == 0:
        warnings.append(
            WarningText(
                Reason("the gauge R&R is zero: the number of distinct categories is not defined")
            )
        )
    elif grr_sd is None or part_sd is None:
        warnings.append(
            WarningText(
                Reason(
                    "a negative variance component has no standard deviation: the number of "
                    "distinct categories is not given"
                )
            )
        )
    return distinct_categories(part_sd, grr_sd, conventions)


def _summed(estimates: Components, process_variation: float | None, k: float) -> Components:
    repeatability = estimates["repeatability"]
    operator, interaction = estimates["operator"], estimates["interaction"]
    if repeatability is None or operator is None:
        raise ValueError("the estimates need the repeatability and the operator variance")
    reproducibility = operator + (interaction or 0.0)
    grr = repeatability + reproducibility
    if process_variation is None:
        part = estimates["part"]
        if part is None:
            raise ValueError("without a process variation the estimates need the part variance")
        total = grr + part
    else:
        # AIAG MSA 4th ed.: with a known process variation, TV is taken from it and the part
        # variation is what the gauge leaves of it.
        total = (process_variation / k) ** 2
        part = total - grr
    values = {
        "repeatability": repeatability,
        "operator": operator,
        "interaction": interaction,
        "reproducibility": reproducibility,
        "grr": grr,
        "part": part,
        "total": total,
    }
    return {name: values[name] for name in COMPONENTS}


def _at_least_zero(value: float | None) -> float | None:
    return None if value is None else max(0.0, value)


def _root(value: float | None) -> float | None:
    return None if value is None or value < 0 else math.sqrt(value)


def _times(k: float, value: float | None) -> float | None:
    return None if value is None else k * value


def _percent(value: float | None, whole: float | None) -> float | None:
    if value is None or not whole:
        return None
    return 100.0 * value / whole
