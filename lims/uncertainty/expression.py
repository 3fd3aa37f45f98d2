"""Measurement models: a safe parser, exact derivatives and vectorised evaluation.

The text of a model is handed to :func:`ast.parse` only to obtain a syntax tree; the tree is
then walked against a strict whitelist (numbers, names, ``+ - * / **``, unary signs and the
functions in :data:`FUNCTIONS`) and rebuilt as our own small :class:`Node` tree. Nothing the
user wrote is ever passed to ``eval`` or ``compile``. The node tree is differentiated
symbolically, so sensitivity coefficients and the higher derivatives needed for the
second-order terms of GUM 5.1.2 are exact, and it is compiled to closures over NumPy ufuncs
that evaluate a scalar estimate and a million Monte Carlo trials alike.
"""

import ast
import keyword
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

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
_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Subscript: "indexing with '[...]'",
    ast.Lambda: "a lambda",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operator ('and'/'or')",
    ast.IfExp: "a conditional ('if ... else ...')",
    ast.NamedExpr: "an assignment (':=')",
    ast.Starred: "'*' unpacking",
    ast.Tuple: "a tuple",
    ast.List: "a list",
    ast.Set: "a set",
    ast.Dict: "a dictionary",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator",
    ast.JoinedStr: "an f-string",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
    ast.Slice: "a slice",
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


def _error(message: str, position: int | None) -> UncertaintyInputError:
    return UncertaintyInputError(message, position=position)


class _Converter:
    """Walks a Python syntax tree and rebuilds it as :class:`Node`, refusing anything else."""

    def __init__(self, text: str) -> None:
        self.text = text
        # Python's tokenizer breaks lines at \n, \r\n and \r only (not str.splitlines' set).
        self._line_starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
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
                f"The expression is nested more than {MAX_DEPTH} levels deep; simplify it.",
                self.where(node),
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
                    f"Attribute access ('.{node.attr}') is not allowed in a model.",
                    dot if dot >= 0 else self.where(node),
                )
            case ast.UnaryOp(op=ast.USub(), operand=operand):
                return _neg(self.convert(operand, depth))
            case ast.UnaryOp(op=ast.UAdd(), operand=operand):
                return self.convert(operand, depth)
            case ast.UnaryOp(op=op):
                symbol = {ast.Not: "not", ast.Invert: "~"}.get(type(op), type(op).__name__)
                raise _error(f"The operator '{symbol}' is not allowed.", self.where(node))
            case ast.BinOp(left=left, op=op, right=right):
                return self.binary(node, left, op, right, depth)
            case ast.Call():
                return self.function_call(node, depth)
            case _:
                what = _REFUSED_NODES.get(type(node), f"'{type(node).__name__}'")
                raise _error(
                    f"{what[0].upper()}{what[1:]} is not allowed in a model; use numbers, "
                    "input names, + - * / **, parentheses and the functions "
                    f"{', '.join(FUNCTIONS)}.",
                    self.where(node),
                )

    def constant(self, node: ast.Constant, value: object) -> Node:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _error(
                f"The constant {value!r} is not allowed; only numbers are.", self.where(node)
            )
        try:
            number = float(value)
        except OverflowError:
            number = math.inf
        if not math.isfinite(number):
            raise _error(f"The number {self.source(node)} is too large.", self.where(node))
        return _num(number)

    def source(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self.text, node) or "?"
        return segment if len(segment) <= 40 else segment[:37] + "..."

    def binary(
        self, node: ast.BinOp, left: ast.expr, op: ast.operator, right: ast.expr, depth: int
    ) -> Node:
        name = _BINARY_OPERATORS.get(type(op))
        if name is None:
            symbol = _OPERATOR_SYMBOLS.get(type(op), type(op).__name__)
            hint = " Write powers as '**'." if symbol == "^" else ""
            raise _error(
                f"The operator '{symbol}' is not allowed; use + - * / **.{hint}",
                self.operator_position(left, right, symbol, node),
            )
        a, b = self.convert(left, depth), self.convert(right, depth)
        result = {"add": _add, "sub": _sub, "mul": _mul, "div": _div, "pow": _pow}[name](a, b)
        if _is_num(result) and not math.isfinite(result.value):
            raise _error(f"'{self.source(node)}' has no finite value.", self.where(node))
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
                f"Only the allowed functions may be called, by name ({', '.join(FUNCTIONS)}).",
                self.where(node.func),
            )
        function = node.func.id
        if function in CONSTANTS:
            raise _error(f"'{function}' is a constant, not a function.", self.where(node))
        if function not in FUNCTIONS:
            raise _error(
                f"The function '{function}' is not allowed; allowed functions are "
                f"{', '.join(FUNCTIONS)}.",
                self.where(node),
            )
        if node.keywords:
            raise _error(
                f"Keyword arguments are not allowed in a call of {function}().",
                self.where(node.keywords[0]),
            )
        arity = FUNCTIONS[function]
        if len(node.args) != arity:
            noun = "argument" if arity == 1 else "arguments"
            raise _error(
                f"{function}() takes {arity} {noun}, not {len(node.args)}.", self.where(node)
            )
        args = tuple(self.convert(arg, depth) for arg in node.args)
        result = _call(function, *args)
        if _is_num(result):
            if not math.isfinite(result.value):
                raise _error(f"'{self.source(node)}' has no finite value.", self.where(node))
            return result
        return Node(function, args, position=self.where(node))


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]}":
            depth -= 1
    return deepest


def _to_tree(text: str) -> Node:
    if not text.strip():
        raise _error("The model is empty; write an expression such as 'a * b'.", None)
    if len(text) > MAX_LENGTH:
        raise _error(
            f"The model is {len(text)} characters long; the limit is {MAX_LENGTH}.", MAX_LENGTH
        )
    # Deep nesting can exhaust the parser's own stack, so refuse it before parsing.
    if _bracket_depth(text) > MAX_BRACKET_DEPTH:
        raise _error(
            f"The model nests brackets more than {MAX_BRACKET_DEPTH} levels deep; simplify it.",
            None,
        )
    try:
        syntax = ast.parse(text.strip(), mode="eval")
    except SyntaxError as error:
        position = None if error.offset is None else max(error.offset - 1, 0)
        if error.lineno is not None and error.lineno > 1 and error.offset is not None:
            position = _Converter(text.strip()).position(error.lineno, error.offset - 1)
        raise _error(f"The model is not a valid expression: {error.msg}.", position) from None
    except (RecursionError, MemoryError):
        raise _error("The model is too deeply nested; simplify it.", None) from None
    # Positions refer to the stripped text; shift them back to the text as written.
    offset = len(text) - len(text.lstrip())
    try:
        return _Converter(text.strip()).convert(syntax)
    except UncertaintyInputError as error:
        position = None if error.position is None else error.position + offset
        raise _error(error.message, position) from None
    except RecursionError:
        raise _error("The model is too deeply nested; simplify it.", None) from None


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


_FAULTS = {
    "div": "divides by zero",
    "log": "takes the logarithm of a number that is not positive",
    "log10": "takes the logarithm of a number that is not positive",
    "sqrt": "takes the square root of a negative number",
    "asin": "takes asin of a number outside [-1, 1]",
    "acos": "takes acos of a number outside [-1, 1]",
    "pow": "raises a number to a power that has no finite real value",
}


def find_fault(node: Node, env: Mapping[str, Any]) -> Node | None:
    """The innermost node that turns finite arguments into a non-finite value, if any.

    >>> fault = find_fault(parse_model("a + log(b - 1)").tree, {"a": 1.0, "b": np.float64(1.0)})
    >>> fault.op, fault.position, describe_fault(fault)
    ('log', 4, 'takes the logarithm of a number that is not positive')
    """
    for arg in node.args:
        fault = find_fault(arg, env)
        if fault is not None:
            return fault
    if node.op in ("num", "var"):
        return None
    return None if np.all(np.isfinite(evaluate_node(node, env))) else node


def describe_fault(node: Node) -> str:
    """Words for what ``node`` does wrong, for an error message (see :func:`find_fault`)."""
    return _FAULTS.get(node.op, "overflows (gives a number too large for floating point)")


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
def check_input_name(name: str) -> str | None:
    """Why ``name`` cannot name an input, or None when it can.

    >>> check_input_name("theta") is None
    True
    >>> check_input_name("e")
    "'e' is the name of a constant; choose another input name."
    """
    if not name.isidentifier() or keyword.iskeyword(name):
        return (
            f"'{name}' is not a valid input name; use letters, digits and underscores, "
            "starting with a letter."
        )
    if unicodedata.normalize("NFKC", name) != name:
        normal = unicodedata.normalize("NFKC", name)
        return f"'{name}' is not in normal form; write it as '{normal}'."
    if name in CONSTANTS:
        return f"'{name}' is the name of a constant; choose another input name."
    if name in FUNCTIONS:
        return f"'{name}' is the name of a function; choose another input name."
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
                f"The model uses '{node.name}', which is not an input; add an input of that "
                "name or correct the model.",
                node.position,
            )


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for arg in node.args:
        yield from _walk(arg)
