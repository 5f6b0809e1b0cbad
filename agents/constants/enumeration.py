"""Blind enumeration of PCFs over coefficient boxes, in the Ramanujan Machine's style.

A box fixes the degrees of ``a_n`` and ``b_n`` and a range for every coefficient. It is
split into *chunks* (a run of ``a_n`` polynomials × every ``b_n``), the unit of parallel
work and of resumption. Each chunk is scanned in two passes:

1. a fast pass: the convergent recurrence for every PCF of the chunk at once in numpy
   double precision, rescaled every few steps; PCFs whose value settles to ~1e-10 between
   depth ``fast_depth/2`` and ``fast_depth`` are looked up in the hash of constant
   transforms (:mod:`discolab.agents.constants.transforms`);
2. exact verification of every hit by :func:`discolab.verifiers.constants.verify_pcf`,
   which recomputes the limit from exact convergents and identifies it by PSLQ to the
   configured digits. A hit that fails exact verification is counted, never reported.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import get_context

import numpy as np

from discolab.agents.constants.transforms import TransformTable, build_table
from discolab.environments.constants.pcf import Pcf
from discolab.errors import ConfigError
from discolab.verifiers.constants import (
    PcfSettings,
    PcfVerdict,
    in_canonical_form,
    verify_pcf,
)

RESCALE_EVERY = 4
"""Steps between rescalings of the float recurrence (keeps magnitudes far from overflow)."""

MAX_BOX = 50_000_000
"""The largest box accepted (number of PCFs)."""


@dataclass(frozen=True)
class EnumerationBox:
    """Degrees and coefficient ranges of the PCFs to enumerate (both ends included)."""

    a_degree: int
    b_degree: int
    a_range: tuple[int, int]
    b_range: tuple[int, int]

    def __post_init__(self) -> None:
        for name, deg in (("a_degree", self.a_degree), ("b_degree", self.b_degree)):
            if not isinstance(deg, int) or not 0 <= deg <= 6:
                raise ConfigError(f"{name} must be an integer in [0, 6], got {deg!r}")
        for name, (lo, hi) in (("a_range", self.a_range), ("b_range", self.b_range)):
            if not (isinstance(lo, int) and isinstance(hi, int)) or lo > hi:
                raise ConfigError(f"{name} must be [low, high] integers, got {[lo, hi]!r}")
            if max(abs(lo), abs(hi)) > 1000:
                raise ConfigError(f"{name} {[lo, hi]!r} is beyond ±1000")
        if self.size > MAX_BOX:
            raise ConfigError(f"the box holds {self.size:,} PCFs (cap {MAX_BOX:,})")

    def a_polynomials(self) -> list[tuple[int, ...]]:
        """Every ``a_n`` coefficient tuple (constant term first), in a fixed order."""
        span = range(self.a_range[0], self.a_range[1] + 1)
        return [tuple(c) for c in itertools.product(span, repeat=self.a_degree + 1)]

    def b_polynomials(self) -> list[tuple[int, ...]]:
        """Every ``b_n`` coefficient tuple whose polynomial is not identically zero."""
        span = range(self.b_range[0], self.b_range[1] + 1)
        return [tuple(c) for c in itertools.product(span, repeat=self.b_degree + 1) if any(c)]

    @property
    def size(self) -> int:
        """The number of PCFs in the box."""
        a = (self.a_range[1] - self.a_range[0] + 1) ** (self.a_degree + 1)
        b = (self.b_range[1] - self.b_range[0] + 1) ** (self.b_degree + 1)
        return a * (b - (1 if self.b_range[0] <= 0 <= self.b_range[1] else 0))

    def chunks(self, chunk_size: int) -> list[tuple[int, int]]:
        """``[start, stop)`` ranges over :meth:`a_polynomials`, each about ``chunk_size``
        PCFs; their order and bounds depend only on the box and ``chunk_size``."""
        n_a = len(self.a_polynomials())
        per = max(1, chunk_size // max(1, len(self.b_polynomials())))
        return [(s, min(n_a, s + per)) for s in range(0, n_a, per)]


@dataclass(frozen=True)
class ScanSettings:
    """How a chunk is scanned: fast-pass depth, table height, and the exact verifier."""

    fast_depth: int = 256
    table_height: int = 4
    verifier: PcfSettings = field(default_factory=PcfSettings)

    def __post_init__(self) -> None:
        if not isinstance(self.fast_depth, int) or not 16 <= self.fast_depth <= 4096:
            raise ConfigError(f"fast_depth must be in [16, 4096], got {self.fast_depth!r}")
        if not isinstance(self.table_height, int) or not 1 <= self.table_height <= 8:
            raise ConfigError(f"table_height must be in [1, 8], got {self.table_height!r}")

    @property
    def constants(self) -> tuple[str, ...]:
        """The constants hashed: the target alone, or the whole verifier library."""
        target = self.verifier.target
        return (target,) if target else self.verifier.constants


@dataclass(frozen=True)
class ChunkResult:
    """What one chunk produced: counts and the exactly verified formulas."""

    index: int
    candidates: int
    converged: int
    hits: int
    verified: tuple[PcfVerdict, ...]
    rejected_hits: int


def fast_values(
    a_polys: np.ndarray, b_polys: np.ndarray, depth: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Double-precision values at ``depth // 2`` and ``depth`` for every (a, b) pair.

    Returns arrays of shape ``(len(a_polys), len(b_polys))``: the two values and a mask of
    pairs whose ``b_n`` vanished at some ``1 ≤ n ≤ depth`` (terminating fractions).
    """
    n_a, n_b = len(a_polys), len(b_polys)
    a0 = _poly_at(a_polys, 0)[:, None] * np.ones((1, n_b))
    p_prev, p = np.ones((n_a, n_b)), a0
    q_prev, q = np.zeros((n_a, n_b)), np.ones((n_a, n_b))
    b_zero = np.zeros(n_b, dtype=bool)
    half = np.full((n_a, n_b), np.nan)
    with np.errstate(all="ignore"):
        for n in range(1, depth + 1):
            an = _poly_at(a_polys, n)[:, None]
            bn = _poly_at(b_polys, n)[None, :]
            b_zero |= bn[0] == 0
            p, p_prev = an * p + bn * p_prev, p
            q, q_prev = an * q + bn * q_prev, q
            if n % RESCALE_EVERY == 0:
                scale = np.maximum.reduce([np.abs(p), np.abs(q), np.abs(p_prev), np.abs(q_prev)])
                scale = np.where((scale > 0) & np.isfinite(scale), scale, 1.0)
                p, q, p_prev, q_prev = p / scale, q / scale, p_prev / scale, q_prev / scale
            if n == depth // 2:
                half = p / q
        full = p / q
    return half, full, np.broadcast_to(b_zero[None, :], (n_a, n_b))


def _poly_at(polys: np.ndarray, n: int) -> np.ndarray:
    powers = float(n) ** np.arange(polys.shape[1])
    return polys @ powers


def scan_chunk(
    box: EnumerationBox,
    index: int,
    bounds: tuple[int, int],
    settings: ScanSettings,
    table: TransformTable | None = None,
) -> ChunkResult:
    """Scan one chunk of ``box``: fast pass, table lookup, exact verification of hits."""
    table = table or build_table(settings.constants, settings.table_height)
    a_list = box.a_polynomials()[bounds[0] : bounds[1]]
    b_list = box.b_polynomials()
    a_polys = np.array(a_list, dtype=float)
    b_polys = np.array(b_list, dtype=float)
    half, full, b_zero = fast_values(a_polys, b_polys, settings.fast_depth)
    with np.errstate(all="ignore"):
        settled = np.abs(full - half) <= 1e-10 * np.maximum(1.0, np.abs(full))
    ok = settled & np.isfinite(full) & ~b_zero
    verified: list[PcfVerdict] = []
    hits = rejected = 0
    for i, j in zip(*np.nonzero(ok), strict=True):
        if not table.lookup(float(full[i, j])):
            continue
        hits += 1
        verdict = verify_pcf(Pcf(a_list[i], b_list[j]), settings.verifier)
        if verdict.verified:
            verified.append(in_canonical_form(verdict, settings.verifier))
        else:
            rejected += 1
    return ChunkResult(
        index=index,
        candidates=len(a_list) * len(b_list),
        converged=int(ok.sum()),
        hits=hits,
        verified=tuple(verified),
        rejected_hits=rejected,
    )


def _scan_task(args: tuple[EnumerationBox, int, tuple[int, int], ScanSettings]) -> ChunkResult:
    return scan_chunk(*args)


def enumerate_box(
    box: EnumerationBox,
    settings: ScanSettings,
    *,
    chunk_size: int = 20_000,
    workers: int = 1,
    skip: Sequence[int] = (),
) -> Iterator[ChunkResult]:
    """Scan every chunk of ``box`` not in ``skip``, yielding results as chunks finish.

    With ``workers > 1`` chunks run in a process pool (forkserver); results then arrive in
    completion order, each tagged with its chunk index, so a caller can record and resume.
    """
    if not isinstance(workers, int) or not 1 <= workers <= 64:
        raise ConfigError(f"workers must be an integer in [1, 64], got {workers!r}")
    done = set(skip)
    todo = [(i, b) for i, b in enumerate(box.chunks(chunk_size)) if i not in done]
    if workers == 1:
        table = build_table(settings.constants, settings.table_height)
        for i, bounds in todo:
            yield scan_chunk(box, i, bounds, settings, table)
        return
    context = get_context("forkserver")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = [pool.submit(_scan_task, (box, i, b, settings)) for i, b in todo]
        for future in as_completed(futures):
            yield future.result()


def chunk_count(box: EnumerationBox, chunk_size: int) -> int:
    """How many chunks :func:`enumerate_box` splits ``box`` into."""
    return len(box.chunks(chunk_size))
