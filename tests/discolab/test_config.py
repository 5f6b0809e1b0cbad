"""Config validation: every problem is one ConfigError naming the field."""

from pathlib import Path

import pytest

from discolab.config import config_from_dict, load_config
from discolab.errors import ConfigError

GOOD = {
    "campaign": {"name": "demo", "seed": 3},
    "environment": {"id": "newton/gravity-v1", "options": {"noise": 0.0}},
    "agent": {"proposer": "builtin", "patience": 2},
}


def _with(section: str, **changes: object) -> dict:
    data = {k: dict(v) for k, v in GOOD.items()}
    data[section].update(changes)
    return data


def test_good_config_round_trips() -> None:
    cfg = config_from_dict(GOOD)
    assert cfg.name == "demo" and cfg.seed == 3
    assert cfg.environment.options == {"noise": 0.0}
    assert config_from_dict(cfg.to_dict()) == cfg


def test_quickstart_config_loads() -> None:
    cfg = load_config(Path(__file__).parents[2] / "configs" / "quickstart.toml")
    assert cfg.environment.id.startswith("newton/")


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        ({"environment": GOOD["environment"]}, "missing required key [campaign]"),
        ({"campaign": {"seed": 1}, "environment": GOOD["environment"]}, "campaign.name"),
        (_with("campaign", seed="seven"), "campaign.seed = 'seven' has type str"),
        (_with("campaign", seed=True), "campaign.seed = True"),
        (_with("campaign", sede=1), "unknown key campaign.sede (did you mean 'seed'?)"),
        (_with("agent", patience=0), "agent.patience = 0 must be at least 1"),
        (_with("agent", stop_when_confident="yes"), "agent.stop_when_confident"),
        (_with("campaign", sandbox="dokcer"), "did you mean 'docker'"),
        ({**GOOD, "agnet": {}}, "unknown key [agnet] (did you mean 'agent'?)"),
        ({**GOOD, "environment": {"options": {}}}, "missing required key environment.id"),
        ({**GOOD, "environment": "newton/gravity-v1"}, "[environment] = 'newton/gravity-v1'"),
    ],
)
def test_bad_configs_name_the_field(data: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert needle in str(info.value)
    assert info.value.exit_code == 2


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[campaign\nname = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)


MODEL = {
    "campaign": {"name": "m"},
    "environment": {"id": "newton/gravity-v1"},
    "agent": {"proposer": "ensemble", "ensemble": [{"model": "ollama:a", "weight": 3}]},
    "models": {"presets": {"box": {"base_url": "http://gpu:8000/v1", "supports_tools": False}}},
    "pricing": {"gpt-4.1": {"input": 2.0, "output": 8}},
    "limits": {"max_tokens": 10_000, "max_cost": 1.5, "max_calls": 50},
}


def test_model_sections_round_trip() -> None:
    cfg = config_from_dict(MODEL)
    assert cfg.agent.ensemble == ({"model": "ollama:a", "weight": 3.0},)
    assert cfg.pricing == {"gpt-4.1": {"input": 2.0, "output": 8.0}}
    assert cfg.limits["max_tokens"] == 10_000
    assert config_from_dict(cfg.to_dict()) == cfg


def _model_with(section: str, value: object) -> dict:
    return {**MODEL, section: value}


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (_model_with("limits", {"max_tokns": 5}), "unknown key limits.max_tokns (did you mean"),
        (_model_with("limits", {"max_tokens": 0}), "limits.max_tokens = 0 must be > 0"),
        (_model_with("limits", {"max_cost": "1"}), "limits.max_cost = '1' has type str"),
        (_model_with("pricing", {"m": {"input": 1.0}}), 'missing required key pricing."m".output'),
        (_model_with("pricing", {"m": {"input": -1, "output": 1}}), "must be >= 0"),
        (_model_with("models", {"presets": {"box": {"base_url": "gpu"}}}), "not an http(s) URL"),
        (_model_with("models", {"presets": {"new": {"api_key_env": "X"}}}), "base_url"),
        (_model_with("models", {"preset": {}}), "did you mean 'presets'"),
        (
            _model_with("agent", {"proposer": "ensemble", "ensemble": [{"model": "x", "w": 1}]}),
            "unknown key agent.ensemble[0].w",
        ),
        (
            _model_with("agent", {"proposer": "ensemble", "ensemble": [{"model": "x"}]}),
            "agent.ensemble[0].model = 'x' is not PRESET:MODEL",
        ),
        (
            _model_with("agent", {"ensemble": [{"model": "a:b", "weight": 0}]}),
            "agent.ensemble[0].weight = 0 must be > 0",
        ),
    ],
)
def test_bad_model_sections_name_the_field(data: dict, needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert needle in str(info.value)
