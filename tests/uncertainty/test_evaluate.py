"""evaluate(): response shape, GUM behaviour, warnings, and every kind of bad input."""

import json
import math
from typing import Any

import pytest
from pydantic import ValidationError

from lims.uncertainty import (
    EvaluationRequest,
    EvaluationResponse,
    UncertaintyInputError,
    evaluate,
)


def normal(name: str, value: float, u: float, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": value, "standard_uncertainty": u, **extra}


def simple(**extra: Any) -> dict[str, Any]:
    return {"model": "a * b", "inputs": [normal("a", 2.0, 0.1), normal("b", 3.0, 0.2)], **extra}


def check_response(response: dict[str, Any]) -> None:
    json.dumps(response, allow_nan=False)
    EvaluationResponse.model_validate(response)


def test_gum_response_has_every_key_and_is_plain_json() -> None:
    response = evaluate(simple())
    check_response(response)
    (y,) = response["outputs"]
    assert y["name"] == "y"
    assert y["value"] == 6.0
    assert y["standard_uncertainty"] == pytest.approx(0.5, rel=1e-14)
    assert y["dof"] is None  # infinite
    assert y["coverage_factor"] == pytest.approx(1.959964, abs=1e-6)
    assert y["mcm"] is None and y["second_order_standard_uncertainty"] is None
    assert response["correlation"] is None and response["warnings"] == []
    a, b = y["budget"]
    assert (a["input"], a["sensitivity"], a["contribution"]) == ("a", 3.0, pytest.approx(0.3))
    assert a["index_percent"] + b["index_percent"] == pytest.approx(100.0)
    assert a["dof"] is None and a["distribution"] == "normal"
    assert y["reported"]["expanded_uncertainty"] == "0.98"
    assert y["reported"]["value"] == "6.00"


def test_method_mcm_leaves_gum_fields_null() -> None:
    response = evaluate(simple(method="mcm", mcm={"trials": 20_000, "seed": 7}))
    check_response(response)
    (y,) = response["outputs"]
    for key in ("value", "standard_uncertainty", "dof", "coverage_factor", "expanded_uncertainty"):
        assert y[key] is None, key
    assert y["interval"] is None and y["budget"] is None
    assert y["mcm"]["trials"] == 20_000 and y["mcm"]["seed"] == 7
    assert y["mcm"]["validation"] is None
    assert y["reported"]["basis"] == "mcm"


def test_fixed_coverage_factor_overrides() -> None:
    (y,) = evaluate(simple(coverage_factor=2))["outputs"]
    assert y["coverage_factor"] == 2.0
    assert y["expanded_uncertainty"] == pytest.approx(1.0)


def test_welch_satterthwaite_and_t_coverage_factor() -> None:
    inputs = [normal("a", 1.0, 1.0, dof=4), normal("b", 1.0, 1.0, dof=4)]
    (y,) = evaluate({"model": "a + b", "inputs": inputs})["outputs"]
    # u_c^4 / sum(u_i^4 / nu_i) = 4 / (1/4 + 1/4) = 8
    assert y["dof"] == pytest.approx(8.0)
    assert y["coverage_factor"] == pytest.approx(2.306004, abs=1e-6)  # t_0.975(8)


def test_dof_from_relative_uncertainty_of_uncertainty() -> None:
    spec = normal("a", 1.0, 1.0, relative_uncertainty_of_uncertainty=0.25)
    (y,) = evaluate({"model": "a", "inputs": [spec]})["outputs"]
    assert y["dof"] == pytest.approx(8.0)  # GUM G.4.2: 1 / (2 * 0.25^2)


def test_type_a_from_observations() -> None:
    spec = {"name": "x", "observations": [10.1, 10.3, 10.2, 10.4]}
    (y,) = evaluate({"model": "x", "inputs": [spec]})["outputs"]
    assert y["value"] == pytest.approx(10.25)
    assert y["standard_uncertainty"] == pytest.approx(0.129099445 / 2)
    assert y["dof"] == pytest.approx(3.0)
    assert y["budget"][0]["distribution"] == "type_a"


@pytest.mark.parametrize(
    ("spec", "u"),
    [
        ({"distribution": "rectangular", "half_width": 3.0}, 3.0 / math.sqrt(3)),
        ({"distribution": "triangular", "half_width": 3.0}, 3.0 / math.sqrt(6)),
        ({"distribution": "arcsine", "half_width": 3.0}, 3.0 / math.sqrt(2)),
        (
            {"distribution": "trapezoidal", "half_width": 3.0, "beta": 0.5},
            3.0 * math.sqrt(1.25 / 6),
        ),
        ({"distribution": "t", "scale": 2.0, "dof": 5}, 2.0),
        ({"expanded_uncertainty": 4.0, "coverage_factor": 2.0}, 2.0),
        ({"distribution": "rectangular", "standard_uncertainty": 1.5}, 1.5),
    ],
)
def test_standard_uncertainty_of_each_distribution(spec: dict[str, Any], u: float) -> None:
    (y,) = evaluate({"model": "x", "inputs": [{"name": "x", "value": 1.0, **spec}]})["outputs"]
    assert y["standard_uncertainty"] == pytest.approx(u, rel=1e-14)


def test_unused_input_is_a_warning() -> None:
    request = simple()
    request["inputs"].append(normal("c", 1.0, 1.0))
    response = evaluate(request)
    assert any("'c' is not used" in warning for warning in response["warnings"])
    assert response["outputs"][0]["budget"][2]["sensitivity"] == 0.0


def test_welch_satterthwaite_with_correlation_gives_null_dof_and_a_warning() -> None:
    request = {
        "model": "a + b",
        "inputs": [normal("a", 1.0, 1.0, dof=5), normal("b", 1.0, 1.0)],
        "correlations": [{"between": ["a", "b"], "r": 0.5}],
        "second_order": True,
    }
    response = evaluate(request)
    (y,) = response["outputs"]
    assert y["dof"] is None
    assert y["standard_uncertainty"] == pytest.approx(math.sqrt(3.0))
    assert y["coverage_factor"] == pytest.approx(1.959964, abs=1e-6)
    assert y["second_order_standard_uncertainty"] is None
    assert any("Welch-Satterthwaite" in warning for warning in response["warnings"])
    assert any("second-order" in warning for warning in response["warnings"])


def test_second_order_terms_of_a_product() -> None:
    # y = a b with a = b = 0: first order u = 0, second order u = u_a u_b (GUM 5.1.2 note).
    request = {"model": "a * b", "inputs": [normal("a", 0.0, 2.0), normal("b", 0.0, 3.0)]}
    (y,) = evaluate({**request, "second_order": True})["outputs"]
    assert y["standard_uncertainty"] == 0.0
    assert y["second_order_standard_uncertainty"] == pytest.approx(6.0)


def test_several_outputs_share_inputs_and_are_correlated() -> None:
    request = {
        "models": {"S": "a + b", "D": "a - b", "A": "a"},
        "inputs": [normal("a", 1.0, 1.0), normal("b", 2.0, 1.0)],
    }
    response = evaluate(request)
    check_response(response)
    assert [o["name"] for o in response["outputs"]] == ["S", "D", "A"]
    r = response["correlation"]
    assert r[0][1] == pytest.approx(0.0, abs=1e-15)
    assert r[0][2] == pytest.approx(1 / math.sqrt(2))
    assert r[1][2] == pytest.approx(1 / math.sqrt(2))
    assert all(r[i][i] == 1.0 for i in range(3))


def test_rounding_keeps_two_significant_digits_when_rounding_gains_one() -> None:
    (y,) = evaluate({"model": "x", "inputs": [normal("x", 1234.5, 49.85)], "coverage_factor": 2})[
        "outputs"
    ]
    assert y["reported"]["expanded_uncertainty"] == "100"
    assert y["reported"]["value"] == "1230"


BAD_INPUTS = [
    ({"model": "", "inputs": []}, ("model",), "empty"),
    ({"inputs": [normal("a", 1, 1)]}, ("model",), "missing"),
    ({"model": "a + q", "inputs": [normal("a", 1, 1)]}, ("model",), "'q', which is not an input"),
    (
        {"models": {"R": "a / 0"}, "inputs": [normal("a", 1, 1)]},
        ("models", "R"),
        "divides by zero",
    ),
    (
        {"model": "a / (b - 2)", "inputs": [normal("a", 1, 1), normal("b", 2, 1)]},
        ("model",),
        "divides by zero",
    ),
    ({"model": "log(a)", "inputs": [normal("a", -1, 1)]}, ("model",), "logarithm"),
    ({"model": "sqrt(a)", "inputs": [normal("a", 0, 1)]}, ("model",), "sensitivity"),
    (
        {"model": "a", "inputs": [normal("a", 1, -1)]},
        ("inputs", 0, "standard_uncertainty"),
        "negative",
    ),
    (
        {"model": "a", "inputs": [normal("a", 1, 1, dof=0)]},
        ("inputs", 0, "dof"),
        "greater than zero",
    ),
    (
        {"model": "a", "inputs": [normal("a", 1, 1, dof=-3)]},
        ("inputs", 0, "dof"),
        "greater than zero",
    ),
    (
        {"model": "a", "inputs": [normal("a", 1, 1, relative_uncertainty_of_uncertainty=0)]},
        ("inputs", 0, "relative_uncertainty_of_uncertainty"),
        "greater than zero",
    ),
    ({"model": "a", "inputs": [normal("a", math.nan, 1)]}, ("inputs", 0, "value"), "finite"),
    (
        {"model": "a", "inputs": [normal("a", 1, math.inf)]},
        ("inputs", 0, "standard_uncertainty"),
        "finite",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "observations": [1.0, math.nan]}]},
        ("inputs", 0, "observations", 1),
        "finite",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "observations": [1.0]}]},
        ("inputs", 0, "observations"),
        "at least two",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "value": 1, "distribution": "rectangular"}]},
        ("inputs", 0, "half_width"),
        "needs half_width",
    ),
    (
        {
            "model": "a",
            "inputs": [{"name": "a", "value": 1, "distribution": "trapezoidal", "half_width": 1}],
        },
        ("inputs", 0, "beta"),
        "needs beta",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "value": 1, "distribution": "t", "scale": 1}]},
        ("inputs", 0, "dof"),
        "needs its dof",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "value": 1}]},
        ("inputs", 0, "standard_uncertainty"),
        "needs",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "value": 1, "expanded_uncertainty": 2}]},
        ("inputs", 0, "coverage_factor"),
        "coverage_factor",
    ),
    (
        {"model": "a", "inputs": [{"name": "a", "standard_uncertainty": 1}]},
        ("inputs", 0, "value"),
        "value",
    ),
    (
        {"model": "a", "inputs": [normal("a", 1, 1), normal("a", 2, 1)]},
        ("inputs", 1, "name"),
        "two inputs named",
    ),
    (
        {
            "model": "a + b",
            "inputs": [normal("a", 1, 1), normal("b", 1, 1)],
            "correlations": [{"between": ["a", "b"], "r": 1.2}],
        },
        ("correlations", 0, "r"),
        "between -1 and 1",
    ),
    (
        {
            "model": "a + b",
            "inputs": [normal("a", 1, 1), normal("b", 1, 1)],
            "correlations": [{"between": ["a", "c"], "r": 0.2}],
        },
        ("correlations", 0, "between", 1),
        "no input named 'c'",
    ),
    (
        {
            "model": "a + b + c",
            "inputs": [normal("a", 1, 1), normal("b", 1, 1), normal("c", 1, 1)],
            "correlations": [
                {"between": ["a", "b"], "r": 0.9},
                {"between": ["b", "c"], "r": 0.9},
                {"between": ["a", "c"], "r": -0.9},
            ],
        },
        ("correlations",),
        "positive semi-definite",
    ),
    (
        {"model": "a", "models": {"b": "a"}, "inputs": [normal("a", 1, 1)]},
        ("models",),
        "not both",
    ),
]


@pytest.mark.parametrize(("request_", "location", "words"), BAD_INPUTS)
def test_bad_input_says_what_to_fix_and_where(
    request_: dict[str, Any], location: tuple, words: str
) -> None:
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate(request_)
    assert caught.value.location == location
    assert words in caught.value.message
    assert caught.value.message.endswith((".", ")"))


def test_unknown_name_points_at_its_position() -> None:
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"model": "a + qq*2", "inputs": [normal("a", 1, 1)]})
    assert caught.value.position == 4


def test_division_by_zero_points_at_the_division() -> None:
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"model": "a + 1/(a - 1)", "inputs": [normal("a", 1, 1)]})
    assert caught.value.position == 4


@pytest.mark.parametrize(
    "request_",
    [
        {"model": "a", "inputs": [normal("a", 1, 1)], "coverage_probability": 1.5},
        {"model": "a", "inputs": [normal("a", 1, 1)], "coverage_probability": math.nan},
        {"model": "a", "inputs": [normal("a", 1, 1)], "unknown": 1},
        {"model": "a", "inputs": [{**normal("a", 1, 1), "distribution": "cauchy"}]},
    ],
)
def test_malformed_requests_fail_schema_validation(request_: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        evaluate(request_)


def test_models_with_output_or_empty_are_refused() -> None:
    inputs = [normal("a", 1, 1)]
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"models": {"b": "a"}, "output": "b", "inputs": inputs})
    assert caught.value.location == ("output",)
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"models": {}, "inputs": inputs})
    assert caught.value.location == ("models",)


def test_evaluate_accepts_a_validated_request() -> None:
    request = EvaluationRequest.model_validate(simple())
    assert evaluate(request) == evaluate(simple())


def test_reported_block_for_gum_h1_states_k_and_dof() -> None:
    # GUM H.1.6: nu_eff = 16.7 -> 16, k = t_99(16) = 2.92 for p = 99 %.
    request = {
        "model": "l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta)",
        "output": "l",
        "inputs": [
            {"name": "l_s", "distribution": "t", "value": 50000623.6, "scale": 25.0, "dof": 18},
            normal("d", 215.0, 9.7, dof=25.6),
            {
                "name": "alpha_s",
                "distribution": "rectangular",
                "value": 11.5e-6,
                "half_width": 2e-6,
            },
            normal("theta", -0.1, 0.41),
            {
                "name": "d_alpha",
                "distribution": "rectangular",
                "value": 0.0,
                "half_width": 1e-6,
                "dof": 50,
            },
            {
                "name": "d_theta",
                "distribution": "rectangular",
                "value": 0.0,
                "half_width": 0.05,
                "dof": 2,
            },
        ],
        "coverage_probability": 0.99,
    }
    reported = evaluate(request)["outputs"][0]["reported"]
    assert reported["coverage_factor"] == "2.92"
    assert reported["coverage_probability"] == "99 %"
    assert "16 effective degrees of freedom" in reported["statement"]
    assert "k = 2.92" in reported["statement"]
    # U to two significant digits, the value to the same (units) place.
    assert len(reported["expanded_uncertainty"]) == 2
    assert reported["value"].isdigit() and len(reported["value"]) == 8


def test_an_input_whose_uncertainty_overflows_is_refused_where_it_is_given() -> None:
    huge = {"name": "a", "value": 1.0, "expanded_uncertainty": 1e300, "coverage_factor": 1e-10}
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"model": "a", "inputs": [huge]})
    assert caught.value.location == ("inputs", 0, "expanded_uncertainty")
    assert "overflows" in caught.value.message
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate({"model": "a", "inputs": [{"name": "a", "observations": [-1.7e308, 1.7e308]}]})
    assert caught.value.location == ("inputs", 0, "observations")


def test_infinite_coverage_factor_and_overflow_are_refused() -> None:
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate(simple(coverage_factor=math.inf))
    assert caught.value.location == ("coverage_factor",)
    for value, u in [(1e200, 1.0), (1.0, 1e200)]:
        with pytest.raises(UncertaintyInputError) as caught:
            evaluate({"model": "a * a", "inputs": [normal("a", value, u)]})
        assert "overflows" in caught.value.message


def test_a_tiny_relative_uncertainty_of_uncertainty_gives_infinite_dof() -> None:
    # 2 R^2 underflows to zero: nu = 1 / (2 R^2) is infinite, not a ZeroDivisionError.
    spec = {"name": "a", "value": 1.0, "standard_uncertainty": 1.0}
    response = evaluate(
        {"model": "a", "inputs": [{**spec, "relative_uncertainty_of_uncertainty": 1e-200}]}
    )
    assert response["outputs"][0]["dof"] is None
