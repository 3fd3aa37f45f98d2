"""A result's accreditation reason is stored in English (the record of the decision as made)
and worded for the page's reader from the template it was filled from; the conformity
decision's own warnings keep their template (lims.uncertainty.warning_text)."""

from datetime import date

import pytest

from lims.contracts.models import Agreement, DecisionRule
from lims.jobs.models import Characteristic, Job, JobKind, Result
from lims.jobs.results import ACCREDITATION_REASONS, accreditation_reason_in, conformity_decision
from lims.methods.coordinate import NOT_EVALUATED
from lims.methods.scope import CMC_FLOOR, NOT_IN_SCOPE, OUTSIDE_RANGE, WITHIN_SCOPE
from lims.problem_text import localized_warnings

PARAMS = {
    "method": "DIM-RING-01 v2",
    "day": date(2026, 11, 27),
    "size": 50.0,
    "size_unit": "mm",
    "low": 1.0,
    "high": 100.0,
    "u": 0.0123,
    "cmc": 0.25,
    "unit": "um",
    "rule": CMC_FLOOR,
    "agreement": "SO-2026-0001",
}


def filled(template: str) -> str:
    """As the service stores it (the English of the f-strings before these were templates)."""
    return template % PARAMS


@pytest.mark.parametrize("template", ACCREDITATION_REASONS)
def test_every_stored_reason_reads_in_finnish_and_swedish(template: str) -> None:
    stored = filled(template)
    for language in ("fi", "sv"):
        worded = accreditation_reason_in(stored, language)
        assert worded != stored
        assert "%(" not in worded


def test_numbers_dates_and_units_are_written_as_the_language_writes_them() -> None:
    assert accreditation_reason_in(filled(WITHIN_SCOPE), "fi") == (
        "menetelmän DIM-RING-01 v2 akkreditoidulla pätevyysalueella: U ei ole pienempi kuin "
        "CMC 0,25 µm"
    )
    assert accreditation_reason_in(filled(NOT_IN_SCOPE), "fi") == (
        "menetelmä DIM-RING-01 v2 ei kuulu akkreditoituun pätevyysalueeseen 27.11.2026"
    )
    assert accreditation_reason_in(filled(OUTSIDE_RANGE), "sv") == (
        "storleken 50 mm ligger utanför det ackrediterade området 1 till 100 mm"
    )


def test_english_reads_as_stored_with_the_labs_unit_symbols() -> None:
    stored = filled(WITHIN_SCOPE)
    assert stored.endswith("0.25 um")
    assert accreditation_reason_in(stored, "en") == stored.replace("um", "µm")
    assert accreditation_reason_in(filled(NOT_IN_SCOPE), "en") == filled(NOT_IN_SCOPE)


def test_a_method_label_with_words_of_the_template_is_still_read_back() -> None:
    stored = WITHIN_SCOPE % {**PARAMS, "method": "A: U is v1"}
    assert accreditation_reason_in(stored, "fi").startswith("menetelmän A: U is v1 ")


def test_a_reason_no_template_gives_is_shown_as_stored() -> None:
    older = "within scope <b>by an older wording</b>"
    assert accreditation_reason_in(older, "fi") == older


def test_the_decisions_own_warnings_keep_their_template_for_the_reader() -> None:
    characteristic = Characteristic(label="Ø 50", lower_limit=49.9, upper_limit=50.1, unit="mm")
    result = Result(value=50.0, unit="mm", expanded_uncertainty=0.01, coverage_factor=2.0)
    job = Job(kind=JobKind.CALIBRATION)
    by_words = Agreement(decision_rule=DecisionRule.CUSTOMER, decision_rule_text="as agreed")
    decision = conformity_decision(job, by_words, characteristic, result)
    assert decision is not None
    assert localized_warnings(decision["warnings"], "fi") == [
        "asiakkaan kanssa sovittu päätössääntö on kuvattu sanallisesti; päätöksen tekee "
        "allekirjoittaja"
    ]
    result.uncertainty = {"source": NOT_EVALUATED, "reason": "no CMM task budget"}
    decision = conformity_decision(job, by_words, characteristic, result)
    assert decision is not None
    assert decision["warnings"] == [
        "U not evaluated (no CMM task budget): no statement of conformity"
    ]
    assert localized_warnings(decision["warnings"], "sv") == [
        "U har inte utvärderats (no CMM task budget): inget utlåtande om överensstämmelse"
    ]
