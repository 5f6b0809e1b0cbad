"""``builtin-sim``: laws fitted through an apparatus' forward simulation, never its inversion."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from discolab.agents.proposers import builtin as builtin_module
from discolab.agents.proposers.base import ProposalContext, assistance_of
from discolab.agents.proposers.catalog import make_proposer
from discolab.agents.proposers.simulator import SimulatorLawProposer
from discolab.agents.simfit.records import FAILED, RecordSet, SimBudget
from discolab.bench_cli import app as bench_app
from discolab.campaign import CampaignRunner
from discolab.config import config_from_dict
from discolab.environments import observations
from discolab.environments.catalog import make_environment
from discolab.errors import ConfigError
from discolab.storage import BenchmarkStore, Database, sqlite_url
from discolab.types import Experiment, TaskSpec

SMALL = {"sim_budget": 400, "random_starts": 1}


def _records(env_id: str, shift: str, rounds: int = 2) -> tuple[TaskSpec, tuple[Experiment, ...]]:
    """``rounds`` experiment calls of the proposer's own design, answered by the task."""
    env = make_environment(env_id, shift=shift)
    spec = env.reset(seed=0)
    proposer = SimulatorLawProposer()
    experiments: list[Experiment] = []
    for r in range(rounds):
        context = ProposalContext(spec, tuple(experiments), round=r, seed=r)
        points = proposer.design_experiments(context, np.random.default_rng(r))
        outputs = tuple(env.experiment(points))
        experiments.append(Experiment(index=r, inputs=tuple(points), outputs=outputs))
    return spec, tuple(experiments)


def test_it_proposes_on_a_system_task_when_the_inversion_raises(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    spec, experiments = _records("newton/gravity-simple-v1", "canonical")
    apparatus = observations.apparatus_for(spec.task_id)

    def spy(*args: object, **kwargs: object) -> None:
        raise AssertionError("builtin-sim must not read the apparatus' inversion")

    monkeypatch.setattr(apparatus, "law_samples", spy)
    monkeypatch.setattr(observations, "law_data", spy)
    monkeypatch.setattr(builtin_module, "law_data", spy)
    context = ProposalContext(spec, experiments, round=2, seed=2)
    candidates = SimulatorLawProposer(**SMALL).propose(context)
    assert candidates and candidates[0].metadata["pick"]
    assert candidates[0].source == "C*m1*m2*r**(-2)"
    assert candidates[0].metadata["converged"]
    assert all(c.proposer == "builtin-sim" for c in candidates)


def test_the_same_seed_gives_the_same_candidates() -> None:
    spec, experiments = _records("newton/malus-simple-v1", "easy-1")
    context = ProposalContext(spec, experiments, round=2, seed=7)
    first = SimulatorLawProposer(**SMALL).propose(context)
    second = SimulatorLawProposer(**SMALL).propose(context)
    assert [(c.source, c.metadata) for c in first] == [(c.source, c.metadata) for c in second]
    assert first[0].metadata["sim_calls"] <= SMALL["sim_budget"]


class _Fragile:
    """An apparatus whose simulation raises for large law values and is NaN for negative."""

    observables = ()

    def simulate(
        self, law: object, controls: Mapping[str, np.ndarray], points: int
    ) -> dict[str, np.ndarray]:
        values = law({"x": controls["x"]})  # type: ignore[operator]
        if np.any(values > 1e6):
            raise OverflowError("runaway")
        y = np.where(values < 0, np.nan, values)[:, None] * np.ones(points)
        return {"y": y}


def test_a_candidate_that_breaks_the_simulator_is_a_failed_fit_not_a_crash() -> None:
    app = _Fragile()
    app.observables = (type("V", (), {"name": "y"})(),)  # type: ignore[assignment]
    controls = [{"x": 1.0}, {"x": 2.0}]
    records = [{"y": np.full(4, 1.0)}, {"y": np.full(4, 2.0)}]
    budget = SimBudget(10)
    rs = RecordSet(app, controls, records, 4, budget)
    assert rs.loss(lambda c: c["x"]) == 0.0
    assert np.all(rs.residuals(lambda c: c["x"] * 1e9) == FAILED)  # the simulator raised
    assert np.all(rs.residuals(lambda c: -c["x"]) == FAILED)  # NaN records
    assert budget.used == 3


def test_it_recovers_a_shifted_power_law_in_a_campaign_and_records_its_assistance(
    tmp_path: Path,
) -> None:
    config = config_from_dict(
        {
            "campaign": {"name": "sim", "seed": 1},
            "environment": {"id": "newton/hooke-simple-v1", "options": {"shift": "easy-1"}},
            "agent": {"proposer": "builtin-sim", "options": SMALL},
        }
    )
    url = f"sqlite:///{tmp_path / 'c.db'}"
    runner = CampaignRunner(url)
    result = runner.start(config, campaign_id="sim")
    assert result.status == "finished"
    assert result.summary["symbolic_match"], result.summary["final_source"]
    assert result.summary["assistance"] == "simulator"
    assert list(runner.store.get_campaign("sim").assistance) == ["simulator"]


def test_catalog_options_errors_and_assistance() -> None:
    proposer = make_proposer("builtin-sim", {"sim_budget": 500})
    system = make_environment("newton/gravity-simple-v1").spec
    vanilla = make_environment("newton/gravity-v1").spec
    assert assistance_of(proposer, system) == ("simulator",)
    assert assistance_of(proposer, vanilla) == ()
    with pytest.raises(ConfigError, match="sim_budjet"):
        make_proposer("builtin-sim", {"sim_budjet": 500})
    with pytest.raises(ConfigError, match="sim_budget"):
        make_proposer("builtin-sim", {"sim_budget": 5})
    with pytest.raises(ConfigError, match="builtin-sim"):
        make_proposer("builtin-sym")


def test_bench_run_with_builtin_sim_is_ranked_as_simulator(tmp_path: Path) -> None:
    suite = tmp_path / "sys.toml"
    suite.write_text(
        '[suite]\nid = "sys-v1"\n[options]\nnoise = 0.0\nbudget = 2\nseed = 0\n'
        '[[tasks]]\nenv = "newton/hooke-simple-v1"\nshifts = ["canonical"]\n'
    )
    db = str(tmp_path / "runs.db")
    out = tmp_path / "run.jsonl"
    args = ["run", str(suite), "--proposer", "builtin-sim", "--name", "s1", "--out", str(out)]
    result = CliRunner().invoke(bench_app, [*args, "--workers", "1", "--db", db])
    assert result.exit_code == 0, result.output
    assert "(assistance: simulator)" in result.output
    (line,) = [json.loads(x) for x in out.read_text().splitlines()]
    assert line["assistance"] == ["simulator"] and line["proposer"] == "builtin-sim"
    with Database(sqlite_url(db)) as database:
        runs = {r.label: r.spec.assistance for r in BenchmarkStore(database).runs("sys-v1")}
    assert runs == {"s1": "simulator"}
    refused = CliRunner().invoke(
        bench_app, ["run", str(suite), "--proposer", "builtin-sim", "--inversion", "--db", db]
    )
    assert refused.exit_code != 0
