"""The built-in law proposer: experiment design, the candidate contract, robustness, speed."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from discolab.agents.proposers.base import ProposalContext, Proposer
from discolab.agents.proposers.builtin import BuiltinLawProposer
from discolab.errors import ProposerError
from discolab.types import CandidateKind, Experiment, TaskSpec, Variable

GRAVITY = TaskSpec(
    task_id="test/gravity-v1",
    title="gravity",
    description="force between two masses",
    inputs=(
        Variable("m1", "kg", 1e20, 1e26),
        Variable("m2", "kg", 1e20, 1e26),
        Variable("r", "m", 1e6, 1e12),
    ),
    output=Variable("F", "N", 0.0, math.inf, log_scale=False),
    budget=10,
    max_batch=20,
)


def made_up_law(point: dict[str, float]) -> float:
    """A law written for these tests (not a suite law): a sum of masses over a power of r."""
    return 3.1e-9 * (point["m1"] + point["m2"]) ** 2 / point["r"] ** 2.5


def campaign(proposer, spec=GRAVITY, law=made_up_law, rounds=10, seed=0, noise=0.0):
    """Run the design -> experiment -> propose loop the explorer runs; return the contexts and
    the proposals of each round."""
    rng = np.random.default_rng(seed)
    noise_rng = np.random.default_rng(seed + 1)
    experiments: list[Experiment] = []
    history = []
    for k in range(rounds):
        ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed + k)
        points = proposer.design_experiments(ctx, rng)
        outputs = [law(p) * (1 + noise * noise_rng.standard_normal()) for p in points]
        experiments.append(Experiment(k, tuple(points), tuple(outputs)))
        ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed + k)
        history.append((ctx, proposer.propose(ctx)))
    return history


def test_is_a_proposer() -> None:
    assert isinstance(BuiltinLawProposer(), Proposer)
    assert BuiltinLawProposer.name == "builtin"


def test_recovers_a_made_up_law_and_becomes_confident() -> None:
    proposer = BuiltinLawProposer()
    history = campaign(proposer)
    ctx, candidates = history[-1]
    top = candidates[0]
    assert top.source == "C*(m1 + m2)**2/r**2.5"
    assert top.kind is CandidateKind.EXPRESSION and top.proposer == "builtin"
    assert top.generation == 9
    assert top.metadata["pick"] is True and top.metadata["converged"] is True
    assert top.metadata["n_points"] == 200 and top.metadata["complexity"] == 11
    assert set(top.metadata["fitted"]) == {"C"}
    assert proposer.is_confident(ctx, candidates)
    json.dumps([c.metadata for c in candidates])
    assert len(candidates) <= proposer.max_front
    assert all(not c.metadata["pick"] for c in candidates[1:])
    losses = [c.metadata["loss"] for c in candidates[1:]]
    assert losses == sorted(losses)


def test_recovers_under_noise_and_early_rounds_are_not_confident() -> None:
    proposer = BuiltinLawProposer()
    spec = TaskSpec(**{**GRAVITY.__dict__, "noise": 0.01})
    history = campaign(proposer, spec=spec, noise=0.01)
    ctx, candidates = history[-1]
    assert candidates[0].source == "C*(m1 + m2)**2/r**2.5"
    assert proposer.is_confident(ctx, candidates)
    first_ctx, _ = history[0]
    assert first_ctx.experiments and len(first_ctx.experiments[0].inputs) == 20
    assert not proposer.is_confident(first_ctx, [])


@pytest.mark.parametrize("round_", [0, 1, 5])
def test_design_stays_in_range_and_respects_max_batch(round_: int) -> None:
    spec = TaskSpec(
        **{
            **GRAVITY.__dict__,
            "inputs": (
                *GRAVITY.inputs,
                Variable("theta", "rad", 0.0, math.pi / 2, log_scale=False),
                Variable("fixed", "m", 2.0, 2.0),
            ),
            "max_batch": 37,
        }
    )
    past = (Experiment(0, ({},), (1.0,)),) if round_ else ()
    ctx = ProposalContext(spec=spec, experiments=past, round=round_)
    points = BuiltinLawProposer().design_experiments(ctx, np.random.default_rng(round_))
    assert len(points) == 37
    for p in points:
        assert set(p) == set(spec.input_names)
        for v in spec.inputs:
            assert isinstance(p[v.name], float) and v.contains(p[v.name]), (v.name, p[v.name])
    log_r = np.log10([p["r"] for p in points])
    assert log_r.min() < 7.5 and log_r.max() > 10.5  # spread over the decades


def test_same_seed_same_candidates() -> None:
    def law(p: dict[str, float]) -> float:
        return p["m1"] * math.exp(-p["r"] / 3e11) + p["m2"]

    runs = [
        campaign(BuiltinLawProposer(generations=6, time_limit_s=600.0), law=law, rounds=2)
        for _ in range(2)
    ]
    sources = [[(c.source, c.metadata["loss"]) for c in h[-1][1]] for h in runs]
    assert sources[0] == sources[1]


def experiments_with(outputs: list[float], n_inputs: int = 3) -> tuple[Experiment, ...]:
    rng = np.random.default_rng(0)
    points = tuple(
        {v.name: float(rng.uniform(v.low, v.high)) for v in GRAVITY.inputs[:n_inputs]}
        for _ in outputs
    )
    return (Experiment(0, points, tuple(outputs)),)


@pytest.mark.parametrize(
    "outputs",
    [
        [7.0] * 20,
        [float("nan")] * 20,
        [float("nan"), *([1.0] * 19)],
        [-(i + 1.0) for i in range(20)],
        [0.0] * 20,
        [(-1.0) ** i for i in range(20)],
        [3.0],
    ],
    ids=["constant", "all-nan", "some-nan", "negative", "zeros", "alternating", "one-point"],
)
def test_degenerate_data_never_crashes(outputs: list[float]) -> None:
    proposer = BuiltinLawProposer(generations=3, population=20)
    ctx = ProposalContext(spec=GRAVITY, experiments=experiments_with(outputs))
    candidates = proposer.propose(ctx)
    for c in candidates:
        assert c.source and math.isfinite(c.metadata["loss"])
    assert not proposer.is_confident(ctx, candidates) or len(outputs) >= 20


def test_all_nan_gives_empty_list_with_reason(caplog: pytest.LogCaptureFixture) -> None:
    ctx = ProposalContext(spec=GRAVITY, experiments=experiments_with([math.nan] * 5))
    assert BuiltinLawProposer().propose(ctx) == []
    assert "no finite observations" in caplog.text


def test_no_experiments_gives_empty_list() -> None:
    assert BuiltinLawProposer().propose(ProposalContext(spec=GRAVITY, experiments=())) == []


def test_program_tasks_are_refused_clearly() -> None:
    spec = TaskSpec(**{**GRAVITY.__dict__, "kind": CandidateKind.PROGRAM})
    with pytest.raises(ProposerError, match="program"):
        BuiltinLawProposer().propose(ProposalContext(spec=spec, experiments=()))


@pytest.mark.parametrize(
    "options",
    [
        {"max_front": 0},
        {"time_limit_s": -1.0},
        {"population": 1},
        {"edge_fraction": 2.0},
        {"max_evaluations": 0},
        {"max_evaluations": -5},
        {"max_evaluations": 2.5},
        {"max_evaluations": True},
    ],
)
def test_bad_options_name_the_value(options: dict[str, float]) -> None:
    with pytest.raises(ProposerError, match=str(next(iter(options.values())))):
        BuiltinLawProposer(**options)


def test_evaluation_budget_reaches_the_search() -> None:
    assert BuiltinLawProposer(max_evaluations=123).config.max_evaluations == 123


def collect(proposer, spec, law, rounds=10, seed=0) -> ProposalContext:
    """Designed experiments only (no proposals in between), as a context for one propose."""
    rng = np.random.default_rng(seed)
    experiments: list[Experiment] = []
    for k in range(rounds):
        ctx = ProposalContext(spec=spec, experiments=tuple(experiments), round=k, seed=seed)
        points = proposer.design_experiments(ctx, rng)
        experiments.append(Experiment(k, tuple(points), tuple(law(p) for p in points)))
    return ProposalContext(spec=spec, experiments=tuple(experiments), round=rounds, seed=seed)


def test_propose_on_200_points_when_every_stage_runs() -> None:
    def law(p: dict[str, float]) -> float:  # not a power law: every stage runs
        return math.sin(p["r"] / 1e11) + 2.0 + p["m1"] / p["m2"]

    proposer = BuiltinLawProposer(time_limit_s=600.0)  # a cap a loaded machine cannot hit
    ctx = collect(proposer, GRAVITY, law)
    candidates = proposer.propose(ctx)
    assert candidates and candidates[0].metadata["n_points"] == 200
    assert all(math.isfinite(c.metadata["loss"]) for c in candidates)
    # Bounded by its generation budget alone, so the same context gives the same front (its
    # speed is measured by bench/search_generality.py, not here).
    assert [c.source for c in proposer.propose(ctx)] == [c.source for c in candidates]


def test_candidates_satisfy_the_verifier_grammar() -> None:
    expressions = pytest.importorskip("discolab.verifiers.expressions")
    proposer = BuiltinLawProposer(generations=10)
    for law in (made_up_law, lambda p: p["m1"] * math.exp(-p["r"] / 3e11) + p["m2"]):
        for c in proposer.propose(collect(proposer, GRAVITY, law, rounds=3)):
            parsed = expressions.parse_expression(c.source, GRAVITY.input_names)
            assert parsed.exponent_parameters == ()
            assert set(parsed.parameters) == set(c.metadata["fitted"])
