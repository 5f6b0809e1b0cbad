#!/usr/bin/env bash
# Sets everything up (with dev tools), then runs the linters and the test suite.
# Extra arguments go to pytest (e.g. `bash scripts/test.sh -k storage`).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/pytest "$@"
