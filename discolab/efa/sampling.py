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

from discolab.environments.efa.answers import KINDS
from discolab.environments.efa.catalog import EfaEntry
from discolab.environments.efa.format import Instance
from discolab.errors import ConfigError, VerificationError
from discolab.verifiers.efa_observations import read_answer

MAX_SAMPLES = 10_000
MAX_OUTPUT_BYTES = 8_000_000


def _harness_source() -> str:
    """The property harness's source, whose ``encode_answer`` the sampler uses."""
    from discolab.verifiers.unittests import HARNESS

    return HARNESS.read_text(encoding="utf-8")


SAMPLER = r"""
import json, random
from efa_harness import encode_answer
import efa_candidate as module

config = json.load(open("sampler.json"))
efa = module.EFA(**config["options"])
rng = random.Random(config["seed"])
kind = getattr(module.EFA, "answer_kind", None)
with open("samples.jsonl", "w") as out:
    for i in range(config["n"]):
        params = efa.sample(rng)
        text = efa.render(params)
        row = {"params": params, "problem": text, "answer": encode_answer(efa.solve(params)),
               "kind": kind}
        out.write(json.dumps(row) + "\n")
"""
"""The program the sandbox runs next to the candidate module (``efa_candidate.py``). It
encodes answers with the property harness's ``encode_answer`` (shipped beside it), and the
host reads them back with the same ``read_answer`` the property verifier uses."""


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
    files = {
        "efa_candidate.py": source,
        "sampler.json": config,
        "efa_harness.py": _harness_source(),
    }
    result = sandbox.run_python(SAMPLER, files=files, timeout=timeout)
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
    text = row.get("problem")
    if not isinstance(text, str):
        raise VerificationError(f"{efa_id}: sample {index} lacks a problem text")
    parsed, why = read_answer(row.get("answer"), row["kind"])
    if parsed is None:
        raise VerificationError(f"{efa_id}: sampling failed: sample {index}: {why}")
    params = row.get("params")
    if not isinstance(params, dict):
        raise VerificationError(f"{efa_id}: sample {index}'s parameters are not a JSON object")
    return Instance(efa_id, params, text, parsed)


def _check_n(n: int) -> None:
    if not isinstance(n, int) or not 1 <= n <= MAX_SAMPLES:
        raise ConfigError(f"-n must be in [1, {MAX_SAMPLES}], got {n!r}")
