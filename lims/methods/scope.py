"""The accredited scope: which results may carry the accreditation (ILAC-P14), and the
scope as a table."""

import csv
import io
import math
from collections.abc import Sequence
from datetime import date

from lims.methods.cmc import cmc_at
from lims.methods.models import AccreditationDecision, Method


def accreditation_of_result(
    method: Method, *, size: float, expanded_uncertainty: float, on_date: date
) -> AccreditationDecision:
    """Whether a result may be reported as accredited, and why (not).

    Accredited only when the method is in scope on the day, the measured size is inside the
    range, and the reported U is not smaller than the CMC at that size (ILAC-P14: a lab may
    not claim a smaller uncertainty than its accredited CMC).
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
    # Equal counts as not below: float noise in evaluating the CMC must not decide.
    if expanded_uncertainty < cmc and not math.isclose(expanded_uncertainty, cmc, rel_tol=1e-9):
        return AccreditationDecision(
            accredited=False,
            reason=f"U = {expanded_uncertainty:.3g} {method.result_unit} is below the CMC "
            f"{cmc:.3g} {method.result_unit} at {size:g} {method.size_unit} (ILAC-P14)",
            cmc=cmc,
        )
    return AccreditationDecision(
        accredited=True,
        reason=f"within the accredited scope of {method.label()}: U is not below the CMC "
        f"{cmc:.3g} {method.result_unit}",
        cmc=cmc,
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
