"""Decision rules as ILAC-G8:09/2019 and JCGM 106:2012 state them (issue 22).

Sources of the expected numbers, none taken from the code's own output:
- ILAC-G8:09/2019 4.2: 4.2.1 binary statement, simple acceptance (w = 0); 4.2.2 binary
  statement with a guard band; 4.2.3 non-binary statement with a guard band (pass, conditional
  pass, conditional fail, fail). Read in the transcription of pages 9-10 (see
  tests/uncertainty/published/decisions/*.json, "references").
- JCGM 106:2012 7.3, Table 1: for a one-sided tolerance and a normal PDF, p_c = Phi(z) with
  z = (T_U - y)/u; the table pairs p_c = 0.80, 0.90, 0.95, 0.99, 0.999 with z = 0.84, 1.28,
  1.64, 2.33, 3.09.
- JCGM 106:2012 7.6: the measurement capability index C_m = (T_U - T_L)/(4 u).
- ANSI/NCSL Z540.3: test-uncertainty ratio TUR = (T_U - T_L)/(2 U); 4:1 is its customary
  minimum where the false-accept risk is not evaluated.
- Standard normal table values (any statistics text): Phi(0.13) = 0.5517, Phi(0.14) = 0.5557.
"""

import pytest

from lims.uncertainty import DecisionResponse, decide
from lims.uncertainty.errors import SimpleAcceptanceRefused
from lims.uncertainty.schemas import CapabilityPolicy

# The reproduction: 1.9 +- 1.5 (k = 2) against the tolerance +-2, simple acceptance.
REPRODUCTION = {
    "value": 1.9,
    "expanded_uncertainty": 1.5,
    "coverage_factor": 2,
    "lower_limit": -2.0,
    "upper_limit": 2.0,
    "rule": "simple_acceptance",
}


@pytest.mark.parametrize(
    ("z", "p_c", "digits"),
    [(0.84, 0.80, 2), (1.28, 0.90, 2), (1.64, 0.95, 2), (2.33, 0.99, 2), (3.09, 0.999, 3)],
)
def test_probability_of_conformance_reproduces_jcgm_106_table_1(
    z: float, p_c: float, digits: int
) -> None:
    response = decide({"value": 0.0, "standard_uncertainty": 1.0, "upper_limit": z})
    assert round(response["probability_of_conformance"], digits) == p_c
    assert response["measurement_capability_index"] is None  # C_m needs two limits


def test_simple_acceptance_without_capability_warns_with_tur_and_probability() -> None:
    response = decide(REPRODUCTION)
    DecisionResponse.model_validate(response)
    # u = U/k = 0.75; p_c = Phi((2 - 1.9)/0.75) - Phi((-2 - 1.9)/0.75) = Phi(0.1333) - Phi(-5.2);
    # Phi(0.1333) = 0.5517 + 0.333 * (0.5557 - 0.5517) = 0.5530 (table), Phi(-5.2) ~ 1e-7.
    assert response["decision"] == "pass"
    assert response["probability_of_conformance"] == pytest.approx(0.5530, abs=5e-5)
    # C_m = 4/(4 * 0.75) = 1.333; TUR = 4/(2 * 1.5) = 1.333
    assert response["measurement_capability_index"] == pytest.approx(4 / 3)
    assert response["test_uncertainty_ratio"] == pytest.approx(4 / 3)
    assert response["tolerance"] == [-2.0, 2.0]
    assert response["acceptance_interval"] == [-2.0, 2.0]
    assert response["guard_band"] == 0.0
    (warning,) = response["warnings"]
    assert "ILAC-G8:09/2019 4.2.1" in warning
    assert "1.33:1, below the lab's minimum 4:1" in warning
    assert "55.3 %, below the lab's minimum 95 %" in warning


def test_simple_acceptance_with_a_capable_measurement_gives_no_warning() -> None:
    # TUR = 4/(2 * 0.4) = 5 >= 4; p_c = Phi((2 - 0)/0.2) - Phi(-10) = 1.0 >= 0.95
    response = decide({**REPRODUCTION, "value": 0.0, "expanded_uncertainty": 0.4})
    assert response["warnings"] == []
    assert response["test_uncertainty_ratio"] == pytest.approx(5.0)


def test_the_lab_sets_its_minimum_ratio_and_may_refuse() -> None:
    capable = {**REPRODUCTION, "value": 0.0, "expanded_uncertainty": 0.4}  # TUR 5
    strict = CapabilityPolicy(min_test_uncertainty_ratio=10)
    assert "5.00:1, below the lab's minimum 10:1" in decide(capable, strict)["warnings"][0]
    with pytest.raises(SimpleAcceptanceRefused, match="use a guard-band rule") as refused:
        decide(REPRODUCTION, CapabilityPolicy(refuse=True))
    assert refused.value.location == ("rule",)


def test_guard_band_rules_are_not_checked_as_simple_acceptance() -> None:
    # w = U accounts for U: the guard band, not a ratio, keeps the risk (ILAC-G8 4.2.2/4.2.3).
    # w = U = 1.5: acceptance interval [-2 + 1.5, 2 - 1.5]; 1.9 lies in the guard band.
    response = decide({**REPRODUCTION, "rule": "guard_band_U"})
    assert response["warnings"] == []
    assert response["guard_band"] == 1.5
    assert response["acceptance_interval"] == [-0.5, 0.5]
    assert response["decision"] == "conditional_pass"


@pytest.mark.parametrize(
    ("rule", "extra", "clause", "wrong"),
    [
        ("simple_acceptance", {}, "4.2.1", ("4.2.2", "4.2.3")),
        ("guard_band_U", {}, "4.2.3", ("4.2.1", "4.2.2")),
        ("guard_band_U", {"binary": True}, "4.2.2", ("4.2.1", "4.2.3")),
        ("guard_band_rU", {"r": 0.5}, "4.2.3", ("4.2.1", "4.2.2")),
        ("guard_band_rU", {"r": 0.5, "binary": True}, "4.2.2", ("4.2.1", "4.2.3")),
    ],
)
def test_each_statement_cites_the_g8_clause_of_what_it_does(
    rule: str, extra: dict[str, object], clause: str, wrong: tuple[str, ...]
) -> None:
    response = decide({**REPRODUCTION, "value": 0.0, "rule": rule, **extra})
    for statement in (response["rule"]["statement"], response["rule"]["statement_fi"]):
        assert f"ILAC-G8:09/2019, {clause}" in statement
        assert not any(other in statement for other in wrong)


def test_k_is_printed_to_the_reporting_precision() -> None:
    # U and u as a certificate gives them: U = 0.0040002, u = 0.002 -> k = U/u = 2.0001.
    response = decide(
        {
            "value": 9.9975,
            "expanded_uncertainty": 0.0040002,
            "standard_uncertainty": 0.002,
            "lower_limit": 9.99,
            "upper_limit": 10.0,
            "rule": "guard_band_U",
        }
    )
    assert "(k = 2.00)" in response["rule"]["statement"]
    assert "(k = 2,00)" in response["rule"]["statement_fi"]
    assert "2.0001" not in response["rule"]["statement"]


def test_guard_band_u_leaves_at_least_phi_2_at_the_acceptance_limit() -> None:
    # w = U = 2u (k = 2): at the acceptance limit T_U - w, p_c = Phi(2) = 0.97725 (normal
    # table), JCGM 106 7.3 with z = 2; the decision there is still a pass (ILAC-G8 4.2.2).
    response = decide(
        {
            "value": 8.0,
            "expanded_uncertainty": 2.0,
            "coverage_factor": 2,
            "upper_limit": 10.0,
            "rule": "guard_band_U",
            "binary": True,
        }
    )
    assert response["decision"] == "pass"
    assert response["probability_of_conformance"] == pytest.approx(0.97725, abs=5e-6)
