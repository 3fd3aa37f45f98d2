"""Conformity decisions (ILAC-G8:09/2019 4.2) and probability of conformance (JCGM 106)."""

import json
from typing import Any

import pytest
from pydantic import ValidationError

from lims.uncertainty import DecisionResponse, UncertaintyInputError, decide

# Tolerance [9.0, 11.0], U = 0.4 (k = 2): acceptance interval with w = U is [9.4, 10.6].
BASE = {
    "expanded_uncertainty": 0.4,
    "coverage_factor": 2,
    "lower_limit": 9.0,
    "upper_limit": 11.0,
}


@pytest.mark.parametrize(
    ("value", "non_binary", "binary", "simple"),
    [
        (10.0, "pass", "pass", "pass"),
        (10.5, "pass", "pass", "pass"),
        (10.8, "conditional_pass", "fail", "pass"),
        (9.2, "conditional_pass", "fail", "pass"),
        (11.3, "conditional_fail", "fail", "fail"),
        (8.7, "conditional_fail", "fail", "fail"),
        (11.5, "fail", "fail", "fail"),
        (8.0, "fail", "fail", "fail"),
    ],
)
def test_ilac_g8_zones(value: float, non_binary: str, binary: str, simple: str) -> None:
    request = {**BASE, "value": value, "rule": "guard_band_U"}
    assert decide(request)["decision"] == non_binary
    assert decide({**request, "binary": True})["decision"] == binary
    assert decide({**request, "rule": "simple_acceptance"})["decision"] == simple


def test_response_shape_and_rule_statement() -> None:
    response = decide({**BASE, "value": 10.8, "rule": "guard_band_rU", "r": 0.5})
    DecisionResponse.model_validate(response)
    json.dumps(response, allow_nan=False)
    assert response["guard_band"] == pytest.approx(0.2)
    assert response["acceptance_interval"] == pytest.approx([9.2, 10.8])
    assert response["decision"] == "pass"
    rule = response["rule"]
    assert rule["name"] == "guard_band_rU"
    assert "ILAC-G8:09/2019" in rule["statement"] and "r = 0.5" in rule["statement"]
    assert "Päätössääntö" in rule["statement_fi"] and "r = 0,5" in rule["statement_fi"]


def test_probability_of_conformance_normal_and_t() -> None:
    # One limit 2 u above the value: Phi(2) for the normal.
    request = {"value": 0.0, "standard_uncertainty": 1.0, "upper_limit": 2.0}
    assert decide(request)["probability_of_conformance"] == pytest.approx(0.9772499, abs=1e-7)
    t = decide({**request, "distribution": "t", "dof": 3})
    assert t["probability_of_conformance"] == pytest.approx(0.930337, abs=1e-6)


def test_one_sided_limits() -> None:
    response = decide(
        {
            "value": 5.0,
            "expanded_uncertainty": 1.0,
            "coverage_factor": 2,
            "lower_limit": 4.5,
            "rule": "guard_band_U",
        }
    )
    assert response["acceptance_interval"] == [5.5, None]
    assert response["decision"] == "conditional_pass"


def test_customer_rule_by_minimum_probability() -> None:
    request = {
        "value": 9.9,
        "standard_uncertainty": 0.05,
        "upper_limit": 10.0,
        "rule": "customer",
        "customer_rule": {
            "statement": "Agreed in contract 12/2026.",
            "minimum_probability_of_conformance": 0.95,
        },
    }
    response = decide(request)
    assert response["decision"] == "pass"  # Phi(2) = 0.977
    assert response["guard_band"] == pytest.approx(1.644854 * 0.05, rel=1e-6)
    assert "Agreed in contract 12/2026." in response["rule"]["statement"]
    assert "Agreed in contract 12/2026." in response["rule"]["statement_fi"]
    strict = {
        **request,
        "customer_rule": {**request["customer_rule"], "minimum_probability_of_conformance": 0.99},
    }
    assert decide(strict)["decision"] == "fail"


def test_customer_rule_by_acceptance_limits() -> None:
    request = {
        **BASE,
        "value": 10.75,
        "rule": "customer",
        "customer_rule": {"statement": "Half the tolerance.", "acceptance_limits": [9.5, 10.5]},
    }
    response = decide(request)
    assert response["decision"] == "fail"
    assert response["acceptance_interval"] == [9.5, 10.5]
    assert response["guard_band"] == pytest.approx(0.5)


def test_empty_acceptance_zone_is_warned() -> None:
    response = decide({**BASE, "value": 10.0, "expanded_uncertainty": 1.5, "rule": "guard_band_U"})
    assert response["decision"] == "conditional_pass"
    assert any("empty" in warning for warning in response["warnings"])


BAD: list[tuple[dict[str, Any], tuple, str]] = [
    ({"value": 1.0, "standard_uncertainty": 1.0}, ("upper_limit",), "tolerance"),
    ({**BASE, "value": 1.0, "lower_limit": 12.0}, ("lower_limit",), "below"),
    ({"value": 1.0, "upper_limit": 2.0}, ("expanded_uncertainty",), "uncertainty"),
    (
        {"value": 1.0, "upper_limit": 2.0, "expanded_uncertainty": 0.1},
        ("coverage_factor",),
        "coverage_factor",
    ),
    ({**BASE, "value": 1.0, "expanded_uncertainty": -0.1}, ("expanded_uncertainty",), "negative"),
    ({**BASE, "value": float("nan")}, ("value",), "finite"),
    ({**BASE, "value": 1.0, "rule": "guard_band_rU"}, ("r",), "needs r"),
    ({**BASE, "value": 1.0, "distribution": "t"}, ("dof",), "dof"),
    ({**BASE, "value": 1.0, "dof": 0, "distribution": "t"}, ("dof",), "greater than zero"),
    ({**BASE, "value": 1.0, "rule": "customer"}, ("customer_rule",), "customer_rule"),
    # Found by tests/uncertainty/test_properties.py: U = 1 with k = 5e-324 made u = inf.
    (
        {**BASE, "value": 0.0, "expanded_uncertainty": 1.0, "coverage_factor": 5e-324},
        ("coverage_factor",),
        "must be finite",
    ),
    (
        {
            **BASE,
            "value": 0.0,
            "expanded_uncertainty": None,
            "standard_uncertainty": 1e308,
            "coverage_factor": 1e10,
        },
        ("coverage_factor",),
        "must be finite",
    ),
]


@pytest.mark.parametrize(("request_", "location", "words"), BAD)
def test_bad_decision_requests(request_: dict[str, Any], location: tuple, words: str) -> None:
    with pytest.raises(UncertaintyInputError) as caught:
        decide(request_)
    assert caught.value.location == location
    assert words in caught.value.message


def test_unknown_fields_are_refused_by_the_schema() -> None:
    with pytest.raises(ValidationError):
        decide({**BASE, "value": 1.0, "rule": "guess"})
