"""The RR-test statistics reproduce published gauge studies (sources in tests.training.published).

Each expectation is the printed number, checked to half a unit of its last printed digit
unless a comment says why a source needs more.
"""

import math

import pytest
from scipy import stats

from lims.training.rr import evaluate_rr
from lims.training.rr.charts import range_limits
from lims.training.rr.layout import crossed_study
from lims.training.rr.schemas import RRRequest
from tests.training.published import (
    AIAG_BIAS,
    aiag_bias_study,
    aiag_linearity_study,
    aiag_study,
    montgomery_crossed_study,
    montgomery_nested_study,
    printed,
)


def close(value: float | None, expected: float, decimals: int) -> bool:
    return value is not None and math.isclose(value, expected, abs_tol=printed(decimals))


def test_aiag_data_sheet_by_average_and_range() -> None:
    # AIAG ch. III-B, data sheet of the example: R-double-bar 0.3417, X-diff 0.4447,
    # Rp 3.511, UCL_R = 0.3417 x 2.58 = 0.8815.
    block = evaluate_rr(aiag_study(method="average_range"))["average_range"]
    assert close(block["rbarbar"], 0.3417, 4)
    assert close(block["xdiff"], 0.4447, 4)
    assert close(block["rp"], 3.511, 3)
    assert close(block["ucl_r"], 0.8815, 4)


def test_one_d4_gives_the_data_sheets_ucl_r_and_the_r_charts_limit() -> None:
    # AIAG ch. III-B, data sheet: UCL_R = R-double-bar x D4 = 0.3417 x 2.58 = 0.8815 for
    # 3 trials, D3 = 0 (LCL_R 0).  The R chart once drew 0.3417 x 2.574 = 0.8795.
    study = aiag_study(method="average_range")
    response = evaluate_rr(study)
    centre, lower, upper = range_limits(crossed_study(RRRequest.model_validate(study).measurements))
    # The same D4: equal but for the order the ranges are averaged in.
    assert math.isclose(upper, response["average_range"]["ucl_r"], rel_tol=1e-12)
    assert close(upper, 0.8815, 4)
    assert (close(centre, 0.3417, 4), lower) == (True, 0.0)
    assert response["conventions"]["control_chart"] == {
        "subgroup_size": 3,
        "a2": 1.023,
        "d3": 0.0,
        "d4": 2.58,
    }


def test_aiag_average_and_range_results_as_mcneese_prints_them() -> None:
    # MCNEESE 2015: EV 0.202, AV 0.230, GRR 0.306, PV 1.105, TV 1.146; %EV 17.61, %AV 20.04,
    # %GRR 26.68, %PV 96.37; ndc 5.  The percentages were computed from rounded sigmas, so
    # they are checked to 0.01 rather than 0.005.
    response = evaluate_rr(aiag_study(method="average_range"))
    block = response["average_range"]
    for name, expected in (("ev", 0.202), ("av", 0.230), ("grr", 0.306), ("pv", 1.105)):
        assert close(block[name], expected, 3), name
    assert close(block["tv"], 1.146, 3)
    for name, expected in (("ev", 17.61), ("av", 20.04), ("grr", 26.68), ("pv", 96.37)):
        assert math.isclose(block[f"pct_{name}"], expected, abs_tol=0.01), name
    assert block["ndc"] == 5
    assert response["ndc"] == 5
    assert response["anova"] is None


def test_aiag_two_way_anova_table_with_interaction() -> None:
    # AIAG ch. III-B, ANOVA table of the example (also MINITAB's first table): appraiser 2 df,
    # SS 3.1673, MS 1.58363, F 79.41; parts 9, 88.3619, 9.81799, 492.29; appraiser by part
    # 18, 0.3590, 0.01994, F 0.434 (MINITAB: p 0.974); equipment 60, 2.7589, 0.04598;
    # total 89, 94.6471.
    full = evaluate_rr(aiag_study())["anova"]["full"]
    expected = {
        "part": (9, 88.3619, 9.81799, 492.29),
        "operator": (2, 3.1673, 1.58363, 79.41),
        "interaction": (18, 0.3590, 0.01994, 0.434),
    }
    for term, (df, ss, ms, f) in expected.items():
        row = full[term]
        assert row["df"] == df, term
        assert close(row["ss"], ss, 4), term
        assert close(row["ms"], ms, 5), term
        assert close(row["f"], f, 3 if term == "interaction" else 2), term
    assert close(full["interaction"]["p"], 0.974, 3)
    assert full["repeatability"]["df"] == 60
    assert close(full["repeatability"]["ss"], 2.7589, 4)
    assert close(full["repeatability"]["ms"], 0.04598, 5)
    assert full["total"]["df"] == 89
    assert close(full["total"]["ss"], 94.6471, 4)


def test_minitab_crossed_example_pools_the_interaction_and_reports_its_percentages() -> None:
    # MINITAB: p = 0.974 >= 0.05, so the interaction is removed; %Contribution Part-To-Part
    # 92.24 and Total Gage R&R 7.76; Total Gage R&R 27.86 % of the study variation; ndc 4.
    # MCNEESE: the pooled repeatability, SS 3.118 on 78 df, MS 0.0400.
    response = evaluate_rr(aiag_study(tolerance=8))
    assert response["interaction_pooled"] is True
    assert close(response["percent_contribution"]["part"], 92.24, 2)
    assert close(response["percent_contribution"]["grr"], 7.76, 2)
    assert close(response["percent_study_variation"]["grr"], 27.86, 2)
    assert response["ndc"] == 4
    reduced = response["anova"]["reduced"]
    assert reduced["repeatability"]["df"] == 78
    assert close(reduced["repeatability"]["ss"], 3.118, 3)
    assert close(reduced["repeatability"]["ms"], 0.0400, 4)
    assert response["variance_components"]["interaction"] == 0


def test_montgomery_gauge_study_with_negative_interaction_kept_and_never_pooled() -> None:
    # DOE13 Table 13.2: part 19 df, SS 1185.425, MS 62.391, F 87.65, P 0.000; operator 2,
    # 2.617, 1.308, 1.84, 0.173; part*operator 38, 27.050, 0.712, 0.72, 0.861; error 60,
    # 59.500, 0.992; total 119, 1274.592.  Variance components (unrestricted model): part
    # 10.2798, operator 0.0149, part*operator -0.1399, error 0.9917.  Table 13.4 (JMP) gives
    # the total 11.146491 and per cent of total: parts 92.225, operators 0.134,
    # parts*operators -1.255, residual 8.897.
    response = evaluate_rr(
        montgomery_crossed_study(pool_interaction_above_p=None, negative_components="keep")
    )
    full = response["anova"]["full"]
    for term, (df, ss, ms, f) in {
        "part": (19, 1185.425, 62.391, 87.65),
        "operator": (2, 2.617, 1.308, 1.84),
        "interaction": (38, 27.050, 0.712, 0.72),
    }.items():
        assert full[term]["df"] == df, term
        assert close(full[term]["ss"], ss, 3), term
        assert close(full[term]["ms"], ms, 3), term
        assert close(full[term]["f"], f, 2), term
    assert close(full["operator"]["p"], 0.173, 3)
    assert close(full["interaction"]["p"], 0.861, 3)
    assert close(full["repeatability"]["ss"], 59.500, 3)
    assert close(full["repeatability"]["ms"], 0.992, 3)
    assert close(full["total"]["ss"], 1274.592, 3)
    assert response["interaction_pooled"] is False
    components = response["variance_components"]
    for name, expected in (
        ("part", 10.2798),
        ("operator", 0.0149),
        ("interaction", -0.1399),
        ("repeatability", 0.9917),
    ):
        assert close(components[name], expected, 4), name
    assert close(components["total"], 11.146491, 6)
    contribution = response["percent_contribution"]
    for name, expected in (
        ("part", 92.225),
        ("operator", 0.134),
        ("interaction", -1.255),
        ("repeatability", 8.897),
    ):
        assert close(contribution[name], expected, 3), name
    assert response["sd"]["interaction"] is None


def test_montgomery_setting_the_negative_estimate_to_zero_leaves_the_others() -> None:
    # DOE13, after Table 13.2: "assume that the negative estimate means that the variance
    # component is really zero and just set it to zero, leaving the other nonnegative
    # estimates unchanged": part 10.2798, operator 0.0149, error 0.9917.
    components = evaluate_rr(montgomery_crossed_study(pool_interaction_above_p=None))[
        "variance_components"
    ]
    assert components["interaction"] == 0
    assert close(components["part"], 10.2798, 4)
    assert close(components["operator"], 0.0149, 4)
    assert close(components["repeatability"], 0.9917, 4)
    assert close(components["grr"], 0.9917 + 0.0149, 4)


def test_montgomery_reduced_model_when_the_interaction_is_pooled() -> None:
    # DOE13 Table 13.3: part F 70.64, P 0.000; operator F 1.48, P 0.232; error 98 df, SS
    # 86.550, MS 0.883; components part 10.2513, operator 0.0106, error 0.8832.
    response = evaluate_rr(montgomery_crossed_study())
    assert response["interaction_pooled"] is True
    reduced = response["anova"]["reduced"]
    assert close(reduced["part"]["f"], 70.64, 2)
    assert close(reduced["operator"]["f"], 1.48, 2)
    assert close(reduced["operator"]["p"], 0.232, 3)
    assert reduced["repeatability"]["df"] == 98
    assert close(reduced["repeatability"]["ss"], 86.550, 3)
    assert close(reduced["repeatability"]["ms"], 0.883, 3)
    components = response["variance_components"]
    assert close(components["part"], 10.2513, 4)
    assert close(components["operator"], 0.0106, 4)
    assert close(components["repeatability"], 0.8832, 4)


def test_montgomery_nested_design_as_a_nested_gauge_study() -> None:
    # DOE14 Table 14.6 (Minitab): supplier 2 df, SS 15.056, MS 7.528, F 0.97, P 0.416;
    # batch(supplier) 9, 69.917, 7.769, F 2.94, P 0.017; error 24, 63.333, 2.639; total 35,
    # 148.306; variance components batch(supplier) 1.710, error 2.639.  Suppliers are the
    # operators and batches the parts; the supplier component is negative, so zero.
    response = evaluate_rr(montgomery_nested_study())
    table = response["anova"]["nested"]
    assert table["operator"]["df"] == 2
    assert close(table["operator"]["ss"], 15.056, 3)
    assert close(table["operator"]["ms"], 7.528, 3)
    assert close(table["operator"]["f"], 0.97, 2)
    assert close(table["operator"]["p"], 0.416, 3)
    assert table["part_within_operator"]["df"] == 9
    assert close(table["part_within_operator"]["ss"], 69.917, 3)
    assert close(table["part_within_operator"]["ms"], 7.769, 3)
    assert close(table["part_within_operator"]["f"], 2.94, 2)
    assert close(table["part_within_operator"]["p"], 0.017, 3)
    assert close(table["repeatability"]["ss"], 63.333, 3)
    assert close(table["repeatability"]["ms"], 2.639, 3)
    assert close(table["total"]["ss"], 148.306, 3)
    assert response["anova"]["full"] is None
    components = response["variance_components"]
    assert close(components["part"], 1.710, 3)
    assert close(components["repeatability"], 2.639, 3)
    assert components["operator"] == 0
    assert components["interaction"] is None


def test_aiag_bias_example_as_a_type_1_study() -> None:
    # AIAG ch. III-B, bias example (independent sample method): average 6.0067, repeatability
    # standard deviation 0.2120, t = 0.12 on 14 df, 95 % interval of the bias -0.1107 to
    # 0.1241 (t(0.975, 14) = 2.14479).
    block = evaluate_rr(aiag_bias_study())["type1"]
    assert close(block["mean"], 6.0067, 4)
    assert close(block["s"], 0.2120, 4)
    assert close(block["t_bias"], 0.12, 2)
    half_width = stats.t.ppf(0.975, len(AIAG_BIAS) - 1) * block["s"] / math.sqrt(len(AIAG_BIAS))
    assert close(block["bias"] - half_width, -0.1107, 4)
    assert close(block["bias"] + half_width, 0.1241, 4)
    assert block["cg"] is None


def test_cg_and_cgk_follow_vda5_from_the_published_spread_and_bias() -> None:
    # With a tolerance T = 2 on the AIAG bias example: Cg = 0.2 T / (6 s) and
    # Cgk = (0.1 T - |bias|) / (3 s) from the printed s = 0.2120 and bias = 0.0067.
    block = evaluate_rr(aiag_bias_study(tolerance=2.0))["type1"]
    assert math.isclose(block["cg"], 0.4 / (6 * 0.2120), rel_tol=5e-4)
    assert math.isclose(block["cgk"], (0.2 - 0.0067) / (3 * 0.2120), rel_tol=5e-4)


def test_aiag_linearity_example_as_spc_for_excel_prints_it() -> None:
    # SPCXL: bias = 0.737 - 0.132 x reference; intercept SE 0.0725, t 10.16; slope SE 0.0109,
    # t -12.04; R-squared 71.43 %; s 0.240; linearity = 6 x 2.756 x |slope| = 2.177;
    # %linearity 13.17 %.
    block = evaluate_rr(aiag_linearity_study(process_variation=6 * 2.756))["linearity"]
    assert close(block["intercept"], 0.737, 3)
    assert close(block["se_intercept"], 0.0725, 4)
    assert close(block["t_intercept"], 10.16, 2)
    assert close(block["slope"], -0.132, 3)
    assert close(block["se_slope"], 0.0109, 4)
    assert close(block["t_slope"], -12.04, 2)
    assert close(100 * block["r_squared"], 71.43, 2)
    assert close(block["s"], 0.240, 3)
    assert close(block["linearity"], 2.177, 3)
    assert close(block["pct_linearity"], 13.17, 2)


@pytest.mark.parametrize(
    ("key", "bias", "pct", "se", "t", "p"),
    [
        ("average", -0.0533, 0.32, 0.0308, 1.729, 0.089),
        ("2", 0.492, 2.97, 0.0358, 13.73, 0.000),
        ("4", 0.125, 0.76, 0.129, 0.968, 0.354),
        ("6", 0.0250, 0.15, 0.0566, 0.442, 0.667),
        ("8", -0.292, 1.76, 0.0288, 10.14, 0.000),
        ("10", -0.617, 3.73, 0.0423, 14.56, 0.000),
    ],
)
def test_aiag_linearity_bias_table_as_spc_for_excel_prints_it(
    key: str, bias: float, pct: float, se: float, t: float, p: float
) -> None:
    # SPCXL bias table (t and %bias as absolute values; the average with the pooled SD).
    block = evaluate_rr(aiag_linearity_study(process_variation=6 * 2.756))["linearity"]
    decimals = len(repr(bias).split(".")[1])
    assert close(block["bias"][key], bias, decimals)
    assert close(block["pct_bias"][key], pct, 2)
    assert close(block["se_bias"][key], se, len(repr(se).split(".")[1]))
    assert close(block["t_bias"][key], t, len(repr(t).split(".")[1]))
    assert close(block["p_bias"][key], p, 3)
