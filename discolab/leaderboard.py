"""Stores scored benchmark runs and ranks them: the logic behind ``discolab bench leaderboard``.

:func:`store_report` turns a :class:`~discolab.scoring.ScoreReport` into a stored run (see
:mod:`discolab.storage.benchmarks` for what is stored and why re-scoring replaces);
:func:`build_leaderboard` ranks the stored runs of a suite, best first, with per-group
accuracy columns. Rendering is the CLI's job.

Ranking (see :mod:`discolab.bench_metrics`): symbolic accuracy, then accuracy at tolerance,
then median out-of-domain NMSE (lower first), then mean score; the earlier run wins a tie.

Runs are ranked within their assistance class only (:mod:`discolab.assistance`): an agent
that read law samples through an apparatus' inversion and one that saw the raw records are
never ranked as one, and runs whose assistance is unknown form a class of their own.

Who made a run: a run stored by ``bench run`` names the proposer that ran (origin ``run``);
a scored file's ``proposer`` key is only what the file claims, so such a run is shown as
``self-reported: <claim>`` (:func:`proposer_label`). Runs of one label with several seeds are
summarised by :func:`seed_groups` (mean accuracy with a 95% t-interval).

A suite id names a suite version, but a suite written with a glob (``newton/*``) can still
grow when environments are added. Each run therefore records a fingerprint of the suite's
expanded tasks; runs whose fingerprint differs from the suite as loaded now were scored on
other tasks and are left off the leaderboard unless asked for.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from discolab import assistance as assist
from discolab.bench_metrics import SeedInterval, seed_interval
from discolab.errors import ConfigError
from discolab.scoring import ScoreReport, Submission
from discolab.storage.benchmarks import (
    GROUP_ATTRIBUTES,
    BenchmarkRun,
    BenchmarkStore,
    GroupTotal,
    RunSpec,
    TaskResult,
)
from discolab.suites import DIFFICULTIES, Suite

GROUP_ORDER: Mapping[str, tuple[str, ...]] = {
    "system": ("vanilla", "simple", "complex"),
    "difficulty": ("canonical", *DIFFICULTIES, "other"),
}
"""The display order of known group names; other names (and every domain) sort after them."""

MAX_METADATA_TEXT = 200
"""Longest string kept as run-level metadata; longer values are per-task detail, not a label."""


def suite_fingerprint(suite: Suite) -> str:
    """A sha256 of the suite's expanded tasks (ids and options), independent of file layout."""
    tasks = sorted([t.id, sorted((k, repr(v)) for k, v in t.options.items())] for t in suite.tasks)
    return hashlib.sha256(json.dumps(tasks).encode("utf-8")).hexdigest()


def file_sha256(path: str | Path) -> str:
    """The sha256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run_metadata(submission: Submission) -> dict[str, Any]:
    """Metadata shared by every submitted line (same key, same short scalar value).

    ``bench run`` writes ``proposer`` on every line, so it becomes run metadata, while
    per-task keys such as ``campaign`` differ between lines and are left out.
    """
    entries = [law.metadata for law in submission.laws.values()]
    if not entries:
        return {}
    common: dict[str, Any] = {}
    for key, value in entries[0].items():
        if isinstance(value, str) and len(value) > MAX_METADATA_TEXT:
            continue
        if not (value is None or isinstance(value, str | int | float | bool)):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        if all(key in e and e[key] == value and type(e[key]) is type(value) for e in entries):
            common[key] = value
    return common


def submission_assistance(submission: Submission) -> str:
    """The assistance label a submission claims: the union of its lines' ``assistance``
    values (a label or a list of kinds), ``unknown`` as soon as one line does not say.

    Raises:
        ConfigError: a line's ``assistance`` is not a label or a list of kind names.
    """
    labels = []
    for law in submission.laws.values():
        if assist.METADATA_KEY not in law.metadata:
            return assist.UNKNOWN
        kinds = assist.kinds_of(
            law.metadata[assist.METADATA_KEY], where=f"line {law.line}: assistance"
        )
        labels.append(assist.label(kinds))
    return assist.union(labels) if labels else assist.UNKNOWN


def task_results(report: ScoreReport) -> list[TaskResult]:
    """The stored form of every task verdict in ``report``."""
    return [
        TaskResult(
            task_id=s.task.id,
            domain=s.task.domain,
            difficulty=s.task.difficulty,
            system=s.task.system,
            law=s.law,
            score=float(s.score),
            symbolic_match=bool(s.symbolic_match),
            metrics=dict(s.metrics),
            error=s.error,
            within_tolerance=s.within_tolerance,
            ood_nmse=s.ood_nmse,
        )
        for s in report.scores
    ]


def default_label(submission_path: str | Path) -> str:
    """The label a run gets when none is given: the submission file's stem."""
    return Path(submission_path).stem


def store_report(
    store: BenchmarkStore,
    suite: Suite,
    report: ScoreReport,
    submission_path: str | Path,
    *,
    label: str | None = None,
    submission: Submission | None = None,
    ran_by: str | None = None,
    seed: int | None = None,
    assistance: str | None = None,
) -> tuple[BenchmarkRun, bool]:
    """Store a scored submission; return the run and whether it replaced a stored one.

    ``label`` defaults to the submission file's stem; ``submission`` (the parsed file)
    supplies run-level metadata. ``ran_by`` is the proposer ``bench run`` ran: the run's
    origin is ``run`` only when every line of the file names that proposer (a resumed file
    with lines from elsewhere is not vouched for); otherwise the run is self-reported and its
    proposer is the file's claim. ``seed`` is the agent's seed, for seed intervals.
    ``assistance`` is the label of what the agent had (``bench run`` knows it from the
    campaigns that ran); without it the submission's own ``assistance`` keys are taken, else
    it is ``unknown``.
    """
    name = (label if label is not None else default_label(submission_path)).strip()
    if not name:
        raise ConfigError("--label must not be empty; name the run, e.g. --label my-model")
    if report.suite_id != suite.id:
        raise ValueError(f"report of suite {report.suite_id!r} stored under suite {suite.id!r}")
    metadata = run_metadata(submission) if submission is not None else {}
    claimed = metadata.get("proposer")
    proposer = claimed if isinstance(claimed, str) else None
    origin = "run" if ran_by is not None and proposer == ran_by else "file"
    if assistance is None:
        assistance = submission_assistance(submission) if submission is not None else assist.UNKNOWN
    spec = RunSpec(
        suite_id=suite.id,
        suite_hash=suite_fingerprint(suite),
        label=name,
        submission_sha256=file_sha256(submission_path),
        submission_path=str(Path(submission_path).expanduser().absolute()),
        proposer=proposer,
        metadata=metadata,
        duration_s=report.duration_s,
        origin=origin,
        seed=seed,
        assistance=assist.label(assist.kinds_of(assistance)),
    )
    return store.record_run(spec, task_results(report))


@dataclass(frozen=True)
class LeaderboardRow:
    """One ranked run.

    Attributes:
        rank: 1 for the best run of its assistance class.
        run: the stored run.
        groups: the run's totals per group name (only groups it has tasks in).
        current: whether the run was scored on the suite's current tasks.
    """

    rank: int
    run: BenchmarkRun
    groups: Mapping[str, GroupTotal]
    current: bool

    @property
    def assistance(self) -> str:
        """The run's assistance class (``none``, ``inversion``, ``unknown`` ...)."""
        return self.run.spec.assistance


@dataclass(frozen=True)
class Leaderboard:
    """The ranked runs of a suite.

    Attributes:
        suite_id: the suite ranked.
        by: the task attribute the group columns split by.
        columns: the group names present in the suite, in display order.
        rows: the ranked runs: class by class (:attr:`classes`), best first within each.
        hidden: runs left out because they were scored on other tasks of the suite.
        seeds: the shown runs' seed groups (labels run with two or more seeds).
    """

    suite_id: str
    by: str
    columns: tuple[str, ...]
    rows: tuple[LeaderboardRow, ...]
    hidden: int = 0
    seeds: tuple[SeedGroup, ...] = ()

    @property
    def classes(self) -> tuple[str, ...]:
        """The assistance classes present, unassisted first and ``unknown`` last."""
        return tuple(sorted({row.assistance for row in self.rows}, key=assist.sort_key))

    def ranked(self, assistance: str) -> tuple[LeaderboardRow, ...]:
        """The rows of one assistance class, best first."""
        return tuple(row for row in self.rows if row.assistance == assistance)


def group_columns(suite: Suite, by: str) -> tuple[str, ...]:
    """The group names of ``suite`` by ``by``, known names in their natural order first."""
    if by not in GROUP_ATTRIBUTES:
        raise ConfigError(f"cannot group a leaderboard by {by!r}; use one of {GROUP_ATTRIBUTES}")
    present = {getattr(t, by) for t in suite.tasks}
    order = GROUP_ORDER.get(by, ())
    known = [name for name in order if name in present]
    return (*known, *sorted(present - set(order)))


def rank_key(run: BenchmarkRun) -> tuple[Any, ...]:
    """Sort key, best first: accuracy, accuracy at tolerance, OOD NMSE, mean score, age."""
    ood = run.ood_nmse if not math.isnan(run.ood_nmse) else math.inf
    return (
        -run.accuracy,
        -run.accuracy_at_tolerance,
        ood,
        -run.mean_score,
        run.created_at,
        run.label,
        run.id,
    )


def rank_runs(runs: Sequence[BenchmarkRun]) -> list[BenchmarkRun]:
    """Best first by :func:`rank_key`; the earlier run wins a full tie."""
    return sorted(runs, key=rank_key)


def proposer_label(run: BenchmarkRun) -> str:
    """Who made the run: the proposer that ran, or ``self-reported: <claim>`` for a file."""
    if run.spec.origin == "run" and run.spec.proposer:
        return run.spec.proposer
    claim = run.spec.proposer or run.spec.metadata.get("proposer")
    return f"self-reported: {claim}" if isinstance(claim, str) and claim else "self-reported"


@dataclass(frozen=True)
class SeedGroup:
    """The runs of one label made with different seeds, summarised across seeds.

    Attributes:
        label: the runs' shared label.
        proposer: :func:`proposer_label` shared by the runs.
        seeds: the seeds, ascending (the newest run of each seed counts).
        accuracies: symbolic accuracy per seed, in ``seeds`` order.
        accuracy: mean and 95% t-interval of accuracy across seeds.
        accuracy_at_tolerance: the same for accuracy at tolerance.
    """

    label: str
    proposer: str
    seeds: tuple[int, ...]
    accuracies: tuple[float, ...]
    accuracy: SeedInterval
    accuracy_at_tolerance: SeedInterval


def seed_groups(runs: Sequence[BenchmarkRun], *, min_seeds: int = 2) -> list[SeedGroup]:
    """Per label and proposer, the seeded runs summarised across seeds.

    Only runs that record a seed count, and runs of one label by different proposers (or a
    ``bench run`` and a self-reported file) are never pooled. Where one seed was scored more
    than once, the newest run stands for it; groups with fewer than ``min_seeds`` seeds are
    left out. Groups are ordered by mean accuracy, best first, then label.
    """
    newest: dict[tuple[str, str], dict[int, BenchmarkRun]] = {}
    for run in runs:
        if run.spec.seed is None:
            continue
        seeds = newest.setdefault((run.label, proposer_label(run)), {})
        held = seeds.get(run.spec.seed)
        if held is None or run.created_at > held.created_at:
            seeds[run.spec.seed] = run
    groups = []
    for (label, proposer), by_seed in newest.items():
        if len(by_seed) < min_seeds:
            continue
        ordered = [by_seed[seed] for seed in sorted(by_seed)]
        groups.append(
            SeedGroup(
                label=label,
                proposer=proposer,
                seeds=tuple(sorted(by_seed)),
                accuracies=tuple(r.accuracy for r in ordered),
                accuracy=seed_interval([r.accuracy for r in ordered]),
                accuracy_at_tolerance=seed_interval([r.accuracy_at_tolerance for r in ordered]),
            )
        )
    return sorted(groups, key=lambda g: (-g.accuracy.mean, g.label, g.proposer))


@dataclass(frozen=True)
class Spread:
    """One label's newest run on each of several suites (private seeds of one generator, say).

    Attributes:
        label: the label compared.
        runs: the newest run of the label per suite, in the order the suites were given;
            suites without such a run are left out (see ``missing``).
        missing: the suite ids with no run of the label.
        accuracy: mean and 95% t-interval of accuracy across the suites.
        accuracy_at_tolerance: the same for accuracy at tolerance.
    """

    label: str
    runs: tuple[BenchmarkRun, ...]
    missing: tuple[str, ...]
    accuracy: SeedInterval | None
    accuracy_at_tolerance: SeedInterval | None


def spread_across_suites(store: BenchmarkStore, suite_ids: Sequence[str], label: str) -> Spread:
    """The newest run of ``label`` on each suite, with intervals across the suites.

    For suites that are seeds of one generator (``newton-v2`` private seeds), this is the
    figure with its spread; reading stored runs only, it needs no suite file or secret.
    """
    runs, missing = [], []
    for suite_id in suite_ids:
        mine = [r for r in store.runs(suite_id) if r.label == label]
        if mine:
            runs.append(max(mine, key=lambda r: r.created_at))
        else:
            missing.append(suite_id)
    return Spread(
        label=label,
        runs=tuple(runs),
        missing=tuple(missing),
        accuracy=seed_interval([r.accuracy for r in runs]) if runs else None,
        accuracy_at_tolerance=(
            seed_interval([r.accuracy_at_tolerance for r in runs]) if runs else None
        ),
    )


def build_leaderboard(
    store: BenchmarkStore, suite: Suite, *, by: str = "system", include_stale: bool = False
) -> Leaderboard:
    """Rank the stored runs of ``suite``; runs scored on other tasks only if ``include_stale``."""
    columns = group_columns(suite, by)
    fingerprint = suite_fingerprint(suite)
    runs = store.runs(suite.id)
    shown = [r for r in runs if include_stale or r.spec.suite_hash == fingerprint]
    totals = store.group_totals(suite.id, by) if shown else {}
    classes = sorted({r.spec.assistance for r in shown}, key=assist.sort_key)
    rows = tuple(
        LeaderboardRow(
            rank=position,
            run=run,
            groups=totals.get(run.id, {}),
            current=run.spec.suite_hash == fingerprint,
        )
        for name in classes
        for position, run in enumerate(
            rank_runs([r for r in shown if r.spec.assistance == name]), start=1
        )
    )
    return Leaderboard(
        suite_id=suite.id,
        by=by,
        columns=columns,
        rows=rows,
        hidden=len(runs) - len(shown),
        seeds=tuple(seed_groups(shown)),
    )
