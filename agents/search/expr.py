"""Expression trees for the symbolic-regression search: build, evaluate, count and render.

A tree is made of immutable :class:`Node` values, so search code can share sub-trees freely
and deduplicate by rendered text. Rendering produces the project's formula contract: Python
syntax over the task's input names, free parameters named ``C``, ``C1``, ``C2`` ..., fixed
numeric exponents (integers written as integers), operators ``+ - * / **`` and functions from a
small whitelist. Evaluation is vectorised over numpy columns and never raises on bad numbers:
it returns NaN or infinities, which the loss turns into a rejection.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

UNARY_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "acos": np.arccos,
    "atan": np.arctan,
    "abs": np.abs,
}
"""Functions a tree may apply; all are in the verifier's whitelist."""

BINARY_OPS: dict[str, tuple[str, int]] = {
    "add": ("+", 1),
    "sub": ("-", 1),
    "mul": ("*", 2),
    "div": ("/", 2),
}
"""Binary operators with their Python symbol and precedence (higher binds tighter)."""

_POW_PREC = 4
_ATOM_PREC = 6


@dataclass(frozen=True)
class Node:
    """One node of an expression tree.

    Attributes:
        op: ``var``, ``param``, ``num``, ``pow``, a key of :data:`UNARY_FUNCS` or of
            :data:`BINARY_OPS`.
        args: child nodes (one for functions and ``pow``, two for binary operators).
        value: the number of a ``num``, the current fitted value of a ``param``, the fixed
            exponent of a ``pow``; unused otherwise.
        name: the input name of a ``var``; the parameter name of a ``param`` once named.
    """

    op: str
    args: tuple[Node, ...] = ()
    value: float = 0.0
    name: str = ""


def var(name: str) -> Node:
    """A reference to the input column ``name``."""
    return Node("var", name=name)


def param(value: float = 1.0, name: str = "") -> Node:
    """A free constant the verifier will refit; ``value`` is the current estimate."""
    return Node("param", value=float(value), name=name)


def num(value: float) -> Node:
    """A fixed numeric literal."""
    return Node("num", value=float(value))


def power(base: Node, exponent: float) -> Node:
    """``base ** exponent`` with a fixed exponent; ``exponent == 1`` returns ``base``."""
    return base if exponent == 1 else Node("pow", (base,), value=float(exponent))


def func(name: str, arg: Node) -> Node:
    """A whitelisted function applied to ``arg``."""
    if name not in UNARY_FUNCS:
        raise ValueError(f"unknown function {name!r}; expected one of {sorted(UNARY_FUNCS)}")
    return Node(name, (arg,))


def binary(op: str, left: Node, right: Node) -> Node:
    """A binary operation ``add``, ``sub``, ``mul`` or ``div``."""
    if op not in BINARY_OPS:
        raise ValueError(f"unknown operator {op!r}; expected one of {sorted(BINARY_OPS)}")
    return Node(op, (left, right))


def product(factors: Sequence[Node]) -> Node:
    """The left-nested product of ``factors`` (``1`` when empty)."""
    if not factors:
        return num(1.0)
    out = factors[0]
    for f in factors[1:]:
        out = binary("mul", out, f)
    return out


# -- traversal -----------------------------------------------------------------------------


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, left to right."""
    yield node
    for child in node.args:
        yield from walk(child)


def _closed_forms() -> dict[float, str]:
    """Irrational numbers with a short closed form, keyed by value: ``e`` and ``pi``, those
    plus or minus a multiple of 1/2 up to 2, their halves and doubles, ``sqrt(2)`` and
    ``sqrt(3)``, and the negatives of all of them."""
    forms: dict[float, str] = {}
    for name, c in (("exp(1)", math.e), ("pi", math.pi)):
        forms[c] = name
        for k in (-4, -3, -2, -1, 1, 2, 3, 4):
            sign = "+" if k > 0 else "-"
            forms[c + k / 2] = f"({name} {sign} {format_plain(abs(k) / 2)})"
        forms[c / 2] = f"({name}/2)"
        forms[2 * c] = f"(2*{name})"
    forms[math.sqrt(2)] = "sqrt(2)"
    forms[math.sqrt(3)] = "sqrt(3)"
    for value, text in list(forms.items()):
        forms[-value] = f"(-{text})"
    return forms


def format_plain(value: float) -> str:
    """Integers as integers, anything else by ``repr``."""
    return str(round(value)) if value == round(value) else repr(float(value))


def closed_form(value: float) -> str:
    """The closed form of an irrational ``value`` from :func:`_closed_forms`, or ``""``."""
    for c, text in _CLOSED_FORMS.items():
        if abs(value - c) < 1e-12:
            return text
    return ""


def special_exponents() -> tuple[float, ...]:
    """The values of every closed form (for exponent snapping), simplest first."""
    return tuple(sorted(_CLOSED_FORMS, key=lambda v: (len(_CLOSED_FORMS[v]), abs(v))))


def literal_cost(value: float) -> int:
    """Nodes a numeric literal counts: 1 for integers, halves, thirds, quarters, ``e`` and
    ``pi``; 2 for anything else (``2.6``, ``(3/7)``, ``2.01``, ``(exp(1) + 1.5)``), which
    carries more digits."""
    for d in (1, 2, 3, 4):
        if abs(value * d - round(value * d)) < 1e-9:
            return 1
    if any(abs(abs(value) - c) < 1e-12 for c in (math.e, math.pi)):
        return 1
    return 2


def size(node: Node) -> int:
    """Complexity of a tree: its node count as rendered.

    Every leaf and operator counts one; a power counts its operator plus its exponent literal
    (see :func:`literal_cost`), so ``r**2`` is 3 and ``r**2.01`` is 4. Charging unusual
    exponents a little more lets the Pareto front prefer ``r**2`` over ``r**2.01`` when both
    fit the data equally well within the noise.
    """
    own = 1 + literal_cost(node.value) if node.op == "pow" else 1
    return own + sum(size(child) for child in node.args)


def params_of(node: Node) -> list[Node]:
    """The ``param`` nodes in render order."""
    return [n for n in walk(node) if n.op == "param"]


def set_params(node: Node, values: Sequence[float]) -> Node:
    """A copy of ``node`` with its ``param`` values replaced in render order."""
    it = iter(values)

    def rebuild(n: Node) -> Node:
        if n.op == "param":
            return replace(n, value=float(next(it)))
        if not n.args:
            return n
        return replace(n, args=tuple(rebuild(c) for c in n.args))

    return rebuild(node)


def name_params(node: Node) -> Node:
    """A copy with parameters named ``C``, ``C1``, ``C2`` ... in render order."""
    counter = iter(range(10_000))

    def rebuild(n: Node) -> Node:
        if n.op == "param":
            k = next(counter)
            return replace(n, name="C" if k == 0 else f"C{k}")
        if not n.args:
            return n
        return replace(n, args=tuple(rebuild(c) for c in n.args))

    return rebuild(node)


def variables_of(node: Node) -> set[str]:
    """Names of the inputs the tree reads."""
    return {n.name for n in walk(node) if n.op == "var"}


# -- evaluation ----------------------------------------------------------------------------


def evaluate(node: Node, columns: Mapping[str, np.ndarray]) -> np.ndarray:
    """Vectorised value of the tree at the input ``columns``; bad numbers become NaN/inf."""
    with np.errstate(all="ignore"):
        return np.asarray(_eval(node, columns), dtype=float)


def _eval(node: Node, columns: Mapping[str, np.ndarray]) -> np.ndarray | float:
    op = node.op
    if op == "var":
        return columns[node.name]
    if op in ("param", "num"):
        return node.value
    if op == "pow":
        return np.power(_eval(node.args[0], columns), node.value)
    if op in UNARY_FUNCS:
        return UNARY_FUNCS[op](_eval(node.args[0], columns))
    left = _eval(node.args[0], columns)
    right = _eval(node.args[1], columns)
    if op == "add":
        return left + right
    if op == "sub":
        return left - right
    if op == "mul":
        return left * right
    return np.divide(left, right)


# -- rendering -----------------------------------------------------------------------------


def format_number(value: float) -> str:
    """A short literal: integers as integers, closed forms such as ``exp(1)``, ``pi`` and
    ``(exp(1) + 1.5)``, fractions whose decimal form is not short as ``(p/q)``, else the
    shortest ``repr``."""
    if math.isfinite(value) and value == round(value) and abs(value) < 1e15:
        return str(round(value))
    text = closed_form(value)
    if text:
        return text
    frac = Fraction(value).limit_denominator(12)
    if abs(float(frac) - value) < 1e-12 and frac.denominator not in (2, 4, 5, 8, 10):
        return f"({frac.numerator}/{frac.denominator})"
    return repr(float(value))


_CLOSED_FORMS: dict[float, str] = _closed_forms()


def render(node: Node) -> str:
    """Python-syntax source of the tree (parameters must be named first to be readable)."""
    return _render(node)[0]


def _render(node: Node) -> tuple[str, int]:
    """Source text and the precedence of its outermost operator."""
    op = node.op
    if op == "var":
        return node.name, _ATOM_PREC
    if op == "param":
        return (node.name or repr(node.value)), _ATOM_PREC
    if op == "num":
        text = format_number(node.value)
        return text, (_ATOM_PREC if node.value >= 0 or text.startswith("(") else 0)
    if op == "pow":
        base, prec = _render(node.args[0])
        if prec <= _POW_PREC:
            base = f"({base})"
        exp_text = format_number(node.value)
        if node.value < 0 and not exp_text.startswith("("):
            exp_text = f"({exp_text})"
        return f"{base}**{exp_text}", _POW_PREC
    if op in UNARY_FUNCS:
        return f"{op}({_render(node.args[0])[0]})", _ATOM_PREC
    symbol, prec = BINARY_OPS[op]
    left, lprec = _render(node.args[0])
    right, rprec = _render(node.args[1])
    if lprec < prec:
        left = f"({left})"
    # Right operand of - and / (and of equal-precedence ops generally) needs parentheses.
    if rprec < prec or (rprec == prec and op in ("sub", "div")):
        right = f"({right})"
    return f"{left} {symbol} {right}" if prec == 1 else f"{left}{symbol}{right}", prec
