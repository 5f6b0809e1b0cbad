"""The built-in proposer on system tasks: it reads laws out of recorded runs, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from discolab.campaign import CampaignRunner
from discolab.config import load_config
from discolab.storage.db import Database
from discolab.storage.store import CampaignStore

CONFIG = """
[campaign]
name = "systems-test"
seed = 3

[environment]
id = "{env_id}"

[environment.options]
shift = "{shift}"

[agent]
proposer = "builtin"
"""


@pytest.mark.parametrize(
    ("env_id", "shift"),
    [
        ("newton/gravity-simple-v1", "canonical"),  # the textbook law, not a hidden shift
        ("newton/gravity-complex-v1", "canonical"),  # both bodies move
    ],
)
def test_builtin_recovers_a_shifted_law_inside_an_apparatus(
    tmp_path: Path, env_id: str, shift: str
) -> None:
    config = tmp_path / "c.toml"
    config.write_text(CONFIG.format(env_id=env_id, shift=shift))
    url = f"sqlite:///{tmp_path / 'c.db'}"
    result = CampaignRunner(url).start(load_config(config), campaign_id="sys")
    assert result.status == "finished"
    store = CampaignStore(Database(url))
    experiments = store.experiments("sys")
    assert experiments and isinstance(experiments[0].outputs[0], dict), "records are series"
    summary = result.summary
    assert summary["symbolic_match"], summary["final_source"]
    assert summary["metrics"]["data_trajectory_error"] < 1e-6
