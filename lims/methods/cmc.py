"""Calibration and measurement capability (CMC) as a function of the measured size L (pure).

A CMC is written either as an engine expression in ``L`` (``0.3 + 0.002*L``) or in the
ISO/EA root-sum-square notation ``Q[a, b*L]`` = sqrt(a^2 + (b L)^2).  Both are parsed by the
uncertainty engine's safe parser, so a CMC that does not parse is refused with the position
of the offending character, and nothing the user wrote is ever run.
"""

import math
import re

from lims.uncertainty import UncertaintyInputError, parse_model
from lims.uncertainty.expression import resolve_names

SIZE = "L"
_Q_NOTATION = re.compile(r"\s*Q\s*\[(?P<terms>.*)\]\s*", re.DOTALL)


def _split_terms(text: str, offset: int) -> list[tuple[str, int]]:
    """Top-level comma-separated terms with their offsets in the original text."""
    terms, depth, start = [], 0, 0
    for index, character in enumerate(text):
        if character in "([":
            depth += 1
        elif character in ")]":
            depth -= 1
        elif character == "," and depth == 0:
            terms.append((text[start:index], offset + start))
            start = index + 1
    terms.append((text[start:], offset + start))
    return terms


def _check_term(text: str, offset: int) -> None:
    # Positions are counted in the stripped text; count its leading blanks into the offset.
    offset += len(text) - len(text.lstrip())
    try:
        resolve_names(parse_model(text.strip()), {SIZE})
    except UncertaintyInputError as error:
        position = None if error.position is None else error.position + offset
        raise UncertaintyInputError(
            f"{error.message} A CMC is a function of the measured size {SIZE} only.",
            position=position,
        ) from None


def to_expression(text: str) -> str:
    """The CMC as one engine expression; refuses text that does not parse, with position.

    >>> to_expression("Q[0.3, 0.002*L]")
    'sqrt((0.3)**2 + (0.002*L)**2)'
    >>> to_expression("0.3 + 2e-3*L")
    '0.3 + 2e-3*L'
    """
    match = _Q_NOTATION.fullmatch(text)
    if match is None:
        _check_term(text, 0)
        return text
    terms = _split_terms(match.group("terms"), match.start("terms"))
    for term, offset in terms:
        if not term.strip():
            raise UncertaintyInputError(
                "Q[...] needs terms separated by commas, e.g. Q[0.3, 0.002*L].", position=offset
            )
        _check_term(term, offset)
    return "sqrt(" + " + ".join(f"({term.strip()})**2" for term, _ in terms) + ")"


def cmc_at(text: str, size: float) -> float:
    """The CMC at size ``size``; refuses a CMC that is not a positive finite number there.

    >>> round(cmc_at("Q[0.3, 0.002*L]", 200.0), 4)
    0.5
    """
    value = float(parse_model(to_expression(text)).evaluate({SIZE: float(size)}))
    if not math.isfinite(value) or value <= 0:
        raise UncertaintyInputError(
            f"The CMC is {value} at {SIZE} = {size:g}; it must be a positive number over the "
            "whole measuring range."
        )
    return value
