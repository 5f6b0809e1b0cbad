#!/usr/bin/env bash
# Sets everything up, then runs the quickstart campaign: an offline discovery of a shifted
# gravity law with the built-in proposer. Extra arguments go to `discolab run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/discolab run configs/quickstart.toml "$@"
