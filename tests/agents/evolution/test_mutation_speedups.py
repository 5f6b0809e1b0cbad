"""The mutator's shortcuts compute exactly what the plain code computes: the list walk, the
one-pass defined names, the shared parses and the crossover's skipped unparses."""

from __future__ import annotations

import ast

import numpy as np
from mutation_programs import CIRCLES, NESTED, TOP, TWO_BLOCKS

from discolab.agents.evolution.ast_ops import parents, walk
from discolab.agents.evolution.blocks import canonical, read_source, shared_tree
from discolab.agents.evolution.mutations import crossover, mutate_many
from discolab.agents.evolution.statements import bound, cross_bodies, defined_names

PROGRAMS = (CIRCLES, NESTED, TOP, TWO_BLOCKS)
EXTRA = """import os.path as osp, numpy
from math import *
class K:
    def m(self, a, *b, c=1, **d):
        lam = lambda q: q + 1
        return [w for w in b if (z := w)]
"""


def test_walk_visits_nodes_in_the_order_of_ast_walk() -> None:
    for program in (*PROGRAMS, EXTRA):
        tree = ast.parse(program)
        assert walk(tree) == list(ast.walk(tree))
        plain = {c: n for n in ast.walk(tree) for c in ast.iter_child_nodes(n)}
        assert parents(tree) == plain


def test_defined_names_equal_the_union_of_bound_names() -> None:
    for program in (*PROGRAMS, EXTRA):
        tree = ast.parse(program)
        union = set(defined_names(ast.Module(body=[], type_ignores=[])))
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt | ast.arg | ast.comprehension):
                union |= bound(node)
        assert defined_names(tree) == union


def test_shared_trees_are_not_changed_by_mutating() -> None:
    source = read_source(CIRCLES)
    block = source.mutable[0]
    before = ast.dump(block.tree)
    for seed in range(20):
        mutate_many(CIRCLES, np.random.default_rng(seed), [CIRCLES, TOP], steps=3)
        crossover(CIRCLES, CIRCLES.replace("0.35", "0.3"), np.random.default_rng(seed))
    assert ast.dump(block.tree) == before
    assert block.tree is shared_tree(block.code)
    assert canonical(block.code) == ast.unparse(ast.parse(block.code))


def test_crossing_without_copies_gives_the_same_mix_as_with_copies() -> None:
    first = ast.parse(CIRCLES.replace("# EVOLVE", "#")).body
    second = ast.parse(CIRCLES.replace("0.35", "0.3").replace("# EVOLVE", "#")).body
    for seed in range(30):
        copied, note = cross_bodies(first, second, np.random.default_rng(seed))
        shared, same = cross_bodies(first, second, np.random.default_rng(seed), copies=False)
        assert note == same
        assert ast.unparse(ast.Module(copied, [])) == ast.unparse(ast.Module(shared, []))
