"""A parent program as the mutator sees it: its blocks, donors and the views operators need.

The views (names read and defined, the donors' copyable statements, each block's canonical
code) are pure functions of source text, so they are computed once and shared through small
bounded caches: successive steps of ``mutate_many`` and successive children of one parent
re-read the same donors and programs. Shared trees are only read, never changed; an operator
edits a fresh parse (:meth:`~discolab.agents.evolution.blocks.BlockCode.parse`).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cached_property, lru_cache

from discolab.agents.edits import layout, validate
from discolab.agents.evolution.blocks import Source, canonical, shared_tree
from discolab.agents.evolution.statements import (
    Donors,
    defined_names,
    donor_statements,
    loads,
    needs,
)


@lru_cache(maxsize=8)  # the pools hold donor statements, so few (see blocks.shared_tree)
def _donor_pool(codes: tuple[str, ...]) -> tuple[tuple[ast.stmt, ...], tuple[frozenset[str], ...]]:
    """The copyable statements of the donor blocks ``codes`` (shared: never change them) and
    the names each needs (:func:`~discolab.agents.evolution.statements.needs`)."""
    statements = tuple(donor_statements([shared_tree(code) for code in codes]))
    return statements, tuple(frozenset(needs(s)) for s in statements)


@lru_cache(maxsize=256)
def _program_names(program: str) -> tuple[frozenset[str], frozenset[str]]:
    """The names a parsable program reads and the names it defines (with the builtins)."""
    tree = shared_tree(program)
    return frozenset(loads(tree)), frozenset(defined_names(tree))


@dataclass
class Parent:
    """A parent program with its donors; the costlier views are computed once, on demand and
    shared through the bounded caches above, since successive steps and children re-read the
    same donors."""

    source: Source
    donors: list[Source]

    @cached_property
    def loads(self) -> frozenset[str]:
        """Names read anywhere in the program, inside or outside the blocks."""
        return _program_names(self.source.program)[0]

    @cached_property
    def pool(self) -> Donors:
        """The donors' copyable statements and the names the parent defines."""
        statements, reads = _donor_pool(tuple(b.code for s in self.donors for b in s.mutable))
        names = _program_names(self.source.program)[1] if statements else frozenset()
        return Donors(statements, names, reads)

    @cached_property
    def canonical(self) -> dict[int, str]:
        """Each parsable block with comments and formatting normalised away."""
        return {b.index: canonical(b.code) for b in self.source.mutable}

    def child(self, codes: dict[int, str]) -> tuple[str | None, str]:
        """The validated child program (or None) for the re-emitted blocks ``codes`` (index ->
        ``ast.unparse`` output) and, when None, why: unchanged or invalid."""
        changed = {i: code for i, code in codes.items() if code != self.canonical[i]}
        if not changed:
            return None, "the change is a no-op"
        program = self.source.with_blocks(changed)
        if _passes(self.source, program):
            return program, ""
        result = validate(self.source.program, program)  # the failure, in validate's words
        return result.program, result.error or ""


def _passes(parent: Source, child: str) -> bool:
    """Whether :func:`~discolab.agents.edits.validate` accepts ``child``, decided by the same
    checks with the parse shared (:func:`shared_tree`): the next step reads the child again."""
    if child == parent.program:
        return False
    try:
        if layout(child).outside != parent.layout.outside:
            return False
        shared_tree(child)
    except (ValueError, SyntaxError):
        return False
    return True
