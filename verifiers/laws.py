"""The law verifier: scores a proposed formula against a task's hidden law.

For each candidate it parses the formula (safely), fits its free parameters to the agent's own
experiments, and then measures it against the hidden law on a held-out, noise-free sample of
the declared domain, plus a symbolic match (:mod:`discolab.verifiers.symbolic`).

Honesty rule: the ``feedback`` text goes back to the agent, so it holds only what the agent
could compute itself (the fit to its own data, the fitted parameters, the complexity, parse
errors). Held-out and truth-derived figures go to ``metrics`` only, under names that do not
start with ``data_`` (the prefix the explorer shows to agents).

Score, in [0, 1]: 1.0 for a symbolic match; otherwise at most 0.5, as
``0.5 / (1 + rel_log_error + ood_rel_log_error)`` over the held-out sample of the domain and a
sample of the widened domain (see :mod:`discolab.verifiers.symbolic`), so no formula that is
not the law comes near a match (a template that only fits where it was fitted scores lower
still), and a non-finite one scores 0.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from functools import cached_property

import numpy as np

from discolab.environments.base import GroundTruth, sample_inputs
from discolab.environments.observations import law_data
from discolab.errors import ExperimentError, ExpressionError, VerificationError
from discolab.types import Candidate, CandidateKind, Evaluation, Experiment, TaskSpec
from discolab.verifiers.expressions import ParsedExpression, parse_expression
from discolab.verifiers.metrics import max_relative_error, nmse, relative_log_error, rmsle
from discolab.verifiers.numeric import FitResult, fit_parameters
from discolab.verifiers.symbolic import (
    SymbolicMatch,
    TruthSamples,
    draw_truth_samples,
    symbolic_match,
)

logger = logging.getLogger(__name__)

# Held-out metrics (truth-derived: stored and reported, never shown to the agent).
RMSLE = "rmsle"
NMSE = "nmse"
REL_LOG_ERROR = "rel_log_error"
SYMBOLIC_MATCH = "symbolic_match"
MAX_REL_ERROR = "max_rel_error"
HELDOUT_MAX_REL_ERROR = "heldout_max_rel_error"
"""Largest relative error of the fitted candidate on the held-out sample of the domain."""
OOD_NMSE = "ood_nmse"
"""NMSE of the fitted candidate on points of a widened domain (out of the fitted ranges)."""
OOD_REL_LOG_ERROR = "ood_rel_log_error"
MATCH_FIT_FAILED = "match_fit_failed"
"""1.0 when the judge could not fit the candidate to the truth at all (not a wrong law)."""
REWARD = "reward"
# Agent-visible metrics (computed from the agent's own experiments).
DATA_REL_LOG_ERROR = "data_rel_log_error"
DATA_RMSLE = "data_rmsle"
DATA_NMSE = "data_nmse"
DATA_POINTS = "data_points"
DATA_PARAM_PREFIX = "data_param_"
COMPLEXITY = "complexity"

HELDOUT_METRICS = (
    RMSLE,
    NMSE,
    REL_LOG_ERROR,
    SYMBOLIC_MATCH,
    MAX_REL_ERROR,
    HELDOUT_MAX_REL_ERROR,
    OOD_NMSE,
    OOD_REL_LOG_ERROR,
    MATCH_FIT_FAILED,
    REWARD,
)
AGENT_VISIBLE_METRICS = (DATA_REL_LOG_ERROR, DATA_RMSLE, DATA_NMSE, DATA_POINTS, COMPLEXITY)
MAX_FREE_PARAMETERS = 6
"""Free parameters a formula may have before it is fitted at all (a public, fixed cap that
bounds the cost of every fit; the judge's own cap, tied to the task, is tighter)."""
MATCH_SCORE = 1.0
NEAR_MISS_CAP = 0.5

_MATCH_CACHE_SIZE = 4096


def score_from(matched: bool, rel_log_error: float) -> float:
    """The verifier's score: 1 for a match, else ``0.5 / (1 + rel_log_error)`` (0 if inf).

    ``rel_log_error`` is the sum of the error terms the verifier penalises (in-domain and
    widened-domain relative log errors, plus a system's trajectory error).
    """
    if matched:
        return MATCH_SCORE
    if not math.isfinite(rel_log_error):
        return 0.0
    return NEAR_MISS_CAP / (1.0 + rel_log_error)


def _format_params(params: dict[str, float]) -> str:
    return ", ".join(f"{name}={value:.6g}" for name, value in params.items())


class LawVerifier:
    """Scores expression candidates for one law-discovery task.

    Args:
        spec: the task statement (input names and ranges).
        truth: the hidden law, used only for held-out metrics and the symbolic match.
        heldout_size: points in the held-out sample.
        seed: seed of the held-out sample and of the symbolic-match samples.
    """

    def __init__(
        self, spec: TaskSpec, truth: GroundTruth, *, heldout_size: int = 5000, seed: int = 2024
    ) -> None:
        if heldout_size < 1:
            raise VerificationError(f"heldout_size must be at least 1, got {heldout_size!r}")
        self.spec = spec
        self.truth = truth
        self.heldout_size = int(heldout_size)
        self.seed = int(seed)
        self._matches: dict[str, SymbolicMatch] = {}

    @cached_property
    def heldout(self) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """The held-out inputs and noise-free outputs (drawn once per verifier)."""
        rng = np.random.default_rng([self.seed, 0])
        columns = sample_inputs(self.truth.inputs, self.heldout_size, rng)
        return columns, self.truth.evaluate(columns)

    @cached_property
    def truth_samples(self) -> TruthSamples:
        """The symbolic-match samples (drawn once per verifier)."""
        return draw_truth_samples(self.truth, seed=self.seed + 1)

    def match(self, parsed: ParsedExpression) -> SymbolicMatch:
        """Symbolic match of a formula; cached, since it depends on the formula alone."""
        key = parsed.source
        if key not in self._matches:
            if len(self._matches) >= _MATCH_CACHE_SIZE:
                self._matches.pop(next(iter(self._matches)))
            self._matches[key] = symbolic_match(
                parsed, self.truth, seed=self.seed + 1, samples=self.truth_samples
            )
        return self._matches[key]

    def evaluate(self, candidate: Candidate, experiments: Sequence[Experiment]) -> Evaluation:
        """Score one candidate; every failure is a failed evaluation, never an exception."""
        if candidate.kind != CandidateKind.EXPRESSION:
            return Evaluation.failure(
                f"this task takes a formula, but the candidate is a {candidate.kind.value}"
            )
        try:
            parsed = parse_expression(candidate.source, self.spec.formula_names)
        except ExpressionError as exc:
            return Evaluation.failure(f"formula rejected: {exc}")
        if len(parsed.parameters) > MAX_FREE_PARAMETERS:
            return Evaluation.failure(
                f"formula rejected: it has {len(parsed.parameters)} free parameters "
                f"({', '.join(parsed.parameters[:3])}, ...); a law takes at most "
                f"{MAX_FREE_PARAMETERS}: state the structure, let the fit find only constants"
            )
        try:
            return self._evaluate(parsed, experiments)
        except (VerificationError, ValueError, FloatingPointError, OverflowError) as exc:
            logger.info("could not verify %r: %s", candidate.source, exc)
            return Evaluation.failure(f"could not evaluate the formula: {exc}")

    def _data(self, experiments: Sequence[Experiment]) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Law samples from the agent's experiments (see :func:`law_data`)."""
        try:
            return law_data(self.spec, experiments)
        except ExperimentError as exc:
            raise VerificationError(str(exc)) from None

    def _fit(
        self, parsed: ParsedExpression, columns: dict[str, np.ndarray], y: np.ndarray
    ) -> FitResult:
        if not parsed.parameters:
            return FitResult({}, 0.0, True, "no free parameters")
        if y.size == 0:
            needed = ", ".join(parsed.parameters)
            return FitResult({}, math.inf, False, f"no measurements yet to fit {needed}")
        return fit_parameters(parsed, columns, y, seed=self.seed)

    def _evaluate(self, parsed: ParsedExpression, experiments: Sequence[Experiment]) -> Evaluation:
        columns, data_y = self._data(experiments)
        metrics: dict[str, float] = {
            COMPLEXITY: float(parsed.complexity),
            DATA_POINTS: float(data_y.size),
        }
        fit = self._fit(parsed, columns, data_y)
        if not fit.success:
            return Evaluation(
                score=0.0,
                passed=False,
                metrics=metrics,
                feedback=f"{parsed.source}: could not fit it to your data ({fit.message}); "
                f"complexity {parsed.complexity}",
                error=f"fit failed: {fit.message}",
            )
        metrics.update({f"{DATA_PARAM_PREFIX}{k}": float(v) for k, v in fit.params.items()})
        if data_y.size:
            data_pred = parsed.evaluate(columns, fit.params)
            metrics[DATA_REL_LOG_ERROR] = relative_log_error(data_y, data_pred)
            metrics[DATA_RMSLE] = rmsle(data_y, data_pred)
            metrics[DATA_NMSE] = nmse(data_y, data_pred)
        heldout_columns, heldout_y = self.heldout
        predicted = parsed.evaluate(heldout_columns, fit.params)
        metrics[REL_LOG_ERROR] = relative_log_error(heldout_y, predicted)
        metrics[RMSLE] = rmsle(heldout_y, predicted)
        metrics[NMSE] = nmse(heldout_y, predicted)
        metrics[HELDOUT_MAX_REL_ERROR] = max_relative_error(heldout_y, predicted)
        samples = self.truth_samples
        if samples.ood_outputs.size:
            ood_predicted = parsed.evaluate(samples.ood_columns, fit.params)
            metrics[OOD_NMSE] = nmse(samples.ood_outputs, ood_predicted)
            metrics[OOD_REL_LOG_ERROR] = relative_log_error(
                np.abs(samples.ood_outputs), np.abs(ood_predicted)
            )
        else:
            metrics[OOD_NMSE] = metrics[NMSE]
            metrics[OOD_REL_LOG_ERROR] = metrics[REL_LOG_ERROR]
        match = self.match(parsed)
        metrics[SYMBOLIC_MATCH] = 1.0 if match.matched else 0.0
        metrics[MAX_REL_ERROR] = match.max_rel_error
        metrics[MATCH_FIT_FAILED] = 1.0 if match.fit_failed else 0.0
        feedback = self._feedback(parsed, fit, metrics)
        extra_feedback = self._extra_metrics(parsed, fit, experiments, metrics)
        if extra_feedback:
            feedback = f"{feedback}; {extra_feedback}"
        error = None
        if not np.all(np.isfinite(predicted)):
            # A fact about the formula on the public input ranges, not about the hidden law.
            error = "the formula is undefined or overflows somewhere inside the input ranges"
            feedback = f"{feedback}; {error}"
        score = self._score(match.matched, metrics)
        metrics[REWARD] = score
        return Evaluation(
            score=score,
            passed=match.matched,
            metrics=metrics,
            feedback=feedback,
            error=error,
        )

    def _score(self, matched: bool, metrics: dict[str, float]) -> float:
        """The combined reward; see the module docstring."""
        return score_from(matched, metrics[REL_LOG_ERROR] + metrics[OOD_REL_LOG_ERROR])

    def _extra_metrics(
        self,
        parsed: ParsedExpression,
        fit: FitResult,
        experiments: Sequence[Experiment],
        metrics: dict[str, float],
    ) -> str:
        """Hook for subclasses: add metrics in place, return extra agent-visible feedback."""
        return ""

    @staticmethod
    def _feedback(parsed: ParsedExpression, fit: FitResult, metrics: dict[str, float]) -> str:
        """Agent-visible summary: own-data fit, fitted parameters, complexity; nothing held out."""
        parts = [parsed.source]
        n = int(metrics[DATA_POINTS])
        if n:
            parts.append(
                f"fit to your {n} measurements: relative log error "
                f"{metrics[DATA_REL_LOG_ERROR]:.4g} (RMS of log(predicted/measured))"
            )
        else:
            parts.append("no measurements yet to compare with")
        if fit.params:
            parts.append(f"fitted {_format_params(fit.params)}")
            parts.append(f"as a formula: {parsed.substitute(fit.params)}")
        parts.append(f"complexity {parsed.complexity}")
        return "; ".join(parts)
