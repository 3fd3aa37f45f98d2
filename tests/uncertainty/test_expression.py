"""The model parser: what it accepts, what it refuses and where, and its exact derivatives."""

import math
import os

import numpy as np
import pytest

from lims.uncertainty import UncertaintyInputError, evaluate, parse_model
from lims.uncertainty.expression import MAX_LENGTH, check_input_name


def refused(text: str) -> UncertaintyInputError:
    with pytest.raises(UncertaintyInputError) as caught:
        parse_model(text)
    return caught.value


@pytest.mark.parametrize(
    ("text", "position", "words"),
    [
        ("__import__('os').system('x')", 16, "Attribute access ('.system')"),
        ("().__class__", 2, "Attribute access ('.__class__')"),
        ("a.b", 1, "Attribute access ('.b')"),
        ("x[0]", 0, "Indexing"),
        ("lambda: 1", 0, "lambda"),
        ("a + open('f')", 4, "function 'open' is not allowed"),
        ("__import__('os')", 0, "function '__import__' is not allowed"),
        ("a < b", 0, "comparison"),
        ("'text'", 0, "constant 'text'"),
        ("a if b else c", 0, "conditional"),
        ("sqrt(x=1)", 5, "Keyword arguments"),
        ("sqrt(*a)", 5, "unpacking"),
        ("a % b", 2, "operator '%'"),
        ("a ^ 2", 2, "Write powers as '**'"),
        ("not a", 0, "operator 'not'"),
        ("[a for a in b]", 0, "comprehension"),
        ("(y := 2)", 1, "assignment"),
        ("f'{a}'", 0, "f-string"),
        ("pi()", 0, "constant, not a function"),
        ("sqrt(a, b)", 0, "takes 1 argument"),
        ("True", 0, "constant True"),
        ("1j", 0, "constant 1j"),
        ("10**400", 0, "no finite value"),
        ("a +", None, "not a valid expression"),
        ("  a.b", 3, "Attribute access"),
        ("θ.x", 1, "Attribute access"),
    ],
)
def test_hostile_or_foreign_syntax_is_refused_with_its_position(
    text: str, position: int | None, words: str
) -> None:
    error = refused(text)
    assert words in error.message
    if position is not None:
        assert error.position == position


def test_refusal_never_evaluates(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command))
    for text in ["__import__('os').system('echo pwned')", "os.system('echo pwned')"]:
        with pytest.raises(UncertaintyInputError):
            parse_model(text)
        with pytest.raises(UncertaintyInputError):
            evaluate(
                {
                    "model": text,
                    "inputs": [{"name": "os", "value": 1.0, "standard_uncertainty": 1.0}],
                }
            )
    assert calls == []


def test_too_long_and_too_deep_are_refused_before_parsing() -> None:
    assert "limit is" in refused("a+" * MAX_LENGTH + "a").message
    assert "deep" in refused("(" * 150 + "a" + ")" * 150).message
    assert "deep" in refused("-" * 5000 + "a").message
    assert "deep" in refused("a+" * 4000 + "a").message
    assert "empty" in refused("   ").message


@pytest.mark.parametrize("name", ["e", "pi", "sqrt", "atan2", "abs"])
def test_input_names_may_not_shadow_functions_or_constants(name: str) -> None:
    problem = check_input_name(name)
    assert problem is not None and name in problem
    with pytest.raises(UncertaintyInputError) as caught:
        evaluate(
            {"model": "x", "inputs": [{"name": name, "value": 1.0, "standard_uncertainty": 1.0}]}
        )
    assert caught.value.location == ("inputs", 0, "name")


@pytest.mark.parametrize("name", ["1a", "lambda", "a-b", ""])
def test_input_names_must_be_identifiers(name: str) -> None:
    assert check_input_name(name) is not None


def test_constants_and_functions_evaluate() -> None:
    model = parse_model("pi * e + sqrt(4) + log10(100) + atan2(1, 1) + abs(-2) + exp(0)")
    assert model.names == frozenset()
    expected = math.pi * math.e + 2 + 2 + math.pi / 4 + 2 + 1
    assert float(model.evaluate({})) == pytest.approx(expected, rel=1e-15)


def test_models_are_parsed_once() -> None:
    assert parse_model("a*b + c") is parse_model("a*b + c")


def test_evaluation_is_vectorised() -> None:
    model = parse_model("a * sin(b)")
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([0.0, math.pi / 2, math.pi / 6])
    np.testing.assert_allclose(model.evaluate({"a": a, "b": b}), [0.0, 2.0, 1.5], atol=1e-15)


FUNCTIONS = [
    "sqrt(x*y)",
    "exp(x/y)",
    "log(x) * y",
    "log10(x + y)",
    "sin(x) * cos(y)",
    "tan(x*y)",
    "asin(x/4) + acos(y/4)",
    "atan(x*y)",
    "atan2(x, y)",
    "abs(x - y) * x",
    "x ** y",
    "x ** 2.5 / y ** -1",
    "-x / (1 + y) ** 3",
    "2 ** x",
]


@pytest.mark.parametrize("text", FUNCTIONS)
def test_exact_derivatives_agree_with_central_differences(text: str) -> None:
    model = parse_model(text)
    point = {"x": np.float64(1.3), "y": np.float64(0.7)}
    for name in ("x", "y"):
        if name not in model.names:
            continue
        h = 1e-6
        up = dict(point, **{name: point[name] + h})
        down = dict(point, **{name: point[name] - h})
        numeric = (model.evaluate(up) - model.evaluate(down)) / (2 * h)
        exact = model.derivative(name)(point)
        assert exact == pytest.approx(numeric, rel=1e-6, abs=1e-8), (text, name)


def test_second_and_third_derivatives_are_exact() -> None:
    model = parse_model("x**3 * y")
    point = {"x": np.float64(2.0), "y": np.float64(5.0)}
    assert model.derivative("x", "x")(point) == 6 * 2.0 * 5.0
    assert model.derivative("x", "y")(point) == 3 * 2.0**2
    assert model.derivative("x", "x", "x")(point) == 6 * 5.0
    assert model.derivative("y", "y")(point) == 0.0
