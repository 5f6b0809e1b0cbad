"""The infer task's prompt: a seed problem and its worked solution in, an EFA module out.

The model sees the EFA format, the seed problem and its worked solution (the answer appears
only as the solution states it), and the property failures of its earlier attempts. It
never sees the answer key, the verifier or a library EFA's code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

FORMAT = """Write a Python module that defines one class named EFA: an executable functional
abstraction of the problem, i.e. a generator of problems of the same kind with their
answers. Use only the standard library and sympy.

class EFA:
    answer_kind = "integer"   # or "rational" (fractions.Fraction), "expression" (sympy), "real"
    options = {...}           # difficulty knobs with their defaults
    seed_params = {...}       # the parameters of the problem below

    def __init__(self, **options): ...      # store and check the knobs
    def sample(self, rng): ...              # draw parameters with rng (a random.Random) only;
                                            # return plain JSON data (dict of ints, lists, strs)
    def render(self, params): ...           # the problem text; state every parameter value
    def solve(self, params): ...            # the exact answer (int, Fraction, sympy expression)

solve(seed_params) must give the answer of the problem below; different samples must give
different problems and answers; the same parameters must always give the same answer. Reply
with the module in one ```python block."""


def infer_messages(
    problem: str, solution: str, feedback: Sequence[str] = ()
) -> list[dict[str, str]]:
    """The chat messages of one infer attempt."""
    user = f"{FORMAT}\n\nProblem:\n{problem}\n\nWorked solution:\n{solution}"
    if feedback:
        earlier = "\n".join(f"- attempt {i + 1}: {f}" for i, f in enumerate(feedback))
        user += f"\n\nYour earlier modules failed these checks; fix them:\n{earlier}"
    return [
        {"role": "system", "content": "You write small, exact, deterministic Python programs."},
        {"role": "user", "content": user},
    ]


_BLOCK = re.compile(r"```(?:python|py)?\s*\n(.*?)```", re.S)


def extract_module(reply: str) -> str | None:
    """The Python module in a reply: the longest fenced block that defines ``class EFA``,
    else the whole reply when it does; ``None`` when there is none."""
    blocks = [b for b in _BLOCK.findall(reply or "") if "class EFA" in b]
    if blocks:
        return max(blocks, key=len).strip() + "\n"
    if reply and "class EFA" in reply:
        return reply.strip() + "\n"
    return None
