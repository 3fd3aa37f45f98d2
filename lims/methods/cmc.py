"""Calibration and measurement capability (CMC) as a function of the measured size L (pure).

A CMC is written either as an engine expression in ``L`` (``0.3 + 0.002*L``) or in the
ISO/EA root-sum-square notation ``Q[a, b*L]`` = sqrt(a^2 + (b L)^2).  Both are parsed by the
uncertainty engine's safe parser, so a CMC that does not parse is refused with the position
of the offending character, and nothing the user wrote is ever run.
"""

import math
import re
from decimal import Decimal

from babel.numbers import format_decimal, get_decimal_symbol

from lims import units
from lims.uncertainty import UncertaintyInputError, parse_model
from lims.uncertainty.expression import Node, resolve_names

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
            "%(reason)s A CMC is a function of the measured size %(size)s only.",
            code="methods.cmc_function_measured_size_only",
            reason=error,
            size=SIZE,
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
                "Q[...] needs terms separated by commas, e.g. Q[0.3, 0.002*L].",
                code="methods.q_needs_terms_separated_commas",
                position=offset,
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
            (
                "The CMC is %(value)s at %(size)s = %(length)s; it must be a positive "
                "number over the whole measuring range."
            ),
            code="methods.cmc_must_positive_number_over",
            value=value,
            size=SIZE,
            length=size,
        )
    return value


def written(text: str, *, result_unit: str, size_unit: str, locale: str) -> str:
    """The CMC as the accredited scope writes it, in the reader's locale.

    The size enters as the number ``L/mm`` (quantity calculus: L divided by its unit), so
    the expression is a number and the result unit follows the whole of it; products read
    with a middle dot, and the quadrature sum keeps the scope's ``Q[a, b]`` with the
    locale's list separator (a semicolon where the decimal sign is a comma).  A text that
    does not parse (a record older than the parser's rules) is shown as it was written.

    >>> written("6 + 0.01*L", result_unit="um", size_unit="mm", locale="fi_FI")
    '(6 + 0,01·L/mm) µm'
    >>> written("Q[50, 0.5*L]", result_unit="nm", size_unit="mm", locale="en_GB")
    'Q[50, 0.5·L/mm] nm'
    >>> written("1.8 + L/300", result_unit="um", size_unit="mm", locale="fi_FI")
    '(1,8 + L/(300 mm)) µm'
    """
    unit = units.symbol(result_unit)
    size = units.symbol(size_unit)
    writer = _Writer(locale, size)
    try:
        match = _Q_NOTATION.fullmatch(text)
        if match is not None:
            terms = [term for term, _ in _split_terms(match.group("terms"), 0)]
            separator = "; " if get_decimal_symbol(locale) == "," else ", "
            trees = [parse_model(term.strip()).tree for term in terms]
            return f"Q[{separator.join(writer.expression(tree) for tree in trees)}] {unit}"
        tree = parse_model(text).tree
    except UncertaintyInputError:
        return f"{text} {unit}"
    expression, strength = writer.write(tree)
    return f"{expression} {unit}" if strength == _ATOM else f"({expression}) {unit}"


# Binding strength of each operation, for brackets only where the reading needs them.
_SUM, _PRODUCT, _SIGN, _POWER, _ATOM = range(1, 6)
# The minus sign (U+2212), as typeset mathematics and Babel's Finnish numbers write it.
_MINUS = "\u2212"
_SYMBOLS = {"add": " + ", "sub": f" {_MINUS} ", "mul": "·", "div": "/"}
_SUPERSCRIPTS = {2.0: "²", 3.0: "³"}


class _Writer:
    """Writes a parsed CMC expression with the locale's numbers and L as ``L/<unit>``."""

    def __init__(self, locale: str, size_unit: str) -> None:
        self.locale = locale
        self.size_unit = size_unit

    def expression(self, node: Node) -> str:
        return self.write(node)[0]

    def _number(self, value: float) -> str:
        # Twelve significant digits drop a float's binary tail (0.30000000000000004).
        text = format_decimal(
            Decimal(f"{value:.12g}"), locale=self.locale, decimal_quantization=False
        )
        return text.replace("-", _MINUS)

    def _operand(self, node: Node, above: int, *, strictly: bool = False) -> str:
        text, strength = self.write(node)
        if strength < above or (strictly and strength == above):
            return f"({text})"
        return text

    def write(self, node: Node) -> tuple[str, int]:
        """The text of ``node`` and how strongly it binds."""
        if node.op == "num":
            return self._number(node.value), _ATOM if node.value >= 0 else _SIGN
        if node.op == "var":
            if node.name == SIZE:
                return f"{SIZE}/{self.size_unit}", _PRODUCT
            return node.name, _ATOM
        if node.op in ("add", "sub"):
            left, right = node.args
            strictly = node.op == "sub"
            right_text = self._operand(right, _SUM, strictly=strictly)
            return f"{self._operand(left, _SUM)}{_SYMBOLS[node.op]}{right_text}", _SUM
        dividend, divisor = node.args if node.op == "div" else (node, node)
        if dividend.op == "var" and dividend.name == SIZE and divisor.op == "num":
            # L/300 with L in mm is L/(300 mm): the divisor carries the size's unit.
            return f"{SIZE}/({self._number(divisor.value)} {self.size_unit})", _PRODUCT
        if node.op in ("mul", "div"):
            left, right = node.args
            # L/mm before a product's sign would read as dividing by the rest: bracket it.
            left_text = self._operand(left, _PRODUCT, strictly=left.op == "var")
            right_text = self._operand(right, _PRODUCT, strictly=node.op == "div")
            return f"{left_text}{_SYMBOLS[node.op]}{right_text}", _PRODUCT
        if node.op == "neg":
            return f"{_MINUS}{self._operand(node.args[0], _POWER)}", _SIGN
        if node.op == "pow":
            base, exponent = node.args
            base_text = self._operand(base, _ATOM)
            if exponent.op == "num" and exponent.value in _SUPERSCRIPTS:
                return base_text + _SUPERSCRIPTS[exponent.value], _POWER
            return f"{base_text}^{self._operand(exponent, _ATOM)}", _POWER
        if node.op == "sqrt":
            return f"√({self.expression(node.args[0])})", _ATOM
        arguments = ", ".join(self.expression(argument) for argument in node.args)
        return f"{node.op}({arguments})", _ATOM
