"""The accredited scope: which results may carry the accreditation (ILAC-P14), and the
scope as a table."""

import csv
import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Literal

from lims.methods.cmc import cmc_at
from lims.methods.models import AccreditationDecision, Method

#: What an accredited result does with an evaluated U below the CMC (LIMS_BELOW_CMC).
BelowCmc = Literal["raise", "outside_accreditation"]
#: The policy that an accredited result never states a U smaller than the CMC.
CMC_FLOOR = "ILAC-P14:09/2020 5.5"


def accreditation_of_result(
    method: Method,
    *,
    size: float,
    expanded_uncertainty: float,
    on_date: date,
    below_cmc: BelowCmc = "raise",
) -> AccreditationDecision:
    """Whether a result may be reported as accredited, with which U, and why (not).

    Accredited only when the method is in scope on the day and the measured size is inside
    the range. An accredited result may not state a smaller uncertainty than the CMC at its
    size (ILAC-P14:09/2020 5.5); the CMC is a floor, not the uncertainty of the task. An evaluated
    U below it is reported as the CMC (``raise``, the default), or, by the lab's choice, the
    result is reported with its evaluated U outside the accreditation.
    """
    if not method.in_scope_on(on_date):
        return AccreditationDecision(
            accredited=False,
            reason=f"method {method.label()} is not in the accredited scope on {on_date}",
            cmc=None,
        )
    if not method.range_min <= size <= method.range_max:
        return AccreditationDecision(
            accredited=False,
            reason=f"size {size:g} {method.size_unit} is outside the accredited range "
            f"{method.range_min:g} to {method.range_max:g} {method.size_unit}",
            cmc=None,
        )
    cmc = cmc_at(method.cmc, size)
    unit = method.result_unit
    # Equal counts as not below: float noise in evaluating the CMC must not decide.
    if expanded_uncertainty < cmc and not math.isclose(expanded_uncertainty, cmc, rel_tol=1e-9):
        below = (
            f"the evaluated U = {expanded_uncertainty:.3g} {unit} is below the CMC {cmc:.3g} "
            f"{unit} at {size:g} {method.size_unit}"
        )
        if below_cmc == "outside_accreditation":
            return AccreditationDecision(
                accredited=False,
                reason=f"{below}; the lab reports such results outside the accreditation "
                f"({CMC_FLOOR})",
                cmc=cmc,
            )
        return AccreditationDecision(
            accredited=True,
            reason=f"within the accredited scope of {method.label()}: {below} and is "
            f"reported as the CMC ({CMC_FLOOR})",
            cmc=cmc,
            reported_expanded_uncertainty=cmc,
            raised_to_cmc=True,
        )
    return AccreditationDecision(
        accredited=True,
        reason=f"within the accredited scope of {method.label()}: U is not below the CMC "
        f"{cmc:.3g} {unit}",
        cmc=cmc,
        reported_expanded_uncertainty=expanded_uncertainty,
    )


SCOPE_COLUMNS = (
    "code",
    "version",
    "title_fi",
    "title_en",
    "measurand",
    "range",
    "cmc",
    "guidance",
    "accredited_from",
)


def scope_rows(methods: Sequence[Method]) -> list[dict[str, str]]:
    return [
        {
            "code": method.code,
            "version": str(method.version),
            "title_fi": method.title_fi,
            "title_en": method.title_en,
            "measurand": method.measurand,
            "range": f"{method.range_min:g} ... {method.range_max:g} {method.size_unit}",
            "cmc": f"{method.cmc} {method.result_unit} (L in {method.size_unit})",
            "guidance": method.guidance,
            "accredited_from": str(method.accredited_from),
        }
        for method in methods
    ]


def scope_csv(methods: Sequence[Method]) -> str:
    """The scope as a CSV table (RFC 4180), one row per method version in scope."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=SCOPE_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(scope_rows(methods))
    return buffer.getvalue()
