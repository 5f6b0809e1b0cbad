"""Program edits from a model: SEARCH/REPLACE diffs or full rewrites inside EVOLVE-BLOCKs.

This is the seam the program evolver uses to turn a completion into a child program. Only the
code between ``# EVOLVE-BLOCK-START`` and ``# EVOLVE-BLOCK-END`` may change. A result is
valid when it parses (``ast.parse``: syntax only, nothing is executed here), its markers are
intact, and the code outside the blocks is byte-for-byte the parent's. Every failure is an
:class:`EditResult` with feedback written for the next prompt, never an exception.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Literal

from discolab.agents.llm.parsing import split_reasoning

START = "# EVOLVE-BLOCK-START"
END = "# EVOLVE-BLOCK-END"
EditMode = Literal["diff", "rewrite"]
EDIT_MODES: tuple[str, ...] = ("diff", "rewrite")

_DIFF = re.compile(
    r"<{5,9} ?SEARCH[^\n]*\n(.*?)\n?={5,9}[ \t]*\n(.*?)\n?>{5,9} ?REPLACE", re.DOTALL
)
_FENCE = re.compile(r"```[A-Za-z0-9_+-]*[ \t]*\n(.*?)(?:\n```|\Z)", re.DOTALL)


@dataclass(frozen=True)
class EditResult:
    """The child program, or why there is none.

    Attributes:
        program: the edited program, when the edit applied and validated.
        error: a one-line reason when it did not.
        feedback: text for the next prompt (the error with a hint, or a summary of the edit).
    """

    program: str | None
    error: str | None = None
    feedback: str = ""

    @property
    def ok(self) -> bool:
        """Whether a valid program came out."""
        return self.program is not None

    @classmethod
    def fail(cls, error: str, hint: str = "") -> EditResult:
        """A failed edit with feedback."""
        return cls(program=None, error=error, feedback=f"{error}. {hint}".strip())


@dataclass(frozen=True)
class Layout:
    """A program cut into the code outside blocks and the blocks' contents (alternating)."""

    outside: tuple[str, ...]
    blocks: tuple[str, ...]

    def join(self, blocks: tuple[str, ...] | list[str]) -> str:
        """The program with ``blocks`` as the blocks' contents."""
        parts: list[str] = []
        for i, block in enumerate(blocks):
            parts += [self.outside[i], block]
        parts.append(self.outside[-1])
        return "".join(parts)


def layout(program: str) -> Layout:
    """Split a program at its markers; ValueError when they are missing, nested or unpaired.

    ``outside[i]`` ends with the START marker line and ``outside[i+1]`` starts with the END
    marker line, so the markers count as code outside the blocks and must stay unchanged.
    """
    lines = program.splitlines(keepends=True)
    outside: list[str] = []
    blocks: list[str] = []
    current: list[str] = []
    inside = False
    for number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == START:
            if inside:
                raise ValueError(f"line {number}: {START} inside another EVOLVE-BLOCK")
            outside.append("".join(current) + line)
            current, inside = [], True
        elif marker == END:
            if not inside:
                raise ValueError(f"line {number}: {END} without a matching {START}")
            blocks.append("".join(current))
            current, inside = [line], False
        else:
            current.append(line)
    if inside:
        raise ValueError(f"{START} without a matching {END}")
    if not blocks:
        raise ValueError(f"no EVOLVE-BLOCK ({START} ... {END}) in the program")
    outside.append("".join(current))
    return Layout(tuple(outside), tuple(blocks))


def parse_diff(text: str) -> list[tuple[str, str]]:
    """The (search, replace) pairs of SEARCH/REPLACE blocks in a completion."""
    return [(m.group(1), m.group(2)) for m in _DIFF.finditer(text)]


def apply_edit(parent_program: str, completion: str, mode: EditMode) -> EditResult:
    """Apply a model's diff or rewrite to ``parent_program`` and validate the child."""
    if mode not in EDIT_MODES:
        raise ValueError(f"mode must be one of {EDIT_MODES}, got {mode!r}")
    try:
        parent = layout(parent_program)
    except ValueError as exc:
        return EditResult.fail(f"the parent program is not editable: {exc}")
    answer = split_reasoning(completion).answer
    if not answer.strip():
        return EditResult.fail("the reply is empty", "Answer with the edit only.")
    try:
        blocks = _diff(parent, answer) if mode == "diff" else _rewrite(parent, answer)
    except _EditFailed as exc:
        return EditResult.fail(str(exc), exc.hint)
    return validate(parent_program, parent.join(blocks))


class _EditFailed(Exception):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


def _find(block: str, search: str) -> tuple[int, int] | None:
    """Where ``search`` occurs once in ``block`` (exactly, else ignoring trailing spaces)."""
    count = block.count(search)
    if count == 1:
        start = block.index(search)
        return start, start + len(search)
    if count > 1:
        raise _EditFailed(
            f"a SEARCH text occurs {count} times in the EVOLVE-BLOCK",
            "Include more surrounding lines so it matches exactly once.",
        )
    lines = block.splitlines(keepends=True)
    wanted = [s.rstrip() for s in search.splitlines()]
    n = len(wanted)
    hits = [
        i for i in range(len(lines) - n + 1) if [x.rstrip() for x in lines[i : i + n]] == wanted
    ]
    if len(hits) == 1:
        start = sum(len(x) for x in lines[: hits[0]])
        end = start + sum(len(x) for x in lines[hits[0] : hits[0] + n])
        if search.endswith("\n") or not lines[hits[0] + n - 1].endswith("\n"):
            return start, end
        return start, end - 1
    return None


def _diff(parent: Layout, answer: str) -> list[str]:
    pairs = parse_diff(answer)
    if not pairs:
        raise _EditFailed(
            "no SEARCH/REPLACE block found in the reply",
            "Use <<<<<<< SEARCH / ======= / >>>>>>> REPLACE blocks.",
        )
    blocks = list(parent.blocks)
    for number, (search, replace) in enumerate(pairs, 1):
        if not search.strip():
            raise _EditFailed(f"SEARCH part {number} is empty", "Copy the lines to replace.")
        for b, block in enumerate(blocks):
            span = _find(block, search)
            if span is not None:
                blocks[b] = block[: span[0]] + replace + block[span[1] :]
                break
        else:
            first = search.strip().splitlines()[0][:80]
            outside = any(search.strip() in part for part in parent.outside)
            where = " (it is outside the EVOLVE-BLOCKs, which may not change)" if outside else ""
            raise _EditFailed(
                f"SEARCH part {number} does not match the parent: {first!r}{where}",
                "Copy the lines exactly from the parent program, inside an EVOLVE-BLOCK.",
            )
    return blocks


def _rewrite(parent: Layout, answer: str) -> list[str]:
    fence = _FENCE.search(answer)
    code = fence.group(1) if fence else answer
    if START in code or END in code:
        try:
            new = layout(code if code.endswith("\n") else code + "\n").blocks
        except ValueError as exc:
            raise _EditFailed(f"the rewrite's markers are broken: {exc}") from None
        if len(new) != len(parent.blocks):
            raise _EditFailed(
                f"the rewrite has {len(new)} EVOLVE-BLOCKs; the parent has {len(parent.blocks)}"
            )
        return list(new)
    if len(parent.blocks) != 1:
        raise _EditFailed(
            f"the parent has {len(parent.blocks)} EVOLVE-BLOCKs",
            "Rewrite each block between its own marker lines.",
        )
    return [code if code.endswith("\n") else code + "\n"]


def validate(parent_program: str, child: str) -> EditResult:
    """Check a child against its parent: syntax, markers, code outside the blocks."""
    if child == parent_program:
        return EditResult.fail("the edit changes nothing", "Propose a real change.")
    try:
        parent, kid = layout(parent_program), layout(child)
    except ValueError as exc:
        return EditResult.fail(f"the EVOLVE-BLOCK markers are broken: {exc}")
    if kid.outside != parent.outside:
        return EditResult.fail(
            "code outside the EVOLVE-BLOCKs changed", "Edit only between the markers."
        )
    try:
        ast.parse(child)
    except SyntaxError as exc:
        line = (exc.text or "").strip()
        return EditResult.fail(
            f"the edited program does not parse: {exc.msg} at line {exc.lineno}: {line!r}",
            "Check indentation and brackets.",
        )
    changed = sum(a != b for a, b in zip(parent.blocks, kid.blocks, strict=True))
    return EditResult(program=child, feedback=f"edit applied: {changed} block(s) changed")
