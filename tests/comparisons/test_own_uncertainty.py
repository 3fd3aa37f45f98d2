"""ISO 15530-3 substitution method against a hand calculation."""

import math

import pytest

from lims.comparisons import own_uncertainty
from lims.errors import InvalidInput

# By hand (mm): calibrated 50.0000, U = 0.0006 (k = 2) -> u_cal = 0.0003.
# Measurements 50.0012, 50.0008, 50.0010, 50.0014, 50.0006: mean 50.0010, bias b = 0.0010;
# deviations +2, -2, 0, +4, -4 (x 1e-4) -> squares sum 40e-8, s^2 = 40e-8 / 4 = 10e-8,
# u_p = sqrt(10e-8) = 3.162278e-4.  u_b = 0.0002, u_w = 0.0001, k = 2.
# 2011: U = 2 sqrt(9e-8 + 10e-8 + 4e-8 + 1e-8) = 2 sqrt(24e-8) = 9.797959e-4
# 2004: U = 2 sqrt(9e-8 + 10e-8 + 1e-8) + 0.0010 = 2 x 4.472136e-4 + 0.0010 = 1.894427e-3
REQUEST = {
    "calibrated_value": 50.0000,
    "calibration_expanded_uncertainty": 0.0006,
    "calibration_coverage_factor": 2,
    "measurements": [50.0012, 50.0008, 50.0010, 50.0014, 50.0006],
    "u_b": 0.0002,
    "u_w": 0.0001,
    "k": 2,
    "bias": "corrected",
}


def test_substitution_method_by_hand() -> None:
    response = own_uncertainty(REQUEST)
    assert math.isclose(response["mean"], 50.0010, abs_tol=1e-10)
    assert math.isclose(response["bias"], 0.0010, abs_tol=1e-10)
    assert math.isclose(response["u_cal"], 0.0003, rel_tol=1e-12)
    assert math.isclose(response["u_p"], 3.162278e-4, rel_tol=1e-6)
    assert math.isclose(response["expanded_uncertainty"], 9.797959e-4, rel_tol=1e-6)
    assert math.isclose(response["expanded_uncertainty_2004"], 1.894427e-3, rel_tol=1e-6)
    assert response["stated"] == "ISO 15530-3:2011"
    assert "subtract b = 0.001" in response["statement"]
    assert response["warnings"]  # five measurements are few


def test_an_included_bias_is_stated_by_the_2004_specification() -> None:
    response = own_uncertainty({**REQUEST, "bias": "included"})
    assert response["stated"] == "ISO/TS 15530-3:2004"
    assert "U = 0.0019 (k = 2)" in response["statement"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("calibration_expanded_uncertainty", 0),
        ("calibration_coverage_factor", -2),
        ("k", 0),
        ("u_b", -0.1),
    ],
)
def test_bad_input_is_refused(field: str, value: float) -> None:
    with pytest.raises(InvalidInput) as refused:
        own_uncertainty({**REQUEST, field: value})
    assert refused.value.location == (field,)
