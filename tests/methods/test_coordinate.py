"""The task-specific budgets of a CMM characteristic, checked by hand.

The machine: E_L,MPE = (1.8 + L/300) um (ISO 10360-2), P_FTU,MPE = 1.5 um (ISO 10360-5);
scales of zero expansion.  The part: steel, alpha = 11.5e-6 /K within +/-1e-6 /K, at 21.0 °C
measured with a standard uncertainty of 0.2 K.  An MPE and the coefficient's limits are
rectangular: u = a/sqrt(3) (GUM 4.3.7).
"""

import math

import pytest

from lims.methods.coordinate import (
    NOT_EVALUATED,
    SPECIFICATION,
    SUBSTITUTION,
    specification_uncertainty,
    substitution_uncertainty,
)
from lims.methods.models import Method, MethodCreate

TEMPLATE = {
    "mpe_e_a": 1.8,
    "mpe_e_k": 300,
    "mpe_p_ftu": 1.5,
    "part_expansion": 11.5e-6,
    "part_expansion_half_width": 1e-6,
    "temperature_uncertainty": 0.2,
}
# The worked budget of a diameter of 20 mm, one value, at 21.0 °C (dt = 1.0 K), in um:
#   e_L:      a = 1.8 + 20/300 = 1.866667;       u = a/sqrt(3) = 1.077721; c = 1
#   e_P:      a = 1.5;                           u = 0.866025;             c = 1
#   d_alpha:  a = 1e-6 /K, u = 5.773503e-7 /K;   c = L dt = 20e3 um x 1.0 K  -> 0.011547
#   d_t:      u = 0.2 K;                         c = L alpha = 20e3 x 11.5e-6 = 0.23 um/K
#                                                                           -> 0.046
#   u_c^2 = 1.161482 + 0.75 + 0.000133 + 0.002116 = 1.913731;  u_c = 1.383377 um
#   U = k u_c = 2 x 1.383377 = 2.766754 um (k = 2: no Type A input, nu_eff is infinite; the
#   method's coverage probability 95.45 % gives k = 2.000002)
HAND_CONTRIBUTIONS = {
    "e_L": 1.077721,
    "e_P": 0.866025,
    "d_alpha_part": 0.011547,
    "d_t_part": 0.046,
}
HAND_U_C = 1.383377
HAND_U = 2.766754


def cmm_method(**overrides: object) -> Method:
    data = MethodCreate.model_validate(
        {
            "code": "DIM-CMM-T",
            "title_fi": "CMM",
            "title_en": "CMM",
            "service_kind": "product_qc",
            "measurand": "a size",
            "result_unit": "um",
            "size_unit": "mm",
            "range_min": 0,
            "range_max": 1000,
            "cmc": "1.8 + L/300",
            "model": "y",
            "output": "Y",
            "inputs": [{"name": "y", "source": "type_a", "unit": "um"}],
            "coordinate_budget": TEMPLATE,
            **overrides,
        }
    )
    return Method.model_validate(
        data,
        update={
            "inputs": [source.model_dump() for source in data.inputs],
            "coordinate_budget": data.coordinate_budget.model_dump()
            if data.coordinate_budget
            else None,
        },
    )


def test_the_worked_budget_of_a_20_mm_diameter_matches_the_hand_calculation() -> None:
    evaluated = specification_uncertainty(
        cmm_method(), size=20.0, readings=[20.046], unit="mm", temperature=21.0
    )
    assert evaluated.source == SPECIFICATION
    record = evaluated.record
    assert record["unit"] == "um"
    contributions = {row["input"]: abs(row["contribution"]) for row in record["budget"]}
    for name, by_hand in HAND_CONTRIBUTIONS.items():
        assert contributions[name] == pytest.approx(by_hand, abs=1e-6), name
    assert record["standard_uncertainty"] == pytest.approx(HAND_U_C, abs=1e-6)
    assert record["coverage_factor"] == pytest.approx(2.0, abs=1e-4)
    # U in the characteristic's unit (mm), the value as measured.
    assert evaluated.expanded_uncertainty == pytest.approx(HAND_U * 1e-3, abs=1e-8)
    assert record["value"] == pytest.approx(20046.0)


def test_a_form_tolerance_takes_the_features_size_not_the_tolerance() -> None:
    # Flatness 0.02 mm of a face 80 mm across: E_L,MPE at L = 80 mm is 1.8 + 80/300 um.
    evaluated = specification_uncertainty(
        cmm_method(), size=80.0, readings=[0.012], unit="mm", temperature=20.0
    )
    e_l = next(row for row in evaluated.record["budget"] if row["input"] == "e_L")
    assert e_l["standard_uncertainty"] == pytest.approx((1.8 + 80 / 300) / math.sqrt(3))
    # A template with sampling limits of +/-0.5 um adds 0.5/sqrt(3) = 0.288675 um to a form
    # tolerance only.  At 20.0 °C (dt = 0: no coefficient term) and L = 80 mm:
    # e_L (2.066667/sqrt(3))^2 = 1.423704, e_P 0.75, e_S 0.083333, d_t (80e3 x 11.5e-6 x 0.2)^2
    # = 0.184^2 = 0.033856; u_c^2 = 2.290893, u_c = 1.513570 um.
    sampled = cmm_method(coordinate_budget={**TEMPLATE, "form_sampling_half_width": 0.5})
    flatness = specification_uncertainty(
        sampled, size=80.0, readings=[0.012], unit="mm", temperature=20.0, kind="flatness"
    )
    diameter = specification_uncertainty(
        sampled, size=80.0, readings=[80.012], unit="mm", temperature=20.0, kind="diameter"
    )
    by_input = {row["input"]: row for row in flatness.record["budget"]}
    assert by_input["e_S"]["standard_uncertainty"] == pytest.approx(0.288675, abs=1e-6)
    assert flatness.record["standard_uncertainty"] == pytest.approx(1.513570, abs=1e-6)
    assert next(r for r in diameter.record["budget"] if r["input"] == "e_S")["contribution"] == 0
    unknown = specification_uncertainty(
        cmm_method(), size=None, readings=[0.012], unit="mm", temperature=20.0
    )
    assert unknown.source == NOT_EVALUATED
    assert unknown.expanded_uncertainty is None
    assert "feature's size" in unknown.record["reason"]


def test_repeats_add_their_repeatability() -> None:
    # Five repeats, um: 20046.0, 20047.0, 20045.0, 20046.5, 20045.5: mean 20046.0;
    # deviations 0, 1, -1, 0.5, -0.5 -> squares 2.5, s^2 = 2.5/4 = 0.625, s = 0.790569;
    # s/sqrt(5) = 0.353553 um with 4 degrees of freedom.
    readings = [20.0460, 20.0470, 20.0450, 20.0465, 20.0455]
    evaluated = specification_uncertainty(
        cmm_method(), size=20.0, readings=readings, unit="mm", temperature=21.0
    )
    y = next(row for row in evaluated.record["budget"] if row["input"] == "y")
    assert y["standard_uncertainty"] == pytest.approx(0.353553, abs=1e-6)
    # u_c^2 = 1.913731 + 0.125 = 2.038731 -> u_c = 1.427842 um
    assert evaluated.record["standard_uncertainty"] == pytest.approx(1.427842, abs=1e-6)
    assert evaluated.record["value"] == pytest.approx(20046.0)


def test_without_a_template_temperature_or_length_u_is_not_evaluated() -> None:
    reasons = [
        specification_uncertainty(
            cmm_method(coordinate_budget=None),
            size=20.0,
            readings=[20.0],
            unit="mm",
            temperature=20.0,
        ),
        specification_uncertainty(
            cmm_method(), size=20.0, readings=[20.0], unit="mm", temperature=None
        ),
        specification_uncertainty(
            cmm_method(), size=20.0, readings=[60.0], unit="deg", temperature=20.0
        ),
    ]
    assert [r.source for r in reasons] == [NOT_EVALUATED] * 3
    assert all(r.expanded_uncertainty is None for r in reasons)


def test_a_scale_expansion_adds_the_scales_thermal_terms() -> None:
    # Steel scales, 11.5e-6 /K within +/-1e-6 /K: the scale's two terms equal the part's,
    # u_c^2 = 1.913731 + 0.000133 + 0.002116 = 1.915980 -> u_c = 1.384189 um.
    template = {**TEMPLATE, "scale_expansion": 11.5e-6, "scale_expansion_half_width": 1e-6}
    evaluated = specification_uncertainty(
        cmm_method(coordinate_budget=template),
        size=20.0,
        readings=[20.046],
        unit="mm",
        temperature=21.0,
    )
    contributions = {row["input"]: abs(row["contribution"]) for row in evaluated.record["budget"]}
    assert contributions["d_alpha_scale"] == pytest.approx(0.011547, abs=1e-6)
    assert contributions["d_t_scale"] == pytest.approx(0.046, abs=1e-6)
    assert evaluated.record["standard_uncertainty"] == pytest.approx(1.384189, abs=1e-6)


def test_substitution_with_a_calibrated_workpiece_by_hand() -> None:
    # ISO 15530-3:2011: U = k sqrt(u_cal^2 + u_p^2 + u_b^2 + u_w^2), the bias corrected (the
    # formula of lims.uncertainty.substitution, shared with the company's own uncertainty).
    # The workpiece: 20 mm + 1.2 um, U = 0.4 um (k = 2) -> u_cal = 0.2 um.  Twenty repeats on
    # it, ten at 20.0020 mm and ten at 20.0024 mm: mean 20.0022, bias b = +1.0 um; each
    # deviation from the mean is 0.2 um -> s^2 = 20 x 0.04 / 19 = 0.042105, u_p = 0.205196 um.
    # u_b = L dt u(alpha) = 20e3 um x 1.0 K x 1e-6/sqrt(3) /K = 0.011547 um; u_w = 0.5 um.
    # U = 2 sqrt(0.04 + 0.042105 + 0.000133 + 0.25) = 2 sqrt(0.332239) = 1.152803 um.
    # The product read 20.0460 mm: corrected by b, 20.0450 mm.
    method = cmm_method(coordinate_budget={**TEMPLATE, "workpiece_variation": 0.5})
    evaluated = substitution_uncertainty(
        method,
        calibrated_value=20.0012,
        calibration_expanded_uncertainty=0.0004,
        calibration_coverage_factor=2,
        workpiece_readings=[20.0020] * 10 + [20.0024] * 10,
        readings=[20.0460],
        unit="mm",
        size=20.0,
        temperature=21.0,
    )
    assert evaluated.source == SUBSTITUTION
    record = evaluated.record
    assert record["bias"] == pytest.approx(1.0, abs=1e-6)
    assert record["u_cal"] == pytest.approx(0.2, abs=1e-9)
    assert record["u_p"] == pytest.approx(0.205196, abs=1e-6)
    assert record["u_b"] == pytest.approx(0.011547, abs=1e-6)
    assert record["expanded_uncertainty"] == pytest.approx(1.152803, abs=1e-6)
    assert record["warnings"] == []  # twenty repeats
    # Shown as a budget: the four components, their indices summing to 100 %.
    assert [row["input"] for row in record["budget"]] == ["u_cal", "u_p", "u_b", "u_w"]
    assert sum(row["index_percent"] for row in record["budget"]) == pytest.approx(100)
    assert evaluated.expanded_uncertainty == pytest.approx(0.001152803, abs=1e-9)
    assert evaluated.value == pytest.approx(20.0450, abs=1e-9)


def test_substitution_on_few_repeats_warns_and_without_u_w_is_not_evaluated() -> None:
    few = substitution_uncertainty(
        cmm_method(coordinate_budget={**TEMPLATE, "workpiece_variation": 0.5}),
        calibrated_value=20.0012,
        calibration_expanded_uncertainty=0.0004,
        calibration_coverage_factor=2,
        workpiece_readings=[20.0020, 20.0024, 20.0022],
        readings=[20.0460],
        unit="mm",
        size=20.0,
        temperature=21.0,
    )
    assert "only 3 measurements" in few.record["warnings"][0]
    without = substitution_uncertainty(
        cmm_method(),
        calibrated_value=20.0012,
        calibration_expanded_uncertainty=0.0004,
        calibration_coverage_factor=2,
        workpiece_readings=[20.0020, 20.0024],
        readings=[20.0460],
        unit="mm",
        size=20.0,
        temperature=21.0,
    )
    assert without.source == NOT_EVALUATED
