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
