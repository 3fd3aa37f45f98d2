"""The model parser: what it accepts, what it refuses and where, and its exact derivatives."""

import math
import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

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


INVALID = "The model is not a valid expression: "
ALLOWED = (
    "use numbers, input names, + - * / **, parentheses and the functions sqrt, exp, log, log10, "
    "sin, cos, tan, asin, acos, atan, atan2, abs."
)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        # A trailing operator: the operator itself, leading blanks and tabs counted.
        ("a + b *", 6, INVALID + "the operator '*' has no operand after it."),
        ("  a +", 4, INVALID + "the operator '+' has no operand after it."),
        ("\ta + b **  ", 7, INVALID + "the operator '**' has no operand after it."),
        ("a + b * # why", 6, INVALID + "the operator '*' has no operand after it."),
        ("(a -)", 3, INVALID + "the operator '-' has no operand after it."),
        ("atan2(a +, b)", 8, INVALID + "the operator '+' has no operand after it."),
        # A binary operator with nothing before it.
        ("* a", 0, INVALID + "the operator '*' has no operand before it."),
        ("  / a", 2, INVALID + "the operator '/' has no operand before it."),
        ("a + * b", 4, INVALID + "the operator '*' has no operand before it."),
        ("sqrt(a / / b)", 9, INVALID + "the operator '/' has no operand before it."),
        # Unbalanced parentheses: the '(' never closed, the stray ')'.
        ("(a + b", 0, INVALID + "this '(' is never closed; add a ')' to match it."),
        ("  sqrt((a + b) * c", 6, INVALID + "this '(' is never closed; add a ')' to match it."),
        ("a + b)", 5, INVALID + "this ')' has no matching '('."),
        ("  (a + b)) * c", 9, INVALID + "this ')' has no matching '('."),
        # Empty parentheses, a missing or surplus argument.
        ("()", 0, "Empty parentheses '()' are not allowed; put an expression between them."),
        ("a * ( )", 4, "Empty parentheses '()' are not allowed; put an expression between them."),
        ("a * ( ) +", 4, "Empty parentheses '()' are not allowed; put an expression between them."),
        ("atan2(a,, b)", 8, INVALID + "a function argument is missing before ','."),
        ("  atan2(, b) *", 8, INVALID + "a function argument is missing before ','."),
        ("sqrt()", 0, "sqrt() takes 1 argument, not 0."),
        ("  atan2(a)", 2, "atan2() takes 2 arguments, not 1."),
        ("  sqrt(a, b) +", 2, "sqrt() takes 1 argument, not 2."),
        # Two operands in a row.
        ("a b", 2, INVALID + "an operator is missing between 'a' and 'b'."),
        ("  2 x", 4, INVALID + "an operator is missing between '2' and 'x'."),
        ("(a) (b) +", 4, INVALID + "an operator is missing between ')' and '('."),
        ("a, b", 1, "A comma is only allowed between the arguments of a function; here it would "
         "make a tuple."),
        ("  (a, b) *", 4, "A comma is only allowed between the arguments of a function; here it "
         "would make a tuple."),
        # A character no model uses.
        ("a $ b", 2, "The character '$' is not allowed in a model; " + ALLOWED),
        ("  a ? b", 4, "The character '?' is not allowed in a model; " + ALLOWED),
        ("a + b\\", 5, "The character '\\' is not allowed in a model; " + ALLOWED),
        ("a\x00", 1, "The character U+0000 is not allowed in a model; " + ALLOWED),
        ("  a = 1", 4, "'=' is not allowed in a model; " + ALLOWED),
        # A bad number literal: where it starts.
        ("1.2.3", 0, INVALID + "'1.2.3' is not a valid number."),
        ("  x * 1e", 6, INVALID + "'1e' is not a valid number."),
        ("2 * 1e+", 4, INVALID + "'1e+' is not a valid number."),
        ("09 + a", 0, INVALID + "'09' is not a valid number."),
        # An unknown function, a constant called as one.
        ("  foo(a)", 2, "The function 'foo' is not allowed; allowed functions are sqrt, exp, log, "
         "log10, sin, cos, tan, asin, acos, atan, atan2, abs."),
        ("a + foo(a", 4, "The function 'foo' is not allowed; allowed functions are sqrt, exp, "
         "log, log10, sin, cos, tan, asin, acos, atan, atan2, abs."),
        ("  e(1)", 2, "'e' is a constant, not a function."),
        # Empty or blank text.
        ("", 0, "The model is empty; write an expression such as 'a * b'."),
        ("  \t\n ", 0, "The model is empty; write an expression such as 'a * b'."),
        ("# only a comment", 0, "The model is empty; write an expression such as 'a * b'."),
    ],
)  # fmt: skip
def test_a_syntax_error_names_the_column_of_the_offending_token(
    text: str, position: int, message: str
) -> None:
    error = refused(text)
    assert (error.position, error.message) == (position, message)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("  os.system", 4, "Attribute access ('.system') is not allowed in a model."),
        ("a + os.system('x'", 6, "Attribute access ('.system') is not allowed in a model."),
        ("  __import__('os')", 2, "The function '__import__' is not allowed; allowed functions "
         "are sqrt, exp, log, log10, sin, cos, tan, asin, acos, atan, atan2, abs."),
        ("  x[0]", 2, "Indexing with '[...]' is not allowed in a model; " + ALLOWED),
        ("a + x[0", 5, "'[' is not allowed in a model; " + ALLOWED),
        ("  lambda: os", 2, "A lambda is not allowed in a model; " + ALLOWED),
        ("  import os", 2, "The Python keyword 'import' is not allowed in a model; " + ALLOWED),
        ("a + for", 4, "The Python keyword 'for' is not allowed in a model; " + ALLOWED),
        ("  a + 'os'", 6, "The constant 'os' is not allowed; only numbers are."),
        ("a + 'os", 4, "A string is not allowed in a model; only numbers are."),
        ("a + b'os' *", 4, "A string is not allowed in a model; only numbers are."),
        ("  sqrt(x=1)", 7, "Keyword arguments are not allowed in a call of sqrt()."),
        ("  a ^ 2", 4, "The operator '^' is not allowed; use + - * / **. Write powers as '**'."),
        ("a ^ 2 +", 2, "The operator '^' is not allowed; use + - * / **. Write powers as '**'."),
        ("a % 2 +", 2, "The operator '%' is not allowed; use + - * / **."),
    ],
)  # fmt: skip
def test_forbidden_constructs_are_refused_with_the_column_as_typed(
    text: str, position: int, message: str
) -> None:
    error = refused(text)
    assert (error.position, error.message) == (position, message)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        # Inside parentheses a model may span lines; the position counts every character of
        # the text, line breaks included (\r\n as two).
        ("(a +\n b *)", 8, INVALID + "the operator '*' has no operand after it."),
        ("(a +\r\n  b $)", 10, "The character '$' is not allowed in a model; " + ALLOWED),
        ("(a +\n b", 0, INVALID + "this '(' is never closed; add a ')' to match it."),
        # Outside them a line break ends the expression: the first token after it is refused.
        ("a +\n b", 5, INVALID + "it goes on after a line break outside parentheses; write it "
         "on one line or put it in parentheses."),
        ("\n\n a\n+ b", 5, INVALID + "it goes on after a line break outside parentheses; write "
         "it on one line or put it in parentheses."),
        # Python's own word where the model grammar has none: an indent after a leading
        # backslash continuation, at the indented token.
        ("\\\n  b", 4, INVALID + "unexpected indent."),
    ],
)  # fmt: skip
def test_a_multi_line_model_reports_the_offset_in_the_whole_text(
    text: str, position: int, message: str
) -> None:
    error = refused(text)
    assert (error.position, error.message) == (position, message)


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("µ + θ *", 6, INVALID + "the operator '*' has no operand after it."),
        ("  µµ b", 5, INVALID + "an operator is missing between 'µµ' and 'b'."),
        ("θ_1 + µ.x", 7, "Attribute access ('.x') is not allowed in a model."),
        ("Δ + µ(a)", 4, "The function 'μ' is not allowed; allowed functions are sqrt, exp, log, "
         "log10, sin, cos, tan, asin, acos, atan, atan2, abs."),
        ("a + b\u2212c", 5, "The character '\u2212' (U+2212 MINUS SIGN) is not allowed in a model; "
         + ALLOWED),
        ("µ\u00a0b", 1, "The character U+00A0 NO-BREAK SPACE is not allowed in a model; "
         + ALLOWED),
        ("“µ”", 0, "The character '“' (U+201C LEFT DOUBLE QUOTATION MARK) is not allowed in a "
         "model; " + ALLOWED),
    ],
)  # fmt: skip
def test_positions_count_characters_not_bytes(text: str, position: int, message: str) -> None:
    error = refused(text)
    assert (error.position, error.message) == (position, message)


def test_positions_after_parsing_count_leading_blanks_too() -> None:
    inputs = [
        {"name": "a", "value": 1.0, "standard_uncertainty": 0.1},
        {"name": "b", "value": 1.0, "standard_uncertainty": 0.1},
    ]
    with pytest.raises(UncertaintyInputError, match="'q', which is not an input") as unknown:
        evaluate({"model": "  a + q", "inputs": inputs})
    assert (unknown.value.location, unknown.value.position) == (("model",), 6)
    with pytest.raises(UncertaintyInputError, match="logarithm") as fault:
        evaluate({"model": "\t a + log(b - 1)", "inputs": inputs, "method": "gum"})
    assert fault.value.position == 6


# The blanks the parser skips; a refusal never points at one of them.
BLANKS = " \t\f\r\n"
PIECES = [
    "a", "µ", "θ", "2.5", "1e", "0x1f", "sqrt", "atan2", "e", "+", "-", "*", "**", "/", "(",
    ")", ",", " ", "\t", "\n", "\\\n", "#c", ".", "[", "'", "$", "^", "=", "lambda", "\xa0",
    "\u2212",
]  # fmt: skip


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=10).map("".join))
def test_every_refusal_points_at_a_character_of_the_text(text: str) -> None:
    try:
        parse_model(text)
    except UncertaintyInputError as error:
        assert error.position is not None, error.message
        assert 0 <= error.position <= max(len(text) - 1, 0), error.message
        if text.strip():
            assert text[error.position] not in BLANKS, error.message


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
    assert problem is not None and name in str(problem)
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
