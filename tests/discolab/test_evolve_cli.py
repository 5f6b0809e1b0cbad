"""`discolab evolve`, `problems`, `show`, `list` and config errors through the real CLI."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.errors import ConfigError, DiscolabError
from discolab.evolve_config import evolve_config_from_dict, load_evolve_config

CONFIG = """
[campaign]
name = "cli-evolve"
seed = 4
sandbox = "process"

[problem]
id = "programs/circle-packing-26-v1"

[evolver]
max_iterations = 7
batch = 3
timeout_s = 60
"""


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    _mount_subcommands()
    return CliRunner()


def test_evolve_then_show_and_list(tmp_path: Path, cli: CliRunner) -> None:
    config = tmp_path / "evolve.toml"
    config.write_text(CONFIG)
    db = str(tmp_path / "db.sqlite")
    result = cli.invoke(app, ["evolve", str(config), "--id", "e1", "--db", db])
    assert result.exit_code == 0, result.output
    assert "campaign e1 finished" in result.output and "7 programs" in result.output
    shown = cli.invoke(app, ["show", "e1", "--db", db, "--code"])
    assert shown.exit_code == 0, shown.output
    for part in ("score history", "archive occupancy", "lineage of the best", "EVOLVE-BLOCK"):
        assert part in shown.output
    listed = cli.invoke(app, ["list", "--db", db], env={"COLUMNS": "250"})
    assert "programs/circle-packing-26-v1" in listed.output and "e1" in listed.output
    again = cli.invoke(app, ["resume", "e1", "--db", db])
    assert again.exit_code == 0 and "finished" in again.output


def test_best_of_n_from_the_same_command(tmp_path: Path, cli: CliRunner) -> None:
    config = tmp_path / "evolve.toml"
    config.write_text(CONFIG)
    db = str(tmp_path / "db.sqlite")
    result = cli.invoke(
        app, ["evolve", str(config), "--id", "b1", "--db", db, "--strategy", "best-of-n"]
    )
    assert result.exit_code == 0, result.output
    shown = cli.invoke(app, ["show", "b1", "--db", db])
    assert "strategy best-of-n" in shown.output


def test_problems_lists_every_registered_problem(cli: CliRunner) -> None:
    result = cli.invoke(app, ["problems"])
    assert result.exit_code == 0
    assert "programs/circle-packing-26-v1" in result.output
    assert "programs/kissing-11-v1" in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"evolver": {"strategy": "evolv"}}, "did you mean 'evolve'"),
        ({"evolver": {"batch": 0}}, "evolver.batch = 0"),
        ({"evolver": {"max_itertions": 5}}, "max_iterations"),
        ({"evolver": {"archive": {"islands": 0}}}, "evolver.archive.islands = 0"),
        ({"evolver": {"archive": {"elite_share": 0.9}}}, "share"),
        ({"evolver": {"crossover_rate": 2}}, "crossover_rate"),
        ({"problem": {"id": "programs/circle-packing-62-v1"}}, "circle-packing-26-v1"),
        ({"evolver": {"proposer": "bogus"}}, "bogus"),
        ({"evolver": {"archive": {"features": ["worst_slack"]}}}, "needs a range"),
        ({"evolver": {"archive": {"ranges": {"worst_slack": [1, 0]}}}}, "low < high"),
    ],
)
def test_bad_configs_name_the_bad_value(tmp_path: Path, change: dict, message: str) -> None:
    base = {
        "campaign": {"name": "x", "sandbox": "process"},
        "problem": {"id": "programs/circle-packing-26-v1"},
        "evolver": {},
    }
    for key, value in change.items():
        base[key] = base[key] | value
    from discolab.evolve import EvolveRunner

    with pytest.raises(DiscolabError, match=re.escape(message)):
        config = evolve_config_from_dict(base)
        EvolveRunner(f"sqlite:///{tmp_path / 'db.sqlite'}").start(config)


def test_a_missing_seed_program_file_is_named(tmp_path: Path) -> None:
    config = tmp_path / "evolve.toml"
    config.write_text(CONFIG + 'seed_program = "nope.py"\n')
    with pytest.raises(ConfigError, match=r"nope\.py"):
        load_evolve_config(config)


def test_a_bad_config_through_the_cli_is_one_line(tmp_path: Path, cli: CliRunner) -> None:
    config = tmp_path / "evolve.toml"
    config.write_text(CONFIG.replace("batch = 3", "batch = 'three'"))
    result = cli.invoke(app, ["evolve", str(config), "--db", str(tmp_path / "db.sqlite")])
    assert result.exit_code == 2
    assert "evolver.batch" in result.output and "Traceback" not in result.output


def test_grid_features_are_chosen_per_task(tmp_path: Path) -> None:
    from discolab.evolve import EvolveRunner

    base = {
        "campaign": {"name": "f", "sandbox": "process"},
        "problem": {"id": "programs/circle-packing-26-v1"},
        "evolver": {
            "max_iterations": 5,
            "batch": 2,
            "timeout_s": 60.0,
            "archive": {
                "islands": 1,
                "features": ["behaviour", "worst_slack"],
                "ranges": {"worst_slack": [0.0, 0.05]},
            },
        },
    }
    config = evolve_config_from_dict(base)
    assert evolve_config_from_dict(config.to_dict()) == config
    result = EvolveRunner(f"sqlite:///{tmp_path / 'db.sqlite'}").start(config, campaign_id="f")
    assert result.status == "finished" and result.summary["programs"] == 5
