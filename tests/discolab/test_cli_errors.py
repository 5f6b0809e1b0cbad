"""Malformed configs give one clear message naming the field, exit code 2, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

GOOD_ENV = '[environment]\nid = "newton/gravity-v1"\n'


def _run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DISCOLAB_DB": f"sqlite:///{tmp_path / 'cli.db'}", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "discolab", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )


CASES = {
    "missing-name": ("[campaign]\nseed = 1\n" + GOOD_ENV, "campaign.name"),
    "missing-environment": ('[campaign]\nname = "x"\n', "[environment]"),
    "unknown-env": (
        '[campaign]\nname = "x"\n[environment]\nid = "newton/gravty-v1"\n',
        "did you mean 'newton/gravity-v1'",
    ),
    "wrong-type": ('[campaign]\nname = "x"\nseed = "one"\n' + GOOD_ENV, "campaign.seed"),
    "typo-option": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + "[environment.options]\nshfit = 'v1'\n",
        "shfit",
    ),
    "bad-noise-type": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + "[environment.options]\nnoise = 'high'\n",
        "noise",
    ),
    "bad-proposer": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + '[agent]\nproposer = "bulitin"\n',
        "did you mean 'builtin'",
    ),
    "proposer-option-typo": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + "[agent.options]\nbogus_knob = 3\n",
        "agent.options.bogus_knob",
    ),
    "not-toml": ("[campaign\nname=", "not valid TOML"),
    "model-preset-typo": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + '[agent]\nproposer = "olama:qwen"\n',
        "did you mean 'ollama'",
    ),
    "model-option-typo": (
        '[campaign]\nname = "x"\n' + GOOD_ENV + '[agent]\nproposer = "vllm:m"\n'
        "[agent.options]\nretires = 3\n",
        "agent.options.retires (did you mean 'retries'?)",
    ),
    "limits-typo": ('[campaign]\nname = "x"\n' + GOOD_ENV + "[limits]\nmax_tokns = 5\n", "limits"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_config_exits_2_with_one_clear_line(tmp_path: Path, case: str) -> None:
    text, needle = CASES[case]
    config = tmp_path / "bad.toml"
    config.write_text(text)
    result = _run_cli(tmp_path, "run", str(config))
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert needle in result.stderr
    assert result.stderr.strip().startswith("error:")
    # Nothing was stored for a config that failed validation.
    listing = _run_cli(tmp_path, "list")
    assert listing.returncode == 0
    assert "running" not in listing.stdout


def test_missing_config_file(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "run", str(tmp_path / "nope.toml"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_campaign_id(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "show", "no-such-campaign")
    assert result.returncode == 2
    assert "no-such-campaign" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_commands(tmp_path: Path) -> None:
    result = _run_cli(tmp_path, "--help")
    assert result.returncode == 0
    for command in ("run", "resume", "list", "show", "envs"):
        assert command in result.stdout


def test_openai_without_a_key_names_the_variable(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[campaign]\nname = "x"\n' + GOOD_ENV + '[agent]\nproposer = "openai:gpt-4.1"\n'
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    env |= {"DISCOLAB_DB": f"sqlite:///{tmp_path / 'k.db'}"}
    result = subprocess.run(
        [sys.executable, "-m", "discolab", "run", str(config)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert result.returncode == 2
    assert "OPENAI_API_KEY" in result.stderr and "Traceback" not in result.stderr
