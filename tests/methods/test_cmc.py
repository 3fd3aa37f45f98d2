"""CMC expressions: both notations, evaluation at a size, and refusals with position."""

import math

import pytest

from lims.methods.cmc import cmc_at, to_expression
from lims.uncertainty import UncertaintyInputError


def test_q_notation_is_the_root_sum_of_squares() -> None:
    assert cmc_at("Q[0.3, 0.002*L]", 200) == pytest.approx(math.hypot(0.3, 0.4))
    assert cmc_at("Q[ 50 , 0.5*L ]", 100) == pytest.approx(math.hypot(50, 50))


def test_linear_notation_is_a_plus_b_times_l() -> None:
    assert cmc_at("0.3 + 2e-3*L", 100) == pytest.approx(0.5)
    assert cmc_at("1.8 + L/300", 600) == pytest.approx(3.8)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("0.3 + 2e-3*M", 11),
        ("0.3 + 2e-3^L", 10),
        ("0.3 + 2e-3*L)", 12),
        ("Q[0.3, 0.002*X]", 13),
        ("Q[0.3, ]", 6),
        ("__import__('os')", 0),
    ],
)
def test_a_cmc_that_does_not_parse_is_refused_with_its_position(text: str, position: int) -> None:
    with pytest.raises(UncertaintyInputError) as refused:
        to_expression(text)
    assert refused.value.position == position, refused.value.message


TRAILING = "the operator '*' has no operand after it."
UNCLOSED = "this '(' is never closed; add a ')' to match it."


@pytest.mark.parametrize(
    ("text", "position", "fault"),
    [
        # The column in the CMC as typed: leading blanks, inside and outside Q[...], count.
        ("  0.3 + 0.002*L *", 16, TRAILING),
        ("Q[0.3,  0.002*L *]", 16, TRAILING),
        ("Q[0.3, (0.002*L]", 7, UNCLOSED),
    ],
)
def test_a_cmc_with_a_syntax_error_is_refused_at_the_column_as_typed(
    text: str, position: int, fault: str
) -> None:
    with pytest.raises(UncertaintyInputError) as refused:
        to_expression(text)
    assert refused.value.position == position
    assert refused.value.message == (
        f"The model is not a valid expression: {fault} "
        "A CMC is a function of the measured size L only."
    )


def test_a_cmc_that_is_not_positive_at_a_size_is_refused() -> None:
    with pytest.raises(UncertaintyInputError, match="positive"):
        cmc_at("0.3 - 0.01*L", 100)
