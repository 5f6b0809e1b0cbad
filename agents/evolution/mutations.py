"""The built-in, offline program mutator of the evolver: real edits of the Python AST.

Only the code between ``# EVOLVE-BLOCK-START`` and ``# EVOLVE-BLOCK-END`` changes. A block is
parsed (``ast.parse``; candidate code is never executed, compiled or evaluated here), one
operator edits the tree, and the block is re-emitted with ``ast.unparse`` at its original
indentation, so comments inside a changed block are lost; code outside the blocks stays
byte-for-byte the parent's, which :func:`discolab.agents.edits.validate` checks on every child.

Operators (see :data:`DEFAULT_WEIGHTS`): ``constant`` (perturb a numeric literal),
``operator_swap`` (+/-, * and /, and/or), ``compare_swap`` (< <= > >=), ``call_swap`` (within
:data:`~discolab.agents.evolution.ast_ops.CALL_FAMILIES`), ``delete`` (a statement, by the
heuristic of :func:`~discolab.agents.evolution.statements.deletable`), ``insert`` (a donor's
statement), ``duplicate`` (copy, perturb and paste a statement of the program itself) and
``crossover`` (with a donor). Every child parses, keeps its markers and outside code, and
differs from its parent after normalisation; when no operator can make one, the result has
``program=None`` and the reason in ``description``. Nothing raises on a bad program.

All randomness comes from the caller's ``numpy.random.Generator``: the same program, donors
and generator state give the same child.

Speed (the evolver calls this once per child, in its main process): parses, canonical block
codes and each program's names are shared through small bounded caches keyed by source text
(:mod:`~discolab.agents.evolution.parents`), ``mutate_many`` reads its donors once, an edit
works on a fresh parse instead of a deep copy, and crossover reads the parents' trees without
copying them and skips unparsing a mix that is one of the parents. None of this changes which
child comes out: ``bench/mutation_speed.py --compare`` checks that against the old code.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from discolab.agents.evolution.ast_ops import EXPRESSION_SITES, Site
from discolab.agents.evolution.blocks import Source, canonical, read_source
from discolab.agents.evolution.parents import Parent
from discolab.agents.evolution.statements import (
    cross_bodies,
    delete_sites,
    dump_once,
    duplicate_sites,
    insert_sites,
)

OPERATORS: tuple[str, ...] = (
    "constant",
    "operator_swap",
    "compare_swap",
    "call_swap",
    "delete",
    "insert",
    "duplicate",
    "crossover",
)
# Constant perturbation dominates: it is what improves numeric constructions most. Operators
# with no site in the program drop out and the rest are renormalised; without donors,
# ``insert`` lends its weight to ``duplicate`` and ``crossover`` is unavailable.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    "constant": 0.45,
    "operator_swap": 0.07,
    "compare_swap": 0.05,
    "call_swap": 0.06,
    "delete": 0.08,
    "insert": 0.10,
    "duplicate": 0.09,
    "crossover": 0.10,
}


@dataclass(frozen=True)
class Mutation:
    """One child program and how it was made.

    Attributes:
        program: the child's full text (outside-block code byte-identical to the parent's), or
            None when no operator could produce a valid child distinct from the parent.
        operator: the operator's name (one of :data:`OPERATORS`, ``a+b`` for several steps,
            ``none`` on failure).
        description: one line for feedback and lineage, e.g. ``constant 0.35 -> 0.412 at line
            14``, or the reason there is no child.
    """

    program: str | None
    operator: str
    description: str

    @property
    def ok(self) -> bool:
        """Whether a child came out."""
        return self.program is not None


def _fail(reason: str) -> Mutation:
    return Mutation(program=None, operator="none", description=reason)


def _sites(operator: str, tree: ast.Module, parent: Parent) -> list[Site]:
    """Where ``operator`` can act in one block's tree."""
    if operator in EXPRESSION_SITES:
        return EXPRESSION_SITES[operator](tree)
    if operator == "delete":
        return delete_sites(tree, parent.loads)
    if operator == "insert":
        return insert_sites(tree, parent.pool)
    if operator == "duplicate":
        return duplicate_sites(tree)
    raise ValueError(f"unknown operator {operator!r}; choose from {OPERATORS}")


def _weights(
    operators: Sequence[str] | None, weights: Mapping[str, float] | None
) -> dict[str, float]:
    """The weight of each allowed operator; ValueError naming an unknown one or a bad weight."""
    chosen = tuple(operators) if operators is not None else OPERATORS
    unknown = [op for op in chosen if op not in OPERATORS]
    if unknown:
        raise ValueError(f"unknown operator(s) {unknown}; choose from {OPERATORS}")
    table = {**DEFAULT_WEIGHTS, **(weights or {})}
    strange = sorted(set(table) - set(OPERATORS))
    if strange:
        raise ValueError(f"weights for unknown operator(s) {strange}; choose from {OPERATORS}")
    bad = {op: w for op, w in table.items() if not (w >= 0)}
    if bad:
        raise ValueError(f"operator weights must be >= 0, got {bad}")
    return {op: float(table.get(op, 0.0)) for op in chosen}


def mutate(
    program: str,
    rng: np.random.Generator,
    donors: Sequence[str] = (),
    *,
    operators: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    max_tries: int = 20,
) -> Mutation:
    """One child of ``program`` made by one operator drawn by weight.

    ``donors`` are other programs (e.g. archive elites) whose statements ``insert`` copies and
    with which ``crossover`` mixes. ``operators`` restricts the choice, ``weights`` overrides
    :data:`DEFAULT_WEIGHTS`. A try that yields an invalid or unchanged child is retried with a
    new draw, up to ``max_tries`` times. ValueError only for an unknown operator or a negative
    weight (a caller's mistake); a bad program gives ``program=None``.
    """
    table = _weights(operators, weights)
    return _mutate(program, rng, _donor_sources(donors), table, max_tries)


def _donor_sources(donors: Sequence[str]) -> list[Source]:
    """The donors that can be read as programs with blocks (the others are ignored)."""
    return [s for s in (read_source(d) for d in donors) if isinstance(s, Source)]


def _mutate(
    program: str,
    rng: np.random.Generator,
    donors: list[Source],
    table: dict[str, float],
    max_tries: int,
) -> Mutation:
    """:func:`mutate` with the donors already read and the weights checked (``table`` is
    changed as operators drop out)."""
    source = read_source(program)
    if isinstance(source, str):
        return _fail(source)
    parent = Parent(source, donors)
    if not parent.donors:
        table.pop("crossover", None)
        if "duplicate" in table:
            table["duplicate"] += table.pop("insert", 0.0)
    last = "no operator applies"
    crossover_failures = 0
    for _ in range(max_tries):
        live = {op: w for op, w in table.items() if w > 0}
        if not live:
            break
        names = sorted(live)
        p = np.array([live[n] for n in names])
        operator = names[int(rng.choice(len(names), p=p / p.sum()))]
        if operator == "crossover":
            donor = parent.donors[int(rng.integers(len(parent.donors)))]
            result = _crossover(parent, donor, rng)
            if result.ok:
                return result
            last = result.description
            crossover_failures += 1
            if crossover_failures >= min(len(parent.donors), 3):
                table.pop("crossover")
            continue
        if operator == "insert" and not parent.pool.statements:
            if "duplicate" in table:
                table["duplicate"] += table["insert"]
            table.pop("insert")
            last = "the donors have no statement to insert"
            continue
        result = _attempt(operator, parent, rng)
        if isinstance(result, Mutation):
            return result
        if result is None:
            table.pop(operator)
            last = f"no site for {operator}"
        else:
            last = result
    if not any(w > 0 for w in table.values()):
        hint = "" if parent.donors else " (insert and crossover need donor programs)"
        return _fail(
            "nothing to mutate: no operator with a positive weight has a site in the "
            f"EVOLVE-BLOCKs{hint}"
        )
    return _fail(f"no valid distinct child after {max_tries} tries ({last})")


def _attempt(operator: str, parent: Parent, rng: np.random.Generator) -> Mutation | str | None:
    """One try of a tree operator: the child, a reason it failed, or None when the operator
    has no site in any block (so the caller stops drawing it)."""
    blocks = parent.source.mutable
    trees = {b.index: b.parse() for b in blocks}
    sites = [(b, site) for b in blocks for site in _sites(operator, trees[b.index], parent)]
    if not sites:
        return None
    weights = np.array([s.weight for _, s in sites])
    block, site = sites[int(rng.choice(len(sites), p=weights / weights.sum()))]
    try:
        what = site.apply(rng)
        child, why = parent.child({block.index: ast.unparse(trees[block.index])})
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        return f"{operator} failed: {exc}"
    if child is None:
        return why
    return Mutation(child, operator, f"{what} at line {block.offset + site.line}")


def _crossover(parent: Parent, other: Source, rng: np.random.Generator, tries: int = 8) -> Mutation:
    """Cross each block of the parent with the block at the same position in ``other``."""
    try:
        return _cross(parent, other, rng, tries)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        return _fail(f"crossover failed: {exc}")


def _cross(parent: Parent, other: Source, rng: np.random.Generator, tries: int) -> Mutation:
    source = parent.source
    pairs = [
        (b, other.blocks[b.index])
        for b in source.mutable
        if b.index < len(other.blocks) and other.blocks[b.index] is not None
    ]
    if not pairs:
        return _fail("crossover: the second parent has no parsable block in a matching position")
    # The mixes only read the parents' statements, so the shared trees serve without copies.
    parsed = [(mine.index, mine.tree.body, theirs.tree.body) for mine, theirs in pairs]
    second = {mine.index: canonical(theirs.code) for mine, theirs in pairs}
    if all(second[i] == parent.canonical[i] for i in second):
        return _fail("crossover: the two parents' blocks are the same")
    last = "no distinct mix"
    dumps: dict[int, str] = {}
    for _ in range(tries):
        codes: dict[int, str] = {}
        notes = []
        for index, body, theirs in parsed:
            mixed, note = cross_bodies(body, theirs, rng, copies=False, dumps=dumps)
            pair, known = (body, theirs), (parent.canonical[index], second[index])
            codes[index] = _mix_code(mixed, pair, known, dumps)
            notes.append(note)
        if other.layout.outside == source.layout.outside and all(
            codes[i] == second[i] for i in second
        ):
            last = "the mix equals the second parent"
            continue
        child, why = parent.child(codes)
        if child is None:
            last = why
            continue
        return Mutation(child, "crossover", "crossover: " + "; ".join(notes))
    return _fail(f"crossover: no valid child distinct from both parents ({last})")


def _mix_code(
    mixed: list[ast.stmt],
    parents: tuple[list[ast.stmt], list[ast.stmt]],
    codes: tuple[str, str],
    dumps: dict[int, str],
) -> str:
    """``ast.unparse`` of a mixed body, without unparsing when the mix is statement for
    statement one of the two parents' bodies (``parents``, whose unparsed ``codes`` are
    known): at each position either that parent's own statement, or the other parent's when
    the two are equal (same ``ast.dump``, hence the same ``ast.unparse``)."""
    first, second = parents
    aligned = len(first) == len(second) == len(mixed)
    for body, other, code in ((second, first, codes[1]), (first, second, codes[0])):
        if len(mixed) == len(body) and all(
            a is b or (aligned and a is c and dump_once(b, dumps) == dump_once(c, dumps))
            for a, b, c in zip(mixed, body, other if aligned else body, strict=True)
        ):
            return code
    return ast.unparse(ast.Module(body=mixed, type_ignores=[]))


def crossover(first: str, second: str, rng: np.random.Generator) -> Mutation:
    """A child mixing two parents' blocks; the code outside the blocks is the first's.

    Blocks pair up by position. Where two paired blocks have the same top-level structure,
    each statement comes from either parent with probability 1/2 (matching defs are crossed
    inside); otherwise a prefix of one block is spliced to a suffix of the other.
    """
    mine, theirs = read_source(first), read_source(second)
    if isinstance(mine, str):
        return _fail(f"crossover: first parent: {mine}")
    if isinstance(theirs, str):
        return _fail(f"crossover: second parent: {theirs}")
    return _crossover(Parent(mine, [theirs]), theirs, rng)


def mutate_many(
    program: str,
    rng: np.random.Generator,
    donors: Sequence[str] = (),
    steps: int = 1,
    *,
    operators: Sequence[str] | None = None,
    weights: Mapping[str, float] | None = None,
    max_tries: int = 20,
) -> Mutation:
    """``steps`` successive mutations, each of the previous child; descriptions are joined
    with ``; `` and operators with ``+`` (a step's line numbers refer to the program it
    mutated). A step that finds no child is skipped; the result is None only when no step
    succeeds or the steps cancel out."""
    if steps < 1:
        raise ValueError(f"steps must be >= 1, got {steps}")
    table = _weights(operators, weights)
    sources = _donor_sources(donors)  # read once for all the steps
    current, ops, notes = program, [], []
    last = ""
    for _ in range(steps):
        step = _mutate(current, rng, sources, dict(table), max_tries)
        if step.program is None:
            last = step.description
            continue
        current = step.program
        ops.append(step.operator)
        notes.append(step.description)
    if not ops:
        return _fail(last)
    if current == program:
        return _fail("the mutations cancelled out")
    return Mutation(current, "+".join(ops), "; ".join(notes))
