"""Expression-level mutation sites: numeric constants, operators, comparisons, known calls.

Each ``*_sites`` function lists the places in a tree where one operator can act, as
:class:`Site` values whose ``apply`` changes the tree in place and returns a one-line
description. Listing first and choosing second lets the caller pick uniformly (or by weight)
over every place in every block, with all randomness from one ``numpy.random.Generator``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# (probability, kind, parameter) of the float moves; the parameter is a log-sigma or a scale.
FLOAT_MOVES: tuple[tuple[float, str, float], ...] = (
    (0.55, "lognormal", 0.2),  # the usual relative step: x * exp(N(0, 0.2))
    (0.15, "lognormal", 0.03),  # fine tuning near an optimum
    (0.15, "additive", 0.2),  # x + N(0, 0.2 |x|), or N(0, 0.1) for x == 0
    (0.10, "lognormal", 1.0),  # a larger jump
    (0.05, "flip", 0.0),  # a sign flip
)
INT_STEPS = (-2, -1, 1, 2)
INT_STEP_P = (0.2, 0.3, 0.3, 0.2)
BIG_INT = 8  # ints with |x| >= BIG_INT sometimes move by a relative factor instead of ±1/±2
SIGNIFICANT = 6  # perturbed floats are rounded to this many significant digits
# How often a literal is picked, relative to the others:
FLOAT_WEIGHT = 1.0  # floats are the tunable numbers of a construction
INT_WEIGHT = 0.35  # ints are mostly structure: counts, sizes, shapes
INDEX_WEIGHT = 0.1  # an int inside a subscript is an index: moving it often breaks the program

_BINOPS: dict[type[ast.operator], tuple[type[ast.operator], ...]] = {
    ast.Add: (ast.Sub,),
    ast.Sub: (ast.Add,),
    ast.Mult: (ast.Div,),
    ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Div,),
    ast.Pow: (ast.Mult,),
}
_RARE_BINOPS = {ast.Pow: 0.1}
_SYMBOL = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Pow: "**",
    ast.And: "and",
    ast.Or: "or",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
}
# Strictness swaps first (more likely), direction flips second.
_COMPARES: dict[type[ast.cmpop], tuple[type[ast.cmpop], type[ast.cmpop]]] = {
    ast.Lt: (ast.LtE, ast.Gt),
    ast.LtE: (ast.Lt, ast.GtE),
    ast.Gt: (ast.GtE, ast.Lt),
    ast.GtE: (ast.Gt, ast.LtE),
}
STRICTNESS_P = 0.7

# Families of interchangeable calls; a call is swapped only when its dotted name is in one.
CALL_FAMILIES: tuple[tuple[str, ...], ...] = (
    ("min", "max"),
    ("np.min", "np.max"),
    ("np.amin", "np.amax"),
    ("np.minimum", "np.maximum"),
    ("np.argmin", "np.argmax"),
    ("np.mean", "np.median"),
    ("np.sin", "np.cos"),
    ("math.sin", "math.cos"),
    ("np.floor", "np.ceil", "np.round"),
    ("math.floor", "math.ceil"),
    ("np.sqrt", "np.log1p"),
    ("math.sqrt", "math.log1p"),
    ("np.exp", "np.expm1"),
    ("math.exp", "math.expm1"),
    ("np.cumsum", "np.cumprod"),
    ("np.tanh", "np.arctan"),
)
_FAMILY = {name: family for family in CALL_FAMILIES for name in family}
_SEQUENCES = (ast.List, ast.Tuple, ast.ListComp, ast.JoinedStr, ast.Set, ast.Dict)


Apply = Callable[[np.random.Generator], str]


@dataclass(frozen=True)
class Site:
    """A place an operator can act: ``apply(rng)`` edits the tree and describes the change."""

    line: int
    apply: Apply
    weight: float = 1.0


def walk(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` in the order of ``ast.walk`` (breadth first), as a list; a few
    times faster, which matters since every site listing walks the whole block."""
    return _walk(tree, None)


def _walk(tree: ast.AST, up: dict[ast.AST, ast.AST] | None) -> list[ast.AST]:
    """:func:`walk`, also filling ``up`` (when given) as :func:`parents` does."""
    nodes = [tree]
    i = 0
    while i < len(nodes):
        node = nodes[i]
        i += 1
        for name in node._fields:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                nodes.append(value)
                if up is not None:
                    up[value] = node
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        nodes.append(item)
                        if up is not None:
                            up[item] = node
    return nodes


def parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    """Each node's parent, so a node can be replaced where it sits."""
    up: dict[ast.AST, ast.AST] = {}
    _walk(tree, up)
    return up


def replace(parent: ast.AST, old: ast.AST, new: ast.AST) -> None:
    """Put ``new`` where ``old`` is among ``parent``'s fields."""
    for field, value in ast.iter_fields(parent):
        if value is old:
            setattr(parent, field, new)
            return
        if isinstance(value, list) and any(item is old for item in value):
            value[next(i for i, item in enumerate(value) if item is old)] = new
            return
    raise ValueError("node not found under its parent")


def _number(node: ast.AST) -> int | float | None:
    """The value of a real numeric literal (bools, complex and non-finite values excluded)."""
    if not isinstance(node, ast.Constant) or isinstance(node.value, bool):
        return None
    value = node.value
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        return value
    return None


def literal(value: float) -> ast.expr:
    """A literal for ``value``: negative numbers as ``-c`` so precedence is always right."""
    if value < 0:
        return ast.UnaryOp(op=ast.USub(), operand=ast.Constant(-value))
    return ast.Constant(value)


def perturb_float(x: float, rng: np.random.Generator) -> float:
    """A new float near ``x`` (see FLOAT_MOVES), rounded to SIGNIFICANT digits, never ``x``."""
    probs = np.array([m[0] for m in FLOAT_MOVES])
    for _ in range(8):
        _, kind, param = FLOAT_MOVES[int(rng.choice(len(FLOAT_MOVES), p=probs / probs.sum()))]
        if kind == "flip" and x != 0:
            new = -x
        elif kind == "lognormal" and x != 0:
            new = x * math.exp(rng.normal(0.0, param))
        else:
            new = x + rng.normal(0.0, 0.2 * abs(x) if x != 0 else 0.1)
        new = float(f"{new:.{SIGNIFICANT}g}")
        if new != x and math.isfinite(new):
            return new
    return x * 1.1 if x != 0 else 0.1


def perturb_int(x: int, rng: np.random.Generator) -> int:
    """A new int near ``x``: ±1 or ±2 (sometimes a relative move when large), keeping its sign
    class: x >= 1 stays >= 1 (loop counts, sizes), 0 stays >= 0, negatives stay <= -1."""
    if abs(x) >= BIG_INT and rng.random() < 0.3:
        new = round(x * math.exp(rng.normal(0.0, 0.3)))
    else:
        new = x + int(rng.choice(INT_STEPS, p=INT_STEP_P))
    if x >= 1:
        new = max(new, 1)
    elif x == 0:
        new = abs(new)
    else:
        new = min(new, -1)
    if new == x:
        new = x + 1 if x >= 0 else x - 1
    return new


def constant_sites(tree: ast.AST) -> list[Site]:
    """Every numeric literal, a negative literal ``-c`` counting as one literal; floats are
    picked more often than ints and ints in subscripts least (FLOAT/INT/INDEX_WEIGHT)."""
    up: dict[ast.AST, ast.AST] = {}
    sites: list[Site] = []
    for node in _walk(tree, up):
        target: ast.AST | None = None
        value = None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            inner = _number(node.operand)
            if inner is not None:
                target, value = node, -inner
        elif _number(node) is not None:
            above = up.get(node)
            if not (isinstance(above, ast.UnaryOp) and isinstance(above.op, ast.USub)):
                target, value = node, _number(node)
        if target is not None and target in up:
            change = _constant_change(target, value, up[target])
            sites.append(Site(node.lineno, change, _constant_weight(target, value, up)))
    return sites


def _constant_weight(node: ast.AST, value: float, up: dict[ast.AST, ast.AST]) -> float:
    """How often a literal is chosen, relative to the others (see the weights above)."""
    if isinstance(value, float):
        return FLOAT_WEIGHT
    above = up.get(node)
    while isinstance(above, ast.Tuple | ast.Slice | ast.UnaryOp):
        node, above = above, up.get(above)
    if isinstance(above, ast.Subscript) and above.slice is node:
        return INDEX_WEIGHT
    return INT_WEIGHT


def _constant_change(node: ast.AST, value: float, parent: ast.AST) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        new = perturb_int(value, rng) if isinstance(value, int) else perturb_float(value, rng)
        replace(parent, node, literal(new))
        return f"constant {value!r} -> {new!r}"

    return apply


def operator_sites(tree: ast.AST) -> list[Site]:
    """Arithmetic operators of BinOps and AugAssigns (``**`` rarely) and and/or (rarely);
    ``+`` and ``*`` next to a sequence literal are skipped (concatenation, repetition)."""
    sites: list[Site] = []
    for node in walk(tree):
        if isinstance(node, ast.BinOp | ast.AugAssign) and type(node.op) in _BINOPS:
            operands = (node.left, node.right) if isinstance(node, ast.BinOp) else (node.value,)
            if any(isinstance(x, _SEQUENCES) or _is_str(x) for x in operands):
                continue
            weight = _RARE_BINOPS.get(type(node.op), 1.0)
            sites.append(Site(node.lineno, _op_change(node, _BINOPS[type(node.op)]), weight))
        elif isinstance(node, ast.BoolOp):
            swap = (ast.Or,) if isinstance(node.op, ast.And) else (ast.And,)
            sites.append(Site(node.lineno, _op_change(node, swap), 0.2))
    return sites


def _is_str(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)


def _op_change(node: ast.BinOp | ast.AugAssign | ast.BoolOp, choices: tuple[type, ...]) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        old = type(node.op)
        new = choices[int(rng.integers(len(choices)))]
        node.op = new()
        return f"operator {_SYMBOL[old]} -> {_SYMBOL[new]}"

    return apply


def compare_sites(tree: ast.AST) -> list[Site]:
    """Every ordering operator of every comparison (each link of a chain is its own site)."""
    sites: list[Site] = []
    for node in walk(tree):
        if isinstance(node, ast.Compare):
            for i, op in enumerate(node.ops):
                if type(op) in _COMPARES:
                    sites.append(Site(node.lineno, _compare_change(node, i)))
    return sites


def _compare_change(node: ast.Compare, i: int) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        old = type(node.ops[i])
        strict, flip = _COMPARES[old]
        new = strict if rng.random() < STRICTNESS_P else flip
        node.ops[i] = new()
        return f"compare {_SYMBOL[old]} -> {_SYMBOL[new]}"

    return apply


def dotted(node: ast.AST) -> str | None:
    """``np.linalg.norm`` for a Name/Attribute chain, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def call_sites(tree: ast.AST) -> list[Site]:
    """Calls whose dotted name is exactly a member of one of CALL_FAMILIES."""
    sites: list[Site] = []
    for node in walk(tree):
        if isinstance(node, ast.Call) and dotted(node.func) in _FAMILY:
            sites.append(Site(node.lineno, _call_change(node)))
    return sites


def _call_change(node: ast.Call) -> Apply:
    def apply(rng: np.random.Generator) -> str:
        old = dotted(node.func) or ""
        others = [name for name in _FAMILY[old] if name != old]
        new = others[int(rng.integers(len(others)))]
        node.func = ast.parse(new, mode="eval").body
        return f"call {old} -> {new}"

    return apply


EXPRESSION_SITES: dict[str, Callable[[ast.AST], list[Site]]] = {
    "constant": constant_sites,
    "operator_swap": operator_sites,
    "compare_swap": compare_sites,
    "call_swap": call_sites,
}


def pick(sites: list[Site], rng: np.random.Generator) -> Site:
    """One site, chosen with probability proportional to its weight."""
    weights = np.array([s.weight for s in sites], dtype=float)
    return sites[int(rng.choice(len(sites), p=weights / weights.sum()))]
