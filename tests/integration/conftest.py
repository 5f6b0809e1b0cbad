"""Fixtures of the real-server tests.

Tests marked ``llama`` need the cached llama-server build and the SmolLM2 model (see
``tests/support/llama_server.py``). Without them they are skipped on a developer machine,
but in CI (``CI=true``) they FAIL instead: CI must never skip them.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

_SUPPORT = str(Path(__file__).resolve().parents[1] / "support")
if _SUPPORT not in sys.path:
    sys.path.insert(0, _SUPPORT)

from llama_server import LlamaBuild, cached_build  # noqa: E402


@pytest.fixture(scope="session")
def llama_build() -> LlamaBuild:
    """Skip (locally) or fail (CI=true) when the server or the model is missing."""
    found = cached_build()
    if isinstance(found, LlamaBuild):
        return found
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"the llama.cpp tests must run in CI but cannot: {found}")
    pytest.skip(found)
