"""The whitelist of the safe expression parser, and the messages for what it refuses.

Kept apart from the parser so the rules a formula must follow can be read in one place: which
functions exist (with their sympy, numpy and float forms), which operators, which names, and
what to tell an agent that wrote something else. Every message names the offending piece and,
where there is one, the fix.
"""

from __future__ import annotations

import ast
import difflib
import math
import operator
import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy

from discolab.errors import ExpressionError

PARAMETER_PATTERN = re.compile(r"^C\d*$")
"""Names of free parameters: ``C``, ``C1``, ``C2``, ... (fitted to data by the verifier)."""

MAX_LITERAL = 1e300
"""Largest magnitude of a numeric literal."""

CONSTANTS: dict[str, tuple[sympy.Expr, float]] = {"pi": (sympy.pi, math.pi)}
"""Named mathematical constants a formula may use."""


@dataclass(frozen=True)
class Function:
    """One allowed function in its three forms: symbolic, vectorised and scalar (for folding)."""

    symbolic: Callable[..., Any]
    vectorised: Callable[[np.ndarray], np.ndarray]
    scalar: Callable[[float], float]


FUNCTIONS: dict[str, Function] = {
    "exp": Function(sympy.exp, np.exp, math.exp),
    "log": Function(sympy.log, np.log, math.log),
    "sqrt": Function(sympy.sqrt, np.sqrt, math.sqrt),
    "sin": Function(sympy.sin, np.sin, math.sin),
    "cos": Function(sympy.cos, np.cos, math.cos),
    "tan": Function(sympy.tan, np.tan, math.tan),
    "asin": Function(sympy.asin, np.arcsin, math.asin),
    "acos": Function(sympy.acos, np.arccos, math.acos),
    "atan": Function(sympy.atan, np.arctan, math.atan),
    "abs": Function(sympy.Abs, np.abs, abs),
}
"""The only callable names; each takes exactly one positional argument."""


@dataclass(frozen=True)
class BinaryOperator:
    """One allowed binary operator: its spelling, symbolic and vectorised forms."""

    symbol: str
    symbolic: Callable[[Any, Any], Any]
    vectorised: Callable[[Any, Any], Any]


BINARY_OPERATORS: dict[type[ast.operator], BinaryOperator] = {
    ast.Add: BinaryOperator("+", operator.add, np.add),
    ast.Sub: BinaryOperator("-", operator.sub, np.subtract),
    ast.Mult: BinaryOperator("*", operator.mul, np.multiply),
    ast.Div: BinaryOperator("/", operator.truediv, np.divide),
    ast.Pow: BinaryOperator("**", operator.pow, np.power),
}
"""Allowed binary operators (sympy objects overload the Python operators)."""

CHAIN_FAMILY: dict[type[ast.operator], str] = {
    ast.Add: "sum",
    ast.Sub: "sum",
    ast.Mult: "product",
    ast.Div: "product",
}
"""Operators that form flat chains (``a + b - c``, ``a * b / c``), as sympy's Add and Mul do.

A chain counts as one nesting level, so a long sum is not mistaken for deep nesting.
"""

_FUNCTION_HINTS = {
    "pow": "use ** for powers, e.g. r**2",
    "ln": "use log(...) for the natural logarithm",
    "log10": "use log(x)/log(10)",
    "log2": "use log(x)/log(2)",
    "arcsin": "use asin(...)",
    "arccos": "use acos(...)",
    "arctan": "use atan(...)",
    "fabs": "use abs(...)",
    "square": "use x**2",
    "cbrt": "use x**(1/3)",
}

_MODULE_NAMES = {"np", "numpy", "math", "sympy", "sp", "scipy", "torch", "jnp"}

_OPERATOR_HINTS: dict[type[ast.operator], str] = {
    ast.BitXor: "'^' is not a power in Python syntax; use ** (e.g. r**2)",
    ast.FloorDiv: "'//' (floor division) is not allowed; use / for division",
    ast.Mod: "'%' (modulo) is not allowed in a formula",
    ast.MatMult: "'@' (matrix product) is not allowed; use * for products",
    ast.LShift: "'<<' is not allowed in a formula",
    ast.RShift: "'>>' is not allowed in a formula",
    ast.BitOr: "'|' is not allowed in a formula",
    ast.BitAnd: "'&' is not allowed in a formula",
}

_NODE_MESSAGES: dict[type[ast.AST], str] = {
    ast.Lambda: "lambda is not allowed; write the formula itself",
    ast.NamedExpr: "assignment ':=' is not allowed; write the formula itself",
    ast.Subscript: "indexing '[...]' is not allowed; use the input names directly",
    ast.Slice: "slices are not allowed",
    ast.ListComp: "comprehensions are not allowed in a formula",
    ast.SetComp: "comprehensions are not allowed in a formula",
    ast.DictComp: "comprehensions are not allowed in a formula",
    ast.GeneratorExp: "generator expressions are not allowed in a formula",
    ast.JoinedStr: "f-strings are not allowed; a formula contains only numbers and names",
    ast.FormattedValue: "f-strings are not allowed; a formula contains only numbers and names",
    ast.Compare: "comparisons are not allowed; a formula gives one number",
    ast.BoolOp: "'and' / 'or' are not allowed in a formula",
    ast.IfExp: "conditional expressions (a if c else b) are not allowed",
    ast.Tuple: "tuples are not allowed; a formula is one expression (remove the comma)",
    ast.List: "lists are not allowed; a formula is one expression",
    ast.Set: "sets are not allowed; a formula is one expression",
    ast.Dict: "dicts are not allowed; a formula is one expression",
    ast.Starred: "'*' unpacking is not allowed",
    ast.Await: "'await' is not allowed",
    ast.Yield: "'yield' is not allowed",
    ast.YieldFrom: "'yield' is not allowed",
}


def snippet(text: str, node: ast.AST, limit: int = 40) -> str:
    """The source of ``node`` inside ``text``, shortened for messages."""
    try:
        piece = ast.get_source_segment(text, node) or ""
    except (TypeError, ValueError, IndexError):
        piece = ""
    piece = " ".join(piece.split())
    return piece if len(piece) <= limit else piece[: limit - 3] + "..."


def allowed_names_text(variables: Sequence[str]) -> str:
    """The list of allowed names, for messages."""
    shown = ", ".join(variables) if variables else "(no inputs)"
    return f"{shown}, free parameters C, C1, C2, ..., pi"


def unknown_name_message(name: str, variables: Sequence[str]) -> str:
    """Why ``name`` is refused and what to write instead."""
    if name in FUNCTIONS:
        return f"'{name}' is a function; call it as {name}(...)"
    if name == "e":
        return "unknown name 'e'; write exp(1) for Euler's number or exp(x) for e**x"
    if name in _FUNCTION_HINTS:
        return f"'{name}' is not allowed; {_FUNCTION_HINTS[name]}"
    close = difflib.get_close_matches(name, list(variables), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"unknown name {name!r}{hint}; allowed: {allowed_names_text(variables)}"


def unknown_function_message(name: str) -> str:
    """Why a call of ``name`` is refused."""
    allowed = ", ".join(FUNCTIONS)
    hint = f"; {_FUNCTION_HINTS[name]}" if name in _FUNCTION_HINTS else ""
    return f"function {name!r} is not allowed{hint}; allowed functions: {allowed}"


def operator_message(op: ast.operator) -> str:
    """Why a binary operator is refused."""
    return _OPERATOR_HINTS.get(
        type(op), f"operator {type(op).__name__} is not allowed; use + - * / **"
    )


def constant_message(value: object, piece: str) -> str:
    """Why a literal that is not an int or float is refused."""
    if isinstance(value, bool):
        return f"{value} is not a number in a formula; use 1 or 0"
    if isinstance(value, complex):
        return f"complex literal {piece or value!r} is not allowed; formulas are real-valued"
    if isinstance(value, str | bytes):
        return f"string literal {piece or value!r} is not allowed; a formula has no strings"
    return f"literal {piece or value!r} is not allowed; use int or float numbers"


def forbidden_node_message(node: ast.AST, text: str) -> str:
    """Why a syntax element outside the whitelist is refused."""
    piece = snippet(text, node)
    where = f" in '{piece}'" if piece else ""
    if isinstance(node, ast.Attribute):
        message = f"attribute access '.{node.attr}' is not allowed{where}"
        base = node.value
        if isinstance(base, ast.Name) and base.id in _MODULE_NAMES and node.attr in FUNCTIONS:
            message += f"; write {node.attr}(...) without the module prefix"
        return message
    if isinstance(node, ast.Constant):
        return constant_message(node.value, piece)
    for kind, message in _NODE_MESSAGES.items():
        if isinstance(node, kind):
            return f"{message}{where}"
    return f"{type(node).__name__} is not allowed in a formula{where}"


def check_identifier_is_plain(name: str) -> None:
    """Refuse dunder names early with a clear message (they are never inputs)."""
    if name.startswith("__"):
        raise ExpressionError(f"name {name!r} is not allowed; formulas use input names only")


def fold_binary(op_type: type[ast.operator], a: float, b: float) -> float:
    """The float value of ``a op b`` for constant folding (exceptions signal a bad constant)."""
    if op_type is ast.Add:
        return a + b
    if op_type is ast.Sub:
        return a - b
    if op_type is ast.Mult:
        return a * b
    if op_type is ast.Div:
        return a / b
    return math.pow(a, b)


def parameter_sort_key(name: str) -> tuple[int, int, str]:
    """Sort key giving ``C, C1, C2, ..., C10`` (numeric, not lexical, order)."""
    digits = name[1:]
    return (0, 0, name) if not digits else (1, int(digits), name)


def parse_tree(text: str) -> ast.Expression:
    """``ast.parse(mode="eval")`` with every parser failure turned into ExpressionError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text, mode="eval")
    except SyntaxError as exc:
        hint = ""
        if "=" in text and "==" not in text:
            hint = "; give only the right-hand side, e.g. 'C*m1*m2/r**2', not 'F = ...'"
        where = f" at column {exc.offset}" if exc.offset else ""
        raise ExpressionError(f"not a valid Python expression ({exc.msg}{where}){hint}") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("formula is nested too deeply to parse; simplify it") from None
    except ValueError as exc:
        raise ExpressionError(f"formula cannot be parsed: {exc}") from None
