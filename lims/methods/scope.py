"""The accredited scope: which results may carry the accreditation (ILAC-P14), and the
scope as a table."""

import csv
import io
import math
from collections.abc import Sequence
from datetime import date
from typing import Literal

from lims.errors import problem_template
from lims.methods.cmc import cmc_at
from lims.methods.models import AccreditationDecision, Method

#: What an accredited result does with an evaluated U below the CMC (LIMS_BELOW_CMC).
BelowCmc = Literal["raise", "outside_accreditation"]
#: The policy that an accredited result never states a U smaller than the CMC.
CMC_FLOOR = "ILAC-P14:09/2020 5.5"

# Why a result is or is not accredited.  The result stores the English text, the record of
# the decision as it was made (the scope and LIMS_BELOW_CMC may change since); a page words
# it in its reader's language by recognising the template it was filled from
# (lims.jobs.results.accreditation_reason_in), so rows stored before these were templates
# read in Finnish too.
NOT_IN_SCOPE = problem_template("method %(method)s is not in the accredited scope on %(day)s")
OUTSIDE_RANGE = problem_template(
    "size %(size)g %(size_unit)s is outside the accredited range %(low)g to %(high)g %(size_unit)s"
)
BELOW_CMC_OUTSIDE = problem_template(
    "the evaluated U = %(u).3g %(unit)s is below the CMC %(cmc).3g %(unit)s at %(size)g "
    "%(size_unit)s; the lab reports such results outside the accreditation (%(rule)s)"
)
BELOW_CMC_RAISED = problem_template(
    "within the accredited scope of %(method)s: the evaluated U = %(u).3g %(unit)s is below "
    "the CMC %(cmc).3g %(unit)s at %(size)g %(size_unit)s and is reported as the CMC (%(rule)s)"
)
WITHIN_SCOPE = problem_template(
    "within the accredited scope of %(method)s: U is not below the CMC %(cmc).3g %(unit)s"
)
REASONS = (NOT_IN_SCOPE, OUTSIDE_RANGE, BELOW_CMC_OUTSIDE, BELOW_CMC_RAISED, WITHIN_SCOPE)


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
            reason=NOT_IN_SCOPE % {"method": method.label(), "day": on_date},
            cmc=None,
        )
    if not method.range_min <= size <= method.range_max:
        return AccreditationDecision(
            accredited=False,
            reason=OUTSIDE_RANGE
            % {
                "size": size,
                "size_unit": method.size_unit,
                "low": method.range_min,
                "high": method.range_max,
            },
            cmc=None,
        )
    cmc = cmc_at(method.cmc, size)
    unit = method.result_unit
    # Equal counts as not below: float noise in evaluating the CMC must not decide.
    if expanded_uncertainty < cmc and not math.isclose(expanded_uncertainty, cmc, rel_tol=1e-9):
        below = {
            "method": method.label(),
            "u": expanded_uncertainty,
            "cmc": cmc,
            "unit": unit,
            "size": size,
            "size_unit": method.size_unit,
            "rule": CMC_FLOOR,
        }
        if below_cmc == "outside_accreditation":
            return AccreditationDecision(
                accredited=False, reason=BELOW_CMC_OUTSIDE % below, cmc=cmc
            )
        return AccreditationDecision(
            accredited=True,
            reason=BELOW_CMC_RAISED % below,
            cmc=cmc,
            reported_expanded_uncertainty=cmc,
            raised_to_cmc=True,
        )
    return AccreditationDecision(
        accredited=True,
        reason=WITHIN_SCOPE % {"method": method.label(), "cmc": cmc, "unit": unit},
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
