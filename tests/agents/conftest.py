"""Fixtures: a fake OpenAI-compatible server on 127.0.0.1 (see tests/fakes/openai_server.py);
tests/support holds shared checks (exact_forms)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

for _folder in ("fakes", "support"):
    _path = str(Path(__file__).parents[1] / _folder)
    if _path not in sys.path:
        sys.path.insert(0, _path)

from openai_server import FakeOpenAI, serve  # noqa: E402


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh scripted server; ``fake_openai.url`` is its ``/v1`` base URL."""
    with serve() as server:
        yield server


@pytest.fixture(autouse=True)
def search_bounded_by_its_budgets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search called without a config gets a wall-clock cap a loaded machine cannot hit.

    The default cap (300 s) is a safety net for users; in tests the generation and evaluation
    budgets alone must bound a search, so its result depends on its seed only, never on how
    busy the machine is.
    """
    import functools

    from discolab.agents.search import engine

    monkeypatch.setattr(
        engine, "SearchConfig", functools.partial(engine.SearchConfig, time_limit_s=600.0)
    )
