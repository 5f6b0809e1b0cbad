#!/usr/bin/env bash
# Creates .venv with discolab installed in editable mode (with dev tools when given "dev").
# Needs only Python 3.11+ and access to PyPI. Safe to run again: it reuses the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "discolab needs Python 3.11 or newer; '$PYTHON' is $("$PYTHON" --version 2>&1 || echo missing)." >&2
    echo "Set PYTHON=/path/to/python3.11 and run again." >&2
    exit 2
fi
if [ ! -x .venv/bin/python ]; then
    echo "creating .venv with $("$PYTHON" --version)"
    "$PYTHON" -m venv .venv
fi
extras=""
if [ "${1:-}" = "dev" ]; then extras="[dev]"; fi
log=.venv/install.log
echo "installing discolab${extras} into .venv (log: $log)"
if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip \
        && .venv/bin/python -m pip install --disable-pip-version-check -e ".${extras}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "installing discolab failed; the full log is in $log" >&2
    exit 1
fi
