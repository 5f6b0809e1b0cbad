"""Constants campaigns end to end: `discolab run` on a [constants] config, formulas stored
once by canonical form, `show` by constant, resume after an interruption, config errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from discolab.cli import _mount_subcommands, app
from discolab.constants.config import constants_config_from_dict, load_constants_config
from discolab.constants.runner import ConstantsRunner
from discolab.errors import ConfigError

CONFIG = """
[campaign]
name = "cli-constants"

[constants]
search = "enumeration"
target = "any"

[constants.enumeration]
a_degree = 1
b_degree = 2
a_range = [0, 3]
b_range = [-1, 1]
chunk_size = 60
workers = 1
"""


@pytest.fixture(scope="module")
def cli() -> CliRunner:
    _mount_subcommands()
    return CliRunner()


def _config(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "constants.toml"
    path.write_text(text)
    return path


def _formulas(runner: ConstantsRunner, cid: str) -> dict[str, str]:
    return {r.candidate.source: r.candidate.metadata["limit"] for r in runner.store.candidates(cid)}


def test_run_show_list_and_resume_through_the_cli(tmp_path: Path, cli: CliRunner) -> None:
    db = str(tmp_path / "db.sqlite")
    result = cli.invoke(
        app, ["run", str(_config(tmp_path)), "--id", "k1", "--db", db], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    assert "campaign k1 finished" in result.output
    assert "distinct formulas verified" in result.output and "pi " in result.output
    shown = cli.invoke(app, ["show", "k1", "--db", db], env={"COLUMNS": "200"})
    assert shown.exit_code == 0, shown.output
    for part in ("pi:", "PCF(2*n + 1, n**2)", "4/π", "digits/term", "predicted δ"):
        assert part in shown.output
    listed = cli.invoke(app, ["list", "--db", db], env={"COLUMNS": "250"})
    assert "constants/pcf-v1" in listed.output and "pi " in listed.output
    again = cli.invoke(app, ["resume", "k1", "--db", db])
    assert again.exit_code == 0 and "finished" in again.output


def test_formulas_are_stored_once_in_canonical_form(tmp_path: Path) -> None:
    runner = ConstantsRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    config = load_constants_config(_config(tmp_path))
    result = runner.start(config, campaign_id="c1")
    records = runner.store.candidates("c1")
    keys = [r.candidate.metadata["canonical"] for r in records]
    assert len(keys) == len(set(keys)) == result.summary["formulas"] > 0
    for r in records:
        assert r.candidate.source == r.candidate.metadata["canonical"]
        assert r.evaluation is not None and r.evaluation.passed
        assert r.evaluation.metrics["digits"] >= 50
    assert result.summary["candidates"] == 16 * 26


class _Interrupt(Exception):
    pass


def test_an_interrupted_campaign_resumes_to_the_same_formulas(tmp_path: Path) -> None:
    config = load_constants_config(_config(tmp_path))
    fresh = ConstantsRunner(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    fresh.start(config, campaign_id="f")
    expected = _formulas(fresh, "f")

    runner = ConstantsRunner(f"sqlite:///{tmp_path / 'killed.sqlite'}")
    seen: list[int] = []

    def stop_after_two(progress) -> None:
        seen.append(progress.done)
        if progress.done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        runner.start(config, campaign_id="k", on_progress=stop_after_two)
    assert runner.store.get_campaign("k").status == "stopped"
    assert len(runner.store.experiments("k")) == 2
    result = runner.resume("k")
    assert result.status == "finished"
    assert _formulas(runner, "k") == expected
    assert result.summary["candidates"] == 16 * 26


def test_a_crash_between_formulas_and_the_unit_record_stores_nothing_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_constants_config(_config(tmp_path))
    runner = ConstantsRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    original = runner.store.record_experiment
    calls = {"n": 0}

    def crash_on_third(cid, experiment):
        calls["n"] += 1
        if calls["n"] == 3:
            raise _Interrupt("killed after the formulas were written")
        return original(cid, experiment)

    monkeypatch.setattr(runner.store, "record_experiment", crash_on_third)
    from discolab.errors import ProposerError

    with pytest.raises(ProposerError) as crashed:  # a crash is stored as the failure's reason
        runner.start(config, campaign_id="x")
    assert isinstance(crashed.value.__cause__, _Interrupt)
    assert runner.store.get_campaign("x").status == "failed"
    monkeypatch.setattr(runner.store, "record_experiment", original)
    runner.resume("x")
    fresh = ConstantsRunner(f"sqlite:///{tmp_path / 'fresh.sqlite'}")
    fresh.start(config, campaign_id="f")
    assert _formulas(runner, "x") == _formulas(fresh, "f")
    assert runner.store.count_candidates("x") == fresh.store.count_candidates("f")


BAD = [
    ('search = "grid"', "constants.search = 'grid'"),
    ('search = "enumeration"\ntarget = "tau"', "constants.target = 'tau'"),
    ('search = "enumeration"\ndigits = 20', "digits must be"),
    ('search = "enumeration"\n[constants.esma]\nterms = 10', "[constants.esma] is given"),
    ('search = "enumeration"\n[constants.enumeration]\na_range = [3, 1]', "a_range"),
    ('search = "enumeration"\n[constants.enumeration]\nworkers = 0', "workers"),
    ('search = "enumeration"\n[constants.enumeration]\nbogus = 1', "unknown key"),
    ('search = "cmf"\n[constants.cmf]\nformulas = ["PCF(sin(n), 1)"]', "formulas[0]"),
    ('search = "esma"\n[constants.esma]\nconstants = ["pie"]', "unknown constant 'pie'"),
]


@pytest.mark.parametrize(("body", "fragment"), BAD)
def test_bad_configs_are_one_clear_line(tmp_path: Path, cli: CliRunner, body, fragment) -> None:
    text = f'[campaign]\nname = "bad"\n\n[constants]\n{body}\n'
    result = cli.invoke(app, ["run", str(_config(tmp_path, text)), "--db", str(tmp_path / "d")])
    assert result.exit_code == 2, result.output
    assert fragment in result.output
    assert "Traceback" not in result.output


def test_model_options_do_not_apply_to_a_search(tmp_path: Path, cli: CliRunner) -> None:
    result = cli.invoke(app, ["run", str(_config(tmp_path)), "--model", "openai:x"])
    assert result.exit_code == 2 and "discolab evolve" in result.output


def test_config_round_trips_through_the_stored_dict() -> None:
    import tomllib

    config = constants_config_from_dict(tomllib.loads(CONFIG))
    assert constants_config_from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError):
        constants_config_from_dict({"campaign": {"name": "x"}})


def test_esma_campaign_finds_formulas_for_e_and_e_squared(tmp_path: Path) -> None:
    text = (
        '[campaign]\nname = "esma"\n[constants]\nsearch = "esma"\n'
        '[constants.esma]\nconstants = ["e", "e2", "pi"]\nterms = 120\n'
    )
    runner = ConstantsRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = runner.start(load_constants_config(_config(tmp_path, text)), campaign_id="s")
    by = result.summary["by_constant"]
    assert by.get("e", 0) >= 1 and by.get("e2", 0) >= 1 and "pi" not in by
    origins = [r.candidate.metadata.get("origin", "") for r in runner.store.candidates("s")]
    assert all(o.startswith("period ") for o in origins)
    limit_clusters = [c for c in result.summary["clusters"] if c["kind"] == "limit"]
    assert sorted(c["constants"][0] for c in limit_clusters) == ["e", "e2"]
    assert all(len(c["constants"]) == 1 for c in limit_clusters)


def test_cmf_campaign_generates_further_verified_formulas(tmp_path: Path) -> None:
    text = (
        '[campaign]\nname = "cmf"\n[constants]\nsearch = "cmf"\n'
        '[constants.cmf]\nformulas = ["PCF(n + 3, -n)", "PCF(2*n + 1, n**2)"]\ncount = 3\n'
    )
    runner = ConstantsRunner(f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = runner.start(load_constants_config(_config(tmp_path, text)), campaign_id="m")
    assert result.summary["by_constant"].get("e", 0) >= 3
    assert list(runner.store.get_campaign("m").assistance) == ["seeded"]
    for r in runner.store.candidates("m"):
        assert r.candidate.metadata["origin"].startswith("field of PCF(n + 3, -n)")
        assert r.candidate.source != "PCF(n + 3, -n)"


def test_a_crashing_search_fails_with_a_reason_and_resumes(
    tmp_path: Path, cli: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import discolab.constants.runner as runner_module

    real = runner_module.run_units

    def crash_after_one(config, units, skip):
        for i, item in enumerate(real(config, units, skip)):
            if i == 1:
                raise RuntimeError("a bug in the search")
            yield item

    monkeypatch.setattr(runner_module, "run_units", crash_after_one)
    db = str(tmp_path / "db.sqlite")
    result = cli.invoke(app, ["run", str(_config(tmp_path)), "--id", "z1", "--db", db])
    assert result.exit_code == 1, result.output
    assert "search crashed (RuntimeError: a bug in the search)" in result.output
    assert "Traceback" not in result.output
    runner = ConstantsRunner(f"sqlite:///{db}")
    record = runner.store.get_campaign("z1")
    assert record.status == "failed" and "discolab resume z1" in record.stop_reason
    assert len(runner.store.experiments("z1")) == 1  # the finished unit is kept
    monkeypatch.setattr(runner_module, "run_units", real)
    assert runner.resume("z1").status == "finished"
