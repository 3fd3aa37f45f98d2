"""Every convention that changes an RR test's numbers is a request parameter, its default is
AIAG's and Minitab's, and every answer says which were used.

The expectations come from the published studies (tests.training.published) and from the
definitions applied to their printed numbers.
"""

import math

import pytest

from lims.errors import InvalidInput
from lims.training.rr import evaluate_rr
from tests.training.published import aiag_study, montgomery_crossed_study, printed


def test_the_defaults_are_aiag_and_minitabs() -> None:
    conventions = evaluate_rr(aiag_study())["conventions"]
    assert {
        name: conventions[name]
        for name in (
            "study_multiplier",
            "pool_interaction_above_p",
            "f_denominator",
            "negative_components",
            "ndc_factor",
            "ndc_rounding",
            "ndc_minimum",
        )
    } == {
        "study_multiplier": 6,
        "pool_interaction_above_p": 0.05,
        "f_denominator": "interaction",
        "negative_components": "zero",
        "ndc_factor": 1.41,
        "ndc_rounding": "floor",
        "ndc_minimum": 1,
    }


def test_every_answer_says_in_words_which_conventions_it_used() -> None:
    described = evaluate_rr(aiag_study(tolerance=8))["conventions"]["described"]
    assert described == [
        "design: crossed",
        "method: ANOVA, two-way random model with the part x operator interaction",
        "interaction pooled into repeatability when its p > 0.05 (p = 0.974: pooled)",
        "F of part and operator against the interaction mean square",
        "study variation = 6 x SD",
        "negative variance components set to zero",
        "ndc = 1.41 x PV / GRR, rounded down, at least 1",
        "R chart UCL_R = D4 x R-double-bar, LCL_R = D3 x R-double-bar, X-bar chart +/- A2 x "
        "R-double-bar, for 3 trials D4 = 2.58, D3 = 0, A2 = 1.023 (D4 for 2 and 3 trials as the "
        "AIAG MSA 4th ed. data sheet prints it; other D4, D3 and A2 from ASTM MNL 7 Table 49)",
        "tolerance: 8",
    ]


def test_the_study_multiplier_scales_study_variation_and_tolerance_but_not_percent_of_it() -> None:
    # MINITAB: Total Gage R&R is 27.86 % of the study variation whatever the multiplier.
    six = evaluate_rr(aiag_study(tolerance=8))
    ninety_nine = evaluate_rr(aiag_study(tolerance=8, study_multiplier=5.15))
    sd = six["sd"]["grr"]
    assert math.isclose(ninety_nine["study_variation"]["grr"], 5.15 * sd)
    assert math.isclose(ninety_nine["percent_tolerance"]["grr"], 100 * 5.15 * sd / 8)
    assert math.isclose(ninety_nine["percent_study_variation"]["grr"], 27.86, abs_tol=printed(2))


def test_the_pooling_threshold_decides_which_model_gives_the_components() -> None:
    # DOE13: the interaction's p is 0.861.  Pooled above 0.05 it gives Table 13.3 (operator
    # 0.0106); never pooled, or pooled only above 0.9, Table 13.2 (operator 0.0149).
    cases = ((0.05, True, 0.0106), (0.9, False, 0.0149), (None, False, 0.0149))
    for threshold, pooled, operator in cases:
        response = evaluate_rr(montgomery_crossed_study(pool_interaction_above_p=threshold))
        assert response["interaction_pooled"] is pooled, threshold
        assert (response["anova"]["reduced"] is not None) is pooled, threshold
        assert math.isclose(
            response["variance_components"]["operator"], operator, abs_tol=printed(4)
        )


def test_the_f_denominator_is_the_interaction_or_the_error_mean_square() -> None:
    # DOE13 Table 13.2 MS: part 62.391, operator 1.308, interaction 0.712, error 0.992.
    # Against the interaction F = 87.65 and 1.84 (printed); against error 62.391 / 0.992 and
    # 1.308 / 0.992.  The interaction itself is always tested against error (F 0.72).
    for denominator, part_f, operator_f in (
        ("interaction", 87.65, 1.84),
        ("error", 62.391 / 0.992, 1.308 / 0.992),
    ):
        full = evaluate_rr(
            montgomery_crossed_study(pool_interaction_above_p=None, f_denominator=denominator)
        )["anova"]["full"]
        assert math.isclose(full["part"]["f"], part_f, rel_tol=2e-3), denominator
        assert math.isclose(full["operator"]["f"], operator_f, rel_tol=2e-3), denominator
        assert math.isclose(full["interaction"]["f"], 0.72, abs_tol=printed(2))


def test_negative_components_are_zeroed_or_kept_and_the_raw_estimate_is_always_shown() -> None:
    # DOE13 Table 13.2: the interaction component is -0.1399.
    for rule, shown in (("zero", 0.0), ("keep", -0.1399)):
        response = evaluate_rr(
            montgomery_crossed_study(pool_interaction_above_p=None, negative_components=rule)
        )
        assert math.isclose(
            response["variance_components"]["interaction"], shown, abs_tol=printed(4)
        )
        assert math.isclose(
            response["variance_components_raw"]["interaction"], -0.1399, abs_tol=printed(4)
        )


def test_ndc_factor_and_rounding() -> None:
    # MINITAB: 4 distinct categories from %StudyVar part 96.04 and GRR 27.86, i.e.
    # 1.41 x 96.04 / 27.86 = 4.86: rounded down 4, to the nearest 5; with sqrt 2, 4.87.
    default = evaluate_rr(aiag_study())
    assert math.isclose(default["ndc_raw"], 1.41 * 96.04 / 27.86, abs_tol=5e-3)
    assert default["ndc"] == 4
    assert evaluate_rr(aiag_study(ndc_rounding="round"))["ndc"] == 5
    exact = evaluate_rr(aiag_study(ndc_factor=math.sqrt(2)))
    assert math.isclose(exact["ndc_raw"], math.sqrt(2) * 96.04 / 27.86, abs_tol=5e-3)


def test_ndc_is_at_least_one() -> None:
    # Two parts that hardly differ beside a noisy gauge: fewer than one category, reported 1.
    readings = [
        {"part": part, "operator": operator, "value": value}
        for part, offset in (("1", 0.0), ("2", 0.01))
        for operator, values in (("A", (1.0, 1.4)), ("B", (1.2, 0.9)))
        for value in (v + offset for v in values)
    ]
    response = evaluate_rr({"design": "crossed", "measurements": readings})
    assert response["ndc_raw"] < 1
    assert response["ndc"] == 1


def test_a_known_process_variation_gives_the_total_variation() -> None:
    # AIAG 4th ed.: with a known process variation, TV = process variation / 6.  MCNEESE's
    # GRR 0.306 against TV = 12 / 6 = 2 is 15.3 %.
    block = evaluate_rr(aiag_study(method="average_range", process_variation=12.0))["average_range"]
    assert math.isclose(block["tv"], 2.0)
    assert math.isclose(block["pct_grr"], 100 * 0.306 / 2, abs_tol=0.05)


def test_a_known_process_variation_is_the_total_of_the_anova_components_too() -> None:
    response = evaluate_rr(aiag_study(process_variation=6.0))
    components = response["variance_components"]
    assert math.isclose(components["total"], 1.0)
    assert math.isclose(components["part"], 1.0 - components["grr"])
    assert response["conventions"]["described"][-2] == (
        "total variation from the process variation 6 (6 x process SD)"
    )


def test_a_process_variation_below_the_gauges_own_is_refused() -> None:
    with pytest.raises(InvalidInput, match="smaller than the gauge's own study variation"):
        evaluate_rr(aiag_study(process_variation=1.0))
