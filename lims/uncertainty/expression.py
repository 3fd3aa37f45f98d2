"""Measurement models: a safe parser, exact derivatives and vectorised evaluation.

The text of a model is handed to :func:`ast.parse` only to obtain a syntax tree; the tree is
then walked against a strict whitelist (numbers, names, ``+ - * / **``, unary signs and the
functions in :data:`FUNCTIONS`) and rebuilt as our own small :class:`Node` tree. Nothing the
user wrote is ever passed to ``eval`` or ``compile``. Text that ``ast.parse`` refuses is
scanned again by a small tokenizer that knows the model grammar, so that every refusal names
the offending token by its character offset in the text as typed. The node tree is
differentiated symbolically, so sensitivity coefficients and the higher derivatives needed for
the second-order terms of GUM 5.1.2 are exact, and it is compiled to closures over NumPy
ufuncs that evaluate a scalar estimate and a million Monte Carlo trials alike.
"""

import ast
import keyword
import math
import operator
import re
import tokenize
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from lims.reasons import Reason
from lims.uncertainty.errors import UncertaintyInputError

MAX_LENGTH = 10_000
MAX_DEPTH = 200
MAX_BRACKET_DEPTH = 100

#: Functions a model may call, with their number of arguments.
FUNCTIONS: dict[str, int] = {
    "sqrt": 1,
    "exp": 1,
    "log": 1,
    "log10": 1,
    "sin": 1,
    "cos": 1,
    "tan": 1,
    "asin": 1,
    "acos": 1,
    "atan": 1,
    "atan2": 2,
    "abs": 1,
}
#: Named constants a model may use.
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_UFUNCS: dict[str, Callable[..., Any]] = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
    "pow": operator.pow,
    "neg": operator.neg,
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "log10": np.log10,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "atan2": np.arctan2,
    "abs": np.abs,
    # Only derivatives produce sign(); a model cannot call it.
    "sign": np.sign,
}
_BINARY_OPERATORS: dict[type[ast.operator], str] = {
    ast.Add: "add",
    ast.Sub: "sub",
    ast.Mult: "mul",
    ast.Div: "div",
    ast.Pow: "pow",
}
_OPERATOR_SYMBOLS: dict[type[ast.operator], str] = {
    ast.Mod: "%",
    ast.FloorDiv: "//",
    ast.MatMult: "@",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.LShift: "<<",
    ast.RShift: ">>",
}
_COMPREHENSION = Reason("A comprehension")
#: What a refusal calls a construct of Python that a model may not use.
_REFUSED_NODES: dict[type[ast.AST], Reason] = {
    ast.Subscript: Reason("Indexing with '[...]'"),
    ast.Lambda: Reason("A lambda"),
    ast.Compare: Reason("A comparison"),
    ast.BoolOp: Reason("A boolean operator ('and'/'or')"),
    ast.IfExp: Reason("A conditional ('if ... else ...')"),
    ast.NamedExpr: Reason("An assignment (':=')"),
    ast.Starred: Reason("'*' unpacking"),
    ast.List: Reason("A list"),
    ast.Set: Reason("A set"),
    ast.Dict: Reason("A dictionary"),
    ast.ListComp: _COMPREHENSION,
    ast.SetComp: _COMPREHENSION,
    ast.DictComp: _COMPREHENSION,
    ast.GeneratorExp: Reason("A generator"),
    ast.JoinedStr: Reason("An f-string"),
    ast.Await: Reason("'%(keyword)s'", keyword="await"),
    ast.Yield: Reason("'%(keyword)s'", keyword="yield"),
    ast.YieldFrom: Reason("'%(keyword)s'", keyword="yield from"),
    ast.Slice: Reason("A slice"),
}


@dataclass(frozen=True, slots=True)
class Node:
    """One node of a parsed model: ``op`` is ``num``, ``var`` or an operation name."""

    op: str
    args: tuple["Node", ...] = ()
    value: float = 0.0
    name: str = ""
    position: int | None = None


ZERO = Node("num", value=0.0)
ONE = Node("num", value=1.0)


def _fold(op: str, *values: float) -> float:
    # NumPy scalars give NaN where Python would raise or go complex ((-8) ** (1/3)).
    with np.errstate(all="ignore"):
        return float(_UFUNCS[op](*(np.float64(v) for v in values)))


def _is_num(node: Node, value: float | None = None) -> bool:
    return node.op == "num" and (value is None or node.value == value)


def _num(value: float) -> Node:
    return Node("num", value=float(value))


def _add(a: Node, b: Node) -> Node:
    if _is_num(a, 0.0):
        return b
    if _is_num(b, 0.0):
        return a
    if _is_num(a) and _is_num(b):
        return _num(_fold("add", a.value, b.value))
    return Node("add", (a, b))


def _sub(a: Node, b: Node) -> Node:
    if _is_num(b, 0.0):
        return a
    if _is_num(a, 0.0):
        return _neg(b)
    if _is_num(a) and _is_num(b):
        return _num(_fold("sub", a.value, b.value))
    return Node("sub", (a, b))


def _mul(a: Node, b: Node) -> Node:
    if _is_num(a, 0.0) or _is_num(b, 0.0):
        return ZERO
    if _is_num(a, 1.0):
        return b
    if _is_num(b, 1.0):
        return a
    if _is_num(a) and _is_num(b):
        return _num(_fold("mul", a.value, b.value))
    return Node("mul", (a, b))


def _div(a: Node, b: Node) -> Node:
    if _is_num(b, 1.0):
        return a
    if _is_num(a, 0.0) and not _is_num(b, 0.0):
        return ZERO
    if _is_num(a) and _is_num(b) and b.value != 0.0:
        return _num(_fold("div", a.value, b.value))
    return Node("div", (a, b))


def _pow(a: Node, b: Node) -> Node:
    if _is_num(b, 1.0):
        return a
    if _is_num(b, 0.0):
        return ONE
    if _is_num(a) and _is_num(b):
        return _num(_fold("pow", a.value, b.value))
    return Node("pow", (a, b))


def _neg(a: Node) -> Node:
    if _is_num(a):
        return _num(-a.value)
    if a.op == "neg":
        return a.args[0]
    return Node("neg", (a,))


def _call(function: str, *args: Node) -> Node:
    if all(_is_num(arg) for arg in args):
        return _num(_fold(function, *(arg.value for arg in args)))
    return Node(function, args)


# ---------------------------------------------------------------------------------------------
# Parsing


def _error(
    message: str, position: int | None, *, code: str, **params: Any
) -> UncertaintyInputError:
    return UncertaintyInputError(message, position=position, code=code, **params)


# Why a model is refused: each a Reason, so that the refusal reads in the reader's language.
# The function names are the model's own words, the same in every language.
_FUNCTION_NAMES = ", ".join(FUNCTIONS)
_EMPTY = Reason("The model is empty; write an expression such as 'a * b'.")
_EMPTY_PARENTHESES = Reason(
    "Empty parentheses '()' are not allowed; put an expression between them."
)
_COMMA = Reason(
    "A comma is only allowed between the arguments of a function; here it would make a tuple."
)


def _invalid(detail: Reason, position: int) -> UncertaintyInputError:
    return _error(
        "The model is not a valid expression: %(detail)s",
        position,
        code="uncertainty.model_valid_expression",
        detail=detail,
    )


def _not_allowed(what: Reason) -> Reason:
    return Reason(
        "%(what)s is not allowed in a model; use numbers, input names, + - * / **, parentheses "
        "and the functions %(functions)s.",
        what=what,
        functions=_FUNCTION_NAMES,
    )


def _operator_refused(symbol: str) -> Reason:
    if symbol == "^":
        return Reason("The operator '^' is not allowed; use + - * / **. Write powers as '**'.")
    return Reason("The operator '%(symbol)s' is not allowed; use + - * / **.", symbol=symbol)


def _function_refused(name: str) -> Reason:
    if name in CONSTANTS:
        return Reason("'%(name)s' is a constant, not a function.", name=name)
    return Reason(
        "The function '%(name)s' is not allowed; allowed functions are %(functions)s.",
        name=name,
        functions=_FUNCTION_NAMES,
    )


def _arity_refused(function: str, given: int) -> Reason:
    if FUNCTIONS[function] == 1:
        return Reason(
            "%(function)s() takes 1 argument, not %(given)s.", function=function, given=given
        )
    return Reason(
        "%(function)s() takes %(arity)s arguments, not %(given)s.",
        function=function,
        arity=FUNCTIONS[function],
        given=given,
    )


# Python's tokenizer breaks lines at \n, \r\n and \r only (not str.splitlines' set).
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Converter:
    """Walks a Python syntax tree and rebuilds it as :class:`Node`, refusing anything else.

    ``ast`` saw ``text`` from ``start`` on (leading blanks are an "unexpected indent" to it);
    every position it reports is turned into a character offset in the whole ``text``.
    """

    def __init__(self, text: str, start: int) -> None:
        self.text = text
        self.body = text[start:]
        self._line_starts = [start, *(m.end() for m in _LINE_BREAK.finditer(text, start))]
        self._line_starts.append(len(text))

    def position(self, lineno: int | None, col_offset: int | None) -> int | None:
        if lineno is None or col_offset is None:
            return None
        start = self._line_starts[lineno - 1]
        line = self.text[start : self._line_starts[lineno]]
        # The parser counts columns in UTF-8 bytes; people count characters.
        return start + len(line.encode()[:col_offset].decode(errors="ignore"))

    def where(self, node: ast.AST) -> int | None:
        return self.position(getattr(node, "lineno", None), getattr(node, "col_offset", None))

    def convert(self, node: ast.AST, depth: int = 0) -> Node:
        if depth > MAX_DEPTH:
            raise _error(
                ("The expression is nested more than %(max_depth)s levels deep; simplify it."),
                self.where(node),
                code="uncertainty.expression_nested_more_than_levels",
                max_depth=MAX_DEPTH,
            )
        depth += 1
        match node:
            case ast.Expression(body=body):
                return self.convert(body, depth)
            case ast.Constant(value=value):
                return self.constant(node, value)
            case ast.Name(id=name) if name in CONSTANTS:
                return _num(CONSTANTS[name])
            case ast.Name(id=name):
                return Node("var", name=name, position=self.where(node))
            case ast.Attribute(value=value):
                dot = self.text.find(".", self.position(value.end_lineno, value.end_col_offset))
                raise _error(
                    "Attribute access ('.%(attr)s') is not allowed in a model.",
                    dot if dot >= 0 else self.where(node),
                    code="uncertainty.attribute_access_allowed_model",
                    attr=node.attr,
                )
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return _neg(self.convert(operand, depth))
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self.convert(operand, depth)
            case ast.UnaryOp(op=op):
                symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(op), type(op).__name__)
                raise _error(
                    "The operator '%(symbol)s' is not allowed.",
                    self.where(node),
                    code="uncertainty.operator_allowed",
                    symbol=symbol,
                )
            case ast.BinOp(left=left, op=op, right=right):
                return self.binary(node, left, op, right, depth)
            case ast.Call():
                return self.function_call(node, depth)
            case ast.Tuple(elts=[]):
                raise _error(
                    "%(reason)s",
                    self.where(node),
                    code="uncertainty.expression_refused",
                    reason=_EMPTY_PARENTHESES,
                )
            case ast.Tuple(elts=[first, *_]):
                comma = self.text.find(",", self.position(first.end_lineno, first.end_col_offset))
                raise _error(
                    "%(reason)s",
                    comma if comma >= 0 else self.where(node),
                    code="uncertainty.expression_refused",
                    reason=_COMMA,
                )
            case _:
                what = _REFUSED_NODES.get(
                    type(node), Reason("'%(construct)s'", construct=type(node).__name__)
                )
                raise _error(
                    "%(reason)s",
                    self.where(node),
                    code="uncertainty.expression_refused",
                    reason=_not_allowed(what),
                )

    def constant(self, node: ast.Constant, value: object) -> Node:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error(
                "The constant %(value)s is not allowed; only numbers are.",
                self.where(node),
                code="uncertainty.constant_allowed_only_numbers",
                value=repr(value),
            )
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _error(
                "The number %(source)s is too large.",
                self.where(node),
                code="uncertainty.number_too_large",
                source=self.source(node),
            )
        return _num(number)

    def source(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.body, node) or "?"
        return segment if len(segment) <= 40 else segment[:37] + "..."

    def binary(
        self, node: ast.BinOp, left: ast.expr, op: ast.operator, right: ast.expr, depth: int
    ) -> Node:
        name = _BINARY_OPERATORS.get(type(op))
        if name is None:
            symbol = _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
            raise _error(
                "%(reason)s",
                self.operator_position(left, right, symbol, node),
                code="uncertainty.expression_refused",
                reason=_operator_refused(symbol),
            )
        a, b = self.convert(left, depth), self.convert(right, depth)
        result = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "pow": _pow}[name](a, b)
        if _is_num(result) and not math.isfinite(result.value):
            raise _error(
                "'%(source)s' has no finite value.",
                self.where(node),
                code="uncertainty.has_finite_value",
                source=self.source(node),
            )
        if result.op not in ("num", "var") and result.position is None:
            result = Node(result.op, result.args, position=self.where(node))
        return result

    def operator_position(
        self, left: ast.expr, right: ast.expr, symbol: str, node: ast.AST
    ) -> int | None:
        start = self.position(left.end_lineno, left.end_col_offset)
        end = self.position(right.lineno, right.col_offset)
        if start is None or end is None:
            return self.where(node)
        found = self.text.find(symbol, start, end)
        return found if found >= 0 else self.where(node)

    def function_call(self, node: ast.Call, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            self.convert(node.func, depth)
            raise _error(
                "Only the allowed functions may be called, by name (%(functions)s).",
                self.where(node.func),
                code="uncertainty.only_allowed_functions_may_called",
                functions=", ".join(FUNCTIONS),
            )
        function = node.func.id
        if function not in FUNCTIONS:
            raise _error(
                "%(reason)s",
                self.where(node),
                code="uncertainty.expression_refused",
                reason=_function_refused(function),
            )
        if node.keywords:
            raise _error(
                "Keyword arguments are not allowed in a call of %(function)s().",
                self.where(node.keywords[0]),
                code="uncertainty.keyword_arguments_allowed_call",
                function=function,
            )
        if len(node.args) != FUNCTIONS[function]:
            raise _error(
                "%(reason)s",
                self.where(node),
                code="uncertainty.expression_refused",
                reason=_arity_refused(function, len(node.args)),
            )
        args = tuple(self.convert(arg, depth) for arg in node.args)
        result = _call(function, *args)
        if _is_num(result):
            if not math.isfinite(result.value):
                raise _error(
                    "'%(source)s' has no finite value.",
                    self.where(node),
                    code="uncertainty.has_finite_value",
                    source=self.source(node),
                )
            return result
        return Node(function, args, position=self.where(node))


def _too_deep(text: str) -> int | None:
    """The bracket that opens more than MAX_BRACKET_DEPTH levels, if one does."""
    depth = 0
    for index, char in enumerate(text):
        if char in "([{":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return index
        elif char in ")]}":
            depth -= 1
    return None


# Text that ast.parse refuses is scanned again by the small tokenizer and checker below, which
# know the model grammar: Python's own message is written for programmers and its column is
# often useless ('a + b *' at column 0, a bad character inside a name at the name's start).


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "number", "name", "operator" (+ - * / **), "(", ")", ",", "other" or "break"
    text: str
    start: int  # character offset in the whole text


@dataclass(slots=True)
class _Bracket:
    start: int
    function: str | None  # the function it calls; None for grouping
    function_start: int
    arguments: int = 0


# Blanks, comments and backslash-newline continuations: what Python's tokenizer skips (a NUL
# is refused even in a comment).
_BLANK = re.compile(r"(?:[ \t\f]+|\\(?:\r\n|\r|\n)|#[^\r\n\0]*)+")
_NUMBER = re.compile(tokenize.Number)
_PUNCTUATION = re.compile(r"\*\*|//|<<|>>|<=|>=|==|!=|:=|->|\.\.\.|[-+*/(),%@^&|~<>=.:;\[\]{}]")
_ATTRIBUTE = re.compile(r"[ \t\f]*([^\W\d]\w*)")
_STRING_PREFIXES = {"r", "u", "f", "b", "br", "rb", "fr", "rf"}
_PYTHON_OPERATORS = {"%", "//", "@", "^", "&", "|", "<<", ">>"}
_LINE_BREAK_REFUSED = Reason(
    "it goes on after a line break outside parentheses; write it on one line or put it in "
    "parentheses."
)


def _starts_name(char: str) -> bool:
    # As in Python's tokenizer: any non-ASCII character may belong to a name until the whole
    # name is checked, so a stray minus sign (U+2212) or no-break space is reported as itself.
    return char.isalpha() or char == "_" or not char.isascii()


def _character_refused(char: str) -> Reason:
    if char.isascii() and char.isprintable():
        shown = f"'{char}'"
    else:
        code = f"U+{ord(char):04X} {unicodedata.name(char, '')}".rstrip()
        shown = f"'{char}' ({code})" if char.isprintable() and not char.isspace() else code
    return _not_allowed(Reason("The character %(character)s", character=shown))


def _number_end(text: str, start: int) -> int:
    """The end of the run of characters that Python would read as one number literal."""
    hexadecimal = text[start : start + 2] in ("0x", "0X")
    end = start + 1
    while end < len(text):
        char = text[end]
        exponent_sign = char in "+-" and text[end - 1] in "eE" and not hexadecimal
        if not (char.isalnum() or char in "._" or exponent_sign):
            break
        end += 1
    return end


def _name_token(text: str, start: int) -> _Token:
    end = start + 1
    while end < len(text) and (_starts_name(text[end]) or text[end].isdigit()):
        end += 1
    word = text[start:end]
    if text[end : end + 1] in ("'", '"') and word.lower() in _STRING_PREFIXES:
        raise _error(
            "A string is not allowed in a model; only numbers are.",
            start,
            code="uncertainty.string_allowed_model_only_numbers",
        )
    name = unicodedata.normalize("NFKC", word)
    if not name.isidentifier():
        for index, char in enumerate(word):
            normal = unicodedata.normalize("NFKC", char)
            if not (normal if index == 0 else "_" + normal).isidentifier():
                raise _error(
                    "%(reason)s",
                    start + index,
                    code="uncertainty.expression_refused",
                    reason=_character_refused(char),
                )
    if keyword.iskeyword(name):
        raise _error(
            "%(reason)s",
            start,
            code="uncertainty.expression_refused",
            reason=_not_allowed(Reason("The Python keyword '%(keyword)s'", keyword=name)),
        )
    return _Token("name", word, start)


def _tokens(text: str, start: int) -> Iterator[_Token]:
    """The tokens of ``text`` from ``start`` on; refuses a character or literal at once."""
    index = start
    while index < len(text):
        char = text[index]
        if blank := _BLANK.match(text, index):
            index = blank.end()
            continue
        if line_break := _LINE_BREAK.match(text, index):
            token = _Token("break", line_break.group(), index)
        elif char in "0123456789" or (char == "." and text[index + 1 : index + 2].isdigit()):
            literal = text[index : _number_end(text, index)]
            if not _NUMBER.fullmatch(literal):
                raise _invalid(
                    Reason("'%(literal)s' is not a valid number.", literal=literal), index
                )
            token = _Token("number", literal, index)
        elif _starts_name(char):
            token = _name_token(text, index)
        elif char in "'\"":
            raise _error(
                "A string is not allowed in a model; only numbers are.",
                index,
                code="uncertainty.string_allowed_model_only_numbers",
            )
        elif punctuation := _PUNCTUATION.match(text, index):
            symbol = punctuation.group()
            kind = "operator" if symbol in ("+", "-", "*", "/", "**") else symbol
            token = _Token(kind if kind in ("operator", "(", ")", ",") else "other", symbol, index)
        else:
            raise _error(
                "%(reason)s",
                index,
                code="uncertainty.expression_refused",
                reason=_character_refused(char),
            )
        yield token
        index += len(token.text)


def _punctuation_refused(token: _Token, text: str, after_operand: bool) -> Reason:
    if token.text in _PYTHON_OPERATORS:
        return _operator_refused(token.text)
    if token.text == "~":
        return Reason("The operator '%(symbol)s' is not allowed.", symbol="~")
    if token.text == "." and after_operand and (name := _ATTRIBUTE.match(text, token.start + 1)):
        return Reason("Attribute access ('.%(attr)s') is not allowed in a model.", attr=name[1])
    return _not_allowed(Reason("'%(symbol)s'", symbol=token.text))


def _check_syntax(text: str, start: int) -> None:
    """Refuse the first token of ``text`` (from ``start``) that breaks the model grammar."""
    brackets: list[_Bracket] = []
    previous = _Token("start", "", start)
    after_break = False
    for token in _tokens(text, start):
        if token.kind == "break":
            # Inside brackets a line break is a blank; outside, it ends the expression.
            after_break = previous.kind != "start" and not brackets
            continue
        if after_break:
            raise _invalid(_LINE_BREAK_REFUSED, token.start)
        expecting = previous.kind in ("start", "operator", "(", ",")
        match token.kind:
            case "number" | "name" if not expecting:
                raise _invalid(
                    Reason(
                        "an operator is missing between '%(before)s' and '%(after)s'.",
                        before=previous.text,
                        after=token.text,
                    ),
                    token.start,
                )
            case "operator" if expecting and token.text not in ("+", "-"):
                raise _invalid(
                    Reason(
                        "the operator '%(symbol)s' has no operand before it.", symbol=token.text
                    ),
                    token.start,
                )
            case "(" if expecting:
                brackets.append(_Bracket(token.start, None, token.start))
            case "(" if previous.kind != "name":
                raise _invalid(
                    Reason(
                        "an operator is missing between '%(before)s' and '%(after)s'.",
                        before=previous.text,
                        after="(",
                    ),
                    token.start,
                )
            case "(":
                function = unicodedata.normalize("NFKC", previous.text)
                if function not in FUNCTIONS:
                    raise _error(
                        "%(reason)s",
                        previous.start,
                        code="uncertainty.expression_refused",
                        reason=_function_refused(function),
                    )
                brackets.append(_Bracket(token.start, function, previous.start))
            case ")" | "," if previous.kind == "operator":
                raise _invalid(_no_operand_after(previous), previous.start)
            case ")":
                _close(brackets, previous, token)
            case "," if not brackets or brackets[-1].function is None:
                raise _error(
                    "%(reason)s", token.start, code="uncertainty.expression_refused", reason=_COMMA
                )
            case "," if expecting:
                raise _invalid(Reason("a function argument is missing before ','."), token.start)
            case ",":
                brackets[-1].arguments += 1
            case "other":
                raise _error(
                    "%(reason)s",
                    token.start,
                    code="uncertainty.expression_refused",
                    reason=_punctuation_refused(token, text, not expecting),
                )
        previous = token
    if previous.kind == "start":
        raise _error("%(reason)s", start, code="uncertainty.expression_refused", reason=_EMPTY)
    if previous.kind == "operator":
        raise _invalid(_no_operand_after(previous), previous.start)
    if brackets:
        raise _invalid(
            Reason("this '(' is never closed; add a ')' to match it."), brackets[-1].start
        )


def _no_operand_after(operator: _Token) -> Reason:
    return Reason("the operator '%(symbol)s' has no operand after it.", symbol=operator.text)


def _close(brackets: list[_Bracket], previous: _Token, token: _Token) -> None:
    if not brackets:
        raise _invalid(Reason("this ')' has no matching '('."), token.start)
    bracket = brackets.pop()
    if previous.kind == "(" and bracket.function is None:
        raise _error(
            "%(reason)s",
            bracket.start,
            code="uncertainty.expression_refused",
            reason=_EMPTY_PARENTHESES,
        )
    if previous.kind not in ("(", ","):  # a trailing comma is allowed, as in Python
        bracket.arguments += 1
    if bracket.function is not None and bracket.arguments != FUNCTIONS[bracket.function]:
        raise _error(
            "%(reason)s",
            bracket.function_start,
            code="uncertainty.expression_refused",
            reason=_arity_refused(bracket.function, bracket.arguments),
        )


def _syntax_error(text: str, start: int, error: SyntaxError) -> UncertaintyInputError:
    """The error for ``text`` that ast.parse refused (it saw the text from ``start`` on)."""
    try:
        _check_syntax(text, start)
    except UncertaintyInputError as found:
        return found
    # Python found a fault the model grammar does not know of (an indent after a leading
    # backslash continuation): use its word and its position, which it counts in characters
    # from 1 on each line of the text it saw, moved off blanks onto the token it refused.
    last = len(text.rstrip()) - 1
    position = last
    if error.lineno is not None and error.offset is not None:
        line_starts = [start, *(m.end() for m in _LINE_BREAK.finditer(text, start))]
        line = line_starts[min(error.lineno, len(line_starts)) - 1]
        position = min(max(line + error.offset - 1, start), last)
    while text[position].isspace():
        position += 1
    # Python's own words, which no catalog holds.
    return _invalid(Reason("%(python_message)s.", python_message=error.msg), position)


def _to_tree(text: str) -> Node:
    if not text.strip():
        raise _error("%(reason)s", 0, code="uncertainty.expression_refused", reason=_EMPTY)
    if len(text) > MAX_LENGTH:
        raise _error(
            ("The model is %(text_count)s characters long; the limit is %(max_length)s."),
            MAX_LENGTH,
            code="uncertainty.model_characters_long_limit",
            text_count=len(text),
            max_length=MAX_LENGTH,
        )
    # Deep nesting can exhaust the parser's own stack, so refuse it before parsing.
    deep = _too_deep(text)
    if deep is not None:
        raise _error(
            ("The model nests brackets more than %(max_bracket_depth)s levels deep; simplify it."),
            deep,
            code="uncertainty.model_nests_brackets_more_than",
            max_bracket_depth=MAX_BRACKET_DEPTH,
        )
    # ast.parse refuses leading blanks as an indent; the text it sees starts after them, and
    # every position is counted in the text as typed all the same.
    body = text.strip()
    start = len(text) - len(text.lstrip())
    try:
        syntax = ast.parse(body, mode="eval")
    except SyntaxError as error:
        raise _syntax_error(text[: start + len(body)], start, error) from None
    except (RecursionError, MemoryError):
        raise _error(
            "The model is too deeply nested; simplify it.",
            None,
            code="uncertainty.model_too_deeply_nested_simplify",
        ) from None
    try:
        return _Converter(text, start).convert(syntax)
    except RecursionError:
        raise _error(
            "The model is too deeply nested; simplify it.",
            None,
            code="uncertainty.model_too_deeply_nested_simplify",
        ) from None


# ---------------------------------------------------------------------------------------------
# Differentiation and compilation


def differentiate(node: Node, name: str) -> Node:
    """The exact partial derivative of ``node`` with respect to the input ``name``.

    >>> tree = parse_model("x * sin(x)").tree
    >>> derivative = differentiate(tree, "x")
    >>> round(float(evaluate_node(derivative, {"x": np.float64(1.0)})), 6)
    1.381773
    """
    op, args = node.op, node.args
    if op == "num":
        return ZERO
    if op == "var":
        return ONE if node.name == name else ZERO
    d = [differentiate(arg, name) for arg in args]
    if all(_is_num(di, 0.0) for di in d):
        return ZERO
    a = args[0]
    da = d[0]
    match op:
        case "add":
            return _add(da, d[1])
        case "sub":
            return _sub(da, d[1])
        case "mul":
            return _add(_mul(da, args[1]), _mul(a, d[1]))
        case "div":
            b, db = args[1], d[1]
            return _sub(_div(da, b), _div(_mul(a, db), _mul(b, b)))
        case "pow":
            b, db = args[1], d[1]
            if _is_num(b):
                return _mul(_mul(b, _pow(a, _num(b.value - 1.0))), da)
            # d(a**b) = a**b * (db*log(a) + b*da/a)
            return _mul(node, _add(_mul(db, _call("log", a)), _div(_mul(b, da), a)))
        case "neg":
            return _neg(da)
        case "sqrt":
            return _div(da, _mul(_num(2.0), node))
        case "exp":
            return _mul(node, da)
        case "log":
            return _div(da, a)
        case "log10":
            return _div(da, _mul(a, _num(math.log(10.0))))
        case "sin":
            return _mul(_call("cos", a), da)
        case "cos":
            return _neg(_mul(_call("sin", a), da))
        case "tan":
            return _div(da, _pow(_call("cos", a), _num(2.0)))
        case "asin":
            return _div(da, _call("sqrt", _sub(ONE, _pow(a, _num(2.0)))))
        case "acos":
            return _neg(_div(da, _call("sqrt", _sub(ONE, _pow(a, _num(2.0))))))
        case "atan":
            return _div(da, _add(ONE, _pow(a, _num(2.0))))
        case "atan2":
            y, x = args
            dy, dx = d
            return _div(
                _sub(_mul(x, dy), _mul(y, dx)), _add(_pow(x, _num(2.0)), _pow(y, _num(2.0)))
            )
        case "abs":
            return _mul(_call("sign", a), da)
        case "sign":
            return ZERO
    raise AssertionError(f"no derivative rule for {op}")  # pragma: no cover


Evaluator = Callable[[Mapping[str, Any]], Any]


def compile_node(node: Node) -> Evaluator:
    """A closure evaluating ``node`` for a mapping of input names to floats or arrays.

    >>> function = compile_node(parse_model("2 * x").tree)
    >>> function({"x": np.array([1.0, 2.0])}).tolist()
    [2.0, 4.0]
    """
    if node.op == "num":
        value = np.float64(node.value)
        return lambda env: value
    if node.op == "var":
        return operator.itemgetter(node.name)
    function = _UFUNCS[node.op]
    if len(node.args) == 1:
        (a,) = (compile_node(arg) for arg in node.args)
        return lambda env: function(a(env))
    a, b = (compile_node(arg) for arg in node.args)
    return lambda env: function(a(env), b(env))


def evaluate_node(node: Node, env: Mapping[str, Any]) -> Any:
    """Evaluate ``node`` once; NumPy semantics, so faults give inf or NaN without a warning.

    >>> float(evaluate_node(parse_model("1 / x").tree, {"x": np.float64(0.0)}))
    inf
    """
    with np.errstate(all="ignore"):
        return compile_node(node)(env)


def _names(node: Node) -> frozenset[str]:
    if node.op == "var":
        return frozenset((node.name,))
    return frozenset().union(*(_names(arg) for arg in node.args))


_LOGARITHM_FAULT = Reason("takes the logarithm of a number that is not positive")
_FAULTS = {
    "div": Reason("divides by zero"),
    "log": _LOGARITHM_FAULT,
    "log10": _LOGARITHM_FAULT,
    "sqrt": Reason("takes the square root of a negative number"),
    "asin": Reason("takes %(function)s of a number outside [-1, 1]", function="asin"),
    "acos": Reason("takes %(function)s of a number outside [-1, 1]", function="acos"),
    "pow": Reason("raises a number to a power that has no finite real value"),
}
_OVERFLOW = Reason("overflows (gives a number too large for floating point)")


def find_fault(node: Node, env: Mapping[str, Any]) -> Node | None:
    """The innermost node that turns finite arguments into a non-finite value, if any.

    >>> fault = find_fault(parse_model("a + log(b - 1)").tree, {"a": 1.0, "b": np.float64(1.0)})
    >>> fault.op, fault.position, str(describe_fault(fault))
    ('log', 4, 'takes the logarithm of a number that is not positive')
    """
    for arg in node.args:
        fault = find_fault(arg, env)
        if fault is not None:
            return fault
    if node.op in ("num", "var"):
        return None
    return None if np.all(np.isfinite(evaluate_node(node, env))) else node


def describe_fault(node: Node) -> Reason:
    """Words for what ``node`` does wrong, for an error message (see :func:`find_fault`)."""
    return _FAULTS.get(node.op, _OVERFLOW)


class Model:
    """A parsed measurement model: call it with input values (floats or NumPy arrays).

    Obtain one through :func:`parse_model`, which caches by text.

    >>> model = parse_model("l_s + d - l_s*(d_alpha*theta + alpha_s*d_theta)")
    >>> sorted(model.names)
    ['alpha_s', 'd', 'd_alpha', 'd_theta', 'l_s', 'theta']
    >>> float(model.evaluate({"l_s": 10.0, "d": 1.0, "d_alpha": 0.0, "theta": 0.0,
    ...                       "alpha_s": 0.0, "d_theta": 0.0}))
    11.0
    >>> float(model.derivative("l_s", "d_alpha")({"theta": np.float64(-0.1)}))
    0.1
    """

    __slots__ = ("_derivatives", "_function", "_gradients", "names", "text", "tree")

    def __init__(self, text: str, tree: Node) -> None:
        self.text = text
        self.tree = tree
        self.names: frozenset[str] = _names(tree)
        self._function = compile_node(tree)
        self._derivatives: dict[tuple[str, ...], tuple[Node, Evaluator]] = {}
        self._gradients: dict[tuple[str, ...], tuple[Evaluator | None, ...]] = {}

    def __repr__(self) -> str:
        return f"Model({self.text!r})"

    def evaluate(self, env: Mapping[str, Any]) -> Any:
        """The model's value; NumPy semantics (no exceptions, faults give inf or NaN)."""
        with np.errstate(all="ignore"):
            return self._function(env)

    @property
    def function(self) -> Evaluator:
        """The bare compiled closure, for hot loops that set ``np.errstate`` themselves."""
        return self._function

    def derivative(self, *wrt: str) -> Evaluator:
        """The compiled partial derivative with respect to the inputs ``wrt``, in order."""
        return self._derivative(wrt)[1]

    def gradient(self, names: tuple[str, ...]) -> tuple[Evaluator | None, ...]:
        """The compiled first partial derivatives with respect to ``names``, in order.

        None stands for a name the model does not use (a zero derivative). Cached per tuple
        of names, since the same inputs come back request after request.

        >>> [f({"x": 3.0}) if f else 0.0 for f in parse_model("x * x").gradient(("x", "z"))]
        [6.0, 0.0]
        """
        cached = self._gradients.get(names)
        if cached is None:
            if len(self._gradients) >= 64:  # bound the cache whatever the requests
                self._gradients.clear()
            cached = tuple(self.derivative(name) if name in self.names else None for name in names)
            self._gradients[names] = cached
        return cached

    def _derivative(self, wrt: tuple[str, ...]) -> tuple[Node, Evaluator]:
        cached = self._derivatives.get(wrt)
        if cached is None:
            node = self.tree if not wrt else self._derivative(wrt[:-1])[0]
            if wrt:
                node = differentiate(node, wrt[-1])
            cached = (node, compile_node(node))
            self._derivatives[wrt] = cached
        return cached


@lru_cache(maxsize=512)
def parse_model(text: str) -> Model:
    """Parse a measurement model once; refuse anything outside the whitelist.

    Raises :class:`UncertaintyInputError` with ``position`` at the offending token.

    >>> parse_model("V / I * cos(phi)").names == {"V", "I", "phi"}
    True
    >>> parse_model("__import__('os').system('x')")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lims.uncertainty.errors.UncertaintyInputError: Attribute access ('.system') is not ...
    """
    tree = _to_tree(text)
    return Model(text, tree)


@lru_cache(maxsize=4096)  # the same few names recur in every request
def check_input_name(name: str) -> Reason | None:
    """Why ``name`` cannot name an input, or None when it can.

    >>> check_input_name("theta") is None
    True
    >>> str(check_input_name("e"))
    "'e' is the name of a constant; choose another input name."
    """
    if not name.isidentifier() or keyword.iskeyword(name):
        return Reason(
            "'%(name)s' is not a valid input name; use letters, digits and underscores, "
            "starting with a letter.",
            name=name,
        )
    if unicodedata.normalize("NFKC", name) != name:
        return Reason(
            "'%(name)s' is not in normal form; write it as '%(normal)s'.",
            name=name,
            normal=unicodedata.normalize("NFKC", name),
        )
    if name in CONSTANTS:
        return Reason("'%(name)s' is the name of a constant; choose another input name.", name=name)
    if name in FUNCTIONS:
        return Reason("'%(name)s' is the name of a function; choose another input name.", name=name)
    return None


def resolve_names(model: Model, known: set[str] | frozenset[str]) -> None:
    """Refuse a model that uses a name that is neither an input nor a constant.

    >>> resolve_names(parse_model("a * b"), {"a"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    lims.uncertainty.errors.UncertaintyInputError: The model uses 'b', which is not an input; ...
    """
    if model.names <= known:
        return
    for node in _walk(model.tree):
        if node.op == "var" and node.name not in known:
            raise _error(
                (
                    "The model uses '%(node)s', which is not an input; add an input of "
                    "that name or correct the model."
                ),
                node.position,
                code="uncertainty.model_uses_which_input_add",
                node=node.name,
            )


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for arg in node.args:
        yield from _walk(arg)
