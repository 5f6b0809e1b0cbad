"""EVOLVE-BLOCKs as syntax trees: dedent and parse a block, re-emit a tree at its indentation.

The evolver's operators work on ``ast`` trees, never on text, so a block is cut out of its
program with :func:`discolab.agents.edits.layout`, dedented (a block may sit inside a function
body), parsed with ``ast.parse`` (syntax only, nothing is executed) and, after a change,
re-emitted with ``ast.unparse`` and re-indented to the block's own indentation. ``ast.unparse``
drops the comments and blank lines inside a re-emitted block; that is accepted, since only the
blocks an operator changed are re-emitted and the code outside the blocks is never touched.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import lru_cache

from discolab.agents.edits import Layout, layout


@lru_cache(maxsize=32)  # few: every cached node adds to the cost of a full garbage collection
def shared_tree(code: str) -> ast.Module:
    """The tree of ``code``, parsed once and shared between callers: read it, never change it
    (a tree to edit comes from :meth:`BlockCode.parse`, a fresh parse, which is cheaper than a
    deep copy). Raises what ``ast.parse`` raises; failures are not cached."""
    return ast.parse(code)


@lru_cache(maxsize=256)
def canonical(code: str) -> str:
    """``code`` with comments and formatting normalised away: ``ast.unparse`` of its tree."""
    return ast.unparse(shared_tree(code))


@dataclass(frozen=True)
class BlockCode:
    """One EVOLVE-BLOCK ready for tree surgery.

    Attributes:
        index: the block's position among the program's blocks.
        code: the block's text with its common indentation removed (line count unchanged).
        indent: that indentation, put back in front of every re-emitted line.
        offset: how many program lines precede the block's first line (for line numbers).
    """

    index: int
    code: str
    indent: str
    offset: int

    def parse(self) -> ast.Module:
        """A fresh tree of the block (a new one on every call, so a failed try leaves no trace)."""
        return ast.parse(self.code)

    @property
    def tree(self) -> ast.Module:
        """The block's shared, read-only tree (see :func:`shared_tree`)."""
        return shared_tree(self.code)

    def emit(self, code: str) -> str:
        """The block text for dedented ``code`` (an ``ast.unparse`` output): re-indented,
        ending with a newline; empty code gives an empty block."""
        lines = code.splitlines()
        return "".join(f"{self.indent}{line}\n" if line.strip() else "\n" for line in lines)


@dataclass(frozen=True)
class Source:
    """A parsed program: its layout and one :class:`BlockCode` per block (None if unparsable)."""

    program: str
    layout: Layout
    blocks: tuple[BlockCode | None, ...]

    @property
    def mutable(self) -> tuple[BlockCode, ...]:
        """The blocks whose code parses on its own and can therefore be rewritten."""
        return tuple(block for block in self.blocks if block is not None)

    def with_blocks(self, codes: dict[int, str]) -> str:
        """The program with the blocks in ``codes`` (index -> dedented code) re-emitted at
        their indentation and every other block verbatim."""
        texts = list(self.layout.blocks)
        for index, code in codes.items():
            block = self.blocks[index]
            if block is None:
                raise ValueError(f"block {index} does not parse and cannot be rewritten")
            texts[index] = block.emit(code)
        return self.layout.join(texts)


def read_source(program: str) -> Source | str:
    """The program cut into parsed blocks, or a one-line reason why it cannot be mutated."""
    try:
        cut = layout(program)
    except ValueError as exc:
        return f"the program has no usable EVOLVE-BLOCK: {exc}"
    try:
        shared_tree(program)
    except SyntaxError as exc:
        where = f" at line {exc.lineno}" if exc.lineno else ""
        return f"the program does not parse: {exc.msg}{where}"
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return f"the program does not parse: {exc}"
    blocks: list[BlockCode | None] = []
    offset = 0
    for index, text in enumerate(cut.blocks):
        offset += cut.outside[index].count("\n")
        blocks.append(_block(index, text, offset, _marker_indent(cut.outside[index])))
        offset += text.count("\n")
    source = Source(program, cut, tuple(blocks))
    if not source.mutable:
        return "no EVOLVE-BLOCK parses on its own after dedenting"
    return source


def _marker_indent(before: str) -> str:
    """The indentation of the START marker line that ends ``before``."""
    last = before.rstrip("\n").rsplit("\n", 1)[-1]
    return last[: len(last) - len(last.lstrip())]


def _block(index: int, text: str, offset: int, fallback: str) -> BlockCode | None:
    """Dedent by the first code line's indentation; lines not carrying it are kept as they are
    (comments further left, continuation lines of strings) so that parsing is not disturbed."""
    lines = text.splitlines(keepends=True)
    code_lines = [x for x in lines if x.strip() and not x.lstrip().startswith("#")]
    indent = code_lines[0][: len(code_lines[0]) - len(code_lines[0].lstrip())] if code_lines else ""
    if not code_lines:
        indent = fallback
    dedented = "".join(
        x[len(indent) :] if x.startswith(indent) else ("\n" if not x.strip() else x) for x in lines
    )
    try:
        shared_tree(dedented)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return BlockCode(index, dedented, indent, offset)
