"""Random variation of expression trees: generation, mutation and crossover.

Trees here are *shapes*: the overall scale ``C`` is fitted in closed form outside, so the
operators only build the structure ``f`` of ``y ≈ C·f``. Every random choice comes from the
``numpy.random.Generator`` passed in, so a seed fixes the whole search.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

import numpy as np

from discolab.agents.search.expr import (
    Node,
    binary,
    evaluate,
    func,
    num,
    param,
    power,
    size,
    walk,
)

Path = tuple[int, ...]

EXPONENTS = (2.0, 3.0, 0.5, 1.5, 1.0 / 3.0, 2.5, 4.0)
"""Fixed exponents a ``pow`` node may carry (negative powers come from ``/``)."""

FUNCTIONS = ("exp", "log", "sin", "cos", "sqrt")
BINARIES = ("mul", "div", "add", "sub")


@dataclass(frozen=True)
class Primitives:
    """What random trees are built from.

    Attributes:
        names: input names the trees may read.
        scales: a typical magnitude per input, so ``C1*x`` starts with ``C1 ~ 1/scale`` and
            ``exp(C1*r)`` does not overflow for ``r`` of order 1e11.
        binary_weights: relative frequency of ``mul, div, add, sub``.
        function_rate: probability that an inner node is a function rather than a power or a
            binary operator.
    """

    names: tuple[str, ...]
    scales: tuple[float, ...]
    binary_weights: tuple[float, ...] = (0.35, 0.3, 0.2, 0.15)
    function_rate: float = 0.15


def paths(node: Node, prefix: Path = ()) -> Iterator[Path]:
    """Paths (child indices from the root) of every node, parents first."""
    yield prefix
    for i, child in enumerate(node.args):
        yield from paths(child, (*prefix, i))


def get(node: Node, path: Path) -> Node:
    """The sub-tree at ``path``."""
    for i in path:
        node = node.args[i]
    return node


def put(node: Node, path: Path, new: Node) -> Node:
    """A copy of ``node`` with the sub-tree at ``path`` replaced by ``new``."""
    if not path:
        return new
    args = list(node.args)
    args[path[0]] = put(args[path[0]], path[1:], new)
    return replace(node, args=tuple(args))


def depth(node: Node) -> int:
    """Levels of the tree (a leaf has depth 1)."""
    return 1 + max((depth(c) for c in node.args), default=0)


def random_terminal(prims: Primitives, rng: np.random.Generator) -> Node:
    """An input (mostly), a scaled input ``C_k*x``, or a free constant."""
    u = rng.random()
    k = int(rng.integers(len(prims.names)))
    leaf = Node("var", name=prims.names[k])
    if u < 0.7:
        return leaf
    if u < 0.85:
        value = float(rng.choice([-1.0, 1.0]) * np.exp(rng.normal(0, 0.5)) / prims.scales[k])
        return binary("mul", param(value), leaf)
    return param(float(np.exp(rng.normal(0, 1.0))))


def random_tree(prims: Primitives, rng: np.random.Generator, max_depth: int) -> Node:
    """A random tree of at most ``max_depth`` levels ("grow" method)."""
    if max_depth <= 1 or rng.random() < 0.3:
        return random_terminal(prims, rng)
    u = rng.random()
    if u < prims.function_rate:
        name = FUNCTIONS[int(rng.integers(len(FUNCTIONS)))]
        return func(name, random_tree(prims, rng, max_depth - 1))
    if u < prims.function_rate + 0.2:
        child = random_tree(prims, rng, max_depth - 1)
        return power(child, float(EXPONENTS[int(rng.integers(len(EXPONENTS)))]))
    weights = np.asarray(prims.binary_weights) / sum(prims.binary_weights)
    op = BINARIES[int(rng.choice(len(BINARIES), p=weights))]
    return binary(
        op, random_tree(prims, rng, max_depth - 1), random_tree(prims, rng, max_depth - 1)
    )


def crossover(a: Node, b: Node, rng: np.random.Generator) -> Node:
    """``a`` with a random sub-tree replaced by a random sub-tree of ``b``."""
    pa = list(paths(a))
    pb = list(paths(b))
    target = pa[int(rng.integers(len(pa)))]
    donor = get(b, pb[int(rng.integers(len(pb)))])
    return put(a, target, donor)


def mutate(tree: Node, prims: Primitives, rng: np.random.Generator) -> Node:
    """One random edit: new sub-tree, changed operator or exponent, perturbed constants, a new
    factor, or a hoisted sub-tree."""
    kind = int(rng.choice(6, p=[0.25, 0.2, 0.15, 0.2, 0.1, 0.1]))
    all_paths = list(paths(tree))
    at = all_paths[int(rng.integers(len(all_paths)))]
    if kind == 0:
        return put(tree, at, random_tree(prims, rng, 3))
    if kind == 1:
        return put(tree, at, _point_change(get(tree, at), prims, rng))
    if kind == 2:
        return _perturb_params(tree, rng)
    if kind == 3:
        factor = random_tree(prims, rng, 2)
        op = "mul" if rng.random() < 0.5 else "div"
        return put(tree, at, binary(op, get(tree, at), factor))
    if kind == 4:
        exponent = float(EXPONENTS[int(rng.integers(len(EXPONENTS)))])
        return put(tree, at, power(get(tree, at), exponent))
    return get(tree, at) if at else tree


def _point_change(node: Node, prims: Primitives, rng: np.random.Generator) -> Node:
    if node.op == "var":
        return replace(node, name=prims.names[int(rng.integers(len(prims.names)))])
    if node.op == "param":
        return replace(node, value=node.value * float(np.exp(rng.normal(0, 1.0))))
    if node.op == "num":
        return node
    if node.op == "pow":
        choices = [e for e in EXPONENTS if e != node.value]
        return replace(node, value=float(choices[int(rng.integers(len(choices)))]))
    if node.op in FUNCTIONS:
        return replace(node, op=FUNCTIONS[int(rng.integers(len(FUNCTIONS)))])
    if len(node.args) < 2:  # abs, asin, tan ... from seeds: keep rather than break arity
        return node
    return replace(node, op=BINARIES[int(rng.integers(len(BINARIES)))])


def _perturb_params(tree: Node, rng: np.random.Generator) -> Node:
    targets = [p for p in paths(tree) if get(tree, p).op == "param"]
    for p in targets:
        node = get(tree, p)
        factor = float(np.exp(rng.normal(0, 0.3)))
        sign = -1.0 if rng.random() < 0.05 else 1.0
        tree = put(tree, p, replace(node, value=node.value * factor * sign))
    return tree


def simplify(tree: Node) -> Node:
    """Clean-ups that keep the value: fold constant sub-trees into one constant, drop ``*1``,
    ``/1`` and ``+0``, turn ``x/x`` into ``1`` and ``x-x`` into ``0``, fold ``(x**a)**b``."""
    if not tree.args:
        return tree
    args = tuple(simplify(c) for c in tree.args)
    tree = replace(tree, args=args)
    if not any(n.op == "var" for n in walk(tree)):
        value = float(evaluate(tree, {}))
        if not np.isfinite(value):
            return tree
        has_param = any(n.op == "param" for n in walk(tree))
        return param(value) if has_param else num(value)
    if tree.op == "mul":
        left, right = args
        if left.op == "num" and left.value == 1:
            return right
        if right.op == "num" and right.value == 1:
            return left
    if tree.op == "sub" and args[0] == args[1]:
        return num(0.0)
    if tree.op in ("add", "sub") and args[1].op == "num" and args[1].value == 0:
        return args[0]
    if tree.op == "add" and args[0].op == "num" and args[0].value == 0:
        return args[1]
    if tree.op == "div":
        if args[1].op == "num" and args[1].value == 1:
            return args[0]
        if args[0] == args[1]:
            return num(1.0)
    if tree.op == "pow" and args[0].op == "pow":
        combined = tree.value * args[0].value
        if abs(combined - round(combined * 12) / 12) < 1e-12 and 0 < combined <= 6:
            return power(args[0].args[0], combined)
    return tree


def drop_scale_params(shape: Node) -> Node:
    """Replace constants that only rescale the whole shape by ``1``.

    In ``y ≈ C·f`` a constant factor of ``f`` (``C1*x``, ``x/C1``, ``(C1*x)**2``) is
    absorbed by ``C``; keeping it would give the verifier a parameter it cannot identify.
    """
    if shape.op == "param":
        return num(1.0)
    if shape.op in ("mul", "div"):
        return replace(shape, args=tuple(drop_scale_params(c) for c in shape.args))
    if shape.op == "pow":
        return replace(shape, args=(drop_scale_params(shape.args[0]),))
    return shape


def with_scale(shape: Node, scale: Node) -> Node:
    """``scale * shape`` written naturally: ``C*a/b`` rather than ``C*(1/b)``."""
    if shape.op == "num" and shape.value == 1:
        return scale
    if shape.op == "div":
        return binary("div", with_scale(shape.args[0], scale), shape.args[1])
    return binary("mul", scale, shape)


def strip_scale(expr: Node) -> Node:
    """Inverse of :func:`with_scale` for trees whose first parameter is the scale."""
    first = next((p for p in paths(expr) if get(expr, p).op == "param"), None)
    if first is None:
        return expr
    return simplify(put(expr, first, num(1.0)))


def too_big(tree: Node, max_size: int, max_depth: int) -> bool:
    """Whether ``tree`` exceeds the size or depth limits of the search."""
    return size(tree) > max_size or depth(tree) > max_depth


def count_params(tree: Node) -> int:
    """How many free constants the tree carries."""
    return sum(1 for n in walk(tree) if n.op == "param")


def typical_scales(columns: Sequence[np.ndarray]) -> tuple[float, ...]:
    """A magnitude per column (median absolute value, 1 when that is 0)."""
    out = []
    for c in columns:
        m = float(np.median(np.abs(c))) if c.size else 1.0
        out.append(m if m > 0 and np.isfinite(m) else 1.0)
    return tuple(out)
