"""Generating problems from an EFA: library EFAs on the host, stored (candidate) EFAs only in
the sandbox.

A stored EFA was written by an agent, so its code runs only in the sandbox: a small sampler
program (:data:`SAMPLER`) imports it there, draws ``n`` instances from a seeded
``random.Random`` and writes them as JSON lines into the work dir; the host reads that data
back, caps its size, and checks every answer parses as the EFA's declared kind before it is
returned. Library EFAs are our own code and run on the host, which is what makes 10,000
instances in seconds possible.
"""

from __future__ import annotations

import json
import random
from collections.abc import Mapping
from typing import Any

from discolab.environments.efa.answers import KINDS, Answer, check_answer
from discolab.environments.efa.catalog import EfaEntry
from discolab.environments.efa.format import Instance
from discolab.errors import ConfigError, VerificationError

MAX_SAMPLES = 10_000
MAX_OUTPUT_BYTES = 8_000_000

SAMPLER = r"""
import json, random, sys
from fractions import Fraction
import efa_candidate as module

def canonical(value, kind):
    if kind == "integer":
        if isinstance(value, Fraction) and value.denominator == 1:
            value = value.numerator
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"integer answer expected, got {type(value).__name__}")
        return str(value)
    if kind == "rational":
        if isinstance(value, bool) or not isinstance(value, (int, Fraction)):
            raise TypeError(f"rational answer expected, got {type(value).__name__}")
        return str(Fraction(value))
    if kind == "real":
        return repr(float(value))
    import re, sympy
    return re.sub(r"\bE\b", "exp(1)", sympy.sstr(sympy.sympify(value)))

config = json.load(open("sampler.json"))
efa = module.EFA(**config["options"])
rng = random.Random(config["seed"])
kind = getattr(module.EFA, "answer_kind", None)
with open("samples.jsonl", "w") as out:
    for i in range(config["n"]):
        params = efa.sample(rng)
        text = efa.render(params)
        answer = canonical(efa.solve(params), kind)
        row = {"params": params, "problem": text, "answer": answer, "kind": kind}
        out.write(json.dumps(row) + "\n")
"""
"""The program the sandbox runs next to the candidate module (``efa_candidate.py``)."""


def sample_library(
    entry: EfaEntry, n: int, seed: int, options: Mapping[str, Any] | None = None
) -> list[Instance]:
    """``n`` instances of a library EFA, generated on the host."""
    _check_n(n)
    efa = entry.make(**dict(options or {}))
    rng = random.Random(seed)
    return [efa.instance(rng) for _ in range(n)]


def sample_in_sandbox(
    source: str,
    efa_id: str,
    n: int,
    seed: int,
    sandbox: Any,
    options: Mapping[str, Any] | None = None,
    timeout: float = 30.0,
) -> list[Instance]:
    """``n`` instances of a stored EFA, generated in ``sandbox`` and checked on the host.

    Raises:
        VerificationError: the run failed, timed out, or handed back malformed data.
    """
    _check_n(n)
    config = json.dumps({"n": n, "seed": seed, "options": dict(options or {})})
    result = sandbox.run_python(
        SAMPLER, files={"efa_candidate.py": source, "sampler.json": config}, timeout=timeout
    )
    if result.timed_out:
        raise VerificationError(f"{efa_id}: sampling timed out after {timeout:g} s")
    if result.returncode != 0:
        tail = (result.stderr or "").strip().splitlines()[-1:]
        raise VerificationError(f"{efa_id}: sampling failed: {' '.join(tail) or 'no output'}")
    data = result.files.get("samples.jsonl", b"")
    if len(data) > MAX_OUTPUT_BYTES:
        raise VerificationError(f"{efa_id}: the samples are over {MAX_OUTPUT_BYTES:,} bytes")
    return [
        _instance(efa_id, line, i)
        for i, line in enumerate(data.decode("utf-8", "replace").splitlines())
    ]


def _instance(efa_id: str, line: str, index: int) -> Instance:
    try:
        row = json.loads(line)
    except json.JSONDecodeError:
        raise VerificationError(f"{efa_id}: sample {index} is not JSON") from None
    if not isinstance(row, dict) or row.get("kind") not in KINDS:
        raise VerificationError(f"{efa_id}: sample {index} has no valid answer kind")
    text, answer = row.get("problem"), row.get("answer")
    if not isinstance(text, str) or not isinstance(answer, str) or len(answer) > 400:
        raise VerificationError(f"{efa_id}: sample {index} lacks a problem text or answer")
    parsed = Answer(row["kind"], answer)
    if not check_answer(parsed, answer).correct:
        raise VerificationError(
            f"{efa_id}: sample {index}'s answer {answer[:40]!r} is not a {row['kind']}"
        )
    params = row.get("params")
    if not isinstance(params, dict):
        raise VerificationError(f"{efa_id}: sample {index}'s parameters are not a JSON object")
    return Instance(efa_id, params, text, parsed)


def _check_n(n: int) -> None:
    if not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
        raise ConfigError(f"-n must be in [1, {MAX_SAMPLES}], got {n!r}")
