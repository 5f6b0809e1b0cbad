"""A small expression tree for hidden laws: build, evaluate, render, walk and unit-check.

Laws of the physics suite are written with these nodes (``G * m1 * m2 / r**2`` builds a tree
through operator overloading, never through text), mutated by
:mod:`~discolab.environments.physics.mutation`, evaluated with numpy and rendered to the
Python-syntax formula that verifiers read with the project's safe parser. Rendering keeps the
tree's exact grouping, so the parsed formula computes the same numbers as :func:`evaluate`.

Hidden constants are :class:`Const` leaves whose values live outside the tree; their units are
whatever makes the law consistent (:func:`solve_units`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from discolab.environments.physics.units import BASE, format_unit

Columns = Mapping[str, np.ndarray]
Path = tuple[int, ...]

FUNCTIONS = {
    "sqrt": np.sqrt,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "tan": np.tan,
    "asin": np.arcsin,
    "atan": np.arctan,
}
"""Functions a law may use; all are in the safe parser's whitelist."""


class Node:
    """Base of every tree node; arithmetic operators build larger trees."""

    def __add__(self, other: Node | float) -> Node:
        return Bin("+", self, lift(other))

    def __radd__(self, other: float) -> Node:
        return Bin("+", lift(other), self)

    def __sub__(self, other: Node | float) -> Node:
        return Bin("-", self, lift(other))

    def __rsub__(self, other: float) -> Node:
        return Bin("-", lift(other), self)

    def __mul__(self, other: Node | float) -> Node:
        return Bin("*", self, lift(other))

    def __rmul__(self, other: float) -> Node:
        return Bin("*", lift(other), self)

    def __truediv__(self, other: Node | float) -> Node:
        return Bin("/", self, lift(other))

    def __rtruediv__(self, other: float) -> Node:
        return Bin("/", lift(other), self)

    def __pow__(self, exponent: float) -> Node:
        return Pow(self, float(exponent))

    def __neg__(self) -> Node:
        return Neg(self)


@dataclass(frozen=True)
class Num(Node):
    """A plain number that is part of the law's structure (``2`` in ``2*m``)."""

    value: float


@dataclass(frozen=True)
class Var(Node):
    """An input of the task."""

    name: str


@dataclass(frozen=True)
class Const(Node):
    """A hidden constant; its value is given at evaluation and rendering time."""

    name: str


@dataclass(frozen=True)
class Bin(Node):
    """``left op right`` with ``op`` one of ``+ - * /``."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Pow(Node):
    """``base ** exponent`` with a numeric exponent."""

    base: Node
    exponent: float


@dataclass(frozen=True)
class Call(Node):
    """``fn(arg)`` with ``fn`` from :data:`FUNCTIONS`."""

    fn: str
    arg: Node


@dataclass(frozen=True)
class Neg(Node):
    """``-arg``."""

    arg: Node


def lift(value: Node | float) -> Node:
    """A node for ``value`` (numbers become :class:`Num`)."""
    return value if isinstance(value, Node) else Num(float(value))


def call(fn: str, arg: Node) -> Node:
    """``fn(arg)``; refuses functions outside :data:`FUNCTIONS`."""
    if fn not in FUNCTIONS:
        raise ValueError(f"unknown function {fn!r}; known: {', '.join(FUNCTIONS)}")
    return Call(fn, arg)


def children(node: Node) -> tuple[Node, ...]:
    """The direct subtrees of ``node``."""
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Pow | Call | Neg):
        return (node.base,) if isinstance(node, Pow) else (node.arg,)
    return ()


def positions(node: Node, path: Path = ()) -> Iterator[tuple[Path, Node]]:
    """Every subtree with its path (child indices from the root), root first."""
    yield path, node
    for i, child in enumerate(children(node)):
        yield from positions(child, (*path, i))


def replace(node: Node, path: Path, new: Node) -> Node:
    """``node`` with the subtree at ``path`` replaced by ``new``."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(node, Bin):
        if head == 0:
            return Bin(node.op, replace(node.left, rest, new), node.right)
        return Bin(node.op, node.left, replace(node.right, rest, new))
    if isinstance(node, Pow):
        return Pow(replace(node.base, rest, new), node.exponent)
    if isinstance(node, Call):
        return Call(node.fn, replace(node.arg, rest, new))
    if isinstance(node, Neg):
        return Neg(replace(node.arg, rest, new))
    raise ValueError(f"no child {head} in a leaf {node!r}")


def constant_names(node: Node) -> tuple[str, ...]:
    """Names of the hidden constants in ``node``, in order of first appearance."""
    names: list[str] = []
    for _, sub in positions(node):
        if isinstance(sub, Const) and sub.name not in names:
            names.append(sub.name)
    return tuple(names)


def evaluate(node: Node, columns: Columns, constants: Mapping[str, object]) -> np.ndarray:
    """The law at the input ``columns`` (broadcast with array-valued ``constants``)."""
    with np.errstate(all="ignore"):
        return np.asarray(_eval(node, columns, constants), dtype=float)


def _eval(node: Node, columns: Columns, constants: Mapping[str, object]) -> object:
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Var):
        return columns[node.name]
    if isinstance(node, Const):
        return constants[node.name]
    if isinstance(node, Bin):
        a, b = _eval(node.left, columns, constants), _eval(node.right, columns, constants)
        ops = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
        return ops[node.op](a, b)
    if isinstance(node, Pow):
        return np.power(_eval(node.base, columns, constants), node.exponent)
    if isinstance(node, Call):
        return FUNCTIONS[node.fn](_eval(node.arg, columns, constants))
    if isinstance(node, Neg):
        return np.negative(_eval(node.arg, columns, constants))
    raise TypeError(f"not a law node: {node!r}")


_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "/": 2}


def _precedence(node: Node) -> int:
    if isinstance(node, Bin):
        return _PRECEDENCE[node.op]
    if isinstance(node, Neg):
        return 3
    if isinstance(node, Pow):
        return 4
    return 5


def render(node: Node, constants: Mapping[str, str]) -> str:
    """Python-syntax text of ``node``; ``constants`` maps each constant to its text.

    Grouping follows the tree exactly (``a * (b * c)`` keeps its parentheses), so the safe
    parser rebuilds the same computation.
    """
    if isinstance(node, Num):
        text = _number(node.value)
        return f"({text})" if node.value < 0 else text
    if isinstance(node, Var):
        return node.name
    if isinstance(node, Const):
        return constants[node.name]
    if isinstance(node, Bin):
        mine = _PRECEDENCE[node.op]
        left = _wrap(render(node.left, constants), _precedence(node.left) < mine)
        right = _wrap(render(node.right, constants), _precedence(node.right) <= mine)
        return f"{left} {node.op} {right}"
    if isinstance(node, Pow):
        base = _wrap(render(node.base, constants), _precedence(node.base) <= 4)
        return f"{base}**{_number(node.exponent)}"
    if isinstance(node, Call):
        return f"{node.fn}({render(node.arg, constants)})"
    if isinstance(node, Neg):
        return f"-{_wrap(render(node.arg, constants), _precedence(node.arg) < 3)}"
    raise TypeError(f"not a law node: {node!r}")


def _wrap(text: str, parenthesise: bool) -> str:
    return f"({text})" if parenthesise else text


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) and abs(value) < 1e6 else number_text(value)


def number_text(value: float) -> str:
    """``value`` as a short Python literal that reads back exactly (``6.674e-11``, ``237.0``)."""
    if 1e-3 <= abs(value) < 1e4:
        return repr(value)
    mantissa, exponent = np.format_float_scientific(value, unique=True, trim="-").split("e")
    text = f"{mantissa}e{int(exponent)}"
    return text if float(text) == value else repr(value)


def shape_text(node: Node) -> str:
    """Text of ``node`` with constants by name: a key for structural duplicates."""
    return render(node, {name: name for name in constant_names(node)})


@dataclass(frozen=True)
class _Dim:
    """A unit linear in the unknown constant units: ``base + sum(coef[i] * X_i)``."""

    base: np.ndarray
    coef: np.ndarray

    def __add__(self, other: _Dim) -> _Dim:
        return _Dim(self.base + other.base, self.coef + other.coef)

    def scale(self, factor: float) -> _Dim:
        return _Dim(self.base * factor, self.coef * factor)


def solve_units(
    node: Node, inputs: Mapping[str, np.ndarray], output: np.ndarray
) -> dict[str, np.ndarray] | None:
    """Units of the hidden constants that make ``node`` consistent, or ``None``.

    Sums need terms of one unit, function arguments (other than ``sqrt``) are dimensionless
    and the whole law has the ``output`` unit. These conditions are linear in the unknown
    constant units; ``None`` means they have no solution or do not fix every constant.
    """
    names = constant_names(node)
    rules: list[_Dim] = []
    root = _dims(node, inputs, names, rules)
    rules.append(root + _Dim(-np.asarray(output, dtype=float), np.zeros(len(names))))
    coef = np.array([r.coef for r in rules]).reshape(len(rules), len(names))
    base = np.array([r.base for r in rules]).reshape(len(rules), len(BASE))
    if not names:
        return {} if np.allclose(base, 0.0, atol=1e-9) else None
    if np.linalg.matrix_rank(coef) < len(names):
        return None
    solution, *_ = np.linalg.lstsq(coef, -base, rcond=None)
    if not np.allclose(coef @ solution + base, 0.0, atol=1e-9):
        return None
    return {name: solution[i] for i, name in enumerate(names)}


def _dims(node: Node, inputs: Mapping[str, np.ndarray], names: Sequence[str], rules: list) -> _Dim:
    zero = _Dim(np.zeros(len(BASE)), np.zeros(len(names)))
    if isinstance(node, Num):
        return zero
    if isinstance(node, Var):
        return _Dim(np.asarray(inputs[node.name], dtype=float), zero.coef)
    if isinstance(node, Const):
        coef = zero.coef.copy()
        coef[names.index(node.name)] = 1.0
        return _Dim(zero.base, coef)
    if isinstance(node, Bin):
        left, right = (
            _dims(node.left, inputs, names, rules),
            _dims(node.right, inputs, names, rules),
        )
        if node.op in "+-":
            rules.append(left + right.scale(-1.0))
            return left
        return left + (right if node.op == "*" else right.scale(-1.0))
    if isinstance(node, Pow):
        return _dims(node.base, inputs, names, rules).scale(node.exponent)
    if isinstance(node, Neg):
        return _dims(node.arg, inputs, names, rules)
    if isinstance(node, Call):
        inner = _dims(node.arg, inputs, names, rules)
        if node.fn == "sqrt":
            return inner.scale(0.5)
        rules.append(inner)
        return zero
    raise TypeError(f"not a law node: {node!r}")


def unit_texts(units: Mapping[str, np.ndarray]) -> dict[str, str]:
    """Base-unit text of each solved constant unit."""
    return {name: format_unit(vector) for name, vector in units.items()}
