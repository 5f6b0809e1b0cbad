"""The units of work of each constants search, and how each unit is run.

* ``enumeration``: one unit per chunk of the coefficient box
  (:mod:`discolab.agents.constants.enumeration`), scanned in a process pool;
* ``esma``: one unit per constant whose continued fraction is mined
  (:mod:`discolab.agents.constants.esma`);
* ``cmf``: one unit per seed formula extended to a conservative matrix field
  (:mod:`discolab.agents.constants.cmf`).

Every formula a unit returns has been verified by :func:`verify_pcf` with the campaign's
settings; the units only differ in how they propose.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from discolab.constants.config import ConstantsConfig
from discolab.errors import ConfigError
from discolab.types import Experiment
from discolab.verifiers.constants import PcfSettings, PcfVerdict, in_canonical_form

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UnitResult:
    """What one unit produced.

    Attributes:
        candidates: PCFs considered (enumerated, conjectured or generated).
        converged: of those, how many settled in the fast pass (enumeration) or were
            verified at all (the others).
        hits: candidates sent to exact verification.
        rejected: hits the exact verifier refused.
        verdicts: the verified verdicts.
        origins: per verified PCF text, where it came from (period, field, walk ...).
    """

    candidates: int
    converged: int
    hits: int
    rejected: int
    verdicts: tuple[PcfVerdict, ...]
    origins: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Unit:
    """One unit of a search: its index, a label for people, and its payload."""

    index: int
    search: str
    label: str
    payload: Any

    def experiment(self, result: UnitResult) -> Experiment:
        """The stored record of this unit once finished (counts only)."""
        verified = float(len(result.verdicts))
        return Experiment(
            index=self.index,
            inputs=({"unit": float(self.index)},),
            outputs=(
                float(result.candidates),
                float(result.converged),
                float(result.hits),
                verified,
                float(result.rejected),
            ),
        )


def search_units(config: ConstantsConfig) -> list[Unit]:
    """The campaign's units in a fixed order (validates the search table)."""
    if config.search == "enumeration":
        box, _ = _enumeration_parts(config)
        chunks = box.chunks(config.enumeration.chunk_size)
        return [
            Unit(i, "enumeration", f"a_n #{start}-{stop - 1}", (start, stop))
            for i, (start, stop) in enumerate(chunks)
        ]
    if config.search == "esma":
        from discolab.environments.constants.library import get_constant

        for cid in config.esma.constants:
            get_constant(cid)
        return [Unit(i, "esma", cid, cid) for i, cid in enumerate(config.esma.constants)]
    from discolab.environments.constants.pcf import parse_pcf
    from discolab.errors import ExpressionError

    units = []
    for i, text in enumerate(config.cmf.formulas):
        try:
            pcf = parse_pcf(text)
        except ExpressionError as exc:
            raise ConfigError(f"constants.cmf.formulas[{i}] = {text!r}: {exc}") from None
        units.append(Unit(i, "cmf", pcf.text, pcf))
    return units


def _enumeration_parts(config: ConstantsConfig) -> tuple[Any, Any]:
    from discolab.agents.constants.enumeration import EnumerationBox, ScanSettings

    e = config.enumeration
    box = EnumerationBox(e.a_degree, e.b_degree, e.a_range, e.b_range)
    scan = ScanSettings(
        fast_depth=e.fast_depth, table_height=e.table_height, verifier=config.verifier_settings()
    )
    return box, scan


def run_units(
    config: ConstantsConfig, units: list[Unit], skip: set[int]
) -> Iterator[tuple[Unit, UnitResult]]:
    """Run every unit not in ``skip``, yielding each as it finishes; every formula is
    verified with the campaign's :meth:`ConstantsConfig.verifier_settings`."""
    settings = config.verifier_settings()
    todo = [u for u in units if u.index not in skip]
    if config.search == "enumeration":
        yield from _run_enumeration(config, units, skip)
    elif config.search == "esma":
        for unit in todo:
            yield unit, _run_esma(config, unit, settings)
    else:
        for unit in todo:
            yield _run_cmf(config, unit, settings)


def _run_enumeration(
    config: ConstantsConfig, units: list[Unit], skip: set[int]
) -> Iterator[tuple[Unit, UnitResult]]:
    from discolab.agents.constants.enumeration import enumerate_box

    box, scan = _enumeration_parts(config)
    e = config.enumeration
    for chunk in enumerate_box(
        box, scan, chunk_size=e.chunk_size, workers=e.workers, skip=sorted(skip)
    ):
        result = UnitResult(
            candidates=chunk.candidates,
            converged=chunk.converged,
            hits=chunk.hits,
            rejected=chunk.rejected_hits,
            verdicts=chunk.verified,
        )
        yield units[chunk.index], result


def _run_esma(config: ConstantsConfig, unit: Unit, settings: PcfSettings) -> UnitResult:
    """ESMA for one constant: conjectures verified with the campaign's verifier.

    ESMA conjectures carry their own derived transform, so the verifier is told the
    constant the sequence came from when the campaign's target is ``any``.
    """
    from dataclasses import replace

    from discolab.agents.constants.esma import esma_search

    conjectures = esma_search(
        unit.payload,
        terms=config.esma.terms,
        max_period=config.esma.max_period,
        settings=replace(settings, target=settings.target or unit.payload),
    )
    verdicts: list[PcfVerdict] = []
    origins: dict[str, Mapping[str, Any]] = {}
    for c in conjectures:
        if c.verdict is None or not c.verdict.verified:
            continue
        verdict = in_canonical_form(c.verdict, settings)
        verdicts.append(verdict)
        if verdict.pcf is not None:
            origins[verdict.pcf.text] = {"origin": f"period {c.period}: {c.recurrence.text}"[:200]}
    return UnitResult(
        candidates=len(conjectures),
        converged=len(verdicts),
        hits=len(conjectures),
        rejected=len(conjectures) - len(verdicts),
        verdicts=tuple(verdicts),
        origins=origins,
    )


def _run_cmf(config: ConstantsConfig, unit: Unit, settings: PcfSettings) -> tuple[Unit, UnitResult]:
    """CMF for one seed formula: extend it to a field, walk the field for more formulas.

    Transforms grow with the distance from the seed's line, so relations up to height 60
    are accepted here (PSLQ at 50+ digits cannot meet a spurious one of that size).
    """
    from dataclasses import replace

    from discolab.agents.constants.cmf import cmf_formulas, find_cmf

    attempt = find_cmf(unit.payload)
    if attempt.extension is None:
        logger.info("no conservative matrix field for %s: %s", unit.label, attempt.reason)
        return unit, UnitResult(0, 0, 0, 0, ())
    wide = replace(settings, max_height=max(settings.max_height, 60))
    generated = cmf_formulas(attempt.extension, count=config.cmf.count, settings=wide)
    verdicts: list[PcfVerdict] = []
    origins: dict[str, Mapping[str, Any]] = {}
    for g in generated:
        verdict = in_canonical_form(g.verdict, wide)
        verdicts.append(verdict)
        if verdict.pcf is not None:
            origins[verdict.pcf.text] = {"origin": f"field of {unit.label}: {g.source}"}
    return unit, UnitResult(
        candidates=len(generated),
        converged=len(verdicts),
        hits=len(generated),
        rejected=0,
        verdicts=tuple(verdicts),
        origins=origins,
    )
