"""Fixtures: a fake OpenAI-compatible server on 127.0.0.1 (see tests/fakes/openai_server.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

_FAKES = str(Path(__file__).parents[1] / "fakes")
if _FAKES not in sys.path:
    sys.path.insert(0, _FAKES)

from openai_server import FakeOpenAI, serve  # noqa: E402


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A fresh scripted server; ``fake_openai.url`` is its ``/v1`` base URL."""
    with serve() as server:
        yield server
