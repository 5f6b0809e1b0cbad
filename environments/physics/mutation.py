"""Seeded mutation of a law's expression tree: the shifted laws of the physics suite.

NewtonBench's idea is to hide a law the agent cannot recall: the canonical law with altered
exponents or operators. Here the alterations are made by a documented, seeded procedure, so
the fixed suite is reproducible and new private variants can be generated at will (pass any
other seed to :func:`generate_variants`).

The mutations, each applied at a node drawn uniformly from the nodes it applies to:

==========  ==========================================================================
exponent    set the power of an input, a power, a ``sqrt``, a function value or a sum
            to another value of :data:`EXPONENTS` (``r**2`` -> ``r**2.5``,
            ``sqrt(x)`` -> ``x**1.5``, ``(a + b)`` -> ``(a + b)**2``)
operator    swap ``*`` and ``/``; ``+`` becomes ``*`` or ``-``; ``-`` becomes ``+``
wrap        wrap a subtree in one of the domain's functions (``sqrt``, ``exp(-x)``,
            ``sin``, ``cos``); units decide whether that is allowed
add         add a term: an input plus another input of the same unit (``m1`` ->
            ``m1 + m2``), or a sine plus a cosine of the same angle
==========  ==========================================================================

A variant of difficulty ``easy`` is one exponent or operator mutation, ``medium`` two
mutations of any kind, ``hard`` three mutations of which at least one is a ``wrap`` or an
``add`` (a composite form). A mutated tree is kept only if

1. its units can be made consistent by the units of its hidden constants (sums of like terms,
   dimensionless function arguments, the output unit overall); when the law has no constant
   that can absorb a new unit, an outer scale constant is added;
2. after its constants are re-fitted (in log space, to the canonical law's outputs over the
   domain, and rounded to three significant digits) its outputs are finite and positive at
   every corner and on a 2048-point sample, of a sensible size, vary by at least a decade,
   and depend on every input;
3. it differs numerically from the canonical law, from the other variants and from any law
   given in ``avoid`` by more than a constant factor (log-ratio standard deviation at least
   :data:`MIN_SHAPE_DIFFERENCE`);
4. its formula is read back by the project's safe parser.

Everything is driven by one ``numpy`` generator seeded with ``(seed, crc32(domain name))``, so
the same seed always gives the same variants and domains do not share draws.

Generator versions (:data:`GENERATORS`): ``v1`` is the procedure above, frozen (it makes
``newton-v1``). ``v2`` draws from its own stream ``(seed, crc32(domain name), 2)`` and grades
each draw on its simplified law as well
(:func:`~discolab.environments.physics.simplify.graded_acceptable`): no subterm may change
sign on the domain, a ``hard`` law must not simplify to a monomial, and a ``medium`` power
law must change at least two exponents. So that every domain has composite forms, ``v2``'s
``wrap`` may also use ``exp(-x)`` in every domain (units permitting: ``x`` must be made
dimensionless by a hidden constant inside it).
"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Callable, Sequence

import numpy as np

from discolab.environments.physics.laws import Law
from discolab.environments.physics.realise import (
    SCALE,
    Lab,
    LawSetup,
    canonical_law,
)
from discolab.environments.physics.simplify import graded_acceptable
from discolab.environments.physics.tree import (
    Bin,
    Call,
    Const,
    Neg,
    Node,
    Num,
    Path,
    Pow,
    Var,
    children,
    positions,
    replace,
    shape_text,
)

__all__ = ["LawSetup", "canonical_law", "edits", "generate_variants", "is_tidy"]

EXPONENTS = (0.5, 1.0, 1.3, 1.5, 2.0, 2.5, 3.0)
"""The powers an exponent mutation may choose from."""

DIFFICULTIES = ("easy", "medium", "hard")
"""Variant difficulties, in order; a variant is named ``<difficulty>-<k>``."""

MUTATION_COUNT = {"easy": 1, "medium": 2, "hard": 3}
"""How many mutations make a variant of each difficulty."""

MIN_SHAPE_DIFFERENCE = 0.02
"""Smallest standard deviation of ``log(a / b)`` for two laws to count as different."""

MAX_ATTEMPTS = 2000
"""Mutation draws per variant before generation gives up (raises ``RuntimeError``)."""

GENERATORS = ("v1", "v2")
"""Generator versions; ``v1`` is frozen, ``v2`` grades on the simplified law."""


def generate_variants(
    setup: LawSetup,
    seed: int,
    per_difficulty: int = 3,
    avoid: Sequence[Law] = (),
    generator: str = "v1",
    avoid_above_easy: Sequence[Law] = (),
) -> tuple[Law, ...]:
    """``per_difficulty`` shifted laws per difficulty, named ``easy-1`` ... ``hard-3``.

    The same ``setup``, ``seed`` and ``generator`` always give the same laws; the suites'
    seeds are fixed (:data:`~discolab.environments.physics.variants.NEWTON_V1_SEED`) and any
    other seed gives a private set. Laws in ``avoid`` (hand-written shifts) are never
    duplicated; laws in ``avoid_above_easy`` (a private set's public laws) are not duplicated
    by ``medium`` and ``hard`` variants (the easy forms of a domain are too few to avoid).

    Raises:
        ValueError: ``generator`` is not one of :data:`GENERATORS`.
        RuntimeError: no acceptable variant was found in :data:`MAX_ATTEMPTS` draws.
    """
    if generator not in GENERATORS:
        raise ValueError(f"unknown generator {generator!r}; known: {', '.join(GENERATORS)}")
    if generator == "v2" and "exp-" not in setup.functions:
        setup = dataclasses.replace(setup, functions=(*setup.functions, "exp-"))
    lab = Lab(setup)
    stream = [seed, zlib.crc32(setup.name.encode())] + ([2] if generator == "v2" else [])
    rng = np.random.default_rng(stream)
    accepted: list[Law] = []
    references = [lab.log_check(law) for law in (lab.canonical, *avoid)]
    seen = {shape_text(setup.tree)}
    for difficulty in DIFFICULTIES:
        if difficulty == "medium":
            references += [lab.log_check(law) for law in avoid_above_easy]
        for k in range(1, per_difficulty + 1):
            name = f"{difficulty}-{k}"
            law = _draw_variant(lab, rng, difficulty, name, seen, references, generator)
            accepted.append(law)
            references.append(lab.log_check(law))
    return tuple(accepted)


def _draw_variant(
    lab: Lab,
    rng: np.random.Generator,
    difficulty: str,
    name: str,
    seen: set[str],
    references: list[np.ndarray],
    generator: str = "v1",
) -> Law:
    for _ in range(MAX_ATTEMPTS):
        tree = _mutate(lab.setup, rng, difficulty)
        if tree is None or shape_text(tree) in seen:
            continue
        seen.add(shape_text(tree))
        law = lab.realise(tree, name, difficulty)
        if law is None:
            continue
        logs = lab.log_check(law)
        if not all(np.std(logs - ref) >= MIN_SHAPE_DIFFERENCE for ref in references):
            continue
        if generator == "v1" or _graded(lab, law, difficulty):
            return law
    raise RuntimeError(f"no acceptable {difficulty} variant of {lab.setup.name} was found")


def _graded(lab: Lab, law: Law, difficulty: str) -> bool:
    assert law.tree is not None
    values = {c.name: c.value for c in law.constants}
    names = [v.name for v in lab.setup.inputs]
    return graded_acceptable(law.tree, lab.setup.tree, difficulty, names, lab.check, values)


# -- mutations ------------------------------------------------------------------------------

Mutation = Callable[[Node, np.random.Generator, LawSetup], Node | None]


def _choose(rng: np.random.Generator, items: Sequence):  # type: ignore[no-untyped-def]
    return items[int(rng.integers(len(items)))]


def _targets(tree: Node, accept: Callable[[Node], bool]) -> list[tuple[Path, Node]]:
    found = dict(positions(tree))
    return [
        (path, node)
        for path, node in found.items()
        if accept(node) and not (path and isinstance(found[path[:-1]], Pow))
    ]


def mutate_exponent(tree: Node, rng: np.random.Generator, setup: LawSetup) -> Node | None:
    """Give an input, power, ``sqrt``, function value or sum another exponent."""
    targets = _targets(
        tree,
        lambda n: isinstance(n, Var | Pow | Call) or (isinstance(n, Bin) and n.op in "+-"),
    )
    if not targets:
        return None
    path, node = _choose(rng, targets)
    if isinstance(node, Pow):
        base, current = node.base, node.exponent
    elif isinstance(node, Call) and node.fn == "sqrt":
        base, current = node.arg, 0.5
    else:
        base, current = node, 1.0
    sign = -1.0 if current < 0 else 1.0
    power = float(_choose(rng, [e for e in EXPONENTS if e != abs(current)]))
    return replace(tree, path, base if power == 1.0 else Pow(base, sign * power))


def mutate_operator(tree: Node, rng: np.random.Generator, setup: LawSetup) -> Node | None:
    """Swap ``*`` and ``/``, turn ``+`` into ``*`` or ``-``, or ``-`` into ``+``."""
    targets = _targets(tree, lambda n: isinstance(n, Bin))
    if not targets:
        return None
    path, node = _choose(rng, targets)
    assert isinstance(node, Bin)
    swaps = {"*": ("/",), "/": ("*",), "+": ("*", "-"), "-": ("+",)}
    return replace(tree, path, Bin(_choose(rng, swaps[node.op]), node.left, node.right))


def mutate_wrap(tree: Node, rng: np.random.Generator, setup: LawSetup) -> Node | None:
    """Wrap a subtree in one of the domain's functions."""
    targets = _targets(tree, lambda n: isinstance(n, Var | Bin | Pow))
    if not targets:
        return None
    path, node = _choose(rng, targets)
    fn = _choose(rng, setup.functions)
    if fn in ("sin", "cos") and not _is_angle(node, setup):
        return None
    wrapped = Call("exp", Neg(node)) if fn == "exp-" else Call(fn, node)
    return replace(tree, path, wrapped)


def _is_angle(node: Node, setup: LawSetup) -> bool:
    angles = {v.name for v in setup.inputs if v.unit == "rad"}
    return isinstance(node, Var) and node.name in angles


def mutate_add(tree: Node, rng: np.random.Generator, setup: LawSetup) -> Node | None:
    """Add a like term: an input plus another input of its unit, or ``sin + cos``."""
    units = {v.name: v.unit for v in setup.inputs}
    options: list[tuple[Path, Node]] = []
    for path, node in positions(tree):
        if isinstance(node, Var):
            options += [
                (path, Bin("+", node, Var(other)))
                for other in units
                if other != node.name and units[other] == units[node.name]
            ]
        elif isinstance(node, Call) and node.fn in ("sin", "cos"):
            partner = "cos" if node.fn == "sin" else "sin"
            options.append((path, Bin("+", node, Call(partner, node.arg))))
    if not options:
        return None
    path, new = _choose(rng, options)
    return replace(tree, path, new)


SIMPLE: dict[str, Mutation] = {"exponent": mutate_exponent, "operator": mutate_operator}
COMPOSITE: dict[str, Mutation] = {"wrap": mutate_wrap, "add": mutate_add}


def _mutate(setup: LawSetup, rng: np.random.Generator, difficulty: str) -> Node | None:
    count = MUTATION_COUNT[difficulty]
    pool = SIMPLE if difficulty == "easy" else {**SIMPLE, **COMPOSITE}
    kinds = [str(_choose(rng, list(pool))) for _ in range(count)]
    if difficulty == "hard" and not any(k in COMPOSITE for k in kinds):
        kinds[int(rng.integers(count))] = str(_choose(rng, list(COMPOSITE)))
    tree: Node | None = setup.tree
    for kind in kinds:
        assert tree is not None
        tree = pool.get(kind, COMPOSITE.get(kind))(tree, rng, setup)  # type: ignore[misc]
        if tree is None:
            return None
    if tree is None or not is_tidy(tree) or edits(setup.tree, tree) < count:
        return None
    return tree


def edits(a: Node, b: Node) -> int:
    """A cheap tree edit distance: how many single mutations at least turn ``a`` into ``b``.

    Used so that a variant's difficulty is real: two mutations that undo each other, or that
    change the same exponent twice, do not make a ``medium`` law.
    """
    return _edits(a, b, {})


def _edits(a: Node, b: Node, memo: dict[tuple[Node, Node], int]) -> int:
    key = (a, b)
    if key not in memo:
        memo[key] = _edit_options(a, b, memo)
    return memo[key]


def _edit_options(a: Node, b: Node, memo: dict[tuple[Node, Node], int]) -> int:
    if a == b:
        return 0

    def edits(x: Node, y: Node) -> int:
        return _edits(x, y, memo)

    options = [_size(a) + _size(b)]
    if type(a) is type(b):
        if isinstance(a, Bin) and isinstance(b, Bin):
            options.append((a.op != b.op) + edits(a.left, b.left) + edits(a.right, b.right))
        elif isinstance(a, Pow) and isinstance(b, Pow):
            options.append((a.exponent != b.exponent) + edits(a.base, b.base))
        elif isinstance(a, Call) and isinstance(b, Call):
            options.append((a.fn != b.fn) + edits(a.arg, b.arg))
        elif isinstance(a, Neg) and isinstance(b, Neg):
            options.append(edits(a.arg, b.arg))
    for outer, inner in ((a, b), (b, a)):
        if isinstance(outer, Pow | Neg | Call):
            options.append(1 + edits(children(outer)[0], inner))
        if isinstance(outer, Bin):
            options += [1 + edits(side, inner) for side in children(outer)]
    if isinstance(a, Call | Pow) and isinstance(b, Call | Pow):  # sqrt(x) <-> x**p
        options.append(1 + edits(children(a)[0], children(b)[0]))
    if isinstance(b, Bin) and b.left == Const(SCALE):
        options.append(edits(a, b.right))
    return min(options)


def _size(node: Node) -> int:
    return sum(1 for _ in positions(node))


_FAMILY = {"sin": "trig", "cos": "trig", "tan": "trig"}


def is_tidy(tree: Node) -> bool:
    """False for disguised or odd forms: a power of a power or of a root (``sqrt(x**2)``,
    ``(x**2)**3``), a function of its own kind (``exp(exp(x))``, ``cos(sin(x))``), ``--x``
    and ``1 * x``."""
    for _, node in positions(tree):
        inner = node.base if isinstance(node, Pow) else None
        if isinstance(node, Call) and node.fn == "sqrt":
            inner = node.arg
        if isinstance(inner, Pow) or (isinstance(inner, Call) and inner.fn == "sqrt"):
            return False
        if isinstance(node, Call) and any(
            isinstance(n, Call) and _FAMILY.get(n.fn, n.fn) == _FAMILY.get(node.fn, node.fn)
            for _, n in positions(node.arg)
        ):
            return False
        if isinstance(node, Neg) and any(isinstance(n, Neg) for _, n in positions(node.arg)):
            return False
        if isinstance(node, Bin) and node.op == "*" and Num(1.0) in (node.left, node.right):
            return False
    return True
